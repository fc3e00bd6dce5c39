"""Read-only opening: reading changes nothing, refuses non-stores untouched, works on ro mounts."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from store_helpers import drop_schema, lifecycle, postgres_dsn, unique_schema

from pengaduan._cli import main
from pengaduan.exceptions import NotAStoreError, StoreError
from pengaduan.presets import lapor_workflow
from pengaduan.store import PostgresStore, SQLiteStore, open_store

FIXTURES = Path(__file__).parent / "fixtures"


def other_app(path: Path) -> Path:
    """A database of another application (journal mode DELETE, no user_version)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (name TEXT)")
    db.execute("INSERT INTO people VALUES ('x')")
    db.commit()
    db.close()
    return path


def state_of(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent))


@pytest.mark.parametrize("readonly", [True, False])
def test_a_database_of_another_app_is_refused_untouched(tmp_path: Path, readonly: bool) -> None:
    path = other_app(tmp_path / "other_app.sqlite")
    before = state_of(path)
    with pytest.raises(NotAStoreError):
        SQLiteStore(path, readonly=readonly, workflow=lapor_workflow())
    assert state_of(path) == before


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database at all, just some text that is long enough " * 20)
    before = state_of(path)
    for readonly in (True, False):
        with pytest.raises(NotAStoreError):
            SQLiteStore(path, readonly=readonly, workflow=lapor_workflow())
    assert state_of(path) == before


def test_a_missing_file_is_not_created_by_a_reader(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(tmp_path / "absent.sqlite", readonly=True, workflow=lapor_workflow())
    assert not (tmp_path / "absent.sqlite").exists()


def test_the_reading_cli_leaves_another_apps_database_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = other_app(tmp_path / "other_app.sqlite")
    before = state_of(path)
    for command in (["replay"], ["sla"], ["report"], ["due"], ["export"]):
        code = main([*command, "--db", str(path), "--as-of", "2026-04-01T00:00:00+07:00"])
        assert code != 0, command
        assert "Traceback" not in capsys.readouterr().err
    assert state_of(path) == before


def test_a_reader_writes_nothing_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    with SQLiteStore(path, workflow=lapor_workflow()) as writer:
        writer.append("C-1", lifecycle("C-1"))
    before = path.read_bytes()
    with SQLiteStore(path, readonly=True, workflow=lapor_workflow()) as reader:
        assert reader.load("C-1").state == "followed_up"
        with pytest.raises(StoreError, match="read-only"):
            reader.append("C-2", lifecycle("C-2"))
        with pytest.raises(StoreError, match="read-only"):
            reader.remember_update("lapor", "u-1", {})
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_store_in_a_read_only_directory_can_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "store-0.1.sqlite", folder / "store.sqlite")
    (folder / "store.sqlite").chmod(0o444)
    folder.chmod(0o555)
    try:
        with SQLiteStore(
            folder / "store.sqlite", readonly=True, workflow=lapor_workflow()
        ) as reader:
            assert {c.id for c in reader.complaints()} == {"C-1", "C-2", "C-3"}
    finally:
        folder.chmod(0o755)


def test_a_store_is_read_as_immutable_when_mode_ro_cannot_open_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What SQLite says for a WAL file in a read-only directory (no -shm can be made); as root
    # the permission test above cannot provoke it, so mode=ro is made to fail the same way.
    shutil.copyfile(FIXTURES / "store-0.1.sqlite", tmp_path / "store.sqlite")
    real = sqlite3.connect
    tried: list[str] = []

    def connect(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        tried.append(str(target))
        if "immutable=1" not in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", connect)
    before = (tmp_path / "store.sqlite").read_bytes()
    with SQLiteStore(tmp_path / "store.sqlite", readonly=True, workflow=lapor_workflow()) as reader:
        assert {c.id for c in reader.complaints()} == {"C-1", "C-2", "C-3"}
    assert [t.rsplit("?", 1)[1] for t in tried] == ["mode=ro", "mode=ro&immutable=1"]
    assert (tmp_path / "store.sqlite").read_bytes() == before


def test_postgres_readonly_creates_nothing_and_refuses_writes() -> None:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip("PostgreSQL tests need PENGADUAN_TEST_POSTGRES")
    import psycopg

    schema = unique_schema()
    with pytest.raises(NotAStoreError):
        PostgresStore(dsn, schema=schema, readonly=True, workflow=lapor_workflow())
    with psycopg.connect(dsn) as db:
        found = db.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        assert found == (0,)
    try:
        with PostgresStore(dsn, schema=schema, workflow=lapor_workflow()) as writer:
            writer.append("C-1", lifecycle("C-1"))
        with PostgresStore(dsn, schema=schema, readonly=True, workflow=lapor_workflow()) as reader:
            assert reader.load("C-1").version == 4
            with pytest.raises(StoreError, match="read-only"):
                reader.append("C-2", lifecycle("C-2"))
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                reader._connection.execute(  # the session itself is read-only
                    f'CREATE TABLE "{schema}".intruder (x int)'  # type: ignore[arg-type]
                )
    finally:
        drop_schema(f"pg:{schema}|{dsn}")
