"""``pengaduan import`` over `import_events`: refused lines named across batches, exit codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_helpers import comment, event, lifecycle

from pengaduan._cli import main
from pengaduan._store_bulk import DEFAULT_BATCH, _BulkStore
from pengaduan.interchange import dumps_event, loads_event
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.store import ImportResult, SQLiteStore


def test_refused_lines_are_named_by_their_line_in_every_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    assert main(["import", str(path), "--db", str(db), "--quiet", "--batch-size", "2"]) == 1
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
    assert main(["import", str(path), "--db", str(db), "--quiet", "--batch-size", "2"]) == 1
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


def _batches_of_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *options: str
) -> tuple[int, list[int]]:
    """Import four complaints' lives with `options`: the exit code and each import's batches."""
    path = tmp_path / "events.jsonl"
    lives = [e for n in range(4) for e in lifecycle(f"C-{n}", hours=n / 4)]
    path.write_text("".join(dumps_event(e) + "\n" for e in lives), encoding="utf-8")
    batches: list[int] = []
    real = _BulkStore.import_events

    def counted(store: _BulkStore, *args: object, **kwargs: object) -> ImportResult:
        result = real(store, *args, **kwargs)  # type: ignore[arg-type]
        batches.append(result.batches)
        return result

    monkeypatch.setattr(_BulkStore, "import_events", counted)
    code = main(["import", str(path), "--db", str(tmp_path / "s.db"), "--quiet", *options])
    return code, batches


def test_batch_size_sets_the_events_per_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, batches = _batches_of_import(tmp_path, monkeypatch, "--batch-size", "3")
    assert code == 0
    assert batches == [(4 * len(lifecycle("C-0")) + 2) // 3]


def test_without_batch_size_the_store_default_applies_and_the_help_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, batches = _batches_of_import(tmp_path, monkeypatch)
    assert (code, batches) == (0, [1])  # 16 events, far below the default
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    assert f"default {DEFAULT_BATCH:,}" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("given", ["0", "-5", "many", "2.5"])
def test_a_batch_size_that_is_not_a_whole_number_above_zero_is_refused_before_any_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(dumps_event(lifecycle("C-1")[0]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["import", str(path), "--db", str(tmp_path / "s.db"), "--batch-size", given])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--batch-size" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.db").exists()
