"""Schema versions: an older store is upgraded on open losing nothing; a newer one is refused."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import drop_schema, lifecycle, postgres_dsn, unique_schema

from pengaduan._store_base import SCHEMA_VERSION
from pengaduan.exceptions import StoreError, StoreVersionError
from pengaduan.model import Event
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, PostgresStore, SQLiteStore

FIXTURES = Path(__file__).parent / "fixtures"
OLD = FIXTURES / "store-0.1.sqlite"

# complaint id -> (state, version) as written by make_store_0_1.py on commit b8d5e60
EXPECTED = {"C-1": ("closed", 6), "C-2": ("dispatched", 4), "C-3": ("submitted", 1)}

# The PostgreSQL DDL of pengaduan 0.1 (commit b8d5e60), verbatim but for the schema name.
OLD_PG_DDL = (
    "CREATE SCHEMA IF NOT EXISTS {s}",
    "CREATE TABLE IF NOT EXISTS {s}.events ("
    " position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE, complaint TEXT NOT NULL, seq INTEGER NOT NULL,"
    " body TEXT NOT NULL, UNIQUE (complaint, seq))",
    "CREATE TABLE IF NOT EXISTS {s}.streams ("
    " complaint TEXT PRIMARY KEY, version INTEGER NOT NULL,"
    " first_position BIGINT NOT NULL, last_position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS streams_by_first ON {s}.streams (first_position)",
    "CREATE INDEX IF NOT EXISTS streams_by_last ON {s}.streams (last_position)",
    "CREATE TABLE IF NOT EXISTS {s}.updates ("
    " arrival BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " system TEXT NOT NULL, update_id TEXT NOT NULL, body TEXT NOT NULL,"
    " UNIQUE (system, update_id))",
)


@pytest.fixture
def old_copy(tmp_path: Path) -> Path:
    target = tmp_path / "old.sqlite"
    shutil.copyfile(OLD, target)
    return target


def user_version(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def test_the_fixture_is_a_0_1_store() -> None:
    assert user_version(OLD) == 1


def test_opening_a_0_1_sqlite_store_upgrades_it_and_loses_nothing(old_copy: Path) -> None:
    raw = sqlite3.connect(old_copy)
    query = "SELECT position, id, body FROM events ORDER BY position"
    bodies_before = raw.execute(query).fetchall()
    raw.close()
    with SQLiteStore(old_copy, workflow=lapor_workflow()) as store:
        complaints = {c.id: (c.state, c.version) for c in store.complaints()}
        assert complaints == EXPECTED
        assert [u["id"] for u in store.updates("lapor")] == ["u-1", "u-2"]
        assert store.position() == 11
        # still writable after the upgrade, and a retry of an old event is a no-op
        old_event = store.load("C-3").events[0]
        assert store.append("C-3", [old_event]).new == ()
    assert user_version(old_copy) == SCHEMA_VERSION
    raw = sqlite3.connect(old_copy)
    assert raw.execute(query).fetchall() == bodies_before
    raw.close()


def test_a_newer_sqlite_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    SQLiteStore(path, workflow=lapor_workflow()).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreVersionError) as raised:
        SQLiteStore(path, workflow=lapor_workflow())
    assert isinstance(raised.value, StoreError)
    assert (raised.value.found, raised.value.supported) == (99, SCHEMA_VERSION)
    assert "upgrade pengaduan" in str(raised.value)
    with pytest.raises(StoreVersionError):
        SQLiteStore(path, readonly=True, workflow=lapor_workflow())
    assert path.read_bytes() == before


@pytest.fixture
def old_pg_schema() -> Iterator[tuple[str, str]]:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip("PostgreSQL tests need PENGADUAN_TEST_POSTGRES")
    import psycopg

    from pengaduan._store_base import encode

    schema = unique_schema()
    with psycopg.connect(dsn, autocommit=True) as db:
        for statement in OLD_PG_DDL:
            db.execute(statement.format(s=f'"{schema}"'))  # type: ignore[arg-type]
        # events as 0.1 wrote them: bodies without a workflow
        for seq, event in enumerate(lifecycle("C-1"), start=1):
            db.execute(
                f'INSERT INTO "{schema}".events (id, complaint, seq, body) '  # type: ignore[arg-type]
                "VALUES (%s, %s, %s, %s)",
                (event.id, "C-1", seq, encode(event)),
            )
        db.execute(
            f'INSERT INTO "{schema}".streams VALUES (%s, 4, 1, 4)',  # type: ignore[arg-type]
            ("C-1",),
        )
        db.execute(
            f'INSERT INTO "{schema}".updates (system, update_id, body) '  # type: ignore[arg-type]
            "VALUES ('lapor', 'u-1', '{\"id\": \"u-1\"}')"
        )
    yield schema, dsn
    drop_schema(f"pg:{schema}|{dsn}")


def test_opening_a_0_1_postgres_schema_upgrades_it_and_loses_nothing(
    old_pg_schema: tuple[str, str],
) -> None:
    schema, dsn = old_pg_schema
    with PostgresStore(
        dsn, schema=schema, readonly=True, workflow=lapor_workflow()
    ) as reader:  # readable before upgrade
        assert reader.load("C-1").state == "followed_up"
    with PostgresStore(dsn, schema=schema, workflow=lapor_workflow()) as store:
        assert store.load("C-1").version == 4
        assert [c.id for c in store.complaints()] == ["C-1"]
        assert [u["id"] for u in store.updates()] == ["u-1"]
    import psycopg

    with psycopg.connect(dsn) as db:
        row = db.execute(
            f"SELECT value FROM \"{schema}\".meta WHERE key = 'schema_version'"  # type: ignore[arg-type]
        ).fetchone()
        assert row == (str(SCHEMA_VERSION),)
        db.execute(
            f"UPDATE \"{schema}\".meta SET value = '7' WHERE key = 'schema_version'"  # type: ignore[arg-type]
        )
    with pytest.raises(StoreVersionError):
        PostgresStore(dsn, schema=schema, workflow=lapor_workflow())


def _claims() -> list[tuple[str, list[Event]]]:
    """Complaints as 0.1 let them be stored: two claiming one LAPOR! id, one another."""
    from store_helpers import ADMIN, event

    def submitted(complaint: str, lapor: str, hours: float) -> list[Event]:
        data = {"title": "t", "body": "b", "channel": "web", "external_ids": {"lapor": lapor}}
        return [event(complaint, 1, "submit", ADMIN, data, hours)]

    return [
        ("C-A", submitted("C-A", "L-1", 0)),
        ("C-B", submitted("C-B", "L-1", 1)),  # the hijacker, stored later
        ("C-C", submitted("C-C", "L-2", 2)),
    ]


def _assert_indexed(store: EventStore) -> None:
    from store_helpers import ADMIN, event

    from pengaduan.exceptions import ExternalIdClashError

    assert store.complaint_for_external_id("lapor", "L-1") == "C-A"
    assert store.complaint_for_external_id("lapor", "L-2") == "C-C"
    data = {"title": "t", "body": "b", "channel": "web", "external_ids": {"lapor": "L-2"}}
    with pytest.raises(ExternalIdClashError):
        store.append("C-D", [event("C-D", 1, "submit", ADMIN, data, 5)])


def test_upgrading_a_0_1_sqlite_store_indexes_its_external_ids_first_claimant_first(
    old_copy: Path,
) -> None:
    from pengaduan._store_base import encode

    db = sqlite3.connect(old_copy)
    try:
        (position,) = db.execute("SELECT MAX(position) FROM events").fetchone()
        for complaint, events in _claims():
            for seq, one in enumerate(events, start=1):
                db.execute(
                    "INSERT INTO events (id, complaint, seq, body) VALUES (?, ?, ?, ?)",
                    (one.id, complaint, seq, encode(one)),
                )
            position += len(events)
            db.execute(
                "INSERT INTO streams VALUES (?, ?, ?, ?)",
                (complaint, len(events), position, position),
            )
        db.commit()
    finally:
        db.close()
    assert user_version(old_copy) == 1
    with SQLiteStore(old_copy, workflow=lapor_workflow()) as store:
        _assert_indexed(store)
    assert user_version(old_copy) == SCHEMA_VERSION


def test_upgrading_a_0_1_postgres_schema_indexes_its_external_ids_first_claimant_first(
    old_pg_schema: tuple[str, str],
) -> None:
    import psycopg

    from pengaduan._store_base import encode

    schema, dsn = old_pg_schema
    with psycopg.connect(dsn, autocommit=True) as db:
        for complaint, events in _claims():
            for seq, one in enumerate(events, start=1):
                db.execute(
                    f'INSERT INTO "{schema}".events (id, complaint, seq, body) '  # type: ignore[arg-type]
                    "VALUES (%s, %s, %s, %s) RETURNING position",
                    (one.id, complaint, seq, encode(one)),
                )
            (last,) = db.execute(
                f'SELECT MAX(position) FROM "{schema}".events'  # type: ignore[arg-type]
            ).fetchone()
            db.execute(
                f'INSERT INTO "{schema}".streams VALUES (%s, %s, %s, %s)',  # type: ignore[arg-type]
                (complaint, len(events), last, last),
            )
    with PostgresStore(dsn, schema=schema, workflow=lapor_workflow()) as store:
        _assert_indexed(store)
