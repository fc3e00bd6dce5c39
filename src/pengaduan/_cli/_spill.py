"""A history file replayed one complaint at a time, so the FILE commands run in bounded memory.

A JSON Lines history is in time order, so each complaint's events are spread through the
whole file: replaying it in one pass keeps every complaint in memory until the last line.
Here the file is read once into a temporary SQLite database (the events by complaint), then
replayed one complaint at a time: each replayed complaint is kept there too, with the verdicts
on its events (the first refused line in file order is what a one-pass replay would have
stopped at), and the complaints are read back one by one for the command to print once the
whole file has been judged. Memory holds one
complaint at a time; the temporary database stays in SQLite's page cache while small, goes to
an unnamed temporary file when large, and is gone on close.

Each complaint is judged exactly as the one-pass replay judges it: by its own earlier events
and the ids already replayed. An event id shared by two complaints is the one case where a
complaint's verdict depends on another's, and such a (hostile or damaged) file is replayed in
one pass instead, in file order, with the one-pass replay's exact verdicts.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from pengaduan.exceptions import EventFormatError, RefusedError
from pengaduan.interchange import read_numbered_events
from pengaduan.model import Complaint, Event
from pengaduan.workflow import Workflow

# Rows per executemany while the file is read: large enough to be fast, small in memory.
_BATCH = 5000


class SpilledHistory:
    """A history file's events on disk by complaint, judged and replayed one at a time.

    Args:
        source: The file's path, or a binary stream (standard input).
        workflow: The workflow that judges the events.
        name: The history's name in messages (the file's path, or ``-``).
        as_of: Leave out events after this instant (malformed lines are reported wherever
            they are).
        skip_invalid: Skip malformed lines and refused events (each noted) instead of
            stopping at the first.

    Use `judge` once, then `complaints` (as often as needed); `close` deletes the database.
    """

    def __init__(
        self,
        source: str | IO[bytes],
        workflow: Workflow,
        *,
        name: str,
        as_of: datetime | None = None,
        skip_invalid: bool = False,
    ) -> None:
        self._workflow = workflow
        self._name = name
        self._as_of = as_of
        self._skip = skip_invalid
        # SQLite's private temporary database: kept in its page cache while small, spilled
        # to an unnamed temporary file when large, deleted on close. A scratch copy: nothing
        # here needs to survive a crash.
        self._db = sqlite3.connect("")
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE events (line INTEGER PRIMARY KEY, complaint TEXT, id TEXT, body BLOB);
            CREATE TABLE notes (line INTEGER PRIMARY KEY, message TEXT);
            CREATE TABLE replayed (first INTEGER, body BLOB);
            """
        )
        self._source = source
        self._stopped_at: EventFormatError | None = None
        self._one_pass = False

    def close(self) -> None:
        """Delete the temporary database."""
        self._db.close()

    def __enter__(self) -> SpilledHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading and judging ------------------------------------------------------------

    def _note(self, line: int, message: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO notes VALUES (?, ?)", (line, message))

    def _malformed(self, error: EventFormatError) -> None:
        if not self._skip:
            raise error
        self._note(
            error.line or 0,
            f"line {error.line}: skipped: {error.reason} ({error.path or 'record'})",
        )

    def _read(self) -> None:
        rows: list[tuple[int, str, str, bytes]] = []
        insert = "INSERT INTO events VALUES (?, ?, ?, ?)"
        try:
            for number, event in read_numbered_events(self._source, on_error=self._malformed):
                if self._as_of is not None and event.at > self._as_of:
                    continue
                rows.append((number, event.complaint, event.id, _pickled(event)))
                if len(rows) >= _BATCH:
                    self._db.executemany(insert, rows)
                    rows.clear()
        except EventFormatError as error:  # a one-pass replay stops at this line
            self._stopped_at = error
        self._db.executemany(insert, rows)
        self._db.execute("CREATE INDEX by_complaint ON events (complaint, line)")
        shared = self._db.execute(
            "SELECT 1 FROM events GROUP BY id HAVING COUNT(DISTINCT complaint) > 1 LIMIT 1"
        ).fetchone()
        self._one_pass = shared is not None

    def _events_of(self, complaint: str) -> Iterator[tuple[int, Event]]:
        rows = self._db.execute(
            "SELECT line, body FROM events WHERE complaint = ? ORDER BY line", (complaint,)
        ).fetchall()
        for line, body in rows:
            yield line, pickle.loads(body)

    def _in_file_order(self) -> Iterator[tuple[int, Event]]:
        for line, body in self._db.execute("SELECT line, body FROM events ORDER BY line"):
            yield line, pickle.loads(body)

    def _by_first_line(self) -> Iterator[tuple[str, int]]:
        # Read as it goes (SQLite sorts the groups before the first row comes out, so the
        # inserts made meanwhile do not disturb it): nothing here grows with the file.
        query = "SELECT complaint, MIN(line) FROM events GROUP BY complaint ORDER BY 2"
        yield from self._db.execute(query)

    def judge(self) -> str | None:
        """Read the file, judge every event and keep each replayed complaint for `complaints`.

        Returns:
            ``None`` if the history replays (with ``skip_invalid``: always), or the message
            for what a one-pass replay would have stopped at: the first refused event or
            malformed line in file order.

        Raises:
            OSError: If the file cannot be read.
        """
        self._read()
        stop = self._stopped_at.line or 0 if self._stopped_at is not None else None
        first: tuple[int, RefusedError] | None = None
        if self._one_pass:
            first = self._judge(self._in_file_order())
        else:
            for complaint, first_line in self._by_first_line():
                if first is not None and first_line > first[0]:
                    break  # a later complaint cannot be refused before the first refusal
                refusal = self._judge(self._events_of(complaint))
                if refusal is not None and (first is None or refusal[0] < first[0]):
                    first = refusal
        if first is not None and (stop is None or first[0] < stop):
            return f"{self._name}:line {first[0]}: refused: {first[1]}"
        if self._stopped_at is not None:
            return str(self._stopped_at)
        return None

    def _judge(self, numbered: Iterator[tuple[int, Event]]) -> tuple[int, RefusedError] | None:
        """Replay, noting each complaint's first accepted line; the first refusal, if any."""
        try:
            complaints, first = self._replay(numbered)
        except _RefusedAtLineError as refused:
            return refused.line, refused.error
        self._db.executemany(
            "INSERT INTO replayed VALUES (?, ?)",
            ((first[cid], _pickled(complaint)) for cid, complaint in complaints.items()),
        )
        return None

    def _replay(
        self, numbered: Iterator[tuple[int, Event]]
    ) -> tuple[dict[str, Complaint], dict[str, int]]:
        """Replay numbered events: the complaints, and the line each one's first accepted.

        Raises:
            _RefusedAtLineError: At the first refused event, unless skipping (then it is noted).
        """
        first: dict[str, int] = {}
        pending: tuple[int, Event] | None = None  # the event being judged, until refused

        def events() -> Iterator[Event]:
            nonlocal pending
            for line, event in numbered:
                if pending is not None:  # judged and not refused: accepted (or a duplicate)
                    first.setdefault(pending[1].complaint, pending[0])
                pending = (line, event)
                yield event

        def refused(_event: Event, error: RefusedError) -> None:
            nonlocal pending
            assert pending is not None
            line, pending = pending[0], None
            if not self._skip:
                raise _RefusedAtLineError(line, error)
            self._note(line, f"line {line}: skipped: {error}")

        complaints = self._workflow.replay(events(), on_refused=refused)
        if pending is not None:
            first.setdefault(pending[1].complaint, pending[0])
        return complaints, {cid: first[cid] for cid in complaints}

    # -- the results --------------------------------------------------------------------

    def notes(self) -> Iterator[str]:
        """What was skipped (with ``skip_invalid``), in file order."""
        for (message,) in self._db.execute("SELECT message FROM notes ORDER BY line"):
            yield message

    def complaints(self) -> Iterator[Complaint]:
        """The replayed complaints, one at a time, in order of their first accepted event.

        Call after `judge` has found nothing to stop at.
        """
        query = "SELECT body FROM replayed ORDER BY first"
        for (body,) in self._db.execute(query):
            complaint: Complaint = pickle.loads(body)
            yield complaint


def _pickled(value: Event | Complaint) -> bytes:
    # Written and read back by this process only, in a private temporary database: a
    # lossless copy that is about twice as fast to read as the JSON line it came from.
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


class _RefusedAtLineError(Exception):
    """The first refused event of a replay that does not skip."""

    def __init__(self, line: int, error: RefusedError) -> None:
        super().__init__(line, error)
        self.line = line
        self.error = error
