"""Event stores that lose nothing: in memory, SQLite (the default) and PostgreSQL.

A store keeps each complaint's events, validated by the workflow before they are written, in
an append-only log. Every store honours one contract (`EventStore`):

- `append(complaint_id, events, expected_version=...)` writes all the events or none; a stale
  `expected_version` raises `ConflictError` and writes nothing (optimistic concurrency);
- an event whose id is already recorded with the same content is a no-op, so a retried append
  never doubles anything; the same id with other content is a `DuplicateEventError`;
- `load(complaint_id)` rebuilds a complaint from its history; `complaints(since=...)`
  iterates every complaint, or those changed after a position; `events(since=...)` reads the
  log in order;
- `import_events(events, batch_size=...)` imports events of many complaints (an event file,
  another system's history) in batched transactions, with the same validation, idempotency
  and read-model rows as `append` (see ``docs/storage.md``);
- `remember_update` / `updates` keep the record of external updates (see `pengaduan.sync`);
- every append also writes the complaint's read-model row (`pengaduan.readmodel`) in its own
  transaction; `row`, `rows`, `due_ids` and `next_due_at` answer from those indexed rows
  without replaying, and `rebuild` recomputes them from history.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan.model import Actor, Event
>>> from pengaduan.presets import lapor_workflow
>>> store = SQLiteStore(":memory:", workflow=lapor_workflow())
>>> at = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
>>> submit = Event("e1", "C-1", "submit", at, Actor("warga-17", "reporter"),
...                {"title": "Jalan rusak", "body": "Lubang besar", "channel": "web"})
>>> store.append("C-1", [submit], expected_version=0).complaint.version
1
>>> store.append("C-1", [submit], expected_version=0).new  # a retry: nothing doubled
()
>>> store.load("C-1").state
'submitted'

```

`PostgresStore` needs the ``postgres`` extra (psycopg 3) and is imported only when used.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pengaduan._store_base import AppendResult
from pengaduan._store_bulk import DEFAULT_BATCH, ImportConflict, ImportResult
from pengaduan._store_memory import InMemoryStore
from pengaduan._store_sqlite import SQLiteStore
from pengaduan.exceptions import PengaduanError, StoreError
from pengaduan.model import Complaint, Event
from pengaduan.readmodel import ComplaintRow, FingerprintMismatch, Page, ReadModel, RebuildResult
from pengaduan.workflow import Workflow

if TYPE_CHECKING:
    from pengaduan._store_postgres import PostgresStore

__all__ = [
    "AppendResult",
    "EventStore",
    "ImportConflict",
    "ImportResult",
    "InMemoryStore",
    "PostgresStore",
    "SQLiteStore",
    "open_store",
]


@runtime_checkable
class EventStore(Protocol):
    """What every event store offers. See the module documentation for the guarantees."""

    workflow: Workflow

    def append(
        self,
        complaint_id: str,
        events: Iterable[Event],
        *,
        expected_version: int | None = None,
    ) -> AppendResult:
        """Append events to a complaint, all or nothing, validated by the workflow."""
        ...

    def import_events(
        self,
        events: Iterable[Event],
        *,
        batch_size: int = DEFAULT_BATCH,
        on_refused: Callable[[Event, PengaduanError], object] | None = None,
        progress: Callable[[ImportResult], object] | None = None,
    ) -> ImportResult:
        """Import events of any number of complaints, validated, in batched transactions.

        The bulk counterpart of `append`: the same validation, idempotency and read-model
        rows, for an event file or another system's history (see ``docs/storage.md``).
        Events are taken lazily, `batch_size` at a time; each batch is validated against
        what is stored (and the batches before it) and written in one transaction, all or
        nothing. Each complaint's events must come in time order; complaints may be
        interleaved and continue across batches.

        An event already recorded with the same content is a duplicate, skipped (importing
        twice adds nothing). A refused event raises (`RefusedError`, `DuplicateEventError`
        for an id reused for another event, `EventFormatError` for data no store keeps) and
        nothing of its batch is written, the batches before it stay; with `on_refused` it is
        passed there and left out, and the batch goes on. A complaint another writer changed
        during the import is validated against its new state; if one of its events is then
        refused, it and the complaint's later events are left out and reported in
        `ImportResult.conflicts`, never raised.

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
            RefusedError: A subclass, for the first refused event without `on_refused`; a
                note on it says which batch was not written.
            EventFormatError: Likewise, for an event whose data no store keeps.
            StoreError: If the store cannot write; the batches committed before stay.
            ValueError: If `batch_size` is less than 1.
        """
        ...

    def load(self, complaint_id: str) -> Complaint:
        """A complaint rebuilt from its history (version 0 if it has none)."""
        ...

    def load_many(
        self,
        complaint_ids: Iterable[str],
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[Complaint]:
        """These complaints, in the order given, a page of histories per query."""
        ...

    def complaints(
        self,
        since: int = 0,
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[Complaint]:
        """Every complaint, or those changed after `since`; unreadable ones go to `on_error`."""
        ...

    def events(
        self,
        since: int = 0,
        *,
        on_error: Callable[[str, PengaduanError], object] | None = None,
    ) -> Iterator[tuple[int, Event]]:
        """``(position, event)`` of every event after `since`; see `SQLiteStore.events`."""
        ...

    def position(self) -> int:
        """The position of the last recorded event (0 for an empty store)."""
        ...

    def recall_update(self, system: str, update_id: str) -> dict[str, Any] | None:
        """The record kept of an external update, if any."""
        ...

    def remember_update(
        self, system: str, update_id: str, record: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Keep a record of an external update; return the earlier record if one is kept."""
        ...

    def updates(self, system: str | None = None) -> Iterator[dict[str, Any]]:
        """The records of the external updates received, in arrival order."""
        ...

    def replace_update(
        self, system: str, update_id: str, record: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Replace a refused update's record after judging it again; see `_StoreCore`."""
        ...

    def complaint_for_external_id(self, system: str, external_id: str) -> str | None:
        """The complaint holding an external id of `system` (unique per system), if any."""
        ...

    read_model: ReadModel | None
    read_model_mismatch: FingerprintMismatch | None

    def row(self, complaint_id: str) -> ComplaintRow | None:
        """The read-model row of a complaint; see `SQLiteStore.row`."""
        ...

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
        """One page of read-model rows passing the filters; see `SQLiteStore.rows`."""
        ...

    def due_ids(self, as_of: datetime, *, limit: int | None = None) -> list[str]:
        """The complaints whose next due instant has come; see `SQLiteStore.due_ids`."""
        ...

    def next_due_at(self) -> datetime | None:
        """The earliest next due instant of every complaint, if any."""
        ...

    def rebuild(
        self, progress: Callable[[int, int], object] | None = None, *, batch: int = 500
    ) -> RebuildResult:
        """Recompute the read model from history; see `SQLiteStore.rebuild`."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def open_store(
    target: str | os.PathLike[str],
    workflow: Workflow | None = None,
    *,
    readonly: bool = False,
    workflows: Iterable[Workflow] = (),
    read_model: ReadModel | None = None,
) -> EventStore:
    """Open a store by location: a ``postgresql://`` URL, or else a SQLite file path.

    Args:
        target: ``postgresql://user@host/db`` (needs the ``postgres`` extra) or a file path.
        workflow: The workflow that validates events (else the first of `workflows`).
        readonly: Open for reading only: nothing is created, upgraded or written; a file
            that is not a pengaduan store is refused untouched (`NotAStoreError`).
        workflows: Further workflow versions known for reading (see `SQLiteStore`).
        read_model: The definitions of the read-model rows (see `pengaduan.readmodel`).

    Raises:
        StoreError: If the store cannot be opened (`StoreVersionError` if a newer pengaduan
            wrote it, `NotAStoreError` if it is not a store), or `target` is a URL of another
            scheme. The message never quotes a URL (it may hold a password).
    """
    text = os.fspath(target)
    scheme, url, _rest = text.partition("://")
    if url and scheme.lower() in ("postgresql", "postgres"):
        from pengaduan._store_postgres import PostgresStore as _PostgresStore

        return _PostgresStore(
            text, workflow, workflows=workflows, readonly=readonly, read_model=read_model
        )
    if url and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme):
        # Not a file path, and not to be named: a URL may hold a password.
        raise StoreError(
            store="the URL given (not shown: it may hold a password)",
            operation="open a store",
            reason=f"unknown URL scheme {scheme!r}: use postgresql://... or a file path",
        )
    return SQLiteStore(
        text, workflow, workflows=workflows, readonly=readonly, read_model=read_model
    )


def __getattr__(name: str) -> Any:
    if name == "PostgresStore":
        from pengaduan._store_postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
