"""What every event store shares: encoding, idempotency, validation, optimistic concurrency.

A backend provides a write transaction (`_Txn`) and a few paged reads; `_StoreCore` does the
rest, so that the in-memory, SQLite and PostgreSQL stores behave exactly alike.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import attrs

from pengaduan._time import require_aware
from pengaduan.exceptions import (
    ComplaintMismatchError,
    ConflictError,
    DuplicateEventError,
    EventFormatError,
    ExternalIdClashError,
    MissingDefinitionError,
    PengaduanError,
    RefusedError,
    StaleReadModelError,
    StoreError,
    UnknownClockError,
    UnknownWorkflowVersionError,
)
from pengaduan.interchange import (
    _MAX_DEPTH,
    _check_event_fields,
    _is_json,
    event_from_dict,
    event_to_dict,
)
from pengaduan.model import Actor, Channel, Complaint, Event
from pengaduan.readmodel import (
    ComplaintRow,
    FingerprintMismatch,
    MovedDeadline,
    Page,
    ReadModel,
    RebuildResult,
    definitions_fingerprint,
    moved_deadlines,
    project,
    row_from_dict,
)
from pengaduan.sla import ClockStatus
from pengaduan.workflow import Workflow

# Appends, migrations and rebuilds are logged here, with structured ``extra`` fields (all
# prefixed ``pengaduan_``) and never a personal datum: ids, counts, versions, fingerprints.
log = logging.getLogger("pengaduan.store")

# Complaints read per query when iterating, and events per query when paging the log.
_PAGE = 500
_EVENT_PAGE = 5000

# Complaints a store keeps as last appended or loaded, to validate the next append against
# (see `_StoreCore._recall`), and the lock of every store's keep.
_RECENT = 1024
_RECENT_LOCK = threading.Lock()

# A stored complaint's stamp: its version and the position of its last event. Positions are
# never reused, so two equal stamps of one complaint mean the very same stored history.
Stamp = tuple[int, int]


@attrs.frozen
class AppendResult:
    """What an append did.

    Attributes:
        complaint: The complaint as stored after the append (its state derived from history).
        new: The events written, in order.
        duplicates: The events skipped because that very event was already recorded.
        position: The store position of the last event written (``None`` if none was).
    """

    complaint: Complaint
    new: tuple[Event, ...]
    duplicates: tuple[Event, ...]
    position: int | None


# The schema version every store records (SQLite ``user_version``, PostgreSQL ``meta``).
# 1: pengaduan 0.1 (no version record in PostgreSQL). 2: events carry their workflow.
# 3: read-model rows (complaint_rows, clock_rows) and their fingerprint (meta).
SCHEMA_VERSION = 3

# Keys of the store's meta records about its rows.
META_FINGERPRINT = "rows_fingerprint"
META_REBUILD_TARGET = "rebuild_target"
META_REBUILD_AFTER = "rebuild_after"
# The fingerprint recorded once rows of several definitions were written (see `append`),
# and the prefix of the one recorded while a rebuild runs (see `rebuild`).
MIXED = "mixed"
REBUILDING = "rebuilding:"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHANNELS = tuple(channel.value for channel in Channel)
_MICROSECOND = timedelta(microseconds=1)


def micros(value: datetime | None) -> int | None:
    """An instant as integer microseconds since the epoch (UTC), the rows' indexed form."""
    return None if value is None else (value - _EPOCH) // _MICROSECOND


# JSON as `json.dumps(..., ensure_ascii=False, separators=(",", ":"))` writes it, piece by
# piece (see `row_columns`).
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # a str as that encoder writes it (ensure_ascii off)
_OPEN = (ClockStatus.RUNNING, ClockStatus.PAUSED)
_INF = float("inf")


def _json_text(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _json_instant(value: datetime | None) -> str:
    # An ISO 8601 instant has nothing JSON escapes.
    return "null" if value is None else f'"{value.isoformat()}"'


# The JSON text and the microseconds of the deadlines written lately, by identity: a batch's
# rows share their deadline objects (the calendar's answers are memoised, `sla._Memo`), so
# most deadlines are one of a few instants, formatted once here. Each entry holds its instant,
# so that its id is not reused while the entry lasts.
_DEADLINES: dict[int, tuple[datetime, str, int | None]] = {}
_DEADLINES_BOUND = 8192


def _deadline_forms(value: datetime) -> tuple[datetime, str, int | None]:
    """``(value, _json_instant(value), micros(value))``, formatted once for a shared instant."""
    found = _DEADLINES.get(id(value))
    if found is not None and found[0] is value:
        return found
    if len(_DEADLINES) >= _DEADLINES_BOUND:
        _DEADLINES.clear()
    found = _DEADLINES[id(value)] = (value, _json_instant(value), micros(value))
    return found


def _json_number(value: int | float | None) -> str:
    if value is None:
        return "null"
    kind = type(value)
    if kind is int:  # as json writes an int (a cycle, a version)
        return int.__repr__(value)
    if kind is not float:
        return _ROW_ENCODER.encode(value)
    if value != value:
        return "NaN"
    if value in (_INF, -_INF):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def row_columns(row: ComplaintRow) -> tuple[Any, ...]:
    """The columns of ``complaint_rows`` for a row, in `ROW_COLUMNS` order.

    The body is exactly ``json.dumps(row_to_dict(row), ensure_ascii=False,
    separators=(",", ":"))``, written in one pass (the store's tests compare them over
    generated rows); the earliest deadline is found in the same pass.
    """
    clocks = []
    earliest: datetime | None = None
    for clock in row.clocks:
        deadline = clock.deadline
        if deadline is None:
            deadline_text = "null"
        else:
            deadline_text = _deadline_forms(deadline)[1]
            if clock.status in _OPEN:
                earliest = deadline if earliest is None or deadline < earliest else earliest
        clocks.append(
            f'{{"clock":{_quote(clock.clock)},"cycle":{_json_number(clock.cycle)},'
            f'"status":{_quote(clock.status)},"deadline":{deadline_text},'
            f'"breached":{"true" if clock.breached else "false"},'
            f'"remaining_seconds":{_json_number(clock.remaining_seconds)},'
            f'"remaining_unit":{_quote(clock.remaining_unit)}}}'
        )
    body = (
        f'{{"id":{_quote(row.id)},"state":{_quote(row.state)},"unit":{_json_text(row.unit)},'
        f'"classification":{_json_text(row.classification)},'
        f'"channel":{_json_text(row.channel)},'
        f'"anonymous":{"true" if row.anonymous else "false"},'
        f'"confidential":{"true" if row.confidential else "false"},'
        f'"submitted_at":{_json_instant(row.submitted_at)},'
        f'"updated_at":{_json_instant(row.updated_at)},"version":{_json_number(row.version)},'
        f'"next_due_at":{_json_instant(row.next_due_at)},"clocks":[{",".join(clocks)}]}}'
    )
    return (
        row.id,
        row.state,
        row.unit,
        row.channel,
        micros(row.submitted_at),
        micros(row.updated_at),
        micros(row.next_due_at),
        micros(earliest),
        row.version,
        body,
    )


ROW_COLUMNS = (
    "complaint, state, unit, channel, submitted_at, updated_at, next_due_at, "
    "earliest_deadline, version, body"
)
CLOCK_COLUMNS = "complaint, clock, cycle, status, deadline, breached"


def clock_columns(row: ComplaintRow) -> list[tuple[Any, ...]]:
    """The rows of ``clock_rows`` for a row, in `CLOCK_COLUMNS` order."""
    return [
        (
            row.id,
            c.clock,
            c.cycle,
            c.status._value_,
            None if c.deadline is None else _deadline_forms(c.deadline)[2],
            int(c.breached),
        )
        for c in row.clocks
    ]


def decode_row(body: str) -> ComplaintRow:
    """A row from its stored JSON text."""
    return row_from_dict(json.loads(body))


# The clock rows of the row bodies this process wrote last, by body text: a row written again
# (the next append, the import's next batch) reads its stored body back and, finding it here,
# need not decode it to tell whether its clocks changed. A body is the whole row, so equal
# texts hold equal clocks whoever wrote them. The bound holds the rows an import's batch
# writes again from the batch before (on the simulated history of 100,000 complaints, 3,000
# to 4,600 of the 7,000 a batch writes; at 2,048, more than two in five of them were
# decoded), in about 12 MiB (bodies included) at rows of four clocks.
# An OrderedDict: dropping its oldest entry is constant time (a dict's first key, after many
# deletions at the front, is found by walking past their holes).
_WRITTEN_CLOCKS: OrderedDict[str, list[tuple[Any, ...]]] = OrderedDict()
_WRITTEN_CLOCKS_BOUND = 8192
_WRITTEN_CLOCKS_LOCK = threading.Lock()


def written_clock_columns(row: ComplaintRow, body: str) -> list[tuple[Any, ...]]:
    """`clock_columns(row)`, remembered under the row's stored text `body`."""
    columns = clock_columns(row)
    with _WRITTEN_CLOCKS_LOCK:
        _WRITTEN_CLOCKS[body] = columns
        while len(_WRITTEN_CLOCKS) > _WRITTEN_CLOCKS_BOUND:
            _WRITTEN_CLOCKS.popitem(last=False)
    return columns


def stored_clock_columns(body: str) -> list[tuple[Any, ...]] | None:
    """The clock rows a stored row body holds, as `clock_columns` gives them.

    ``None`` for a body that does not decode: it counts as holding any clock rows, so that
    all are rewritten.
    """
    found = _WRITTEN_CLOCKS.get(body)
    if found is not None:
        return found
    try:
        return clock_columns(decode_row(body))
    except (ValueError, KeyError, TypeError):
        return None


@attrs.frozen
class RowQuery:
    """The filters of `_StoreCore.rows`, instants already as microseconds."""

    state: str | None = None
    unit: str | None = None
    channel: str | None = None
    submitted_from: int | None = None
    submitted_before: int | None = None
    overdue_as_of: int | None = None
    due_before: int | None = None
    breached_clock: str | None = None
    limit: int = 100
    after: str | None = None

    def sql(self, mark: str) -> tuple[str, list[Any]]:
        """The SELECT of the bodies (``{rows}``/``{clocks}`` for the tables) and parameters.

        One more row than `limit` is asked for, to know whether another page follows.
        """
        where: list[str] = []
        params: list[Any] = []
        for column, value, op in (
            ("state", self.state, "="),
            ("unit", self.unit, "="),
            ("channel", self.channel, "="),
            ("submitted_at", self.submitted_from, ">="),
            ("submitted_at", self.submitted_before, "<"),
            ("earliest_deadline", self.overdue_as_of, "<="),
            ("next_due_at", self.due_before, "<"),
            ("complaint", self.after, ">"),
        ):
            if value is not None:
                where.append(f"r.{column} {op} {mark}")
                params.append(value)
        if self.breached_clock is not None:
            where.append(
                "EXISTS (SELECT 1 FROM {clocks} k WHERE k.complaint = r.complaint"
                f" AND k.clock = {mark} AND k.breached = 1)"
            )
            params.append(self.breached_clock)
        text = "SELECT r.body FROM {rows} r"
        if where:
            text += " WHERE " + " AND ".join(where)
        text += f" ORDER BY r.complaint LIMIT {mark}"
        params.append(self.limit + 1)
        return text, params

    def matches(self, row: ComplaintRow) -> bool:
        """Whether a row passes the filters (the in-memory store's query)."""
        submitted = micros(row.submitted_at)
        earliest = micros(row.earliest_deadline)
        due = micros(row.next_due_at)
        return (
            (self.state is None or row.state == self.state)
            and (self.unit is None or row.unit == self.unit)
            and (self.channel is None or row.channel == self.channel)
            and (
                self.submitted_from is None
                or (submitted is not None and submitted >= self.submitted_from)
            )
            and (
                self.submitted_before is None
                or (submitted is not None and submitted < self.submitted_before)
            )
            and (
                self.overdue_as_of is None
                or (earliest is not None and earliest <= self.overdue_as_of)
            )
            and (self.due_before is None or (due is not None and due < self.due_before))
            and (self.after is None or row.id > self.after)
            and (
                self.breached_clock is None
                or any(c.clock == self.breached_clock and c.breached for c in row.clocks)
            )
        )


# The key of a stored body naming the workflow (name, version) that accepted the event.
_WORKFLOW_KEY = "workflow"


def _bad_text(value: object, path: str, depth: int = 0) -> str | None:
    """The position of the first string holding NUL or a lone surrogate, if any.

    Nesting deeper than any store keeps is reported at the level where it passes the limit,
    so a hostile value cannot exhaust the stack here.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if depth > _MAX_DEPTH and isinstance(value, Mapping | list | tuple):
        raise EventFormatError(f"is nested more than {_MAX_DEPTH} levels deep", path=path)
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.<key>" if path else "<key>"
            if _bad_text(key, where, depth + 1) is not None:
                return where
            found = _bad_text(item, f"{path}.{key}" if path else str(key), depth + 1)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _bad_text(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
    return None


def check_text(value: object, path: str = "") -> None:
    """Refuse NUL characters and lone surrogates anywhere in `value`, naming their position.

    Every store applies this one rule, so an event (or update record) is stored by all
    three stores alike or by none.

    Raises:
        EventFormatError: Naming the position (never the value).
    """
    found = _bad_text(value, path)
    if found is not None:
        raise EventFormatError(
            "holds a NUL character or a lone surrogate (not valid UTF-8 text); no store keeps it",
            path=found,
        )


def encode(event: Event, workflow: Workflow | None = None) -> str:
    """Encode an event as the compact JSON text a store keeps.

    Args:
        event: The event.
        workflow: The workflow that accepted it, recorded with it (name and version).

    Raises:
        EventFormatError: If the event's data holds anything but finite JSON values, or text
            with NUL or lone surrogates (see `check_text`), or integers too long to encode.
    """
    record = event_to_dict(event)
    check_text(record)
    try:
        if not _is_json(event.data, _MAX_DEPTH):
            raise TypeError
        if workflow is not None:
            record[_WORKFLOW_KEY] = [workflow.name, workflow.version]
        return json.dumps(record, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        raise EventFormatError(
            "must hold only JSON values (strings, finite numbers of at most 4300 digits, "
            "booleans, null, lists, objects with string keys), nested at most 100 levels",
            path="data",
        ) from None


def _corrupt(where: str, what: str) -> EventFormatError:
    return EventFormatError(
        f"the event stored at {where or 'an unknown position'} {what} (the store was edited "
        "or damaged); restore it from a backup"
    )


def decode_stored(body: str, where: str = "") -> tuple[Event, tuple[str, str] | None]:
    """Decode a stored body: the event and the ``(name, version)`` of the workflow that wrote it.

    Bodies were checked when written, so the usual shape is built directly; anything else
    (a store edited by hand) goes through the strict decoder and its precise errors.

    Args:
        body: The stored text.
        where: Its position, for messages, e.g. ``"position 7 (complaint 'C-1')"``.

    Raises:
        EventFormatError: If the body is not valid JSON or not an event, naming `where`.
    """
    try:
        record = json.loads(body)
    except (ValueError, RecursionError):
        raise _corrupt(where, "is not valid JSON") from None
    if not isinstance(record, dict):
        raise _corrupt(where, "is not a JSON object")
    written = record.pop(_WORKFLOW_KEY, None)
    key: tuple[str, str] | None = None
    if written is not None:
        if not (
            isinstance(written, list)
            and len(written) == 2
            and all(isinstance(part, str) for part in written)
        ):
            raise _corrupt(where, "names its workflow wrongly")
        key = (written[0], written[1])
    try:
        actor = record["actor"]
        return (
            Event(
                record["id"],
                record["complaint"],
                record["action"],
                datetime.fromisoformat(record["at"]),
                Actor(actor["id"], actor["role"], actor["unit"]),
                record["data"],
            ),
            key,
        )
    except EventFormatError as error:
        raise _corrupt(where, f"is malformed ({error})") from None
    except (KeyError, TypeError, ValueError):
        pass
    try:
        return event_from_dict(record), key
    except EventFormatError as error:
        raise _corrupt(where, f"is malformed ({error})") from None
    except RecursionError:
        raise _corrupt(where, "is nested too deeply") from None


def decode(body: str, where: str = "") -> Event:
    """Decode an event from the JSON text a store keeps (see `decode_stored`)."""
    return decode_stored(body, where)[0]


def fingerprint(event: Event) -> str:
    """A canonical text of an event's content: equal for the same event, whatever its offset."""
    record = event_to_dict(event)
    record["at"] = event.at.astimezone(UTC).isoformat()
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def normalise(event: object, workflow: Workflow | None = None) -> tuple[Event, str]:
    """Check an event's shape and return it as a store will give it back, with its encoding.

    Raises:
        EventFormatError: If it is not an `Event` or does not survive a JSON round trip.
    """
    if not isinstance(event, Event):
        raise EventFormatError(f"an event must be an Event, got {type(event).__name__}")
    _check_event_fields(event)
    body = encode(event, workflow)
    try:
        stored = decode(body, "the event being appended")
    except RecursionError:
        raise EventFormatError("is nested too deeply", path="data") from None
    return stored, body


def encode_update(system: str, update_id: str, record: Mapping[str, Any]) -> str:
    """Encode an external update's record, refusing what no store keeps.

    Raises:
        EventFormatError: Naming the position of a NUL, lone surrogate, NaN, infinity or an
            integer too long to encode.
    """
    check_text(system, "system")
    check_text(update_id, "update_id")
    check_text(dict(record), "record")
    try:
        return json.dumps(dict(record), ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        raise EventFormatError(
            "must hold only JSON values (finite numbers of at most 4300 digits, strings, "
            "booleans, null, lists, objects with string keys)",
            path="record",
        ) from None


def decode_update(body: str, where: str) -> dict[str, Any]:
    """Decode a stored update record, or raise `EventFormatError` naming `where`."""
    try:
        return _as_dict(json.loads(body))
    except (ValueError, RecursionError):
        raise EventFormatError(
            f"the update record {where} is not valid JSON (the store was edited or damaged)"
        ) from None


class _Txn(ABC):
    """One write transaction of a backend."""

    @abstractmethod
    def bodies(self, complaint_id: str) -> list[str]:
        """The encoded events of a complaint, oldest first."""

    @abstractmethod
    def find(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The encoded events already recorded under any of these ids."""

    @abstractmethod
    def insert(self, complaint_id: str, version: int, bodies: Sequence[tuple[str, str]]) -> int:
        """Append ``(event id, body)`` pairs after `version`; return the last position."""

    def stamp(self, complaint_id: str) -> Stamp | None:
        """The complaint's `Stamp` as stored (``(0, 0)`` if it has no event), or ``None``.

        ``None`` (the default) means the backend cannot tell: every append then replays the
        stored history.
        """
        return None

    @abstractmethod
    def get_update(self, system: str, update_id: str) -> str | None:
        """The recorded external update, encoded, if any."""

    @abstractmethod
    def put_update(self, system: str, update_id: str, body: str) -> None:
        """Record an external update (known not to be recorded yet)."""

    @abstractmethod
    def set_update(self, system: str, update_id: str, body: str) -> None:
        """Replace the record of an external update (known to be recorded)."""

    @abstractmethod
    def claim_external_ids(
        self, complaint_id: str, pairs: Sequence[tuple[str, str]]
    ) -> tuple[str, str] | None:
        """Claim ``(system, external id)`` pairs for a complaint (UNIQUE per pair).

        Returns:
            ``None`` if every pair is now held by `complaint_id` (claimed now or before),
            else ``(system, holder complaint id)`` of the first pair another complaint holds
            (the caller then raises and the transaction rolls back).
        """

    def bodies_of(self, complaint_ids: Sequence[str]) -> dict[str, list[str]]:
        """The encoded events of several complaints, each oldest first (one query if it can)."""
        return {complaint_id: self.bodies(complaint_id) for complaint_id in complaint_ids}

    @abstractmethod
    def put_rows(self, rows: Sequence[ComplaintRow]) -> None:
        """Write (insert or replace) the read-model rows of these complaints."""

    @abstractmethod
    def get_rows(self, complaint_ids: Sequence[str]) -> dict[str, ComplaintRow]:
        """The read-model rows kept of these complaints."""

    @abstractmethod
    def get_meta(self, key: str) -> str | None:
        """A meta record of the store, if any."""

    @abstractmethod
    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or, with ``None``, delete) a meta record of the store."""

    @abstractmethod
    def stream_ids(self, after: str, limit: int) -> list[str]:
        """The ids of stored complaints after `after`, in id order, at most `limit`."""

    @abstractmethod
    def count_streams(self, after: str) -> int:
        """How many complaints are stored with an id after `after`."""


class _StoreCore(ABC):
    """The logic shared by every store; subclasses provide the backend primitives."""

    workflow: Workflow
    _workflows: dict[tuple[str, str], Workflow]
    readonly: bool = False
    read_model: ReadModel | None = None
    #: ``None`` while the rows are current; else what they were computed with and what the
    #: store was opened with. Row queries then raise `StaleReadModelError` until `rebuild`.
    read_model_mismatch: FingerprintMismatch | None = None
    # False for a read-only store too old to hold rows (schema version 2 or less).
    _has_rows: bool = True

    def _set_read_model(self, read_model: ReadModel | None) -> None:
        self.read_model = read_model
        self._fingerprint = definitions_fingerprint(self.workflow, read_model)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the definitions the store was opened with (its rows' if current)."""
        return self._fingerprint

    def _check_rows(self) -> None:
        """After opening: record the rows' fingerprint if new, or note (and log) a mismatch."""
        if not self._has_rows:
            return
        stored = self._read_meta(META_FINGERPRINT)
        if stored == self._fingerprint:
            self.read_model_mismatch = None
            return
        if not self.readonly:
            # A store holding no complaint yet simply adopts the definitions it is opened with.
            with self._write("record the read model's fingerprint") as txn:
                empty = txn.count_streams("") == 0
                if empty:
                    txn.set_meta(META_FINGERPRINT, self._fingerprint)
            if empty:
                self.read_model_mismatch = None
                return
        self.read_model_mismatch = FingerprintMismatch(stored or "-", self._fingerprint)
        log.warning(
            "read model computed with other definitions: rebuild it",
            extra={
                "pengaduan_store": repr(self),
                "pengaduan_stored_fingerprint": stored,
                "pengaduan_fingerprint": self._fingerprint,
            },
        )

    def _set_workflows(self, workflow: Workflow | None, workflows: Iterable[Workflow]) -> None:
        """The writing workflow and every version known for reading (see `pengaduan.store`)."""
        known = list(workflows)
        if workflow is None:
            if not known:
                raise MissingDefinitionError(
                    f"{type(self).__name__}", "workflow", "workflows= (the writing one first)"
                )
            workflow = known[0]
        self.workflow = workflow
        self._workflows = {(w.name, w.version): w for w in [workflow, *known]}

    @property
    def workflows(self) -> tuple[Workflow, ...]:
        """Every workflow version this store can replay (the writing one first)."""
        return tuple(self._workflows.values())

    # -- backend -------------------------------------------------------------------------

    @abstractmethod
    def _write(self, operation: str) -> AbstractContextManager[_Txn]:
        """A write transaction: committed on normal exit, rolled back on an exception."""

    @abstractmethod
    def _read_bodies(self, complaint_id: str) -> list[str]:
        """The encoded events of one complaint, oldest first."""

    def _read_stamp(self, complaint_id: str) -> Stamp | None:
        """The complaint's `Stamp` as stored, read without a lock (``None``: cannot tell)."""
        return None

    @abstractmethod
    def _page_streams(self, since: int, after: int, limit: int) -> list[tuple[str, int]]:
        """Complaints changed after `since` whose first position is after `after`.

        Returns ``(complaint id, first position)`` pairs ordered by first position.
        """

    @abstractmethod
    def _bodies_of(self, complaint_ids: Sequence[str]) -> list[tuple[str, str]]:
        """``(complaint id, body)`` of every event of these complaints, each oldest first."""

    @abstractmethod
    def _page_events(self, after: int, limit: int) -> list[tuple[int, str]]:
        """``(position, body)`` of events after position `after`, in position order."""

    @abstractmethod
    def _head(self) -> int:
        """The position of the last event recorded (0 if none)."""

    @abstractmethod
    def _read_updates(self, system: str | None) -> list[str]:
        """Every recorded external update (of one system), encoded, in arrival order."""

    @abstractmethod
    def _read_update(self, system: str, update_id: str) -> str | None:
        """The recorded external update, encoded, if any (a read, no lock)."""

    @abstractmethod
    def _read_external_id(self, system: str, external_id: str) -> str | None:
        """The complaint holding an external id of `system`, if any (a read, no lock)."""

    @abstractmethod
    def _read_meta(self, key: str) -> str | None:
        """A meta record of the store, if any (a read, no lock)."""

    @abstractmethod
    def _read_row(self, complaint_id: str) -> ComplaintRow | None:
        """The read-model row of a complaint, if kept."""

    @abstractmethod
    def _query_rows(self, query: RowQuery) -> list[ComplaintRow]:
        """The rows passing `query`, in id order, at most ``query.limit + 1``."""

    @abstractmethod
    def _query_due(self, as_of: int, limit: int | None) -> list[str]:
        """Ids whose ``next_due_at`` is at or before `as_of` (µs), oldest first, then id."""

    @abstractmethod
    def _query_next_due(self) -> int | None:
        """The earliest ``next_due_at`` kept (µs), if any."""

    @abstractmethod
    def close(self) -> None:
        """Release the store's connections. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the protocol ------------------------------------------------------------------

    def append(
        self,
        complaint_id: str,
        events: Iterable[Event],
        *,
        expected_version: int | None = None,
    ) -> AppendResult:
        """Append events to a complaint, all or nothing.

        Each event is validated by the workflow against the complaint as stored, inside the
        same transaction that writes it. An event whose id is already recorded with the same
        content is skipped (so retrying an append whose acknowledgement was lost is safe).

        The complaint as stored is the one this store kept from its last append or load when
        the stored version and last position still match it (read in the transaction), else
        its history replayed: an append costs the same however long the history.

        Args:
            complaint_id: The complaint to append to.
            events: The events, oldest first; each must name `complaint_id`.
            expected_version: The version the caller read (`Complaint.version`); if the store
                holds another, nothing is written and `ConflictError` is raised. ``None``
                appends to whatever is stored (no concurrency check).

        Returns:
            What was written and the complaint after it.

        Raises:
            ConflictError: If `expected_version` is stale and some event is new.
            RefusedError: A subclass, if the workflow refuses an event (nothing is written).
            EventFormatError: If an event's data is not JSON.
            StoreError: If the store cannot write (read-only, disk full, ...).
        """
        self._refuse_if_readonly(f"append to complaint {complaint_id!r}")
        batch = [normalise(event, self.workflow) for event in events]
        for event, _body in batch:
            if event.complaint != complaint_id:
                raise ComplaintMismatchError(
                    complaint_id=complaint_id,
                    state="unknown",
                    action=event.action,
                    event_complaint_id=event.complaint,
                    event_id=event.id,
                )
        with self._write(f"append to complaint {complaint_id!r}") as txn:
            stamp = txn.stamp(complaint_id)
            complaint = self._recall(complaint_id, stamp)
            if complaint is None:
                complaint = self._replay(complaint_id, txn.bodies(complaint_id), writing=True)
                self._remember(complaint_id, stamp, complaint)
            recorded = txn.find([event.id for event, _body in batch]) if batch else {}
            new: list[tuple[Event, str]] = []
            duplicates: list[Event] = []
            in_batch: dict[str, str] = {}
            for event, body in batch:
                known = recorded.get(event.id)
                where = f"event id {event.id!r}"
                earlier = decode(known, where) if known is not None else None
                if earlier is None and event.id in in_batch:
                    earlier = decode(in_batch[event.id], where)
                if earlier is not None:
                    if fingerprint(earlier) != fingerprint(event):
                        raise DuplicateEventError(
                            complaint_id=complaint_id,
                            state=complaint.state,
                            action=event.action,
                            event_id=event.id,
                            recorded_action=earlier.action,
                        )
                    duplicates.append(event)
                    continue
                in_batch[event.id] = body
                new.append((event, body))
            if not new:
                return AppendResult(complaint, (), tuple(duplicates), None)
            if expected_version is not None and expected_version != complaint.version:
                raise ConflictError(
                    complaint_id=complaint_id,
                    expected_version=expected_version,
                    actual_version=complaint.version,
                )
            version = complaint.version
            held = _external_ids(complaint)
            for event, _body in new:
                complaint = self.workflow.apply_event(complaint, event)
            claimed = [pair for pair in _external_ids(complaint) if pair not in held]
            clash = txn.claim_external_ids(complaint_id, claimed) if claimed else None
            if clash is not None:
                raise ExternalIdClashError(
                    complaint_id=complaint_id,
                    state=complaint.state,
                    action=new[-1][0].action,
                    system=clash[0],
                    holder_id=clash[1],
                    event_id=new[-1][0].id,
                )
            position = txn.insert(complaint_id, version, [(event.id, body) for event, body in new])
            txn.put_rows([project(complaint, self.read_model)])
            stored = txn.get_meta(META_FINGERPRINT)
            if stored not in (self._fingerprint, REBUILDING + self._fingerprint, MIXED):
                # This row follows other definitions than the rest: every reader must now
                # see the rows as stale until a rebuild, whatever its definitions.
                txn.set_meta(META_FINGERPRINT, MIXED)
        log.debug(
            "appended",
            extra={
                "pengaduan_store": repr(self),
                "pengaduan_complaint": complaint_id,
                "pengaduan_events": len(new),
                "pengaduan_duplicates": len(duplicates),
                "pengaduan_version": complaint.version,
                "pengaduan_position": position,
            },
        )
        # Committed: the next append (or load) starts from here, not from the whole history.
        self._remember(complaint_id, (complaint.version, position), complaint)
        return AppendResult(complaint, tuple(e for e, _ in new), tuple(duplicates), position)

    # -- the read model ----------------------------------------------------------------

    def _require_rows(self, operation: str) -> None:
        if not self._has_rows:
            raise StaleReadModelError(
                store=repr(self),
                operation=operation,
                reason="the store's schema is older than its read model and it was opened "
                "read-only, so it was not upgraded; open it writable once (e.g. "
                "`pengaduan rebuild`)",
            )
        # Checked at every query, not only on opening: another process may have rebuilt the
        # rows with its definitions, or written rows of other definitions, since.
        stored = self._read_meta(META_FINGERPRINT) or "-"
        if stored != self._fingerprint:
            self.read_model_mismatch = FingerprintMismatch(stored, self._fingerprint)
        else:
            self.read_model_mismatch = None
        mismatch = self.read_model_mismatch
        if mismatch is not None:
            raise StaleReadModelError(
                store=repr(self),
                operation=operation,
                reason=f"its rows were computed with other definitions ({mismatch.stored}) "
                f"than it was opened with ({mismatch.expected}); rebuild them with "
                "store.rebuild() or `pengaduan rebuild`",
            )

    def row(self, complaint_id: str) -> ComplaintRow | None:
        """The read-model row of a complaint (``None`` if it has no events).

        Raises:
            StaleReadModelError: If the rows are not current (see `read_model_mismatch`).
        """
        self._require_rows(f"read the row of complaint {complaint_id!r}")
        return self._read_row(complaint_id)

    def rows(
        self,
        *,
        state: str | None = None,
        unit: str | None = None,
        channel: str | None = None,
        submitted_from: datetime | None = None,
        submitted_before: datetime | None = None,
        overdue_as_of: datetime | None = None,
        due_before: datetime | None = None,
        breached_clock: str | None = None,
        limit: int = 100,
        after: str | None = None,
    ) -> Page:
        """One page of read-model rows passing every filter given, in complaint id order.

        Answered from the indexed rows, without replaying anything.

        Args:
            state: Only complaints in this state.
            unit: Only complaints dispatched to this unit.
            channel: Only complaints received through this channel (e.g. ``"web"``).
            submitted_from: Only complaints submitted at or after this instant.
            submitted_before: Only complaints submitted before this instant.
            overdue_as_of: Only complaints with an open (running or paused) clock whose
                deadline is at or before this instant.
            due_before: Only complaints whose `ComplaintRow.next_due_at` (the ladder's next
                due action) is before this instant.
            breached_clock: Only complaints whose current cycle of this clock was breached
                by their last event (combine with `overdue_as_of` for breaches since).
            limit: At most this many rows (1 or more).
            after: The `Page.next_after` of the previous page.

        Raises:
            StaleReadModelError: If the rows are not current (see `read_model_mismatch`).
            NaiveDatetimeError: If an instant is naive.
            UnknownClockError: If `breached_clock` is not a clock of the read model's policy.
            ValueError: If `limit` is less than 1, or `channel` is not a `Channel`'s value.
        """
        self._require_rows("list rows")
        if limit < 1:
            raise ValueError(f"limit must be 1 or more, not {limit}")
        # A name no row can hold would list nothing, as if no complaint matched.
        if channel is not None and channel not in _CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; the channels: {', '.join(_CHANNELS)}")
        if breached_clock is not None:
            policy = self.read_model.policy if self.read_model is not None else None
            clocks = policy.names if policy is not None else ()
            if breached_clock not in clocks:
                raise UnknownClockError(
                    breached_clock, clocks, policy=policy.name if policy is not None else None
                )
        for name, value in (
            ("submitted_from", submitted_from),
            ("submitted_before", submitted_before),
            ("overdue_as_of", overdue_as_of),
            ("due_before", due_before),
        ):
            if value is not None:
                require_aware(value, name)
        query = RowQuery(
            state=state,
            unit=unit,
            channel=channel,
            submitted_from=micros(submitted_from),
            submitted_before=micros(submitted_before),
            overdue_as_of=micros(overdue_as_of),
            due_before=micros(due_before),
            breached_clock=breached_clock,
            limit=limit,
            after=after,
        )
        found = self._query_rows(query)
        more = len(found) > limit
        found = found[:limit]
        return Page(tuple(found), found[-1].id if more else None)

    def due_ids(self, as_of: datetime, *, limit: int | None = None) -> list[str]:
        """The complaints whose `ComplaintRow.next_due_at` has come at `as_of`, oldest first.

        The scheduler's question (`escalation.due` / `tick` need only these complaints):
        answered from an index, reading nothing else.

        Raises:
            StaleReadModelError: If the rows are not current (see `read_model_mismatch`).
            NaiveDatetimeError: If `as_of` is naive.
        """
        self._require_rows("list the complaints due")
        require_aware(as_of, "as_of")
        at = micros(as_of)
        assert at is not None
        return self._query_due(at, limit)

    def next_due_at(self) -> datetime | None:
        """The earliest `ComplaintRow.next_due_at` of every complaint (when to call again).

        Raises:
            StaleReadModelError: If the rows are not current (see `read_model_mismatch`).
        """
        self._require_rows("find the next due instant")
        at = self._query_next_due()
        return None if at is None else _EPOCH + at * _MICROSECOND

    def rebuild(
        self,
        progress: Callable[[int, int], object] | None = None,
        *,
        batch: int = 500,
    ) -> RebuildResult:
        """Recompute every read-model row from history with the store's definitions.

        Streams the complaints in id order, `batch` at a time, each batch in one write
        transaction (appends go on meanwhile). A checkpoint is kept after every batch, so
        a rebuild that is interrupted resumes where it stopped when called again with the
        same definitions. Events are never touched. While it runs, row queries are refused
        (the rows are partly old); when it ends, the rows' fingerprint is the store's and
        `read_model_mismatch` is ``None`` (unless a process with other definitions appended
        meanwhile: then the rows stay marked stale and a rebuild must run again).

        Args:
            progress: Called after every batch with ``(done, total)`` complaints.
            batch: Complaints per transaction.

        Returns:
            How many rows were recomputed and which deadlines moved.

        Raises:
            StoreError: If the store is read-only or cannot write.
        """
        self._refuse_if_readonly("rebuild the read model")
        target = self._fingerprint
        with self._write("rebuild the read model") as txn:
            resumed = (
                txn.get_meta(META_REBUILD_AFTER)
                if txn.get_meta(META_REBUILD_TARGET) == target
                else None
            )
            total = txn.count_streams("")
            done = total - txn.count_streams(resumed or "")
            txn.set_meta(META_FINGERPRINT, REBUILDING + target)
        log.info(
            "rebuild started",
            extra={
                "pengaduan_store": repr(self),
                "pengaduan_fingerprint": target,
                "pengaduan_complaints": total,
                "pengaduan_resumed": resumed is not None,
            },
        )
        after = resumed or ""
        moved: list[MovedDeadline] = []
        skipped: list[str] = []
        count = 0
        mixed = False
        while True:
            with self._write("rebuild the read model") as txn:
                ids = txn.stream_ids(after, batch)
                if not ids:
                    # Unless a writer of other definitions appended meanwhile (it marked the
                    # rows mixed): then they stay stale, and a rebuild must run again.
                    mixed = txn.get_meta(META_FINGERPRINT) != REBUILDING + target
                    if not mixed:
                        txn.set_meta(META_FINGERPRINT, target)
                    txn.set_meta(META_REBUILD_TARGET, None)
                    txn.set_meta(META_REBUILD_AFTER, None)
                    break
                old = txn.get_rows(ids)
                histories = txn.bodies_of(ids)
                fresh: list[ComplaintRow] = []
                for complaint_id in ids:
                    try:
                        complaint = self._replay(complaint_id, histories.get(complaint_id, []))
                    except (UnknownWorkflowVersionError, EventFormatError, RefusedError):
                        skipped.append(complaint_id)
                        continue
                    row = project(complaint, self.read_model)
                    moved.extend(moved_deadlines(old.get(complaint_id), row))
                    fresh.append(row)
                txn.put_rows(fresh)
                txn.set_meta(META_REBUILD_TARGET, target)
                txn.set_meta(META_REBUILD_AFTER, ids[-1])
            after = ids[-1]
            count += len(fresh)
            done += len(ids)
            if progress is not None:
                progress(done, total)
        self.read_model_mismatch = FingerprintMismatch(MIXED, target) if mixed else None
        log.info(
            "rebuild finished",
            extra={
                "pengaduan_store": repr(self),
                "pengaduan_fingerprint": target,
                "pengaduan_complaints": count,
                "pengaduan_moved": len(moved),
                "pengaduan_skipped": len(skipped),
                "pengaduan_mixed": mixed,
            },
        )
        return RebuildResult(count, tuple(moved), tuple(skipped), resumed)

    def _backfill_rows(self, txn: _Txn, streams: Iterable[tuple[str, list[str]]]) -> int:
        """Write the rows of complaints already stored, in a schema upgrade's transaction.

        A complaint this store cannot replay gets no row (a rebuild retries it).

        Returns:
            How many rows were written.
        """
        pending: list[ComplaintRow] = []
        count = 0
        for complaint_id, bodies in streams:
            try:
                complaint = self._replay(complaint_id, bodies)
            except PengaduanError:
                continue
            pending.append(project(complaint, self.read_model))
            if len(pending) >= _PAGE:
                txn.put_rows(pending)
                count += len(pending)
                pending = []
        txn.put_rows(pending)
        txn.set_meta(META_FINGERPRINT, self._fingerprint)
        return count + len(pending)

    def _log_upgrade(self, found: int, rows: int) -> None:
        log.info(
            "schema upgraded",
            extra={
                "pengaduan_store": repr(self),
                "pengaduan_from_version": found,
                "pengaduan_to_version": SCHEMA_VERSION,
                "pengaduan_rows": rows,
            },
        )

    def load(self, complaint_id: str) -> Complaint:
        """Return a complaint rebuilt from its stored history.

        A complaint with no events comes back as ``workflow.new(complaint_id)`` (version 0),
        ready for its first append.

        The store keeps the complaints it last appended to or loaded (up to 1,024) with the
        version and position they were read at; when the stored complaint has not changed
        since, that complaint is returned without reading its history again.
        """
        stamp = self._read_stamp(complaint_id)
        complaint = self._recall(complaint_id, stamp)
        if complaint is not None:
            return complaint
        complaint, workflow = self._replay_with(complaint_id, self._read_bodies(complaint_id))
        # Kept only if read at that stamp, and by the writing workflow (so an append may
        # start from it).
        if workflow is self.workflow and complaint.version == (stamp[0] if stamp else -1):
            self._remember(complaint_id, stamp, complaint)
        return complaint

    def load_many(
        self,
        complaint_ids: Iterable[str],
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[Complaint]:
        """The complaints with these ids, rebuilt from history, in the order given.

        The bulk form of `load` for many known ids (what a scheduler finds due, a page of a
        listing): one read of the histories per page of 500 ids instead of one per
        complaint. An id without events comes back as version 0, as from `load`.

        Args:
            complaint_ids: The complaints (read lazily, a page at a time).
            on_error: Called with ``(complaint id, error)`` for a complaint that cannot be
                read; the iteration then goes on with the others. Without it the error is
                raised.
        """
        ids = iter(complaint_ids)
        while page := list(itertools.islice(ids, _PAGE)):
            yield from self._replay_page(page, self._bodies_of(sorted(set(page))), on_error)

    def complaints(
        self,
        since: int = 0,
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[Complaint]:
        """Every complaint, or those changed after position `since`, by first appearance.

        Read page by page, so a long iteration holds no lock; each complaint is read whole.

        Args:
            since: Only complaints changed after this position.
            on_error: Called with ``(complaint id, error)`` for a complaint that cannot be
                read (an `UnknownWorkflowVersionError`, a damaged body, a refused history);
                the iteration then goes on with the others. Without it the error is raised.
        """
        after = 0
        while True:
            page = self._page_streams(since, after, _PAGE)
            if not page:
                return
            ids = [complaint_id for complaint_id, _first in page]
            yield from self._replay_page(ids, self._bodies_of(ids), on_error)
            after = page[-1][1]

    def _replay_page(
        self,
        complaint_ids: Sequence[str],
        rows: Iterable[tuple[str, str]],
        on_error: Callable[[str, PengaduanError], object] | None,
    ) -> Iterator[Complaint]:
        """The complaints of one page, in `complaint_ids`' order, from their ``rows``."""
        grouped: dict[str, list[str]] = {}
        for complaint_id, body in rows:
            grouped.setdefault(complaint_id, []).append(body)
        for complaint_id in complaint_ids:
            try:
                complaint = self._replay(complaint_id, grouped.get(complaint_id, []))
            except (UnknownWorkflowVersionError, EventFormatError, RefusedError) as error:
                if on_error is None:
                    raise
                on_error(complaint_id, error)
                continue
            yield complaint

    def events(
        self,
        since: int = 0,
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[tuple[int, Event]]:
        """Every event recorded after position `since`, as ``(position, event)``, in order.

        Positions only grow; pass the last one seen to resume (e.g. to feed another system).

        Args:
            since: Only events after this position.
            on_error: If given, the events of complaints this store cannot replay (their
                newest event written by a workflow version it does not know) are left out,
                and ``on_error(complaint id, UnknownWorkflowVersionError)`` is called once
                for each before any event is yielded (this reads the whole log once more and
                holds one entry per complaint).
        """
        skipped: set[str] = set()
        if on_error is not None:
            newest: dict[str, tuple[str, str] | None] = {}
            for _position, event, key in self._stored_events(0):
                newest[event.complaint] = key
            for complaint_id, key in newest.items():
                if key is not None and key not in self._workflows:
                    skipped.add(complaint_id)
                    on_error(complaint_id, self._unknown(complaint_id, key))
        for position, event, _key in self._stored_events(since):
            if event.complaint not in skipped:
                yield position, event

    def _stored_events(self, since: int) -> Iterator[tuple[int, Event, tuple[str, str] | None]]:
        after = since
        while True:
            page = self._page_events(after, _EVENT_PAGE)
            if not page:
                return
            for position, body in page:
                event, key = decode_stored(body, f"position {position}")
                yield position, event, key
            after = page[-1][0]

    def _unknown(self, complaint_id: str, key: tuple[str, str]) -> UnknownWorkflowVersionError:
        return UnknownWorkflowVersionError(
            complaint_id=complaint_id,
            workflow=key[0],
            version=key[1],
            known=[f"{name} {version}" for name, version in self._workflows],
        )

    def position(self) -> int:
        """The position of the last recorded event (0 for an empty store)."""
        return self._head()

    def recall_update(self, system: str, update_id: str) -> dict[str, Any] | None:
        """The record kept of an external update, or ``None`` if it never arrived."""
        body = self._read_update(system, update_id)
        return None if body is None else decode_update(body, f"{update_id!r} of {system!r}")

    def remember_update(
        self, system: str, update_id: str, record: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Keep a record of an external update, unless one is already kept.

        Returns:
            ``None`` if the record was stored now, else the record kept earlier (unchanged).
        """
        self._refuse_if_readonly(f"record an update of {system!r}")
        body = encode_update(system, update_id, record)
        with self._write(f"record update {update_id!r} of {system!r}") as txn:
            earlier = txn.get_update(system, update_id)
            if earlier is not None:
                return decode_update(earlier, f"{update_id!r} of {system!r}")
            txn.put_update(system, update_id, body)
        return None

    def replace_update(
        self, system: str, update_id: str, record: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Replace the record of an update judged again, while its outcome is ``refused``.

        The earlier outcomes are kept, oldest first, in the record's ``attempts`` list (each
        with its outcome and reason), so the history of attempts stays honest.

        Returns:
            ``None`` if the record was replaced (or none was kept: it is stored now), else the
            record kept (unchanged: an applied, stale or current outcome is final).
        """
        self._refuse_if_readonly(f"record an update of {system!r}")
        with self._write(f"record update {update_id!r} of {system!r}") as txn:
            body = txn.get_update(system, update_id)
            if body is None:
                kept = {"attempts": [], **record}
                txn.put_update(system, update_id, encode_update(system, update_id, kept))
                return None
            earlier = decode_update(body, f"{update_id!r} of {system!r}")
            if earlier.get("outcome") not in _REJUDGED:
                return earlier
            attempts = earlier.get("attempts")
            history = list(attempts) if isinstance(attempts, list) else []
            history.append({"outcome": earlier.get("outcome"), "reason": earlier.get("reason")})
            kept = {**record, "attempts": history}
            txn.set_update(system, update_id, encode_update(system, update_id, kept))
        return None

    def complaint_for_external_id(self, system: str, external_id: str) -> str | None:
        """The complaint holding an external id of `system` (unique per system), if any."""
        return self._read_external_id(system, external_id)

    def _index_external_ids(
        self, txn: _Txn, streams: Iterable[tuple[str, list[str]]]
    ) -> list[tuple[str, str, str]]:
        """Claim the external ids of complaints already stored, in a schema upgrade's txn.

        `streams` gives each complaint's bodies, complaints by first appearance: the first
        claimant of a pair keeps it. A complaint this store cannot replay claims nothing (no
        update can be routed to it anyway).

        Returns:
            ``(system, complaint id, holder id)`` of every claim left out.
        """

        def replayable() -> Iterator[Complaint]:
            for complaint_id, bodies in streams:
                try:
                    yield self._replay(complaint_id, bodies)
                except PengaduanError:
                    continue

        return _claim_all(txn, replayable())

    def _backfill_external_ids(self) -> list[tuple[str, str, str]]:
        """Fill the external-id table from the stored history (for a store older than it).

        For the schema migration of a store written before external ids were indexed: each
        pair goes to the complaint that appeared first; later claimants are left out (their
        updates are then refused, not misrouted) and returned for the operator.

        Returns:
            ``(system, complaint id, holder id)`` of every claim left out.
        """
        complaints = list(self.complaints())
        with self._write("index external ids") as txn:
            return _claim_all(txn, complaints)

    def updates(self, system: str | None = None) -> Iterator[dict[str, Any]]:
        """The records of every external update received (of one `system`), in arrival order."""
        for arrival, body in enumerate(self._read_updates(system), start=1):
            yield decode_update(body, f"number {arrival} in arrival order")

    # -- helpers -----------------------------------------------------------------------

    def _refuse_if_readonly(self, operation: str) -> None:
        if self.readonly:
            raise StoreError(
                store=repr(self), operation=operation, reason="it was opened read-only"
            )

    _recent: dict[str, tuple[Stamp, Complaint]] | None = None

    def _recall(self, complaint_id: str, stamp: Stamp | None) -> Complaint | None:
        """The complaint kept for `complaint_id`, if it was kept at this very `stamp`.

        A complaint is kept only as replayed (or appended to) by the writing workflow, so it
        serves an append (which validates with that workflow) and a load (whose newest event
        that workflow wrote) alike. A complaint without events is never kept.
        """
        recent = self._recent
        if stamp is None or recent is None:
            return None
        with _RECENT_LOCK:
            kept = recent.pop(complaint_id, None)
            if kept is None:
                return None
            if kept[0] != stamp:
                return None
            recent[complaint_id] = kept  # the most recently used goes last
        return kept[1]

    def _forget(self) -> None:
        """Drop every kept complaint: the next append or load of each reads its history."""
        with _RECENT_LOCK:
            self._recent = None

    def _remember(self, complaint_id: str, stamp: Stamp | None, complaint: Complaint) -> None:
        """Keep `complaint` as stored at `stamp`, if this store's workflow replays it."""
        if stamp is None or not complaint.version or complaint.version != stamp[0]:
            return
        last = complaint.last_event
        if last is None:
            return
        with _RECENT_LOCK:
            recent = self._recent
            if recent is None:
                recent = self._recent = {}
            recent.pop(complaint_id, None)
            recent[complaint_id] = (stamp, complaint)
            while len(recent) > _RECENT:
                del recent[next(iter(recent))]

    def _replay(
        self,
        complaint_id: str,
        bodies: Iterable[str],
        *,
        writing: bool = False,
        moves: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Complaint:
        """Rebuild a complaint with the workflow that wrote its newest event.

        That workflow accepted the whole history when it appended, so only it must be known.
        Events stored without a workflow (by pengaduan 0.1) count as the store's `workflow`'s.
        When `writing`, the history is replayed by the writing workflow instead (the next
        event will be its), once the newest event's workflow is known. `moves` are the
        store's workflow's plain moves, as a bulk job asked for them
        (`Workflow._plain_moves`), used only when that workflow replays.
        """
        return self._replay_with(complaint_id, bodies, writing=writing, moves=moves)[0]

    def _replay_with(
        self,
        complaint_id: str,
        bodies: Iterable[str],
        *,
        writing: bool = False,
        moves: Mapping[str, Mapping[str, str]] | None = None,
    ) -> tuple[Complaint, Workflow]:
        """`_replay`, and the workflow that replayed the complaint."""
        where = f"complaint {complaint_id!r}"
        decoded = [decode_stored(body, where) for body in bodies]
        newest = decoded[-1][1] if decoded else None
        if newest is not None and newest not in self._workflows:
            raise self._unknown(complaint_id, newest)
        workflow = self.workflow
        if not writing and newest is not None:
            workflow = self._workflows[newest]
        complaint = workflow.new(complaint_id)
        if workflow is not self.workflow:
            moves = None
        apply = workflow._apply_event
        for event, _key in decoded:
            complaint = apply(complaint, event, moves)
        return complaint, workflow


# Outcomes of an update that is judged again when it is re-sent or its predecessor arrives.
_REJUDGED = frozenset({"refused", "pending"})


def _external_ids(complaint: Complaint) -> list[tuple[str, str]]:
    """The ``(system, external id)`` pairs a complaint's facts hold, sorted."""
    facts = complaint.facts
    if facts is None:
        return []
    return sorted((str(system), str(value)) for system, value in facts.external_ids.items())


def _claim_all(txn: _Txn, complaints: Iterable[Complaint]) -> list[tuple[str, str, str]]:
    """Claim every complaint's external ids, in order: the first claimant keeps a pair.

    Returns:
        ``(system, complaint id, holder id)`` of every claim left out.
    """
    left_out: list[tuple[str, str, str]] = []
    for complaint in complaints:
        for pair in _external_ids(complaint):
            clash = txn.claim_external_ids(complaint.id, [pair])
            if clash is not None:
                left_out.append((clash[0], complaint.id, clash[1]))
    return left_out


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {"value": value}


def grouped_bodies(rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """``(complaint, body)`` rows ordered by complaint run, as ``(complaint, bodies)``."""
    for complaint_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield str(complaint_id), [str(body) for _id, body in group]
