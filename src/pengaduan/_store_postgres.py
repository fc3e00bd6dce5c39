"""The PostgreSQL event store, for many workers on many machines (psycopg 3).

Every append is one transaction that first takes a transaction-scoped advisory lock of the
store. Appends are therefore serialised across all workers: positions are committed in
increasing order, so a reader following `events(since=...)` or `complaints(since=...)` never
skips an event committed late with a lower position (the classic gap of sequence-based logs).
Reads take no lock.
"""

from __future__ import annotations

import re
import select
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

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
from pengaduan._store_bulk import _BulkStore, _BulkTxn
from pengaduan.exceptions import (
    ConnectionLostError,
    MissingExtraError,
    NotAStoreError,
    StoreError,
    StoreVersionError,
)
from pengaduan.readmodel import ComplaintRow, ReadModel
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
                meta=sql.Identifier(schema, "meta"),
                external_ids=sql.Identifier(schema, "external_ids"),
                rows=sql.Identifier(schema, "complaint_rows"),
                clocks=sql.Identifier(schema, "clock_rows"),
            )

        self.q = q

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
            # The read model (schema version 3); ids in byte order, as in the other stores.
            q(
                "CREATE TABLE IF NOT EXISTS {rows} ("
                ' complaint TEXT COLLATE "C" PRIMARY KEY, state TEXT NOT NULL, unit TEXT,'
                " channel TEXT, submitted_at BIGINT, updated_at BIGINT, next_due_at BIGINT,"
                " earliest_deadline BIGINT, version INTEGER NOT NULL, body TEXT NOT NULL)"
                # Room on each page for the next version of its rows: an append moves no
                # indexed column, and then PostgreSQL updates the row in place (HOT) without
                # touching the six indexes.
                " WITH (fillfactor = 80)"
            ),
            q("CREATE INDEX IF NOT EXISTS rows_by_state ON {rows} (state, complaint)"),
            q(
                "CREATE INDEX IF NOT EXISTS rows_by_unit ON {rows}"
                " (unit, complaint, earliest_deadline, next_due_at)"
            ),
            q("CREATE INDEX IF NOT EXISTS rows_by_channel ON {rows} (channel, complaint)"),
            q("CREATE INDEX IF NOT EXISTS rows_by_submitted ON {rows} (submitted_at)"),
            q("CREATE INDEX IF NOT EXISTS rows_by_due ON {rows} (next_due_at, complaint)"),
            q("CREATE INDEX IF NOT EXISTS rows_by_deadline ON {rows} (earliest_deadline)"),
            q(
                "CREATE TABLE IF NOT EXISTS {clocks} ("
                ' complaint TEXT COLLATE "C" NOT NULL, clock TEXT NOT NULL,'
                " cycle INTEGER NOT NULL, status TEXT NOT NULL, deadline BIGINT,"
                " breached INTEGER NOT NULL, PRIMARY KEY (complaint, clock))"
            ),
            q("CREATE INDEX IF NOT EXISTS clocks_by_status ON {clocks} (clock, status, deadline)"),
            q("CREATE INDEX IF NOT EXISTS clocks_by_breach ON {clocks} (clock, breached)"),
        ]
        # Schema versions: 0.1 had no meta table (version 1); see SCHEMA_VERSION.
        self.meta = q(
            "CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self.tables = q("SELECT table_name FROM information_schema.tables WHERE table_schema = %s")
        self.set_update = q("UPDATE {updates} SET body = %s WHERE system = %s AND update_id = %s")
        self.claim_external_id = q(
            "INSERT INTO {external_ids} (system, external_id, complaint) VALUES (%s, %s, %s) "
            "ON CONFLICT (system, external_id) DO NOTHING"
        )
        self.external_id_holder = q(
            "SELECT complaint FROM {external_ids} WHERE system = %s AND external_id = %s"
        )
        self.bodies = q("SELECT body FROM {events} WHERE complaint = %s ORDER BY seq")
        self.stamp = q("SELECT version, last_position FROM {streams} WHERE complaint = %s")
        self.all_bodies = q(
            "SELECT e.complaint, e.body FROM {events} e JOIN {streams} s"
            " ON s.complaint = e.complaint ORDER BY s.first_position, e.seq"
        )
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
        self.put_row = q(
            f"INSERT INTO {{rows}} ({ROW_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (complaint) DO UPDATE SET "
            "state = excluded.state, unit = excluded.unit, channel = excluded.channel, "
            "submitted_at = excluded.submitted_at, updated_at = excluded.updated_at, "
            "next_due_at = excluded.next_due_at, earliest_deadline = excluded.earliest_deadline, "
            "version = excluded.version, body = excluded.body"
        )
        # Clock rows whose clock the policy no longer has, and the others only if they
        # changed (most appends change none): each written clock row costs three indexes.
        self.delete_stale_clocks = q(
            "DELETE FROM {clocks} AS c WHERE c.complaint = ANY(%s) AND NOT EXISTS ("
            "SELECT 1 FROM unnest(%s::text[], %s::text[]) AS k (complaint, clock) "
            "WHERE k.complaint = c.complaint AND k.clock = c.clock)"
        )
        self.put_clocks = q(
            f"INSERT INTO {{clocks}} AS c ({CLOCK_COLUMNS}) SELECT * FROM unnest("
            "%s::text[], %s::text[], %s::integer[], %s::text[], %s::bigint[], %s::integer[]) "
            "ON CONFLICT (complaint, clock) DO UPDATE SET cycle = excluded.cycle, "
            "status = excluded.status, deadline = excluded.deadline, breached = excluded.breached "
            "WHERE (c.cycle, c.status, c.deadline, c.breached) IS DISTINCT FROM "
            "(excluded.cycle, excluded.status, excluded.deadline, excluded.breached)"
        )
        self.get_rows = q("SELECT complaint, body FROM {rows} WHERE complaint = ANY(%s)")
        self.get_row = q("SELECT body FROM {rows} WHERE complaint = %s")
        self.get_meta = q("SELECT value FROM {meta} WHERE key = %s")
        self.set_meta = q(
            "INSERT INTO {meta} (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        self.delete_meta = q("DELETE FROM {meta} WHERE key = %s")
        self.stream_ids = q(
            'SELECT complaint FROM {streams} WHERE complaint COLLATE "C" > %s '
            'ORDER BY complaint COLLATE "C" LIMIT %s'
        )
        self.count_streams = q('SELECT count(*) FROM {streams} WHERE complaint COLLATE "C" > %s')
        self.due = q(
            "SELECT complaint FROM {rows} WHERE next_due_at <= %s "
            "ORDER BY next_due_at, complaint LIMIT %s"
        )
        self.next_due = q("SELECT min(next_due_at) FROM {rows}")
        self.updates_all = q("SELECT body FROM {updates} ORDER BY arrival")
        self.updates_of = q("SELECT body FROM {updates} WHERE system = %s ORDER BY arrival")
        # Bulk import (see `_PostgresBulkTxn`).
        self.bulk_versions = q("SELECT complaint, version FROM {streams} WHERE complaint = ANY(%s)")
        self.bulk_copy = q("COPY {events} (id, complaint, seq, body) FROM STDIN")
        self.bulk_streams = q(
            "INSERT INTO {streams} (complaint, version, first_position, last_position) "
            "SELECT complaint, max(seq), min(position), max(position) FROM {events} "
            "WHERE position > %s GROUP BY complaint ON CONFLICT (complaint) DO UPDATE SET "
            "version = excluded.version, last_position = excluded.last_position"
        )


class _PostgresTxn(_Txn):
    def __init__(self, connection: psycopg.Connection[Any], queries: _Queries) -> None:
        self.db = connection
        self.q = queries

    def bodies(self, complaint_id: str) -> list[str]:
        return [str(b) for (b,) in self.db.execute(self.q.bodies, (complaint_id,))]

    def stamp(self, complaint_id: str) -> Stamp:
        row = self.db.execute(self.q.stamp, (complaint_id,)).fetchone()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

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

    def put_rows(self, rows: Sequence[ComplaintRow]) -> None:
        # At scale the cost is pages read from disk, not statements: the stored row (which
        # holds its clocks) is read first, and the clock rows, a table of their own with three
        # indexes, are touched only for rows whose clocks changed (most appends change none).
        if not rows:
            return
        latest = list({row.id: row for row in rows}.values())  # one statement: ids once
        stored = self.stored_clock_columns([row.id for row in latest])
        columns = [row_columns(row) for row in latest]
        now = {
            row.id: written_clock_columns(row, written[9])
            for row, written in zip(latest, columns, strict=True)
        }
        changed = [row for row in latest if stored.get(row.id) != now[row.id]]
        with self.db.cursor() as cursor:
            if len(latest) == 1:
                cursor.execute(self.q.put_row, columns[0])
            else:
                cursor.executemany(self.q.put_row, columns)
            if not changed:
                return
            clocks = [values for row in changed for values in now[row.id]]
            by_column = [list(column) for column in zip(*clocks, strict=True)] or [[]] * 6
            held = [row.id for row in changed if row.id in stored]
            if held:
                cursor.execute(self.q.delete_stale_clocks, (held, *by_column[:2]))
            if clocks:
                cursor.execute(self.q.put_clocks, by_column)

    def stored_clock_columns(self, complaint_ids: Sequence[str]) -> dict[str, object]:
        """The clock rows each stored row holds, as `clock_columns` gives them.

        Read from the rows' bodies (the clock rows are written with them); a body that does
        not decode counts as holding any clock rows (``None``), so that all are rewritten.
        """
        return {
            str(complaint): stored_clock_columns(str(body))
            for complaint, body in self.db.execute(self.q.get_rows, (list(complaint_ids),))
        }

    def bodies_of(self, complaint_ids: Sequence[str]) -> dict[str, list[str]]:
        rows = self.db.execute(self.q.bodies_of, (list(complaint_ids),))
        return dict(grouped_bodies(rows))

    def get_rows(self, complaint_ids: Sequence[str]) -> dict[str, ComplaintRow]:
        rows = self.db.execute(self.q.get_rows, (list(complaint_ids),))
        return {str(c): decode_row(str(b)) for c, b in rows}

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute(self.q.get_meta, (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute(self.q.delete_meta, (key,))
        else:
            self.db.execute(self.q.set_meta, (key, value))

    def stream_ids(self, after: str, limit: int) -> list[str]:
        return [str(c) for (c,) in self.db.execute(self.q.stream_ids, (after, limit))]

    def count_streams(self, after: str) -> int:
        row = self.db.execute(self.q.count_streams, (after,)).fetchone()
        return int(row[0]) if row is not None else 0


class _PostgresBulkTxn(_BulkTxn):
    """The set-wise queries of `import_events` on a PostgreSQL write transaction (COPY)."""

    # Every id is looked up first (`refuses_taken_ids` stays off): a COPY the unique index
    # refused would have drawn positions from the identity sequence, which a rollback does
    # not give back, so the batch done again would leave a gap in the positions.
    txn: _PostgresTxn

    def find_many(self, event_ids: Sequence[str]) -> dict[str, str]:
        return self.txn.find(event_ids)

    def versions(self, complaint_ids: Sequence[str]) -> dict[str, int]:
        q = self.txn.q
        rows = self.txn.db.execute(q.bulk_versions, (list(complaint_ids),))
        return {str(c): int(v) for c, v in rows}

    def insert_many(self, rows: Sequence[tuple[str, str, int, str]]) -> int:
        db, q = self.txn.db, self.txn.q
        # The store's advisory lock is held: every position after the head is this batch's.
        head = int(db.execute(q.head).fetchone()[0])  # type: ignore[index]
        with db.cursor() as cursor:
            with cursor.copy(q.bulk_copy) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(q.bulk_streams, (head,))
        return int(db.execute(q.head).fetchone()[0])  # type: ignore[index]

    def insert_fresh(self, rows: Sequence[ComplaintRow]) -> None:
        # Copied in (the store's lock is held: nobody else writes these complaints' rows).
        q = self.txn.q.q
        with self.txn.db.cursor() as cursor:
            bodies = [row_columns(row) for row in rows]
            with cursor.copy(q(f"COPY {{rows}} ({ROW_COLUMNS}) FROM STDIN")) as copy:
                for written in bodies:
                    copy.write_row(written)
            with cursor.copy(q(f"COPY {{clocks}} ({CLOCK_COLUMNS}) FROM STDIN")) as copy:
                for row, written in zip(rows, bodies, strict=True):
                    for columns in written_clock_columns(row, written[9]):
                        copy.write_row(columns)

    def holders(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for pair in pairs:
            row = self.txn.db.execute(self.txn.q.external_id_holder, pair).fetchone()
            if row is not None:
                found[pair] = str(row[0])
        return found


class PostgresStore(_BulkStore):
    """An event store in PostgreSQL, for several workers (the ``postgres`` extra: psycopg 3).

    Args:
        conninfo: A libpq connection string or ``postgresql://`` URL.
        workflow: The workflow that validates every event (else the first of
            `workflows`; one of the two is needed).
        schema: The PostgreSQL schema holding the store's tables (created if missing); one
            database can hold several stores in several schemas.
        workflows: Further workflow versions, to replay the complaints they wrote.
        readonly: Read only: every transaction is ``READ ONLY``, no table is created or
            upgraded, writes raise `StoreError`; the rows of a store too old to hold them
            cannot be queried (`StaleReadModelError`).
        read_model: The definitions of the read-model rows (see `pengaduan.readmodel`);
            without it the rows hold the complaint-level columns only.

    Raises:
        NotAStoreError: If `readonly` and the schema holds no pengaduan store.
        StoreVersionError: If a newer pengaduan wrote the store.
        StoreError: If the server cannot be reached or the tables cannot be created.
        MissingExtraError: If psycopg is not installed (``pip install 'pengaduan[postgres]'``).
    """

    def __init__(
        self,
        conninfo: str,
        workflow: Workflow | None = None,
        *,
        schema: str = "public",
        workflows: Iterable[Workflow] = (),
        readonly: bool = False,
        read_model: ReadModel | None = None,
    ) -> None:
        try:
            import psycopg
        except ImportError:
            raise MissingExtraError("PostgresStore", "postgres") from None
        self._set_workflows(workflow, workflows)
        self._set_read_model(read_model)
        self.readonly = readonly
        self.schema = schema
        self._psycopg = psycopg
        self._lock = threading.RLock()
        self._queries = _Queries(schema)
        self._key = zlib.crc32(f"pengaduan:{schema}".encode()) - 2**31
        self._name = f"postgresql schema {schema!r}"
        # Kept for reconnecting; never shown (see `_redact` for what messages may say).
        self._conninfo = conninfo
        self._db: psycopg.Connection[Any] | None = None
        self._closed = False
        db = self._connect()
        info = db.info
        self._name = f"{info.dbname}@{info.host}:{info.port} schema {schema}"
        failure: StoreError | None = None
        try:
            self._prepare()
        except psycopg.Error as error:
            failure = self._error("create the tables", error)
        except BaseException:
            self.close()
            raise
        if failure is not None:
            self.close()
            raise failure from None
        try:
            self._check_rows()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        """Check the schema version; create or upgrade the tables in one transaction."""
        db = self._connection
        q = self._queries
        with db.transaction():
            if not self.readonly:
                # Creating the tables once, even when several workers start together.
                db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
            tables = {str(name) for (name,) in db.execute(q.tables, (self.schema,))}
            if "meta" in tables:
                row = db.execute(q.get_meta, ("schema_version",)).fetchone()
                version = int(row[0]) if row is not None else 1
            else:
                version = 1 if "events" in tables else 0
            if version > SCHEMA_VERSION:
                raise StoreVersionError(
                    store=self._name,
                    operation="open the store",
                    found=version,
                    supported=SCHEMA_VERSION,
                )
            if self.readonly:
                if not {"events", "streams", "updates"} <= tables:
                    raise NotAStoreError(
                        store=self._name,
                        operation="open the store",
                        reason="the schema holds no pengaduan store (nothing was created)",
                    )
                self._has_rows = version >= 3
                return
            if version == SCHEMA_VERSION:
                return  # every table is there: opening costs no DDL round trips
            for statement in q.schema:
                db.execute(statement)
            db.execute(q.meta)
            # Upgrades from `version` to SCHEMA_VERSION: 1 -> 2 creates the external-id
            # index (above, with the other tables) and fills it from the history here, in
            # the same transaction; bodies may now carry their workflow.
            # 2 -> 3 creates the read-model tables (above) and fills them from the history.
            if version == 1:  # read through a server-side cursor: memory stays bounded
                with db.cursor(name="pengaduan_upgrade_ids") as cursor:
                    cursor.execute(q.all_bodies)
                    self._index_external_ids(_PostgresTxn(db, q), grouped_bodies(iter(cursor)))
            backfilled = 0
            if 0 < version < 3:
                with db.cursor(name="pengaduan_upgrade") as cursor:
                    cursor.execute(q.all_bodies)
                    backfilled = self._backfill_rows(
                        _PostgresTxn(db, q), grouped_bodies(iter(cursor))
                    )
            if version != SCHEMA_VERSION:
                db.execute(q.set_meta, ("schema_version", str(SCHEMA_VERSION)))
        if 0 < version < SCHEMA_VERSION:
            self._log_upgrade(version, backfilled)

    def __repr__(self) -> str:
        return f"PostgresStore({self._name!r})"

    def _bulk_txn(self, txn: _Txn) -> _BulkTxn:
        assert isinstance(txn, _PostgresTxn)
        return _PostgresBulkTxn(txn)

    def _error(self, operation: str, error: Exception) -> StoreError:
        return StoreError(
            store=self._name,
            operation=operation,
            reason=_redact(_first_line(error), self._conninfo),
        )

    def _connect(self) -> psycopg.Connection[Any]:
        """Open a new connection (the only place that does), with a redacted error."""
        failure: StoreError | None = None
        try:
            self._db = self._new_connection()
            if self.readonly:  # every session of a reading store, reconnected ones too
                self._db.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        except (self._psycopg.Error, ValueError, TypeError) as error:
            failure = self._error("connect to the server", error)
        if failure is not None:
            # Raised outside the handler, so not even the error's context holds libpq's text.
            raise failure from None
        assert self._db is not None
        return self._db

    def _new_connection(self) -> psycopg.Connection[Any]:
        """A connection to the server, in autocommit (transactions are explicit)."""
        return self._psycopg.connect(self._conninfo, autocommit=True)

    @property
    def _connection(self) -> psycopg.Connection[Any]:
        """The live connection: a new one if the last was lost; `StoreError` once closed."""
        if self._closed:
            raise StoreError(store=self._name, operation="use the store", reason="it is closed")
        db = self._db
        if db is None or db.closed or db.broken or _dropped(db):
            if db is not None:
                db.close()
            self._db = None
            return self._connect()
        return db

    def _lost(self, db: psycopg.Connection[Any]) -> bool:
        """Whether `db` can no longer be used (the server went away)."""
        return db.closed or db.broken

    @contextmanager
    def _write(self, operation: str) -> Iterator[_Txn]:
        psycopg = self._psycopg
        with self._lock:
            db = self._connection
            failure: StoreError | None = None
            committing = False
            try:
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
                    yield _PostgresTxn(db, self._queries)
                    committing = True
            except psycopg.Error as error:
                if self._lost(db):
                    # Never retried here: the caller decides, and an append retried is safe.
                    failure = ConnectionLostError(
                        store=self._name,
                        operation=operation,
                        reason=_redact(_first_line(error), self._conninfo),
                        written=None if committing else False,
                    )
                else:
                    failure = self._error(operation, error)
            if failure is not None:
                raise failure from None

    def _read(self, operation: str, query: sql.Composed, parameters: Sequence[object]) -> list[Any]:
        psycopg = self._psycopg
        with self._lock:
            failure: StoreError | None = None
            for attempt in (1, 2):
                db = self._connection
                try:
                    return db.execute(query, parameters).fetchall()
                except psycopg.Error as error:
                    if attempt == 1 and self._lost(db):
                        continue  # a read changes nothing: once more on a new connection
                    failure = self._error(operation, error)
                    break
            assert failure is not None
            raise failure from None

    def _read_bodies(self, complaint_id: str) -> list[str]:
        rows = self._read(f"load complaint {complaint_id!r}", self._queries.bodies, (complaint_id,))
        return [str(b) for (b,) in rows]

    def _read_stamp(self, complaint_id: str) -> Stamp:
        rows = self._read(f"load complaint {complaint_id!r}", self._queries.stamp, (complaint_id,))
        return (0, 0) if not rows else (int(rows[0][0]), int(rows[0][1]))

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

    def _read_meta(self, key: str) -> str | None:
        rows = self._read("read the store's meta data", self._queries.get_meta, (key,))
        return str(rows[0][0]) if rows else None

    def _read_row(self, complaint_id: str) -> ComplaintRow | None:
        rows = self._read(
            f"read the row of complaint {complaint_id!r}", self._queries.get_row, (complaint_id,)
        )
        return decode_row(str(rows[0][0])) if rows else None

    def _query_rows(self, query: RowQuery) -> list[ComplaintRow]:
        text, params = query.sql("%s")
        rows = self._read("list rows", self._queries.q(text), params)
        return [decode_row(str(body)) for (body,) in rows]

    def _query_due(self, as_of: int, limit: int | None) -> list[str]:
        rows = self._read("list the complaints due", self._queries.due, (as_of, limit))
        return [str(c) for (c,) in rows]

    def _query_next_due(self) -> int | None:
        rows = self._read("find the next due instant", self._queries.next_due, ())
        return None if rows[0][0] is None else int(rows[0][0])

    def close(self) -> None:
        """Close the connection. Idempotent; the store is unusable afterwards."""
        with self._lock:
            self._closed = True
            if self._db is not None:
                self._db.close()
                self._db = None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _dropped(db: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection has heard from the server: it only speaks when it drops us.

    An idle connection that we did not ask anything has nothing to read, unless the server
    sent its goodbye (a FATAL notice on shutdown or `pg_terminate_backend`) or closed the
    socket. Checking costs no round trip; a connection that dies later is caught by the call.
    """
    if db.info.transaction_status != db.info.transaction_status.IDLE:
        return False
    try:
        readable, _, _ = select.select([db.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


_QUOTED = re.compile(r'"([^"]*)"|\'([^\']*)\'')


def _redact(text: str, conninfo: str) -> str:
    """`text` with every secret of `conninfo` withheld, however libpq quoted it.

    libpq's parse errors quote pieces of the connection string; a password may appear raw,
    percent-decoded or inside a quoted fragment, and a string that does not parse cannot be
    split reliably. So: every password candidate is replaced, and so is every quoted fragment
    that is part of the connection string (unless it is one of its plain, secret-free parts).
    """
    secrets = _secrets(conninfo)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    # And any piece of four characters or more of a secret (a parser may quote a fragment).
    for secret in secrets:
        for size in range(min(len(secret), 256), 3, -1):
            for start in range(len(secret) - size + 1):
                piece = secret[start : start + size]
                if piece.strip() and piece in text:
                    text = text.replace(piece, "***")

    def fragment(match: re.Match[str]) -> str:
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if quoted and (quoted in conninfo or unquote(quoted) in unquote(conninfo)):
            if not any(s in quoted or quoted in s for s in secrets) and _plain(quoted, conninfo):
                return match.group(0)
            return "(withheld: part of the connection string)"
        return match.group(0)

    return _QUOTED.sub(fragment, text)


def _plain(fragment: str, conninfo: str) -> bool:
    """Whether a fragment of the connection string is a host, port or name shown anyway."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(conninfo)
    except Exception:  # an unparsable string: nothing is known to be plain
        return False
    if "@" in fragment:
        return False  # a host that swallowed part of the user information
    return fragment in {str(parts.get(k)) for k in ("host", "hostaddr", "port", "dbname", "user")}


def _secrets(conninfo: str) -> set[str]:
    """Every text that may be (part of) a password in `conninfo`, in each form libpq shows."""
    found: set[str] = set()
    try:
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(conninfo).get("password")
        if password:
            found.add(str(password))
    except Exception:  # unparsable: the heuristics below still apply
        pass
    _scheme, sep, rest = conninfo.partition("://")
    if sep:
        # The user information ends at some "@" (libpq takes the first, a person may mean the
        # last): every candidate's password part is a secret.
        for at in (i for i, c in enumerate(rest) if c == "@"):
            userinfo = rest[:at]
            if ":" in userinfo:
                found.add(userinfo)
                found.add(userinfo.partition(":")[2])
        query = rest.partition("?")[2]
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if unquote(key).strip().lower() == "password":
                found.add(value)
        # A password holding "&" is split by the query's parser: all that follows is suspect.
        for match in re.finditer(r"password=(.*)", query, re.I):
            found.add(match.group(1))
    for match in re.finditer(r"password\s*=\s*('(?:[^'\\]|\\.)*'?|\S*)(.*)", conninfo, re.I):
        value = match.group(1)
        found.add(value)
        found.add(value.strip("'"))
        found.add(value + match.group(2))  # an unterminated quote runs to the end
    found |= {unquote(s) for s in found}
    found |= {quote(s, safe="") for s in found}
    return {s for s in found if s}
