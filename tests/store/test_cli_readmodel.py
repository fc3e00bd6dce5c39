"""``pengaduan list`` and ``pengaduan rebuild``: answered from the store's read model."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from store_helpers import START, drop_schema, lifecycle, postgres_dsn, submit, unique_schema

from pengaduan._cli import main
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.sla import Target
from pengaduan.store import PostgresStore, SQLiteStore

MODEL = ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
SECRET = {
    "title": "Pungli di kantor desa",
    "body": "Siti melihatnya",
    "channel": "web",
    "privacy": {"anonymous": True, "confidential": True},
    "reporter": {"name": "Siti", "phone": "0812555"},
}


def fill(store: SQLiteStore | PostgresStore) -> None:
    store.append("C-1", lifecycle("C-1")[:3])
    store.append("C-2", [submit("C-2", hours=2)])
    store.append("C-3", [attrs.evolve(submit("C-3", hours=3), data=SECRET)])


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "s.db"
    with SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow()) as store:
        fill(store)
    return str(path)


def test_list_prints_rows_and_never_a_title_or_reporter(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "C-1" in out
    assert "C-2" in out
    assert "C-3" not in out
    assert "1 confidential complaint(s) left out" in err
    assert main(["list", "--db", db, "--include-confidential", "--json"]) == 0
    text = capsys.readouterr().out
    for secret in ("Pungli", "Siti", "0812555", "warga-17"):
        assert secret not in text
    rows = json.loads(text)
    assert [r["id"] for r in rows] == ["C-1", "C-2", "C-3"]
    assert rows[2]["confidential"] is True
    assert rows[0]["clocks"][0]["remaining_unit"] in ("working", "calendar")


def test_list_filters_by_state_unit_overdue_and_due(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def ids(*argv: str) -> list[str]:
        assert main(["list", "--db", db, "--json", *argv]) == 0
        return [r["id"] for r in json.loads(capsys.readouterr().out)]

    assert ids("--state", "submitted") == ["C-2"]
    assert ids("--unit", "dinas-pu") == ["C-1"]
    assert ids("--overdue", "--as-of", START.isoformat()) == []
    late = (START + timedelta(days=60)).isoformat()
    assert ids("--overdue", "--as-of", late) == ["C-1", "C-2"]
    assert ids("--due-before", late) == ["C-1", "C-2"]
    assert ids("--limit", "1") == ["C-1"]


def test_list_of_a_state_the_workflow_lacks_is_an_error_naming_its_states(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A typo ("dispached") listed nothing, as if no complaint were in that state.
    assert main(["list", "--db", db, "--state", "dispached"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "has no state 'dispached'" in err
    assert "dispatched" in err
    assert "Traceback" not in err


def test_list_of_a_missing_store_fails_without_creating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.db"
    assert main(["list", "--db", str(missing)]) == 2
    assert "no store" in capsys.readouterr().err
    assert not missing.exists()


def test_list_refuses_stale_rows_until_rebuild_lists_the_moved_deadlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    policy = lapor_policy()
    changed = policy.with_target(policy.names[0], Target.working_days(1))
    other = ReadModel(policy=changed, ladder=lapor_ladder().evolve(policy=changed))
    with SQLiteStore(path, read_model=other, workflow=lapor_workflow()) as store:
        fill(store)
    assert main(["list", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "pengaduan rebuild" in err
    assert "Traceback" not in err
    assert main(["rebuild", "--db", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["complaints"] == 3
    assert {(m["complaint"], m["clock"]) for m in result["moved"]} >= {("C-2", policy.names[0])}
    assert main(["list", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["rebuild", "--db", str(path)]) == 0
    assert "0 deadline(s) moved" in capsys.readouterr().out


def test_import_then_list_needs_no_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pengaduan.interchange import write_events

    events = tmp_path / "events.jsonl"
    with events.open("w", encoding="utf-8") as target:
        write_events(lifecycle("C-1"), target)
    db = str(tmp_path / "s.db")
    assert main(["import", str(events), "--db", db]) == 0
    capsys.readouterr()
    assert main(["list", "--db", db, "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["C-1"]


def test_rebuild_upgrades_an_old_store_and_list_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    path = tmp_path / "old.sqlite"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "store-0.1.sqlite", path)
    assert main(["list", "--db", str(path)]) == 2
    assert "pengaduan rebuild" in capsys.readouterr().err
    assert main(["rebuild", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["list", "--db", str(path), "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["C-1", "C-2", "C-3"]


def test_list_and_rebuild_take_a_postgresql_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip("PostgreSQL tests need PENGADUAN_TEST_POSTGRES")
    import pengaduan.store

    schema = unique_schema()

    def in_schema(target: str, workflow: object = None, **options: Any) -> object:
        assert target == dsn, "the URL reaches the store as given"
        return PostgresStore(target, workflow, schema=schema, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pengaduan.store, "open_store", in_schema)
    try:
        with PostgresStore(
            dsn, schema=schema, read_model=MODEL, workflow=lapor_workflow()
        ) as store:
            fill(store)
        assert main(["list", "--db", dsn, "--json", "--unit", "dinas-pu"]) == 0
        assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["C-1"]
        assert main(["rebuild", "--db", dsn]) == 0
        assert "3 complaint(s); 0 deadline(s) moved" in capsys.readouterr().out
    finally:
        drop_schema(f"pg:{schema}|{dsn}")


@pytest.mark.parametrize("command", ["list", "rebuild"])
def test_an_unreachable_database_is_reported_without_its_password(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://lapor:s3cr3t-pw@127.0.0.1:1/lapor"
    assert main([command, "--db", url]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err
    assert "s3cr3t-pw" not in err
