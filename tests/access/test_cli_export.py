"""``pengaduan export``: the public by default, redacted for any other viewer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pengaduan._cli import main
from pengaduan.interchange import loads_event, write_events
from pengaduan.presets import lapor_workflow
from pengaduan.store import open_store

from .conftest import NAME, PHONE, build

ANON = build(anonymous=True, complaint_id="C-1")
SECRET = build(confidential=True, complaint_id="C-2")
PLAIN = build(complaint_id="C-3", reporter={"name": "Budi Santoso", "phone": "085700001111"})
UNPUBLISHED = build(complaint_id="C-4", stage="submitted")
ALL = (ANON, SECRET, PLAIN, UNPUBLISHED)


@pytest.fixture
def events_file(tmp_path: Path) -> str:
    path = tmp_path / "events.jsonl"
    with path.open("w", encoding="utf-8") as target:
        write_events((e for c in ALL for e in c.events), target)
    return str(path)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "lapor.sqlite")
    store = open_store(path, workflow=lapor_workflow())
    try:
        for complaint in ALL:
            store.append(complaint.id, complaint.events)
    finally:
        store.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["export", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("source", ["file", "db"])
def test_the_default_is_the_public_feed(
    capsys: pytest.CaptureFixture[str], events_file: str, db: str, source: str
) -> None:
    args = [events_file] if source == "file" else ["--db", db]
    code, out, _ = run(capsys, *args, "--format", "public-json")
    assert code == 0
    feed = json.loads(out)
    assert [r["id"] for r in feed] == ["C-1", "C-3"]
    for secret in (NAME, PHONE, "Budi Santoso", "085700001111", "warga-17"):
        assert secret not in out
    assert all(r["reporter"] is None for r in feed)


def test_jsonl_gives_the_redacted_events_of_the_visible_complaints(
    capsys: pytest.CaptureFixture[str], events_file: str
) -> None:
    code, out, _ = run(capsys, events_file, "--format", "jsonl")
    assert code == 0
    events = [loads_event(line) for line in out.splitlines()]
    assert {e.complaint for e in events} == {"C-1", "C-3"}
    assert NAME not in out
    assert PHONE not in out
    assert {e.actor.id for e in events} == {"anonim"}


def test_a_unit_viewer_sees_its_confidential_complaint_without_anonymous_identities(
    capsys: pytest.CaptureFixture[str], events_file: str
) -> None:
    code, out, _ = run(
        capsys,
        events_file,
        "--format",
        "public-json",
        "--viewer",
        "unit_head",
        "--unit",
        "dinas-pu",
    )
    assert code == 0
    feed = {r["id"]: r for r in json.loads(out)}
    assert sorted(feed) == ["C-1", "C-2", "C-3", "C-4"], "staff see unpublished ones too"
    assert feed["C-1"]["reporter"] is None, "anonim"
    assert feed["C-2"]["reporter"]["name"] == NAME, "rahasia only: the handler knows who"
    assert feed["C-3"]["reporter"]["name"] == "Budi Santoso"


def test_the_reporter_sees_their_own_complaints_in_full(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, _ = run(
        capsys,
        "--db",
        db,
        "--format",
        "public-json",
        "--viewer",
        "reporter",
        "--account",
        "warga-17",
    )
    assert code == 0
    feed = {r["id"]: r for r in json.loads(out)}
    assert sorted(feed) == ["C-1", "C-2", "C-3", "C-4"]
    assert feed["C-2"]["reporter"]["phone"] == PHONE


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--viewer", "auditor"], "unknown viewer 'auditor'"),
        (["--viewer", "reporter"], "needs --account"),
        (["--unit", "dinas-pu"], "need a --viewer role"),
    ],
)
def test_bad_viewers_are_refused(
    capsys: pytest.CaptureFixture[str], events_file: str, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, events_file, "--format", "public-json", *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_a_file_and_a_db_together_are_refused(
    capsys: pytest.CaptureFixture[str], events_file: str, db: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", events_file, "--db", db, "--format", "jsonl"])
    assert info.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_a_missing_source_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "none.sqlite"), "--format", "jsonl")
    assert (code, "no store at") == (2, err.split(": ", 2)[2][:11])
    code, _, err = run(capsys, str(tmp_path / "none.jsonl"), "--format", "jsonl")
    assert code == 2
    assert "cannot read" in err


def test_a_refused_event_stops_the_export_without_personal_data_in_the_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    stranger = ANON.events[1]
    import attrs

    from pengaduan import Actor

    bad = attrs.evolve(stranger, id="x", actor=Actor(PHONE, "reporter"))
    with path.open("w", encoding="utf-8") as target:
        write_events([*ANON.events[:3], bad], target)
    code, out, err = run(capsys, str(path), "--format", "public-json")
    assert code == 2
    assert out == ""
    assert "line 4: refused" in err
    assert PHONE not in err


@pytest.mark.parametrize("source", ["file", "db"])
def test_open311_is_the_public_projection(
    capsys: pytest.CaptureFixture[str], events_file: str, db: str, source: str
) -> None:
    args = [events_file] if source == "file" else ["--db", db]
    code, out, _ = run(capsys, *args, "--format", "open311", "--as-of", "2026-03-20T08:00:00+07:00")
    assert code == 0
    requests = json.loads(out)
    assert [r["service_request_id"] for r in requests] == ["C-1", "C-3"]
    for secret in (NAME, PHONE, "Budi Santoso", "085700001111", "warga-17"):
        assert secret not in out


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (["--viewer", "admin_agency"], ["C-1", "C-2", "C-3", "C-4"]),
        (["--viewer", "unit_head", "--unit", "dinas-pu"], ["C-1", "C-2", "C-3", "C-4"]),
        (["--viewer", "unit_head", "--unit", "dinas-kesehatan"], ["C-1", "C-3", "C-4"]),
        (["--viewer", "reporter", "--account", "warga-99"], ["C-1", "C-3"]),
    ],
)
def test_open311_for_another_viewer_lists_what_they_may_see_and_no_personal_data(
    capsys: pytest.CaptureFixture[str], events_file: str, viewer: list[str], expected: list[str]
) -> None:
    as_of = ["--as-of", "2026-03-20T08:00:00+07:00"]
    code, out, _ = run(capsys, events_file, "--format", "open311", *as_of, *viewer)
    assert code == 0
    assert [r["service_request_id"] for r in json.loads(out)] == expected
    for secret in (NAME, PHONE, "Budi Santoso", "085700001111", "warga-17"):
        assert secret not in out


def test_the_default_format_is_the_redacted_event_file(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, _ = run(capsys, "--db", db)
    assert code == 0
    assert (code, out) == run(capsys, "--db", db, "--format", "jsonl")[:2]
    assert {loads_event(line).complaint for line in out.splitlines()} == {"C-1", "C-3"}
    assert NAME not in out


def test_an_unreachable_database_is_reported_without_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "--db", "postgresql://u:s3cr3t-pw@127.0.0.1:1/x")
    assert code == 2
    assert out == ""
    assert "cannot connect" in err
    assert "s3cr3t-pw" not in err
