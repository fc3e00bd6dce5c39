"""`pengaduan report`, `pengaduan simulate` and `pengaduan demo`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from pengaduan._cli import main
from pengaduan._cli._progress import Progress as _Progress
from pengaduan.interchange import read_events
from pengaduan.presets import lapor_workflow
from pengaduan.store import open_store

KEYS = {
    "received",
    "archived",
    "verified",
    "dispatched",
    "followed_up",
    "closed",
    "follow_up_rate",
    "settlement_rate",
    "follow_up_mean_calendar_days",
    "follow_up_median_calendar_days",
    "follow_up_mean_working_days",
    "compliance_follow_up",
}
AS_OF = "2027-01-01T00:00:00+07:00"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sim") / "events.jsonl"
    assert main(["simulate", "--seed", "3", "--complaints", "60", "--out", str(path)]) == 0
    return str(path)


def test_simulate_writes_an_event_file_the_same_for_the_same_seed(
    simulated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    again = tmp_path / "again.jsonl"
    assert main(["simulate", "--seed", "3", "--complaints", "60", "--out", str(again)]) == 0
    assert "Wrote 347 events of 60 complaints" in capsys.readouterr().err
    assert Path(simulated).read_text() == again.read_text()
    events = list(read_events(simulated))
    assert events[0].action == "submit"


def test_simulate_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--complaints", "3", "--years", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["action"] == "submit"


@pytest.mark.parametrize("args", [["--complaints", "-1"], ["--years", "0"]])
def test_simulate_refuses_impossible_sizes(args: list[str], capsys) -> None:
    assert main(["simulate", *args]) == 2
    assert "must be at least" in capsys.readouterr().err


def test_simulate_to_an_unwritable_place_fails_clearly(tmp_path: Path, capsys) -> None:
    target = tmp_path / "missing" / "x.jsonl"
    assert main(["simulate", "--complaints", "2", "--out", str(target)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_report_json_has_the_documented_keys(simulated: str, capsys) -> None:
    assert main(["report", simulated, "--as-of", AS_OF, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= KEYS
    assert data["received"] == 60
    assert {k for k in data if k.startswith("compliance_")} == {
        f"compliance_{c}" for c in ("verification", "follow_up", "closure", "resolution")
    }
    assert "groups" not in data


@pytest.mark.parametrize("by", ["unit", "classification", "channel", "month", "year"])
def test_report_json_by_group_has_one_object_per_group(simulated: str, by: str, capsys) -> None:
    assert main(["report", simulated, "--as-of", AS_OF, "--json", "--by", by]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == by
    assert sum(g["received"] for g in data["groups"]) == data["received"]
    for group in data["groups"]:
        assert set(group) >= KEYS
        assert by in group


def test_report_text_is_the_full_report(simulated: str, capsys) -> None:
    assert main(["report", simulated, "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "Per tahun pengajuan / by year of submission" in out
    assert "Per unit kerja / by unit" in out


def test_report_as_of_ignores_later_events(simulated: str, capsys) -> None:
    assert main(["report", simulated, "--as-of", "2025-01-01T00:00:00+07:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["received"] == 0


def test_report_refuses_an_unknown_grouping(simulated: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", simulated, "--by", "agency"])
    assert info.value.code == 2
    assert "invalid choice: 'agency'" in capsys.readouterr().err


def test_report_of_a_refused_history_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "e1",
                "complaint": "C-1",
                "action": "verify",
                "at": "2026-03-17T09:15:00+07:00",
                "actor": {"id": "adm", "role": "admin_agency", "unit": None},
                "data": {"classification": "pengaduan"},
            }
        )
        + "\n"
    )
    assert main(["report", str(path), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert "refused" in err
    assert f"{path}:line 1: refused" in err


def test_report_of_a_missing_file_fails_clearly(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_report_reads_a_store(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--complaints", "20", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--db", str(db), "--as-of", AS_OF, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["received"] == 20


def test_demo_prints_the_regency_report(capsys) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Scenario muara-enim (seed 1): 260 complaints" in out
    assert "Average follow-up (dispatch to first follow-up) by year of submission: 2025: " in (
        " ".join(out.split())
    )
    for heading in (
        "Per tahun pengajuan / by year of submission",
        "Per unit kerja / by unit",
        "Paling lama terlambat / most overdue",
        "Pengingat terkirim / reminders sent",
        "Tindak lanjut paling terlambat / latest follow-ups",
    ):
        assert heading in out
    assert "unit_head" in out
    assert "SPIKM-0" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_demo_shows_one_reminder_it_sent_as_the_whatsapp_message_a_unit_head_reads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    block = out.split("one reminder the ladder sent (WhatsApp):\n", 1)[1].split("\n\n", 1)[0]
    lines = block.splitlines()
    assert lines[0].startswith("Kepada / to: unit_head@")
    text = " ".join(line.strip("| ") for line in lines[2:-2])
    assert text.startswith("[Pengingat tingkat 1] Laporan SPIKM-")
    assert "batas waktu Tindak Lanjut" in text
    assert lines[-2].strip("| ").endswith("WIB")


def test_progress_is_silent_with_quiet_even_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, quiet = Terminal(), Terminal()
    clock = FakeClock()
    for stream, flag in ((shown, False), (quiet, True)):
        progress = _Progress(stream, clock=clock, quiet=flag)
        clock.now += 5
        progress(3, None, "imported")
        progress.close()
    assert shown.getvalue() == "\rimported 3\n"
    assert quiet.getvalue() == ""


def test_demo_is_reproducible(capsys) -> None:
    main(["demo", "--complaints", "30", "--seed", "4"])
    first = capsys.readouterr().out
    main(["demo", "--complaints", "30", "--seed", "4"])
    assert capsys.readouterr().out == first


def test_demo_keeps_its_store_and_a_second_run_adds_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--complaints", "25", "--db", str(db)]) == 0
    store = open_store(db, workflow=lapor_workflow())
    position = store.position()
    complaints = list(store.complaints())
    store.close()
    assert len(complaints) == 25
    assert f"Stored {position} events in {db}" in " ".join(capsys.readouterr().out.split())
    assert main(["demo", "--complaints", "25", "--db", str(db)]) == 0
    store = open_store(db, workflow=lapor_workflow())
    assert store.position() == position
    store.close()


def test_demo_into_a_store_holding_another_history_fails_clearly(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--complaints", "10", "--seed", "1", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["demo", "--complaints", "10", "--seed", "2", "--db", str(db)]) == 2
    assert "holds another history" in capsys.readouterr().err


def test_demo_refuses_a_negative_number_of_complaints(tmp_path: Path, capsys) -> None:
    db = tmp_path / "demo.sqlite"
    assert main(["demo", "--complaints", "-1", "--db", str(db)]) == 2
    assert "--complaints must be at least 0, got -1" in capsys.readouterr().err
    assert not db.exists()


def test_demo_of_no_complaints_says_nothing_was_followed_up(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--complaints", "0", "--db", str(tmp_path / "demo.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "by year of submission: none, nothing was followed up." in " ".join(out.split())
    assert "Diterima / received                       0" in out


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_stays_silent_during_the_first_second() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = _Progress(stream, clock=clock, force=True)
    clock.now = 0.9
    progress(1, 2, "storing")
    progress.close()
    assert stream.getvalue() == ""


def test_progress_draws_a_bar_once_the_run_is_longer_than_a_second() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = _Progress(stream, clock=clock, force=True, width=10)
    clock.now = 1.5
    progress(1, 2, "storing")
    progress(1, 2, "storing")  # unchanged: not drawn again
    progress(2, 2, "done")
    progress.close()
    assert stream.getvalue() == (
        "\r[#####-----]  50% storing     \r[##########] 100% done        \n"
    )


def test_progress_writes_nothing_to_a_stream_that_is_not_a_terminal() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = _Progress(stream, clock=clock)
    clock.now = 5
    progress(1, 2, "storing")
    progress.close()
    assert stream.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("command", "label"),
    [
        (["simulate", "--complaints", "5", "--years", "1"], "simulating"),
        (["import", "{file}", "--db", "{db}"], "events read"),
        (["report", "--db", "{db}", "--as-of", AS_OF, "--json"], "complaints"),
        (["export", "--db", "{db}"], "complaints"),
    ],
)
def test_long_work_shows_progress_on_a_terminal_and_none_with_quiet(
    simulated: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    label: str,
) -> None:
    import itertools

    from pengaduan._cli import _progress

    db = tmp_path / "s.sqlite"
    assert main(["import", simulated, "--db", str(db)]) in (0, 1)
    capsys.readouterr()
    argv = [a.format(file=simulated, db=db) for a in command]
    ticks = itertools.count(0.0, 2.0)  # every look at the clock: two seconds later
    monkeypatch.setattr(_progress.time, "monotonic", lambda: next(ticks))
    for quiet in (False, True):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main([*argv, *(["--quiet"] if quiet else [])]) in (0, 1)
        capsys.readouterr()
        shown = terminal.getvalue()
        if quiet:
            assert "\r" not in shown
        else:
            assert f"\r{label}" in shown or f"% {label}" in shown, shown
            assert shown.endswith("\n")
