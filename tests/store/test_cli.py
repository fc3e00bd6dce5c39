"""``pengaduan import`` and ``--db`` for the commands that read a history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from store_helpers import (
    POSTGRES_ENV,
    comment,
    drop_schema,
    lifecycle,
    postgres_dsn,
    unique_schema,
)

from pengaduan._cli import main
from pengaduan.interchange import write_events
from pengaduan.presets import lapor_workflow
from pengaduan.store import PostgresStore, SQLiteStore


@pytest.fixture
def event_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    with path.open("w", encoding="utf-8") as target:
        write_events([*lifecycle("C-1"), *lifecycle("C-2"), comment("C-1", 9, 0.5)], target)
        target.write('{"id": "x", "complaint": "C-3"}\n')
    return path


def test_import_counts_new_duplicate_and_refused_and_is_idempotent(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    assert main(["import", str(event_file), "--db", str(db)]) == 1
    first = capsys.readouterr()
    assert first.out.strip() == "new: 8, duplicate: 0, refused: 2"
    assert "line 9: refused" in first.err
    assert "line 10: refused" in first.err
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        before = list(store.events())
    assert main(["import", str(event_file), "--db", str(db)]) == 1
    assert capsys.readouterr().out.strip() == "new: 0, duplicate: 8, refused: 2"
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        assert list(store.events()) == before


def test_import_of_a_clean_file_exits_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clean.jsonl"
    with path.open("w", encoding="utf-8") as target:
        write_events(lifecycle("C-1"), target)
    assert main(["import", str(path), "--db", str(tmp_path / "s.db")]) == 0
    assert capsys.readouterr().out.strip() == "new: 4, duplicate: 0, refused: 0"


def test_import_of_a_missing_file_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "none.jsonl"), "--db", str(tmp_path / "s.db")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()


def test_import_into_a_file_that_is_not_a_store_fails_cleanly(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not a database " * 100)
    assert main(["import", str(event_file), "--db", str(bad)]) == 2
    assert "cannot open the store" in capsys.readouterr().err


def test_replay_reads_a_store_like_a_file(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    main(["import", str(event_file), "--db", str(db)])
    capsys.readouterr()
    assert main(["replay", "--db", str(db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["complaint"], r["state"], r["events"]) for r in rows] == [
        ("C-1", "followed_up", 4),
        ("C-2", "followed_up", 4),
    ]


def test_sla_reads_a_store(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    main(["import", str(event_file), "--db", str(db)])
    capsys.readouterr()
    assert main(["sla", "--db", str(db), "--as-of", "2026-03-10T00:00:00+07:00", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["complaint"] for r in rows} == {"C-1", "C-2"}


def test_a_missing_store_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    assert main(["replay", "--db", str(db)]) == 2
    assert "no such store" in capsys.readouterr().err
    assert not db.exists()


def test_file_and_db_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "events.jsonl", "--db", str(tmp_path / "s.db")])
    with pytest.raises(SystemExit):
        main(["replay"])
    capsys.readouterr()


def test_due_and_tick_read_a_store_and_tick_writes_into_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        store.append("C-1", lifecycle("C-1")[:1])
    as_of = "2026-06-01T08:00:00+07:00"
    assert main(["due", "--db", str(db), "--as-of", as_of, "--json"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert due
    assert main(["tick", "--db", str(db), "--as-of", as_of, "--write"]) == 0
    written = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(written) == len(due)
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        after = list(store.events())
    assert len(after) == 1 + len(written)
    main(["tick", "--db", str(db), "--as-of", as_of, "--write"])
    capsys.readouterr()
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        assert list(store.events()) == after


def test_report_reads_a_store_like_a_file(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    main(["import", str(event_file), "--db", str(db)])
    capsys.readouterr()
    as_of = "2026-03-10T00:00:00+07:00"
    assert main(["report", "--db", str(db), "--as-of", as_of, "--json"]) == 0
    from_store = json.loads(capsys.readouterr().out)
    clean = tmp_path / "clean.jsonl"
    with clean.open("w", encoding="utf-8") as target:
        write_events([*lifecycle("C-1"), *lifecycle("C-2")], target)
    assert main(["report", str(clean), "--as-of", as_of, "--json"]) == 0
    assert from_store == json.loads(capsys.readouterr().out)
    assert from_store["received"] == 2


def test_export_reads_a_store(
    event_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    main(["import", str(event_file), "--db", str(db)])
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--format", "jsonl", "--viewer", "admin_agency"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8
    assert (
        main(
            [
                "export",
                "--db",
                str(db),
                "--format",
                "open311",
                "--as-of",
                "2026-03-10T00:00:00+07:00",
            ]
        )
        == 0
    )
    requests = json.loads(capsys.readouterr().out)
    assert [r["service_request_id"] for r in requests] == ["C-1", "C-2"]


def test_import_export_and_the_readers_take_a_postgresql_url(
    event_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a connection string)")
    import pengaduan.store

    schema = unique_schema()
    opened = pengaduan.store.open_store

    def in_schema(target: str, workflow: object = None, **options: Any) -> object:
        assert target == dsn, "the URL reaches the store as given"
        return PostgresStore(target, workflow, schema=schema, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pengaduan.store, "open_store", in_schema)
    try:
        assert main(["import", str(event_file), "--db", dsn]) == 1
        assert capsys.readouterr().out.strip() == "new: 8, duplicate: 0, refused: 2"
        assert main(["import", str(event_file), "--db", dsn]) == 1
        assert capsys.readouterr().out.strip() == "new: 0, duplicate: 8, refused: 2"
        as_of = ["--as-of", "2026-03-10T00:00:00+07:00"]
        for command in ("replay", "sla", "report"):
            assert main([command, "--db", dsn, *as_of, "--json"]) == 0, command
            assert json.loads(capsys.readouterr().out), command
        late = ["--as-of", "2026-06-01T08:00:00+07:00"]
        assert main(["due", "--db", dsn, *late, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)
        assert main(["tick", "--db", dsn, *late, "--write"]) == 0
        assert capsys.readouterr().out.strip()
        assert main(["due", "--db", dsn, *late, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == [], "tick wrote what was due"
        assert main(["export", "--db", dsn, "--format", "open311", *as_of]) == 0
        requests = json.loads(capsys.readouterr().out)
        assert [r["service_request_id"] for r in requests] == ["C-1", "C-2"]
        assert main(["export", "--db", dsn, "--format", "public-json"]) == 0
        assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["C-1", "C-2"]
    finally:
        monkeypatch.setattr(pengaduan.store, "open_store", opened)
        drop_schema(f"pg:{schema}|{dsn}")


@pytest.mark.parametrize("command", ["replay", "sla", "due", "tick", "report", "export", "import"])
def test_an_unreachable_database_is_reported_without_its_password(
    command: str, event_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://lapor:s3cr3t-pw@127.0.0.1:1/lapor"
    argv = [command, str(event_file)] if command == "import" else [command]
    assert main([*argv, "--db", url]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err
    assert "s3cr3t-pw" not in err
