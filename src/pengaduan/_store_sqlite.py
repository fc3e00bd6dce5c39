"""The SQLite event store: the embedded default (standard library only).

One file, WAL journal, ``synchronous=FULL``; every append is one ``BEGIN IMMEDIATE``
transaction that takes the write lock *before* reading the complaint, so two processes
appending at once are serialised and the loser sees the winner's version (a `ConflictError`),
never a lost or doubled event. A killed writer leaves either its whole transaction or nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pengaduan._store_base import (
    CLOCK_COLUMNS,
    ROW_COLUMNS,
    SCHEMA_VERSION,
    RowQuery,
    Stamp,
    _Txn,
    decode_row,
    grouped_bodies,
    row_columns,
    stored_clock_columns,
    written_clock_columns,
)
from pengaduan._store_bulk import _BulkStore, _BulkTxn, chunks
from pengaduan.exceptions import NotAStoreError, StoreError, StoreVersionError
from pengaduan.readmodel import ComplaintRow, ReadModel
from pengaduan.workflow import Workflow

# The schema this code writes. 1 was pengaduan 0.1; 2 records the workflow of each event (in
# its body) and is the first to be upgraded on open (see `_MIGRATIONS`).
_SCHEMA_VERSION = SCHEMA_VERSION

_EXTERNAL_IDS = """CREATE TABLE IF NOT EXISTS external_ids (
        system TEXT NOT NULL,
        external_id TEXT NOT NULL,
        complaint TEXT NOT NULL,
        UNIQUE (system, external_id)
    )"""

# The read model (schema version 3): one row per complaint, one per clock of it, indexed for
# the queries of `_StoreCore.rows` and `due_ids`; instants are integer microseconds (UTC), the
# row itself is kept whole as JSON (`body`) so that it reads back with its offsets.
# The indexed columns of ``complaint_rows`` (besides the id), and where `row_columns` has them.
_INDEXED_ROW_COLUMNS = (
    "state",
    "unit",
    "channel",
    "submitted_at",
    "next_due_at",
    "earliest_deadline",
)
_INDEXED_ROW_POSITIONS = (1, 2, 3, 4, 6, 7)

_READ_MODEL = (
    # A rowid table (its bodies are too large for WITHOUT ROWID); the indexes lead with the
    # filtered column and go on in id order, so that a page is read in order and stops early.
    """CREATE TABLE IF NOT EXISTS complaint_rows (
        complaint TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        unit TEXT,
        channel TEXT,
        submitted_at INTEGER,
        updated_at INTEGER,
        next_due_at INTEGER,
        earliest_deadline INTEGER,
        version INTEGER NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS rows_by_state ON complaint_rows (state, complaint)",
    "CREATE INDEX IF NOT EXISTS rows_by_unit ON complaint_rows"
    " (unit, complaint, earliest_deadline, next_due_at)",
    "CREATE INDEX IF NOT EXISTS rows_by_channel ON complaint_rows (channel, complaint)",
    "CREATE INDEX IF NOT EXISTS rows_by_submitted ON complaint_rows (submitted_at)",
    "CREATE INDEX IF NOT EXISTS rows_by_due ON complaint_rows (next_due_at, complaint)",
    "CREATE INDEX IF NOT EXISTS rows_by_deadline ON complaint_rows (earliest_deadline)",
    """CREATE TABLE IF NOT EXISTS clock_rows (
        complaint TEXT NOT NULL,
        clock TEXT NOT NULL,
        cycle INTEGER NOT NULL,
        status TEXT NOT NULL,
        deadline INTEGER,
        breached INTEGER NOT NULL,
        PRIMARY KEY (complaint, clock)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS clocks_by_status ON clock_rows (clock, status, deadline)",
    "CREATE INDEX IF NOT EXISTS clocks_by_breach ON clock_rows (clock, breached)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

# Statements that bring a store from version N to N + 1, run in one transaction on open.
# 1 -> 2: bodies may carry "workflow" (older bodies count as the store's workflow), and the
# external-id index is created, then filled from the history (see `_prepare`).
# 2 -> 3: the read-model tables are created, then filled from the history (see `_prepare`).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (_EXTERNAL_IDS,),
    2: _READ_MODEL,
}

_TABLES = ("events", "streams", "updates")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        complaint TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (complaint, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS streams (
        complaint TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        first_position INTEGER NOT NULL,
        last_position INTEGER NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS streams_by_first ON streams (first_position)",
    "CREATE INDEX IF NOT EXISTS streams_by_last ON streams (last_position)",
    """CREATE TABLE IF NOT EXISTS updates (
        arrival INTEGER PRIMARY KEY AUTOINCREMENT,
        system TEXT NOT NULL,
        update_id TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (system, update_id)
    )""",
    _EXTERNAL_IDS,
    *_READ_MODEL,
    f"PRAGMA user_version = {_SCHEMA_VERSION}",
)


def _reason(error: sqlite3.Error) -> str:
    text = str(error)
    code = getattr(error, "sqlite_errorname", "")
    if "readonly" in text or code.startswith("SQLITE_READONLY"):
        return f"the database is read-only ({text})"
    if code.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"the disk is full ({text}); nothing was written"
    if code.startswith("SQLITE_IOERR"):
        return (
            f"the file could not be written ({text}: disk full, file too large or a failing "
            "device); nothing was written"
        )
    if code.startswith("SQLITE_BUSY") or "locked" in text:
        return f"the database stayed locked by another writer ({text}); nothing was written"
    return text


# A complaint's version and last position (`Stamp`), by its primary key.
_STAMP = "SELECT version, last_position FROM streams WHERE complaint = ?"


class _SQLiteTxn(_Txn):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    def bodies(self, complaint_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT body FROM events WHERE complaint = ? ORDER BY seq", (complaint_id,)
        )
        return [body for (body,) in rows]

    def find(self, event_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for event_id in event_ids:
            row = self.db.execute("SELECT body FROM events WHERE id = ?", (event_id,)).fetchone()
            if row is not None:
                found[event_id] = row[0]
        return found

    def insert(self, complaint_id: str, version: int, bodies: Sequence[tuple[str, str]]) -> int:
        db = self.db
        position = 0
        first = None
        for offset, (event_id, body) in enumerate(bodies, start=1):
            cursor = db.execute(
                "INSERT INTO events (id, complaint, seq, body) VALUES (?, ?, ?, ?)",
                (event_id, complaint_id, version + offset, body),
            )
            position = cursor.lastrowid or 0
            if first is None:
                first = position
        db.execute(
            "INSERT INTO streams (complaint, version, first_position, last_position) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (complaint) DO UPDATE SET "
            "version = excluded.version, last_position = excluded.last_position",
            (complaint_id, version + len(bodies), first, position),
        )
        return position

    def stamp(self, complaint_id: str) -> Stamp:
        row = self.db.execute(_STAMP, (complaint_id,)).fetchone()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    def get_update(self, system: str, update_id: str) -> str | None:
        row = self.db.execute(
            "SELECT body FROM updates WHERE system = ? AND update_id = ?", (system, update_id)
        ).fetchone()
        return None if row is None else str(row[0])

    def put_update(self, system: str, update_id: str, body: str) -> None:
        self.db.execute(
            "INSERT INTO updates (system, update_id, body) VALUES (?, ?, ?)",
            (system, update_id, body),
        )

    def set_update(self, system: str, update_id: str, body: str) -> None:
        self.db.execute(
            "UPDATE updates SET body = ? WHERE system = ? AND update_id = ?",
            (body, system, update_id),
        )

    def claim_external_ids(
        self, complaint_id: str, pairs: Sequence[tuple[str, str]]
    ) -> tuple[str, str] | None:
        for system, external_id in pairs:
            self.db.execute(
                "INSERT INTO external_ids (system, external_id, complaint) VALUES (?, ?, ?) "
                "ON CONFLICT (system, external_id) DO NOTHING",
                (system, external_id, complaint_id),
            )
            row = self.db.execute(
                "SELECT complaint FROM external_ids WHERE system = ? AND external_id = ?",
                (system, external_id),
            ).fetchone()
            if row is not None and row[0] != complaint_id:
                return system, str(row[0])
        return None

    def put_rows(self, rows: Sequence[ComplaintRow]) -> None:
        # SQLite rewrites every index holding a column an UPDATE sets, changed or not: a row
        # sets only the indexed columns whose values moved (an append usually moves none),
        # and a clock row is rewritten only when it changed.
        if not rows:
            return
        db = self.db
        before: dict[str, tuple[Any, ...]] = {}
        clocks_before: dict[str, object] = {}
        ids = [row.id for row in rows]
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for found in db.execute(
                f"SELECT complaint, body, {', '.join(_INDEXED_ROW_COLUMNS)} FROM complaint_rows "
                f"WHERE complaint IN ({marks})",
                list(chunk),
            ):
                before[found[0]] = tuple(found[2:])
                # The stored row holds its clocks: the clock rows (a table with indexes of its
                # own) are touched only for rows whose clocks changed (most appends change none).
                clocks_before[found[0]] = stored_clock_columns(found[1])
        inserts: list[tuple[Any, ...]] = []
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        clocks_now: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            columns = row_columns(row)
            clocks_now[row.id] = written_clock_columns(row, columns[9])
            old = before.get(row.id)
            if old is None:
                inserts.append(columns)
                continue
            new = tuple(columns[i] for i in _INDEXED_ROW_POSITIONS)
            moved = tuple(
                name
                for name, was, now in zip(_INDEXED_ROW_COLUMNS, old, new, strict=True)
                if was != now
            )
            values = tuple(now for was, now in zip(old, new, strict=True) if was != now)
            updates.setdefault(moved, []).append(
                (columns[5], columns[8], columns[9], *values, row.id)
            )
        if inserts:
            db.executemany(
                f"INSERT INTO complaint_rows ({ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
        for moved, params in updates.items():
            sets = ", ".join(
                ["updated_at = ?", "version = ?", "body = ?"] + [f"{n} = ?" for n in moved]
            )
            db.executemany(f"UPDATE complaint_rows SET {sets} WHERE complaint = ?", params)
        changed = [row for row in rows if clocks_before.get(row.id) != clocks_now[row.id]]
        if not changed:
            return
        db.executemany(
            "DELETE FROM clock_rows WHERE complaint = ? "
            "AND clock NOT IN (SELECT value FROM json_each(?))",
            [(row.id, json.dumps([c.clock for c in row.clocks])) for row in changed],
        )
        db.executemany(
            f"INSERT INTO clock_rows ({CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (complaint, clock) DO UPDATE SET cycle = excluded.cycle, "
            "status = excluded.status, deadline = excluded.deadline, "
            "breached = excluded.breached "
            "WHERE clock_rows.cycle IS NOT excluded.cycle "
            "OR clock_rows.status IS NOT excluded.status "
            "OR clock_rows.deadline IS NOT excluded.deadline "
            "OR clock_rows.breached IS NOT excluded.breached",
            [columns for row in changed for columns in clocks_now[row.id]],
        )

    def bodies_of(self, complaint_ids: Sequence[str]) -> dict[str, list[str]]:
        marks = ",".join("?" * len(complaint_ids))
        rows = self.db.execute(
            f"SELECT complaint, body FROM events WHERE complaint IN ({marks}) "
            "ORDER BY complaint, seq",
            list(complaint_ids),
        )
        return dict(grouped_bodies(rows))

    def get_rows(self, complaint_ids: Sequence[str]) -> dict[str, ComplaintRow]:
        marks = ",".join("?" * len(complaint_ids))
        rows = self.db.execute(
            f"SELECT complaint, body FROM complaint_rows WHERE complaint IN ({marks})",
            list(complaint_ids),
        )
        return {str(c): decode_row(str(b)) for c, b in rows}

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def stream_ids(self, after: str, limit: int) -> list[str]:
        rows = self.db.execute(
            "SELECT complaint FROM streams WHERE complaint > ? ORDER BY complaint LIMIT ?",
            (after, limit),
        )
        return [str(c) for (c,) in rows]

    def count_streams(self, after: str) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM streams WHERE complaint > ?", (after,)
        ).fetchone()
        return int(row[0])


class _SQLiteBulkTxn(_BulkTxn):
    """The set-wise queries of `import_events` on an SQLite write transaction."""

    txn: _SQLiteTxn
    refuses_taken_ids = True  # events.id is UNIQUE

    def id_taken(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.IntegrityError)

    def find_many(self, event_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(event_ids):
            marks = ",".join("?" * len(part))
            rows = self.txn.db.execute(
                f"SELECT id, body FROM events WHERE id IN ({marks})", list(part)
            )
            found.update((str(i), str(b)) for i, b in rows)
        return found

    def versions(self, complaint_ids: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in chunks(complaint_ids):
            marks = ",".join("?" * len(part))
            rows = self.txn.db.execute(
                f"SELECT complaint, version FROM streams WHERE complaint IN ({marks})", list(part)
            )
            found.update((str(c), int(v)) for c, v in rows)
        return found

    def insert_many(self, rows: Sequence[tuple[str, str, int, str]]) -> int:
        db = self.txn.db
        # The write lock is held: every position after the head is this batch's.
        head = int(db.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()[0])
        db.executemany("INSERT INTO events (id, complaint, seq, body) VALUES (?, ?, ?, ?)", rows)
        db.execute(
            "INSERT INTO streams (complaint, version, first_position, last_position) "
            "SELECT complaint, max(seq), min(position), max(position) FROM events "
            "WHERE position > ? GROUP BY complaint ON CONFLICT (complaint) DO UPDATE SET "
            "version = excluded.version, last_position = excluded.last_position",
            (head,),
        )
        return int(db.execute("SELECT max(position) FROM events").fetchone()[0])

    def insert_fresh(self, rows: Sequence[ComplaintRow]) -> None:
        # Plain inserts: no lookup of old values, no deletion of clocks gone.
        db = self.txn.db
        bodies = [row_columns(row) for row in rows]
        db.executemany(
            f"INSERT INTO complaint_rows ({ROW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            bodies,
        )
        db.executemany(
            f"INSERT INTO clock_rows ({CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            [
                columns
                for row, written in zip(rows, bodies, strict=True)
                for columns in written_clock_columns(row, written[9])
            ],
        )

    def holders(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for system, external_id in pairs:
            row = self.txn.db.execute(
                "SELECT complaint FROM external_ids WHERE system = ? AND external_id = ?",
                (system, external_id),
            ).fetchone()
            if row is not None:
                found[(system, external_id)] = str(row[0])
        return found


class SQLiteStore(_BulkStore):
    """An event store in one SQLite file (the standard library's `sqlite3`).

    Safe for several threads and several processes on one machine (not on a network file
    system). Appends wait up to `timeout` seconds for another writer's lock.

    Args:
        path: The database file (created if missing, unless `readonly`), or ``":memory:"``.
        workflow: The workflow that validates every event (else the first of
            `workflows`; one of the two is needed).
        timeout: Seconds to wait for another writer before giving up with `StoreError`.
        workflows: Further workflow versions, to replay the complaints they wrote.
        readonly: Open for reading only: nothing in the file is changed (no table, no
            ``user_version``, no journal switch, no upgrade), writes raise `StoreError`, and
            a file on a read-only mount or directory can be read. The rows of a store too
            old to hold them (schema 2 or less) cannot be queried (`StaleReadModelError`).
        read_model: The definitions of the read-model rows (see `pengaduan.readmodel`);
            without it the rows hold the complaint-level columns only.

    Raises:
        NotAStoreError: If the file is not a pengaduan store (it is left untouched).
        StoreVersionError: If a newer pengaduan wrote it.
        StoreError: If the file cannot be opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        workflow: Workflow | None = None,
        *,
        timeout: float = 30.0,
        workflows: Iterable[Workflow] = (),
        readonly: bool = False,
        read_model: ReadModel | None = None,
    ) -> None:
        self._set_workflows(workflow, workflows)
        self._set_read_model(read_model)
        self.path = os.fspath(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        if readonly:
            self._db = self._open_readonly(timeout)
            self._has_rows = self._check_version(self._db) >= 3
            self._opened()
            return
        try:
            db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise self._error("open the store", error) from None
        self._db = db
        try:
            self._prepare(db)
            db.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as error:
            db.close()
            self._db = None
            raise self._error("open the store", error) from None
        except BaseException:
            db.close()
            self._db = None
            raise
        self._opened()

    def _opened(self) -> None:
        try:
            self._check_rows()
        except BaseException:
            self.close()
            raise

    def _check_version(self, db: sqlite3.Connection) -> int:
        """The store's schema version, after checking the file is a store this code can read."""
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version > _SCHEMA_VERSION:
            raise StoreVersionError(
                store=self.path,
                operation="open the store",
                found=version,
                supported=_SCHEMA_VERSION,
            )
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if version == 0 and not tables:
            return 0
        if version == 0 or not set(_TABLES) <= tables:
            raise NotAStoreError(
                store=self.path,
                operation="open the store",
                reason="the file is an SQLite database but not a pengaduan store (it was "
                "left untouched)",
            )
        return version

    def _prepare(self, db: sqlite3.Connection) -> None:
        """Create the tables of a new file, or upgrade an older store, in one transaction."""
        try:
            version = self._check_version(db)
        except sqlite3.DatabaseError as error:
            raise self._not_a_store(error) from None
        if version == _SCHEMA_VERSION:
            return
        if version == 0:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._check_version(db)  # another process may have done it meanwhile
            found = version
            backfilled = 0
            if version == 0:
                for statement in _SCHEMA:
                    db.execute(statement)
            else:
                while version < _SCHEMA_VERSION:
                    for statement in _MIGRATIONS[version]:
                        db.execute(statement)
                    version += 1
                # In the same transaction: all of the upgrade or none.
                if found < 2:
                    self._index_external_ids(_SQLiteTxn(db), grouped_bodies(self._all(db)))
                if found < 3:
                    backfilled = self._backfill_rows(_SQLiteTxn(db), grouped_bodies(self._all(db)))
                db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            self._rollback(db)
            raise
        if found:
            self._log_upgrade(found, backfilled)

    @staticmethod
    def _all(db: sqlite3.Connection) -> Iterator[tuple[str, str]]:
        """Every ``(complaint, body)`` by complaint (first appearance), then sequence."""
        rows = db.execute(
            "SELECT e.complaint, e.body FROM events e JOIN streams s"
            " ON s.complaint = e.complaint ORDER BY s.first_position, e.seq"
        )
        return iter(rows)

    def _not_a_store(self, error: sqlite3.Error) -> StoreError:
        if isinstance(error, sqlite3.DatabaseError) and "not a database" in str(error):
            return NotAStoreError(
                store=self.path,
                operation="open the store",
                reason="the file is not an SQLite database (it was left untouched)",
            )
        return self._error("open the store", error)

    def _open_readonly(self, timeout: float) -> sqlite3.Connection:
        """Open the file read-only (``mode=ro``), or as immutable if its directory is read-only."""
        from urllib.parse import quote

        if self.path == ":memory:" or not os.path.isfile(self.path):
            raise StoreError(
                store=self.path, operation="open the store", reason="there is no such store file"
            )
        uri = "file:" + quote(os.path.abspath(self.path))
        last: sqlite3.Error | None = None
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(
                    uri + mode,
                    uri=True,
                    timeout=timeout,
                    isolation_level=None,
                    check_same_thread=False,
                )
            except sqlite3.Error as error:
                last = error
                continue
            try:
                version = self._check_version(db)
            except sqlite3.DatabaseError as error:
                db.close()
                if "not a database" in str(error):
                    raise self._not_a_store(error) from None
                last = error  # e.g. a WAL file whose -shm cannot be made: try immutable
                continue
            except BaseException:
                db.close()
                raise
            if version == 0:
                db.close()
                raise NotAStoreError(
                    store=self.path,
                    operation="open the store",
                    reason="the file is empty, not a pengaduan store (it was left untouched)",
                )
            return db
        assert last is not None
        raise self._error("open the store read-only", last)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def _bulk_txn(self, txn: _Txn) -> _BulkTxn:
        assert isinstance(txn, _SQLiteTxn)
        return _SQLiteBulkTxn(txn)

    def _error(self, operation: str, error: sqlite3.Error) -> StoreError:
        return StoreError(store=self.path, operation=operation, reason=_reason(error))

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError(store=self.path, operation="use the store", reason="it is closed")
        return self._db

    @contextmanager
    def _write(self, operation: str) -> Iterator[_Txn]:
        with self._lock:
            db = self._connection
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._error(operation, error) from None
            try:
                yield _SQLiteTxn(db)
            except sqlite3.Error as error:
                self._rollback(db)
                raise self._error(operation, error) from None
            except BaseException:
                self._rollback(db)
                raise
            try:
                db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback(db)
                raise self._error(operation, error) from None

    @staticmethod
    def _rollback(db: sqlite3.Connection) -> None:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                db.execute("ROLLBACK")

    def _read(
        self, operation: str, query: str, parameters: Sequence[object]
    ) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connection.execute(query, parameters).fetchall()
            except sqlite3.Error as error:
                raise self._error(operation, error) from None

    def _read_bodies(self, complaint_id: str) -> list[str]:
        rows = self._read(
            f"load complaint {complaint_id!r}",
            "SELECT body FROM events WHERE complaint = ? ORDER BY seq",
            (complaint_id,),
        )
        return [body for (body,) in rows]

    def _read_stamp(self, complaint_id: str) -> Stamp:
        rows = self._read(f"load complaint {complaint_id!r}", _STAMP, (complaint_id,))
        return (0, 0) if not rows else (int(rows[0][0]), int(rows[0][1]))

    def _page_streams(self, since: int, after: int, limit: int) -> list[tuple[str, int]]:
        rows = self._read(
            "list complaints",
            "SELECT complaint, first_position FROM streams "
            "WHERE last_position > ? AND first_position > ? ORDER BY first_position LIMIT ?",
            (since, after, limit),
        )
        return [(str(c), int(p)) for c, p in rows]

    def _bodies_of(self, complaint_ids: Sequence[str]) -> list[tuple[str, str]]:
        marks = ",".join("?" * len(complaint_ids))
        rows = self._read(
            "load complaints",
            f"SELECT complaint, body FROM events WHERE complaint IN ({marks}) "
            "ORDER BY complaint, seq",
            complaint_ids,
        )
        return [(str(c), str(b)) for c, b in rows]

    def _page_events(self, after: int, limit: int) -> list[tuple[int, str]]:
        rows = self._read(
            "read events",
            "SELECT position, body FROM events WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        return [(int(p), str(b)) for p, b in rows]

    def _head(self) -> int:
        rows = self._read("read the position", "SELECT max(position) FROM events", ())
        return int(rows[0][0] or 0)

    def _read_updates(self, system: str | None) -> list[str]:
        if system is None:
            rows = self._read("read updates", "SELECT body FROM updates ORDER BY arrival", ())
        else:
            rows = self._read(
                "read updates",
                "SELECT body FROM updates WHERE system = ? ORDER BY arrival",
                (system,),
            )
        return [str(b) for (b,) in rows]

    def _read_update(self, system: str, update_id: str) -> str | None:
        rows = self._read(
            f"read update {update_id!r} of {system!r}",
            "SELECT body FROM updates WHERE system = ? AND update_id = ?",
            (system, update_id),
        )
        return str(rows[0][0]) if rows else None

    def _read_external_id(self, system: str, external_id: str) -> str | None:
        rows = self._read(
            f"look up an external id of {system!r}",
            "SELECT complaint FROM external_ids WHERE system = ? AND external_id = ?",
            (system, external_id),
        )
        return str(rows[0][0]) if rows else None

    def _read_meta(self, key: str) -> str | None:
        rows = self._read(
            "read the store's meta data", "SELECT value FROM meta WHERE key = ?", (key,)
        )
        return str(rows[0][0]) if rows else None

    def _read_row(self, complaint_id: str) -> ComplaintRow | None:
        rows = self._read(
            f"read the row of complaint {complaint_id!r}",
            "SELECT body FROM complaint_rows WHERE complaint = ?",
            (complaint_id,),
        )
        return decode_row(rows[0][0]) if rows else None

    def _query_rows(self, query: RowQuery) -> list[ComplaintRow]:
        text, params = query.sql("?")
        rows = self._read(
            "list rows", text.format(rows="complaint_rows", clocks="clock_rows"), params
        )
        return [decode_row(body) for (body,) in rows]

    def _query_due(self, as_of: int, limit: int | None) -> list[str]:
        rows = self._read(
            "list the complaints due",
            "SELECT complaint FROM complaint_rows WHERE next_due_at <= ? "
            "ORDER BY next_due_at, complaint LIMIT ?",
            (as_of, -1 if limit is None else limit),
        )
        return [str(c) for (c,) in rows]

    def _query_next_due(self) -> int | None:
        rows = self._read(
            "find the next due instant", "SELECT min(next_due_at) FROM complaint_rows", ()
        )
        return None if rows[0][0] is None else int(rows[0][0])

    def close(self) -> None:
        """Close the database connection. Idempotent."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
