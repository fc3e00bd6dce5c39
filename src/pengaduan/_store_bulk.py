"""Bulk ingest for every store: `import_events`, validated and written batch by batch.

A batch is one write transaction of the backend (the same lock an append takes), so it is
all or nothing and serialised with every append. Inside it, the batch costs a fixed number
of queries whatever its size: one lookup of the stored versions of its complaints, one of its
event ids (where the database's unique index refuses a recorded id, only those of complaints
with stored events: see `_Import.write`), one read of the histories it must replay (only of
complaints this import has not just written itself), then the inserts (SQLite
``executemany``, PostgreSQL ``COPY``) and one read-model row per complaint touched. Each
event is encoded to JSON once (the stored body) and is not decoded again unless it is not
already in the form a store gives back.

The import keeps the state of the complaints it wrote last (a bounded cache), so that a
complaint whose events are spread over many batches (an event file is in time order, not by
complaint) is not replayed at every batch; the stored version, read in each batch's
transaction, says whether another writer appended meanwhile, and then the stored history is
replayed instead.
"""

from __future__ import annotations

import gc
import itertools
import json
import sqlite3
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from datetime import datetime, timezone

import attrs

from pengaduan._store_base import (
    META_FINGERPRINT,
    MIXED,
    REBUILDING,
    _external_ids,
    _StoreCore,
    _Txn,
    decode,
    fingerprint,
    normalise,
)
from pengaduan.exceptions import (
    DuplicateEventError,
    EventFormatError,
    ExternalIdClashError,
    PengaduanError,
    RefusedError,
)
from pengaduan.model import Actor, Complaint, Event
from pengaduan.readmodel import (
    ComplaintRow,
    _project_many,
)
from pengaduan.workflow import Workflow, _collector_spared

# Events per transaction unless told. A larger batch projects a complaint whose events span
# batches fewer times, rewrites its row less often and commits less often: on the first
# 200,000 events of the simulated 100,000 complaints, where a batch of 20,000 spans weeks and
# nearly half the complaints it writes had events in an earlier one, 50,000 took a third less
# CPU than 20,000 (and 20,000 a tenth to a sixth less than 5,000 on the regency file). It
# holds the write lock longer, 3 to 5 seconds a batch on the project's machine, during which
# other writers wait: beside a busy portal, pass a smaller batch.
DEFAULT_BATCH = 50_000

# The events of the complaints whose state the import keeps between batches (the oldest
# written is forgotten first; a forgotten complaint is replayed from the store when it comes
# back). A complaint left in a terminal state is not kept: an event file's later batches
# continue the complaints still open (on the simulated history of 100,000 complaints every
# complaint that came back in a later batch was open), so the events kept are those of the
# open complaints of the last batches, which is what the bound needs to hold.
_CACHE_EVENTS = 50_000
# Complaints whose version as the import wrote it is remembered, to tell that another writer
# appended to one (an int each, so many more than the states).
_VERSIONS = 100_000

# Ids per IN (...) query: SQLite allows 32,766 parameters since 3.32, 999 before.
SQL_CHUNK = 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 900

# The stored body's encoding, as `_store_base.encode` writes it.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

_quote = json.encoder.encode_basestring  # a str as that encoder writes it (ensure_ascii off)


def _not_json(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _public_chunks(value: object, _level: int) -> tuple[str]:
    return (_ENCODER.encode(value),)


def _plain_encoder() -> Callable[[object, int], Iterable[str]]:
    """The pieces `_ENCODER.encode` writes for a plain value (see `_plain`), joined to encode.

    `JSONEncoder.encode` builds its C encoder anew for each value, a half of what encoding a
    small event's data costs; this one is built once, and without the check for cycles (a
    plain value is a tree). Where the C encoder is missing or writes otherwise, its one piece
    is `_ENCODER.encode`'s text.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _public_chunks
    try:
        chunks = make(None, _not_json, _quote, None, ":", ",", False, False, False)
        probe = {"a": [1, -2.5, None, True, "é\n\u2028"], "b": {}, "c": []}
        if "".join(chunks(probe, 0)) != _ENCODER.encode(probe):
            return _public_chunks
    except Exception:  # another interpreter's private API: keep the public one
        return _public_chunks
    return chunks  # type: ignore[no-any-return]


_plain_chunks = _plain_encoder()

# The key of a stored body naming the workflow that accepted the event (see _store_base).
_WORKFLOW_KEY = "workflow"


@attrs.frozen
class ImportConflict:
    """A complaint another writer appended to while an import was writing it.

    The import validated the complaint's next events against the new stored state, and the
    workflow refused one: from that event on, none of the complaint's events in the import
    was written (nothing was lost or doubled: the store holds the other writer's events and
    the import's events up to there). Re-decide and import the rest again once resolved.

    Attributes:
        complaint_id: The complaint.
        expected_version: Its version as the import last wrote it.
        actual_version: Its version in the store when the import came back to it.
        event_id: The first event left out.
        error: Why the workflow refused that event against the new state.
        left_out: How many events of the complaint the import left out (that one and every
            later one).
    """

    complaint_id: str
    expected_version: int
    actual_version: int
    event_id: str
    error: RefusedError
    left_out: int = 1


@attrs.frozen
class ImportResult:
    """What `import_events` did, in all (or so far, when given to its `progress`).

    Attributes:
        read: Events taken from the input.
        new: Events written.
        duplicates: Events skipped because that very event was already recorded.
        refused: Events refused (passed to `on_refused`; without it the first refusal is
            raised instead).
        conflicted: Events left out because their complaint changed under the import (see
            `conflicts`).
        batches: Transactions committed.
        position: The store position of the last event written (``None`` if none was).
        conflicts: One entry per complaint another writer changed under the import.
    """

    read: int = 0
    new: int = 0
    duplicates: int = 0
    refused: int = 0
    conflicted: int = 0
    batches: int = 0
    position: int | None = None
    conflicts: tuple[ImportConflict, ...] = ()


class _BulkTxn(ABC):
    """The few set-wise operations a bulk batch needs, on top of a backend's `_Txn`."""

    # Whether `insert_many` refuses an event id already recorded (`id_taken` tells the error):
    # then the ids of complaints with no stored event need not be looked up first.
    refuses_taken_ids = False

    def __init__(self, txn: _Txn) -> None:
        self.txn = txn

    def id_taken(self, error: Exception) -> bool:
        """Whether `error`, raised by `insert_many`, may be an event id already recorded."""
        return False

    @abstractmethod
    def find_many(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The bodies recorded under any of these ids (one query)."""

    @abstractmethod
    def versions(self, complaint_ids: Sequence[str]) -> dict[str, int]:
        """The stored version of each of these complaints that has events (one query)."""

    @abstractmethod
    def insert_many(self, rows: Sequence[tuple[str, str, int, str]]) -> int:
        """Append ``(event id, complaint, seq, body)`` rows in order; return the last position.

        The complaints' stream records (version, first and last position) follow.
        """

    @abstractmethod
    def holders(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The complaint holding each of these ``(system, external id)`` pairs, if any."""

    def put_rows(self, rows: Sequence[ComplaintRow], fresh: Set[str]) -> None:
        """Write the read-model rows of the batch's complaints (those in `fresh` have none yet).

        A complaint in `fresh` had no events when the batch's transaction began, so it has no
        row and no clock rows either: `insert_fresh` writes those without looking for old
        ones; the others are written as an append writes them.
        """
        new = [row for row in rows if row.id in fresh]
        if len(new) < len(rows):
            self.txn.put_rows([row for row in rows if row.id not in fresh])
        if new:
            self.insert_fresh(new)

    def insert_fresh(self, rows: Sequence[ComplaintRow]) -> None:
        """Insert the rows (and clock rows) of complaints that have none yet."""
        self.txn.put_rows(rows)

    def bodies_many(self, complaint_ids: Sequence[str]) -> dict[str, list[str]]:
        """The stored bodies of these complaints, each oldest first."""
        found: dict[str, list[str]] = {}
        for start in range(0, len(complaint_ids), 500):
            found.update(self.txn.bodies_of(complaint_ids[start : start + 500]))
        return found


def chunks(items: Sequence[str], size: int = SQL_CHUNK) -> Iterator[Sequence[str]]:
    """`items` in slices of at most `size` (the parameters of one IN (...) query)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- encoding once -----------------------------------------------------------------------------


_INFINITIES = (float("inf"), float("-inf"))


def _plain(value: object, depth: int) -> bool:
    """Whether `value` is made only of JSON's own types (exactly), nested at most `depth`.

    Such a value comes back from the store equal and of the same types, so the event need
    not be decoded again to be what the store will give back.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return value == value and value not in _INFINITIES
    if depth <= 0:
        return False
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                return False
            # A text, a number or a flag (most data values) is plain without a call.
            of = type(item)
            if not (of is str or of is int or of is bool or item is None) and not _plain(
                item, depth - 1
            ):
                return False
        return True
    if kind is list:
        return all(_plain(item, depth - 1) for item in value)  # type: ignore[attr-defined]
    return False


def prepare(event: object, workflow: Workflow, workflow_key: str) -> tuple[Event, str]:
    """An event as the store will give it back, and its stored body, encoded once.

    `workflow_key` is the JSON text of the workflow's ``[name, version]``. The body is the
    text `_store_base.encode` writes (the same keys in the same order, the same encoder for
    the data), put together from its parts.

    Raises:
        EventFormatError: As `normalise` does, for anything a store does not keep.
    """
    # Checked here rather than in a function of its own: this runs for every event imported.
    # (Each text non-empty, as `normalise` requires: an event file refuses an empty id.)
    if isinstance(event, Event) and (
        type(event.id) is str
        and event.id
        and type(event.complaint) is str
        and event.complaint
        and type(event.action) is str
        and event.action
        and type(at := event.at) is datetime
        and type(at.tzinfo) is timezone
        and type(actor := event.actor) is Actor
        and type(actor.id) is str
        and actor.id
        and isinstance(actor.role, str)
        and actor.role
        and ((unit := actor.unit) is None or (type(unit) is str and unit))
        and type(data := event.data) is dict
        and _plain(data, 99)
    ):
        if type(actor.role) is not str:  # a Role member: the store gives back its text
            actor = Actor(actor.id, str(actor.role), unit)
            event = attrs.evolve(event, actor=actor)
        try:
            text = "".join(_plain_chunks(data, 0))
        except ValueError:  # a number json cannot write: the precise error below
            pass
        else:
            # An ISO 8601 instant has nothing JSON escapes.
            body = (
                f'{{"id":{_quote(event.id)},"complaint":{_quote(event.complaint)},'
                f'"action":{_quote(event.action)},"at":"{at.isoformat()}",'
                f'"actor":{{"id":{_quote(actor.id)},"role":{_quote(actor.role)},'
                f'"unit":{"null" if unit is None else _quote(unit)}}},'
                f'"data":{text},"{_WORKFLOW_KEY}":{workflow_key}}}'
            )
            # A NUL is escaped as \u0000 in JSON, a lone surrogate kept raw: either sends the
            # event through the full check, which names the position.
            if "\\u0000" not in body:
                if body.isascii():  # a flag of the string: no surrogate to look for
                    return event, body
                try:
                    body.encode("utf-8")
                except UnicodeEncodeError:
                    pass
                else:
                    return event, body
    return normalise(event, workflow)


# -- the import ------------------------------------------------------------------------------


OnRefused = Callable[[Event, PengaduanError], object]


class _BulkStore(_StoreCore):
    """A store that imports events in bulk; a backend provides `_bulk_txn`."""

    @abstractmethod
    def _bulk_txn(self, txn: _Txn) -> _BulkTxn:
        """The set-wise operations on the backend's write transaction `txn`."""

    def import_events(
        self,
        events: Iterable[Event],
        *,
        batch_size: int = DEFAULT_BATCH,
        on_refused: Callable[[Event, PengaduanError], object] | None = None,
        progress: Callable[[ImportResult], object] | None = None,
    ) -> ImportResult:
        """Import events of any number of complaints, validated, in batched transactions.

        The bulk counterpart of `append` (the same validation, idempotency and read-model
        rows), for loading an event file or another system's history. Events are taken from
        `events` lazily, `batch_size` at a time; each batch is validated by the workflow
        against what is stored (and the batches before it) and written in one transaction,
        all or nothing. Each complaint's events must come in time order; complaints may be
        interleaved and may continue across batches (an event file is in time order).

        - An event whose id is already recorded with the same content is skipped (a
          duplicate), so importing the same events again adds nothing; the same id with other
          content is a `DuplicateEventError`.
        - A refused event (`RefusedError`, or `EventFormatError` for data no store keeps)
          raises, and nothing of its batch is written (the batches before it stay); with
          `on_refused` it is passed there instead, left out, and the batch goes on without it
          (the complaint's next events are validated against the state without it).
        - A complaint another writer appended to while the import was writing it is
          validated against the new stored state; if the workflow then refuses one of its
          events, that event and the complaint's later ones are left out and reported in
          `ImportResult.conflicts` (never raised), while the rest of the batch lands.

        Args:
            events: The events, each complaint's oldest first.
            batch_size: Events per transaction (1 or more). A smaller batch holds the
                write lock for less time (other writers wait for a batch to commit).
            on_refused: Called with ``(event, error)`` for each refused event; without it the
                first refusal is raised.
            progress: Called after every committed batch with the totals so far.

        Returns:
            What was written, skipped, refused and left out.

        Raises:
            RefusedError: A subclass, for the first refused event when `on_refused` is not
                given; nothing of its batch was written (a note on the error says how much
                of the input was).
            EventFormatError: Likewise, for an event whose data no store keeps.
            StoreError: If the store cannot write (read-only, disk full, ...); the batches
                committed before it stay.
            ValueError: If `batch_size` is less than 1.
        """
        self._refuse_if_readonly("import events")
        if batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, not {batch_size}")
        run = _Import(self, on_refused)
        source = iter(events)
        # What existed before the import (the host's heap, the events given as a list) is kept
        # out of the collector's walks while it runs, as for `Workflow.replay`.
        with _collector_spared():
            while True:
                batch = list(itertools.islice(source, batch_size))
                if not batch:
                    break
                # The collector is paused while a batch runs: what a batch makes is either kept
                # (the complaints) or freed by reference counting; walking the growing heap at
                # every threshold cost a fifth of the time. Its cyclic garbage goes after it.
                paused = gc.isenabled()
                if paused:
                    gc.disable()
                try:
                    run.batch(batch)
                except (RefusedError, EventFormatError) as error:
                    error.add_note(
                        f"nothing of import batch {run.batches + 1} (events {run.read + 1} to "
                        f"{run.read + len(batch)} of the input) was written; the batches before "
                        f"it were ({run.new} new events)"
                    )
                    raise
                finally:
                    if paused:
                        gc.enable()
                if progress is not None:
                    progress(run.result())
        return run.result()


class _RecheckIdsError(Exception):
    """A batch written without looking up every id must be written again with the look-up."""


class _Import:
    """The running state of one `import_events` call."""

    def __init__(self, store: _BulkStore, on_refused: OnRefused | None) -> None:
        self.store = store
        self.workflow = store.workflow
        self.key = _ENCODER.encode([store.workflow.name, store.workflow.version])
        self.on_refused = on_refused
        # Least recently written first (OrderedDicts: the oldest is dropped in constant time).
        self.cache: OrderedDict[str, Complaint] = OrderedDict()
        self.cached_events = 0  # the events of the complaints in `cache`
        self.written: OrderedDict[str, int] = OrderedDict()
        self.conflicts: dict[str, ImportConflict] = {}
        self.read = self.new = self.duplicates = self.refused = self.conflicted = 0
        self.batches = 0
        self.position: int | None = None

    def result(self) -> ImportResult:
        return ImportResult(
            read=self.read,
            new=self.new,
            duplicates=self.duplicates,
            refused=self.refused,
            conflicted=self.conflicted,
            batches=self.batches,
            position=self.position,
            conflicts=tuple(self.conflicts.values()),
        )

    def refuse(
        self,
        event: Event,
        error: PengaduanError,
        counts: dict[str, int],
        held: list[tuple[Event, PengaduanError]] | None,
    ) -> None:
        """Count a refused event; pass it on (or hold it, see `write`), or raise it."""
        if self.on_refused is None:
            if held is not None:
                raise _RecheckIdsError  # an unchecked id before it may be the first refusal
            raise error
        counts["refused"] += 1
        if held is not None:
            held.append((event, error))
        else:
            self.on_refused(event, error)

    def batch(self, batch: Sequence[object]) -> None:
        workflow = self.workflow
        # Encoded before the lock is taken; a refusal is reported in input order below.
        prepared: list[tuple[Event, str, EventFormatError | None]] = []
        # The ids of the well-formed events, by complaint.
        ids_of: dict[str, list[str]] = {}
        for item in batch:
            try:
                event, body = prepare(item, workflow, self.key)
            except EventFormatError as error:
                if not isinstance(item, Event):
                    raise
                prepared.append((item, "", error))
            else:
                prepared.append((event, body, None))
                ids = ids_of.get(event.complaint)
                if ids is None:
                    ids_of[event.complaint] = [event.id]
                else:
                    ids.append(event.id)
        try:
            self.write(prepared, ids_of, batch_read=len(batch), checked=False)
        except _RecheckIdsError:
            # An event of a complaint new to the store came with an id already recorded (for
            # another complaint), or a refusal is to be raised: once more, every id looked up
            # first, so that the first refusal in input order is the one reported.
            self.write(prepared, ids_of, batch_read=len(batch), checked=True)

    def write(
        self,
        prepared: list[tuple[Event, str, EventFormatError | None]],
        ids_of: Mapping[str, list[str]],
        *,
        batch_read: int,
        checked: bool,
    ) -> None:
        """Validate and write one prepared batch in one transaction; then note what it did.

        Unless `checked`, where the backend's inserts refuse an id already recorded, only the
        ids of complaints with stored events are looked up (an import into a store holding
        none of its complaints looks up nothing), and refusals are held until the inserts
        have gone through; an id found taken there raises `_RecheckIdsError`, the transaction is
        rolled back, and the caller does the batch again `checked`.
        """
        store = self.store
        workflow = self.workflow
        counts = {"refused": 0, "duplicates": 0, "conflicted": 0}
        conflicts = dict(self.conflicts)
        with store._write("import events") as txn:
            bulk = store._bulk_txn(txn)
            unchecked = not checked and bulk.refuses_taken_ids
            complaint_ids: Set[str] = ids_of.keys()
            stored = bulk.versions(sorted(complaint_ids)) if complaint_ids else {}
            held: list[tuple[Event, PengaduanError]] | None = None
            if unchecked:
                held = []
                looked_up = [i for cid in stored for i in ids_of[cid]]
            else:
                looked_up = [i for ids in ids_of.values() for i in ids]
            recorded = bulk.find_many(looked_up) if looked_up else {}
            if recorded:
                # The events recorded as they are (an import run again) are left out here, and
                # so are the complaints that only they touch (nothing of theirs to load).
                kept: list[tuple[Event, str, EventFormatError | None]] = []
                touching: set[str] = set()
                for entry in prepared:
                    event, body, bad = entry
                    if bad is None:
                        if recorded.get(event.id) == body:
                            counts["duplicates"] += 1
                            continue
                        touching.add(event.complaint)
                    kept.append(entry)
                prepared, complaint_ids = kept, touching
            # The machine's moves are read off its table while it carries no callback or
            # condition (asked once a batch: one a host registers fires from the next batch on).
            moves = workflow._plain_moves()
            fresh: set[str] = set()
            states = self.states(bulk, complaint_ids, stored, fresh, moves)
            moved = {cid for cid, (_c, expected) in states.items() if expected is not None}
            current = {cid: complaint for cid, (complaint, _e) in states.items()}
            accepted: dict[str, Event] = {}
            rows: list[tuple[str, str, int, str]] = []
            touched: dict[str, None] = {}
            # `apply_event` less its look-up of the event's id in the complaint's history: every
            # id of that history is stored (found above) or accepted in this batch, both
            # handled before the workflow is asked; the checks are the same.
            apply = workflow._apply
            for event, body, bad in prepared:
                if bad is not None:
                    self.refuse(event, bad, counts, held)
                    continue
                cid = event.complaint
                conflict = conflicts.get(cid)
                if conflict is not None:
                    conflicts[cid] = attrs.evolve(conflict, left_out=conflict.left_out + 1)
                    counts["conflicted"] += 1
                    continue
                complaint = current[cid]
                # The same id with other content: recorded already, or earlier in the batch.
                known = recorded.get(event.id) if recorded else None
                earlier = (
                    decode(known, f"event id {event.id!r}")
                    if known is not None
                    else accepted.get(event.id)
                )
                try:
                    if earlier is not None:
                        if fingerprint(earlier) != fingerprint(event):
                            raise DuplicateEventError(
                                complaint_id=cid,
                                state=complaint.state,
                                action=event.action,
                                event_id=event.id,
                                recorded_action=earlier.action,
                            )
                        counts["duplicates"] += 1
                        continue
                    after = apply(complaint, event, moves)
                    if after.facts is not complaint.facts:
                        self.claim(bulk, complaint, after, event)
                except RefusedError as error:
                    if cid in moved:
                        base, expected = states[cid]
                        assert expected is not None
                        conflicts[cid] = ImportConflict(
                            cid, expected, base.version, event.id, error
                        )
                        counts["conflicted"] += 1
                        continue
                    self.refuse(event, error, counts, held)
                    continue
                current[cid] = after
                accepted[event.id] = event
                rows.append((event.id, cid, after.version, body))
                touched[cid] = None
            try:
                position = bulk.insert_many(rows) if rows else None
            except Exception as error:
                if unchecked and bulk.id_taken(error):
                    raise _RecheckIdsError from None
                raise
            if held:
                # A refused event's id was not inserted: were it taken, the look-up would have
                # refused it as a duplicate instead (not one refused for its format, whose id
                # the look-up never asks for).
                unseen = [
                    event.id
                    for event, error in held
                    if event.complaint not in stored and not isinstance(error, EventFormatError)
                ]
                if unseen and bulk.find_many(unseen):
                    raise _RecheckIdsError
                on_refused = self.on_refused
                assert on_refused is not None
                for refused, reason in held:
                    on_refused(refused, reason)
            if touched:
                # Each touched complaint's row once, as `project` computes it, the calendar's
                # answers shared among the batch's complaints.
                projected = _project_many([current[cid] for cid in touched], store.read_model)
                bulk.put_rows(projected, fresh)
                recorded_as = txn.get_meta(META_FINGERPRINT)
                if recorded_as not in (store.fingerprint, REBUILDING + store.fingerprint, MIXED):
                    txn.set_meta(META_FINGERPRINT, MIXED)
        # Committed: what the import now knows of the store.
        cache, written, forget = self.cache, self.written, self.forget
        is_terminal = store.workflow.is_terminal
        for cid in touched:
            complaint = current[cid]
            forget(cid)
            if not is_terminal(complaint):
                cache[cid] = complaint
                self.cached_events += complaint.version
            written[cid] = complaint.version
            written.move_to_end(cid)
        for cid in conflicts:
            forget(cid)
        while self.cached_events > _CACHE_EVENTS:
            self.cached_events -= cache.popitem(last=False)[1].version
        while len(written) > _VERSIONS:
            written.popitem(last=False)
        self.conflicts = conflicts
        self.read += batch_read
        self.new += len(rows)
        self.duplicates += counts["duplicates"]
        self.refused += counts["refused"]
        self.conflicted += counts["conflicted"]
        self.batches += 1
        if position is not None:
            self.position = position

    def states(
        self,
        bulk: _BulkTxn,
        complaint_ids: Set[str],
        stored: Mapping[str, int],
        fresh: set[str],
        moves: Mapping[str, Mapping[str, str]] | None,
    ) -> dict[str, tuple[Complaint, int | None]]:
        """Each complaint's state as stored, and the version the import expected if it moved.

        `stored` holds the stored versions (`_BulkTxn.versions`) of at least these complaints.
        The complaints with no stored event are added to `fresh`.
        """
        ordered = sorted(complaint_ids)
        found: dict[str, tuple[Complaint, int | None]] = {}
        load: list[str] = []
        expected: dict[str, int] = {}
        for cid in ordered:
            version = stored.get(cid, 0)
            cached = self.cache.get(cid)
            if cached is not None and cached.version == version:
                found[cid] = (cached, None)
            elif version == 0:
                found[cid] = (self.workflow.new(cid), None)
                fresh.add(cid)
            else:
                last = self.written.get(cid)
                if last is not None and last != version:
                    expected[cid] = last  # another writer appended since this import did
                load.append(cid)
        if load:
            histories = bulk.bodies_many(load)
            for cid in load:
                complaint = self.store._replay(
                    cid, histories.get(cid, []), writing=True, moves=moves
                )
                found[cid] = (complaint, expected.get(cid))
        return found

    def forget(self, complaint_id: str) -> None:
        """Drop the state kept of a complaint, if any (the next batch reads it back)."""
        dropped = self.cache.pop(complaint_id, None)
        if dropped is not None:
            self.cached_events -= dropped.version

    def claim(self, bulk: _BulkTxn, before: Complaint, after: Complaint, event: Event) -> None:
        """Claim the external ids an accepted event gives its complaint, or refuse it."""
        facts = after.facts
        # Most events that change the facts leave the ids as they were (the same mapping,
        # kept by `attrs.evolve`) or have none: nothing to claim, without sorting both sides.
        if facts is None or not facts.external_ids:
            return
        if before.facts is not None and before.facts.external_ids is facts.external_ids:
            return
        held = _external_ids(before)
        claimed = [pair for pair in _external_ids(after) if pair not in held]
        if not claimed:
            return
        holders = bulk.holders(claimed)
        for pair in claimed:
            holder = holders.get(pair)
            if holder is not None and holder != after.id:
                raise ExternalIdClashError(
                    complaint_id=after.id,
                    state=after.state,
                    action=event.action,
                    system=pair[0],
                    holder_id=holder,
                    event_id=event.id,
                )
        bulk.txn.claim_external_ids(after.id, claimed)
