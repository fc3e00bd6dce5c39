"""The in-memory event store: for tests, notebooks and short-lived processes."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from pengaduan._store_base import RowQuery, Stamp, _Txn, micros
from pengaduan._store_bulk import _BulkStore, _BulkTxn
from pengaduan.readmodel import ComplaintRow, ReadModel
from pengaduan.workflow import Workflow


class _Memory:
    def __init__(self) -> None:
        self.log: list[tuple[str, str, str]] = []  # (event id, complaint id, body); position-1
        self.by_id: dict[str, int] = {}
        self.streams: dict[str, list[int]] = {}  # complaint id -> positions
        self.first: list[tuple[int, str]] = []  # (first position, complaint id), ascending
        self.updates: dict[tuple[str, str], str] = {}
        self.external_ids: dict[tuple[str, str], str] = {}  # (system, id) -> complaint
        self.rows: dict[str, ComplaintRow] = {}
        self.meta: dict[str, str] = {}


class _MemoryTxn(_Txn):
    def __init__(self, memory: _Memory) -> None:
        self.memory = memory
        self.pending: list[tuple[str, str, str]] = []
        self.pending_updates: dict[tuple[str, str], str] = {}
        self.pending_claims: dict[tuple[str, str], str] = {}
        self.pending_rows: dict[str, ComplaintRow] = {}
        self.pending_meta: dict[str, str | None] = {}

    def bodies(self, complaint_id: str) -> list[str]:
        log = self.memory.log
        return [log[p - 1][2] for p in self.memory.streams.get(complaint_id, ())]

    def find(self, event_ids: Sequence[str]) -> dict[str, str]:
        found = {}
        for event_id in event_ids:
            position = self.memory.by_id.get(event_id)
            if position is not None:
                found[event_id] = self.memory.log[position - 1][2]
        return found

    def insert(self, complaint_id: str, version: int, bodies: Sequence[tuple[str, str]]) -> int:
        self.pending.extend((event_id, complaint_id, body) for event_id, body in bodies)
        return len(self.memory.log) + len(self.pending)

    def stamp(self, complaint_id: str) -> Stamp:
        stream = self.memory.streams.get(complaint_id)
        return (0, 0) if not stream else (len(stream), stream[-1])

    def get_update(self, system: str, update_id: str) -> str | None:
        return self.pending_updates.get((system, update_id)) or self.memory.updates.get(
            (system, update_id)
        )

    def put_update(self, system: str, update_id: str, body: str) -> None:
        self.pending_updates[(system, update_id)] = body

    def set_update(self, system: str, update_id: str, body: str) -> None:
        self.pending_updates[(system, update_id)] = body

    def claim_external_ids(
        self, complaint_id: str, pairs: Sequence[tuple[str, str]]
    ) -> tuple[str, str] | None:
        for pair in pairs:
            holder = self.pending_claims.get(pair) or self.memory.external_ids.get(pair)
            if holder is not None and holder != complaint_id:
                return pair[0], holder
            self.pending_claims[pair] = complaint_id
        return None

    def put_rows(self, rows: Sequence[ComplaintRow]) -> None:
        for row in rows:
            self.pending_rows[row.id] = row

    def get_rows(self, complaint_ids: Sequence[str]) -> dict[str, ComplaintRow]:
        found = {}
        for complaint_id in complaint_ids:
            row = self.pending_rows.get(complaint_id) or self.memory.rows.get(complaint_id)
            if row is not None:
                found[complaint_id] = row
        return found

    def get_meta(self, key: str) -> str | None:
        if key in self.pending_meta:
            return self.pending_meta[key]
        return self.memory.meta.get(key)

    def set_meta(self, key: str, value: str | None) -> None:
        self.pending_meta[key] = value

    def stream_ids(self, after: str, limit: int) -> list[str]:
        return sorted(c for c in self.memory.streams if c > after)[:limit]

    def count_streams(self, after: str) -> int:
        return sum(1 for c in self.memory.streams if c > after)

    def commit(self) -> None:
        memory = self.memory
        memory.rows.update(self.pending_rows)
        for key, value in self.pending_meta.items():
            if value is None:
                memory.meta.pop(key, None)
            else:
                memory.meta[key] = value
        for event_id, complaint_id, body in self.pending:
            memory.log.append((event_id, complaint_id, body))
            position = len(memory.log)
            memory.by_id[event_id] = position
            stream = memory.streams.get(complaint_id)
            if stream is None:
                memory.streams[complaint_id] = [position]
                memory.first.append((position, complaint_id))
            else:
                stream.append(position)
        memory.updates.update(self.pending_updates)
        memory.external_ids.update(self.pending_claims)


class _MemoryBulkTxn(_BulkTxn):
    """The set-wise operations of `import_events` on the in-memory store."""

    txn: _MemoryTxn

    def find_many(self, event_ids: Sequence[str]) -> dict[str, str]:
        return self.txn.find(event_ids)

    def versions(self, complaint_ids: Sequence[str]) -> dict[str, int]:
        streams = self.txn.memory.streams
        return {c: len(streams[c]) for c in complaint_ids if c in streams}

    def insert_many(self, rows: Sequence[tuple[str, str, int, str]]) -> int:
        pending = self.txn.pending
        pending.extend((event_id, complaint, body) for event_id, complaint, _seq, body in rows)
        return len(self.txn.memory.log) + len(pending)

    def holders(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        claims, kept = self.txn.pending_claims, self.txn.memory.external_ids
        found = {pair: claims.get(pair) or kept.get(pair) for pair in pairs}
        return {pair: holder for pair, holder in found.items() if holder is not None}


class InMemoryStore(_BulkStore):
    """An event store held in memory: the same contract as the others, nothing on disk.

    Thread-safe (one lock). Everything is lost when the process ends.

    Args:
        workflow: The workflow that validates every event (else the first of
            `workflows`; one of the two is needed).
        workflows: Further workflow versions, to replay complaints they wrote.
        read_model: The definitions of the read-model rows (see `pengaduan.readmodel`);
            without it the rows hold the complaint-level columns only.

    Example:
        ```pycon
        >>> from datetime import datetime, timezone
        >>> from pengaduan.model import Actor, Event
        >>> from pengaduan.presets import lapor_workflow
        >>> store = InMemoryStore(workflow=lapor_workflow())
        >>> submit = Event("e1", "C-1", "submit", datetime(2026, 3, 2, 8, tzinfo=timezone.utc),
        ...                Actor("w", "reporter"),
        ...                {"title": "Jalan rusak", "body": "...", "channel": "web"})
        >>> store.append("C-1", [submit], expected_version=0).complaint.state
        'submitted'
        >>> store.append("C-1", [submit]).duplicates == (submit,)
        True

        ```
    """

    def __init__(
        self,
        workflow: Workflow | None = None,
        *,
        workflows: Iterable[Workflow] = (),
        read_model: ReadModel | None = None,
    ) -> None:
        self._set_workflows(workflow, workflows)
        self._set_read_model(read_model)
        self._memory = _Memory()
        self._lock = threading.RLock()
        self._check_rows()

    def __repr__(self) -> str:
        return f"InMemoryStore(events={len(self._memory.log)})"

    def _bulk_txn(self, txn: _Txn) -> _BulkTxn:
        assert isinstance(txn, _MemoryTxn)
        return _MemoryBulkTxn(txn)

    @contextmanager
    def _write(self, operation: str) -> Iterator[_Txn]:
        with self._lock:
            txn = _MemoryTxn(self._memory)
            yield txn
            txn.commit()

    def _read_bodies(self, complaint_id: str) -> list[str]:
        with self._lock:
            return _MemoryTxn(self._memory).bodies(complaint_id)

    def _read_stamp(self, complaint_id: str) -> Stamp:
        with self._lock:
            return _MemoryTxn(self._memory).stamp(complaint_id)

    def _page_streams(self, since: int, after: int, limit: int) -> list[tuple[str, int]]:
        with self._lock:
            memory = self._memory
            start = bisect.bisect_right(memory.first, (after, "\U0010ffff"))
            page = []
            for first, complaint_id in memory.first[start:]:
                if memory.streams[complaint_id][-1] > since:
                    page.append((complaint_id, first))
                    if len(page) == limit:
                        break
            return page

    def _bodies_of(self, complaint_ids: Sequence[str]) -> list[tuple[str, str]]:
        with self._lock:
            txn = _MemoryTxn(self._memory)
            return [(c, body) for c in complaint_ids for body in txn.bodies(c)]

    def _page_events(self, after: int, limit: int) -> list[tuple[int, str]]:
        with self._lock:
            log = self._memory.log
            return [(p + 1, log[p][2]) for p in range(max(after, 0), min(after + limit, len(log)))]

    def _head(self) -> int:
        return len(self._memory.log)

    def _read_updates(self, system: str | None) -> list[str]:
        with self._lock:
            return [
                body
                for (sys_name, _update), body in self._memory.updates.items()
                if system is None or sys_name == system
            ]

    def _read_update(self, system: str, update_id: str) -> str | None:
        with self._lock:
            return self._memory.updates.get((system, update_id))

    def _read_external_id(self, system: str, external_id: str) -> str | None:
        with self._lock:
            return self._memory.external_ids.get((system, external_id))

    def _read_meta(self, key: str) -> str | None:
        with self._lock:
            return self._memory.meta.get(key)

    def _read_row(self, complaint_id: str) -> ComplaintRow | None:
        with self._lock:
            return self._memory.rows.get(complaint_id)

    def _query_rows(self, query: RowQuery) -> list[ComplaintRow]:
        with self._lock:
            found = [row for row in self._memory.rows.values() if query.matches(row)]
        found.sort(key=lambda row: row.id)
        return found[: query.limit + 1]

    def _query_due(self, as_of: int, limit: int | None) -> list[str]:
        with self._lock:
            due = [
                (at, row.id)
                for row in self._memory.rows.values()
                if (at := micros(row.next_due_at)) is not None and at <= as_of
            ]
        due.sort()
        return [complaint_id for _at, complaint_id in due[:limit]]

    def _query_next_due(self) -> int | None:
        with self._lock:
            instants = [
                at
                for row in self._memory.rows.values()
                if (at := micros(row.next_due_at)) is not None
            ]
        return min(instants) if instants else None

    def close(self) -> None:
        """Nothing to release; kept for the common protocol."""
