"""The `pengaduan` command: replay, diagram, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pengaduan._cli import _COMMANDS, main

LINES = [
    {
        "id": "e1",
        "complaint": "C-1",
        "action": "submit",
        "at": "2026-03-17T09:15:00+07:00",
        "actor": {"id": "warga", "role": "reporter", "unit": None},
        "data": {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"},
    },
    {
        "id": "e2",
        "complaint": "C-2",
        "action": "submit",
        "at": "2026-03-17T10:00:00+07:00",
        "actor": {"id": "warga-2", "role": "reporter", "unit": None},
        "data": {"title": "Lampu mati", "body": "Gelap", "channel": "sms"},
    },
    {
        "id": "e3",
        "complaint": "C-1",
        "action": "verify",
        "at": "2026-03-18T08:00:00+07:00",
        "actor": {"id": "adm", "role": "admin_agency", "unit": None},
        "data": {"classification": "pengaduan"},
    },
    {
        "id": "e4",
        "complaint": "C-1",
        "action": "dispatch",
        "at": "2026-03-18T08:05:00+07:00",
        "actor": {"id": "adm", "role": "admin_agency", "unit": None},
        "data": {"unit": "dinas-pu"},
    },
]
BAD = {
    "id": "e5",
    "complaint": "C-2",
    "action": "follow_up",
    "at": "2026-03-19T08:00:00+07:00",
    "actor": {"id": "op", "role": "unit_operator", "unit": "dinas-pu"},
    "data": {"response": "x"},
}


def write(tmp_path: Path, records) -> str:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_replay_prints_one_row_per_complaint(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    assert main(["replay", write(tmp_path, LINES)]) == 0
    out = capsys.readouterr().out.splitlines()
    heads = " ".join(" ".join(line.split()) for line in out[:3])
    for head in ("complaint", "state", "label", "unit", "events", "last action", "last at"):
        assert head in heads
    first = next(i for i, line in enumerate(out) if line.startswith("C-1"))
    assert out[first].split()[:2] == ["C-1", "dispatched"]
    assert "Terdisposisi" in out[first]
    assert out[first + 1].split()[:2] == ["C-2", "submitted"]


def test_replay_json_has_the_documented_keys(tmp_path, capsys) -> None:
    assert main(["replay", write(tmp_path, LINES), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "complaint": "C-1",
        "state": "dispatched",
        "label": "Terdisposisi",
        "unit": "dinas-pu",
        "events": 3,
        "last_action": "dispatch",
        "last_at": "2026-03-18T08:05:00+07:00",
    }


def test_replay_as_of_ignores_later_events(tmp_path, capsys) -> None:
    assert (
        main(["replay", write(tmp_path, LINES), "--json", "--as-of", "2026-03-18T00:00:00Z"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [(r["complaint"], r["state"]) for r in rows] == [
        ("C-1", "submitted"),
        ("C-2", "submitted"),
    ]


def test_replay_refuses_a_naive_as_of(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["replay", write(tmp_path, LINES), "--as-of", "2026-03-18T00:00:00"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "timezone-aware" in err
    # The fix in the command line's terms (an offset), not the library's (tzinfo=...).
    assert "add one, e.g. 2026-03-18T00:00:00+07:00 (WIB)" in err
    assert "tzinfo" not in err


def test_a_refused_event_stops_replay_with_exit_2_naming_everything(tmp_path, capsys) -> None:
    path = write(tmp_path, [*LINES, BAD, LINES[0]])
    assert main(["replay", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "pengaduan: error: "
        f"{path}:line 5: refused: cannot 'follow_up': complaint 'C-2' is 'submitted'"
    )
    assert "allowed there: hold, verify, archive, comment, escalate" in err


def test_skip_invalid_reports_each_refused_line_and_goes_on(tmp_path, capsys) -> None:
    path = write(tmp_path, [*LINES, BAD])
    with open(path, "a", encoding="utf-8") as f:
        f.write("{broken\n")
    assert main(["replay", path, "--skip-invalid", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 2
    assert "line 5: skipped: cannot 'follow_up'" in captured.err
    assert "line 6: skipped: not valid JSON" in captured.err


def test_a_malformed_line_stops_replay_with_its_line_number(tmp_path, capsys) -> None:
    path = write(tmp_path, [LINES[0], {**LINES[1], "at": "2026-03-17T10:00:00"}])
    assert main(["replay", path]) == 2
    assert "line 2: field 'at'" in capsys.readouterr().err


def test_replay_of_a_missing_file_fails_clearly(tmp_path, capsys) -> None:
    assert main(["replay", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_diagram_prints_mermaid(capsys) -> None:
    assert main(["diagram", "--format", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2")
    assert "followed_up --> closed: close" in out


def test_demo_runs_the_scenario_end_to_end(capsys) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Scenario muara-enim" in out
    assert "Selesai" in out


@pytest.mark.parametrize("command", ["", *_COMMANDS])
def test_every_command_has_help(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command.split(), "--help"])
    assert info.value.code == 0
    assert "usage: pengaduan" in capsys.readouterr().out


def test_the_console_script_module_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pengaduan", "diagram"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("stateDiagram-v2")
