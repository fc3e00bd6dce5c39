"""The PostgreSQL event store, for many workers on many machines (psycopg 3).

Every append is one transaction that first takes a transaction-scoped advisory lock of the
store. Appends are therefore serialised across all workers: positions are committed in
increasing order, so a reader following `events(since=...)` or `complaints(since=...)` never
skips an event committed late with a lower position (the classic gap of sequence-based logs).
Reads take no lock.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pengaduan._store_base import _StoreCore, _Txn
from pengaduan.exceptions import StoreError
from pengaduan.workflow import Workflow

if TYPE_CHECKING:
    import psycopg
    from psycopg import sql


class _Queries:
    def __init__(self, schema: str) -> None:
        from psycopg import sql

        s = sql.Identifier(schema)

        def q(text: str) -> sql.Composed:
            return sql.SQL(text).format(
                s=s,
                events=sql.Identifier(schema, "events"),
                streams=sql.Identifier(schema, "streams"),
                updates=sql.Identifier(schema, "updates"),
                external_ids=sql.Identifier(schema, "external_ids"),
            )

        self.schema = [
            q("CREATE SCHEMA IF NOT EXISTS {s}"),
            q(
                "CREATE TABLE IF NOT EXISTS {events} ("
                " position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " id TEXT NOT NULL UNIQUE, complaint TEXT NOT NULL, seq INTEGER NOT NULL,"
                " body TEXT NOT NULL, UNIQUE (complaint, seq))"
            ),
            q(
                "CREATE TABLE IF NOT EXISTS {streams} ("
                " complaint TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                " first_position BIGINT NOT NULL, last_position BIGINT NOT NULL)"
            ),
            q("CREATE INDEX IF NOT EXISTS streams_by_first ON {streams} (first_position)"),
            q("CREATE INDEX IF NOT EXISTS streams_by_last ON {streams} (last_position)"),
            q(
                "CREATE TABLE IF NOT EXISTS {updates} ("
                " arrival BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " system TEXT NOT NULL, update_id TEXT NOT NULL, body TEXT NOT NULL,"
                " UNIQUE (system, update_id))"
            ),
            q(
                "CREATE TABLE IF NOT EXISTS {external_ids} ("
                " system TEXT NOT NULL, external_id TEXT NOT NULL, complaint TEXT NOT NULL,"
                " UNIQUE (system, external_id))"
            ),
        ]
        self.set_update = q("UPDATE {updates} SET body = %s WHERE system = %s AND update_id = %s")
        self.claim_external_id = q(
            "INSERT INTO {external_ids} (system, external_id, complaint) VALUES (%s, %s, %s) "
            "ON CONFLICT (system, external_id) DO NOTHING"
        )
        self.external_id_holder = q(
            "SELECT complaint FROM {external_ids} WHERE system = %s AND external_id = %s"
        )
        self.bodies = q("SELECT body FROM {events} WHERE complaint = %s ORDER BY seq")
        self.find = q("SELECT id, body FROM {events} WHERE id = ANY(%s)")
        self.insert = q(
            "INSERT INTO {events} (id, complaint, seq, body) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::integer[], %s::text[]) "
            "RETURNING position"
        )
        self.stream = q(
            "INSERT INTO {streams} (complaint, version, first_position, last_position) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (complaint) DO UPDATE SET "
            "version = excluded.version, last_position = excluded.last_position"
        )
        self.get_update = q("SELECT body FROM {updates} WHERE system = %s AND update_id = %s")
        self.put_update = q("INSERT INTO {updates} (system, update_id, body) VALUES (%s, %s, %s)")
        self.page_streams = q(
            "SELECT complaint, first_position FROM {streams} "
            "WHERE last_position > %s AND first_position > %s ORDER BY first_position LIMIT %s"
        )
        self.bodies_of = q(
            "SELECT complaint, body FROM {events} WHERE complaint = ANY(%s) ORDER BY complaint, seq"
        )
        self.page_events = q(
            "SELECT position, body FROM {events} WHERE position > %s ORDER BY position LIMIT %s"
        )
        self.head = q("SELECT coalesce(max(position), 0) FROM {events}")
        self.updates_all = q("SELECT body FROM {updates} ORDER BY arrival")
        self.updates_of = q("SELECT body FROM {updates} WHERE system = %s ORDER BY arrival")


class _PostgresTxn(_Txn):
    def __init__(self, connection: psycopg.Connection[Any], queries: _Queries) -> None:
        self.db = connection
        self.q = queries

    def bodies(self, complaint_id: str) -> list[str]:
        return [str(b) for (b,) in self.db.execute(self.q.bodies, (complaint_id,))]

    def find(self, event_ids: Sequence[str]) -> dict[str, str]:
        rows = self.db.execute(self.q.find, (list(event_ids),))
        return {str(i): str(b) for i, b in rows}

    def insert(self, complaint_id: str, version: int, bodies: Sequence[tuple[str, str]]) -> int:
        count = len(bodies)
        rows = self.db.execute(
            self.q.insert,
            (
                [event_id for event_id, _body in bodies],
                [complaint_id] * count,
                list(range(version + 1, version + count + 1)),
                [body for _event_id, body in bodies],
            ),
        ).fetchall()
        positions = [int(position) for (position,) in rows]
        first, last = min(positions), max(positions)
        self.db.execute(self.q.stream, (complaint_id, version + count, first, last))
        return last

    def get_update(self, system: str, update_id: str) -> str | None:
        row = self.db.execute(self.q.get_update, (system, update_id)).fetchone()
        return None if row is None else str(row[0])

    def put_update(self, system: str, update_id: str, body: str) -> None:
        self.db.execute(self.q.put_update, (system, update_id, body))

    def set_update(self, system: str, update_id: str, body: str) -> None:
        self.db.execute(self.q.set_update, (body, system, update_id))

    def claim_external_ids(
        self, complaint_id: str, pairs: Sequence[tuple[str, str]]
    ) -> tuple[str, str] | None:
        for system, external_id in pairs:
            self.db.execute(self.q.claim_external_id, (system, external_id, complaint_id))
            row = self.db.execute(self.q.external_id_holder, (system, external_id)).fetchone()
            if row is not None and row[0] != complaint_id:
                return system, str(row[0])
        return None


class PostgresStore(_StoreCore):
    """An event store in PostgreSQL, for several workers (the ``postgres`` extra: psycopg 3).

    Args:
        conninfo: A libpq connection string or ``postgresql://`` URL.
        workflow: The workflow that validates every event (by default SP4N-LAPOR!).
        schema: The PostgreSQL schema holding the store's tables (created if missing); one
            database can hold several stores in several schemas.

    Raises:
        StoreError: If the server cannot be reached or the tables cannot be created.
        ImportError: If psycopg is not installed (``pip install 'pengaduan[postgres]'``).
    """

    def __init__(
        self, conninfo: str, workflow: Workflow | None = None, *, schema: str = "public"
    ) -> None:
        try:
            import psycopg
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "PostgresStore needs psycopg 3: pip install 'pengaduan[postgres]'"
            ) from error
        if workflow is None:
            from pengaduan.presets import lapor_workflow

            workflow = lapor_workflow()
        self.workflow = workflow
        self.schema = schema
        self._psycopg = psycopg
        self._lock = threading.RLock()
        self._queries = _Queries(schema)
        self._key = zlib.crc32(f"pengaduan:{schema}".encode()) - 2**31
        self._name = f"postgresql schema {schema!r}"
        try:
            self._db: psycopg.Connection[Any] | None = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise self._error("connect to the server", error) from None
        info = self._db.info
        self._name = f"{info.dbname}@{info.host}:{info.port} schema {schema}"
        try:
            with self._db.transaction():
                # Creating the tables once, even when several workers start together.
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
                for statement in self._queries.schema:
                    self._db.execute(statement)
        except psycopg.Error as error:
            self.close()
            raise self._error("create the tables", error) from None

    def __repr__(self) -> str:
        return f"PostgresStore({self._name!r})"

    def _error(self, operation: str, error: Exception) -> StoreError:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return StoreError(store=self._name, operation=operation, reason=reason)

    @property
    def _connection(self) -> psycopg.Connection[Any]:
        if self._db is None or self._db.closed:
            raise StoreError(store=self._name, operation="use the store", reason="it is closed")
        return self._db

    @contextmanager
    def _write(self, operation: str) -> Iterator[_Txn]:
        psycopg = self._psycopg
        with self._lock:
            db = self._connection
            try:
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
                    yield _PostgresTxn(db, self._queries)
            except psycopg.Error as error:
                raise self._error(operation, error) from None

    def _read(self, operation: str, query: sql.Composed, parameters: Sequence[object]) -> list[Any]:
        with self._lock:
            try:
                return self._connection.execute(query, parameters).fetchall()
            except self._psycopg.Error as error:
                raise self._error(operation, error) from None

    def _read_bodies(self, complaint_id: str) -> list[str]:
        rows = self._read(f"load complaint {complaint_id!r}", self._queries.bodies, (complaint_id,))
        return [str(b) for (b,) in rows]

    def _page_streams(self, since: int, after: int, limit: int) -> list[tuple[str, int]]:
        rows = self._read("list complaints", self._queries.page_streams, (since, after, limit))
        return [(str(c), int(p)) for c, p in rows]

    def _bodies_of(self, complaint_ids: Sequence[str]) -> list[tuple[str, str]]:
        rows = self._read("load complaints", self._queries.bodies_of, (list(complaint_ids),))
        return [(str(c), str(b)) for c, b in rows]

    def _page_events(self, after: int, limit: int) -> list[tuple[int, str]]:
        rows = self._read("read events", self._queries.page_events, (after, limit))
        return [(int(p), str(b)) for p, b in rows]

    def _head(self) -> int:
        return int(self._read("read the position", self._queries.head, ())[0][0])

    def _read_updates(self, system: str | None) -> list[str]:
        if system is None:
            rows = self._read("read updates", self._queries.updates_all, ())
        else:
            rows = self._read("read updates", self._queries.updates_of, (system,))
        return [str(b) for (b,) in rows]

    def _read_update(self, system: str, update_id: str) -> str | None:
        rows = self._read(
            f"read update {update_id!r} of {system!r}",
            self._queries.get_update,
            (system, update_id),
        )
        return str(rows[0][0]) if rows else None

    def _read_external_id(self, system: str, external_id: str) -> str | None:
        rows = self._read(
            f"look up an external id of {system!r}",
            self._queries.external_id_holder,
            (system, external_id),
        )
        return str(rows[0][0]) if rows else None

    def close(self) -> None:
        """Close the connection. Idempotent."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
