"""``pengaduan import`` over `import_events`: refused lines named across batches, exit codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_helpers import comment, event, lifecycle

from pengaduan._cli import _import, main
from pengaduan.interchange import dumps_event, loads_event
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.store import SQLiteStore


def test_refused_lines_are_named_by_their_line_in_every_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_import, "_BATCH", 2)
    c1, c2 = lifecycle("C-1"), lifecycle("C-2", hours=0.5)
    too_early = event("C-1", 9, "close", c1[0].actor, {}, hours=0.25)  # not allowed yet
    lines = [
        dumps_event(c1[0]),
        "",  # a blank line: skipped, but counted in line numbers
        dumps_event(c2[0]),
        '{"id": "x"}',  # malformed: line 4
        dumps_event(too_early),  # refused: line 5
        *(dumps_event(e) for e in [c1[1], c2[1], c1[2], c2[2], c1[3]]),
        dumps_event(comment("C-2", 8, -5)),  # earlier than C-2's last event: line 11
        dumps_event(c2[3]),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    assert main(["import", str(path), "--db", str(db), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert out.strip() == "new: 8, duplicate: 0, refused: 3"
    named = sorted(line.split(": refused")[0] for line in err.splitlines())
    assert named == [f"{path}:line 11", f"{path}:line 4", f"{path}:line 5"]
    assert "Traceback" not in err
    with SQLiteStore(db, workflow=lapor_workflow()) as store:
        assert [e.id for _p, e in store.events()] == [
            e.id for e in [c1[0], c2[0], c1[1], c2[1], c1[2], c2[2], c1[3], c2[3]]
        ]
    # Again: every event a duplicate, the same lines refused.
    assert main(["import", str(path), "--db", str(db), "--quiet"]) == 1
    out, _err = capsys.readouterr()
    assert out.strip() == "new: 0, duplicate: 8, refused: 3"


def test_an_event_file_from_simulate_imports_like_appending_each_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sim.jsonl"
    assert main(["simulate", "--complaints", "20", "--out", str(path), "--quiet"]) == 0
    assert main(["import", str(path), "--db", str(tmp_path / "s.db"), "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    count = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    assert out == f"new: {count}, duplicate: 0, refused: 0"
    # The CLI's default definitions: the SP4N-LAPOR! policy and ladder.
    model = ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
    with SQLiteStore(tmp_path / "one.db", read_model=model, workflow=lapor_workflow()) as single:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                made = loads_event(line)
                single.append(made.complaint, [made])
    tables = ("events", "streams", "complaint_rows", "clock_rows", "meta")
    assert _tables(tmp_path / "one.db", tables) == _tables(tmp_path / "s.db", tables)


def _tables(path: Path, names: tuple[str, ...]) -> list[list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return [db.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() for name in names]
    finally:
        db.close()
