"""`pengaduan sla FILE [--as-of ISO] [--clock NAME] [--json]`."""

from __future__ import annotations

import json

import pytest

from pengaduan._cli import _COMMANDS, main

SUBMIT = {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"}


def line(eid, complaint, action, at, role="admin_agency", actor_unit=None, **data):
    return {
        "id": eid,
        "complaint": complaint,
        "action": action,
        "at": at,
        "actor": {"id": f"{role}-1", "role": role, "unit": actor_unit},
        "data": data,
    }


LINES = [
    line("e1", "C-1", "submit", "2026-03-17T09:15:00+07:00", "reporter", **SUBMIT),
    line("e2", "C-2", "submit", "2026-03-02T10:00:00+07:00", "reporter", **SUBMIT),
    line("e3", "C-1", "hold", "2026-03-25T10:00:00+07:00", reason="Data kurang"),
    line("e4", "C-2", "verify", "2026-03-03T10:00:00+07:00", classification="pengaduan"),
    line("e5", "C-2", "dispatch", "2026-03-03T11:00:00+07:00", unit="dinas-pu"),
]


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in LINES) + "\n", encoding="utf-8")
    return path


def run_json(capsys, *argv):
    assert main(["sla", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sla_is_a_registered_command():
    assert "sla" in _COMMANDS


def test_json_has_one_object_per_complaint_and_clock_with_the_documented_keys(events, capsys):
    rows = run_json(capsys, str(events), "--as-of", "2026-03-26T09:00:00+07:00")
    assert [(r["complaint"], r["clock"]) for r in rows] == [
        (c, k)
        for c in ("C-1", "C-2")
        for k in ("verification", "follow_up", "closure", "resolution")
    ]
    assert set(rows[0]) == {
        "complaint",
        "clock",
        "status",
        "breached",
        "deadline",
        "cycles",
        "remaining_seconds",
        "remaining_unit",
        "remaining_working_seconds",
        "elapsed_seconds",
        "elapsed_unit",
        "as_of",
    }
    verification = rows[0]
    assert verification["status"] == "paused"
    assert verification["deadline"] is None  # paused before its deadline
    assert verification["cycles"] == 1
    follow_up = rows[5]
    assert follow_up["status"] == "running"
    assert follow_up["deadline"] == "2026-03-11T00:00:00+07:00"
    assert follow_up["breached"] is True
    assert follow_up["remaining_seconds"] < 0
    not_started = rows[1]
    assert not_started == {
        "complaint": "C-1",
        "clock": "follow_up",
        "status": "not_started",
        "breached": False,
        "deadline": None,
        "cycles": 0,
        "remaining_seconds": None,
        "remaining_unit": "working",
        "remaining_working_seconds": None,
        "elapsed_seconds": None,
        "elapsed_unit": "working",
        "as_of": "2026-03-26T09:00:00+07:00",
    }


def test_remaining_seconds_counts_working_seconds(events, capsys):
    rows = run_json(
        capsys, str(events), "--as-of", "2026-03-26T09:00:00+07:00", "--clock", "verification"
    )
    c2 = rows[1]
    assert c2["status"] == "stopped"
    assert c2["remaining_seconds"] is None
    rows = run_json(
        capsys, str(events), "--as-of", "2026-03-25T09:00:00+07:00", "--clock", "verification"
    )
    # Wed 25 March 09:00 to the end of Fri 27 March (Perpres 21/2023 hours): Wed 09:00-16:00
    # less the break (6h), Thu 7.5h, Fri 7.5h.
    assert rows[0]["remaining_seconds"] == 21 * 3600


def test_clock_filters_and_events_after_as_of_are_ignored(events, capsys):
    rows = run_json(
        capsys, str(events), "--as-of", "2026-03-03T10:30:00+07:00", "--clock", "resolution"
    )
    assert [(r["complaint"], r["status"]) for r in rows] == [("C-2", "running")]


def test_the_table_shows_one_row_per_complaint_and_clock(events, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["sla", str(events), "--as-of", "2026-03-26T09:00:00+07:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    bahasa = ["Laporan", "Jam", "SLA", "Status", "Terlambat", "Batas", "waktu", "Sisa", "Siklus"]
    assert out[0].split() == bahasa
    assert out[1].split() == [
        "complaint",
        "clock",
        "status",
        "breached",
        "deadline",
        "remaining",
        "cycles",
    ]
    assert len(out) == 3 + 8
    assert out[3].split()[:4] == ["C-1", "verification", "paused", "no"]


def test_the_table_fits_80_columns_and_says_the_unit_of_the_time_left(events, capsys):
    assert main(["sla", str(events), "--as-of", "2026-03-26T09:00:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert " working" in out
    assert " calendar" in out


def test_an_unknown_clock_is_refused_with_the_known_ones(events, capsys):
    assert main(["sla", str(events), "--clock", "answer"]) == 2
    err = capsys.readouterr().err
    assert "unknown clock 'answer'" in err
    assert "verification, follow_up, closure, resolution" in err


def test_a_refused_event_stops_the_run(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    bad = line("e9", "C-9", "dispatch", "2026-03-03T11:00:00+07:00", unit="dinas-pu")
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["sla", str(path), "--as-of", "2026-03-04T00:00:00+07:00"]) == 2
    err = capsys.readouterr().err
    assert "refused" in err
    assert f"{path}:line 1: refused" in err


def test_a_malformed_line_or_missing_file_is_an_error(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    assert main(["sla", str(path), "--as-of", "2026-03-04T00:00:00+07:00"]) == 2
    assert "line 1" in capsys.readouterr().err
    assert main(["sla", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_naive_as_of_is_refused(events, capsys):
    with pytest.raises(SystemExit) as info:
        main(["sla", str(events), "--as-of", "2026-03-04T00:00:00"])
    assert info.value.code == 2
    assert "naive" in capsys.readouterr().err


def test_remaining_seconds_of_a_calendar_clock_counts_the_working_time_left(events, capsys):
    rows = run_json(
        capsys, str(events), "--as-of", "2026-04-29T10:00:00+07:00", "--clock", "resolution"
    )
    c2 = rows[1]
    # C-2 was verified on Tue 3 March at 10:00: its 60 calendar days end Sat 2 May 10:00.
    # Three days are left; their working time: Wed 10:00-16:00 less the break (5h), Thu
    # (7.5h); Fri 1 May is a holiday (Hari Buruh) and Saturday is not worked.
    assert c2["deadline"] == "2026-05-02T10:00:00+07:00"
    assert c2["remaining_working_seconds"] == int(12.5 * 3600)
    # What the table shows: calendar time, as the clock's target counts it.
    assert c2["remaining_unit"] == "calendar"
    assert c2["remaining_seconds"] == 3 * 86_400
