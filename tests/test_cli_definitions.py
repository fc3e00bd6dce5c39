"""The CLI on every regency: --calendar/--tz, definition files, standard input, encodings."""

from __future__ import annotations

import io
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from pengaduan import codecs
from pengaduan._cli import main
from pengaduan.calendar import Holiday, HolidayKind
from pengaduan.presets import id_gov_calendar, lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.sla import Target

# Tue 8 Sep 2026 00:30 WITA is Mon 7 Sep 23:30 WIB: the local date decides the deadline.
MAKASSAR = {
    "id": "M-1#1",
    "complaint": "M-1",
    "action": "submit",
    "at": "2026-09-08T00:30:00+08:00",
    "actor": {"id": "warga-1", "role": "reporter", "unit": None},
    "data": {"title": "Jalan rusak", "body": "Lubang", "channel": "web"},
}
FRIDAY_NOON_WITA = "2026-09-11T12:00:00+08:00"


def _events(*records: dict[str, object]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.fixture
def makassar(tmp_path: Path) -> Path:
    path = tmp_path / "makassar.jsonl"
    path.write_text(_events(MAKASSAR), encoding="utf-8")
    return path


def _verification(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["sla", *argv, "--clock", "verification", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert isinstance(row, dict)
    return row


@pytest.mark.parametrize("zone", [["--tz", "WITA"], ["--calendar", "id-gov", "--tz", "WITA"]])
def test_sla_on_the_wita_calendar_leaves_the_makassar_complaint_three_and_a_half_hours(
    makassar: Path, capsys: pytest.CaptureFixture[str], zone: list[str]
) -> None:
    row = _verification(capsys, str(makassar), "--as-of", FRIDAY_NOON_WITA, *zone)
    assert row["breached"] is False
    assert row["deadline"] == "2026-09-12T00:00:00+08:00"
    assert row["remaining_working_seconds"] == 3.5 * 3600


def test_sla_on_the_default_wib_calendar_counts_the_makassar_complaint_from_monday(
    makassar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _verification(capsys, str(makassar), "--as-of", FRIDAY_NOON_WITA)
    assert row["breached"] is True
    assert row["deadline"] == "2026-09-11T00:00:00+07:00"


def test_the_sla_table_on_wita_shows_the_deadline_in_wita_and_the_working_time_left(
    makassar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sla", str(makassar), "--as-of", FRIDAY_NOON_WITA, "--tz", "WITA"]
    assert main([*argv, "--clock", "verification"]) == 0
    out = capsys.readouterr().out
    assert "2026-09-12 00:00 +08:00" in out
    assert "3h 30m" in out


def test_due_and_tick_follow_the_wita_calendar(
    makassar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On WIB the verification deadline was Thursday: its reminder (D+1) is due on Friday.
    assert main(["due", str(makassar), "--as-of", FRIDAY_NOON_WITA, "--json"]) == 0
    assert [a["rule"] for a in json.loads(capsys.readouterr().out)] == ["verification.1"]
    assert main(["due", str(makassar), "--as-of", FRIDAY_NOON_WITA, "--tz", "WITA"]) == 0
    assert "nothing due" in capsys.readouterr().out
    assert main(["tick", str(makassar), "--as-of", FRIDAY_NOON_WITA, "--tz", "WITA"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing due" in captured.err
    # On WITA the reminder comes on Monday 14 September at 07:30 local time.
    monday = "2026-09-14T07:30:00+08:00"
    assert main(["tick", str(makassar), "--as-of", monday, "--tz", "WITA"]) == 0
    (event,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert event["data"]["due_at"] == "2026-09-14T07:30:00+08:00"


def test_report_counts_years_by_the_local_date_of_the_calendar_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 31 Dec 2025 23:30 WIB is 1 Jan 2026 00:30 WITA.
    path = tmp_path / "new-year.jsonl"
    path.write_text(_events({**MAKASSAR, "at": "2025-12-31T23:30:00+07:00"}), encoding="utf-8")
    years = {}
    for zone in ("WIB", "WITA"):
        argv = ["report", str(path), "--as-of", "2026-02-01T00:00:00+07:00", "--by", "year"]
        assert main([*argv, "--tz", zone, "--json"]) == 0
        years[zone] = [g["year"] for g in json.loads(capsys.readouterr().out)["groups"]]
    assert years == {"WIB": ["2025"], "WITA": ["2026"]}


def test_an_unknown_zone_is_refused_with_exit_2_and_one_line(
    makassar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", str(makassar), "--tz", "Mars/Olympus"]) == 2
    err = capsys.readouterr().err
    assert "Mars/Olympus" in err
    assert len(err.strip().splitlines()) == 1


# -- definition files -------------------------------------------------------------------


def _dispatched(tmp_path: Path) -> Path:
    """A complaint dispatched on Monday 13 April 2026, 09:00 WITA."""
    t = "2026-04-13T09:00:00+08:00"
    admin = {"id": "adm", "role": "admin_agency", "unit": None}
    path = tmp_path / "dispatched.jsonl"
    path.write_text(
        _events(
            {**MAKASSAR, "at": t},
            {**MAKASSAR, "id": "M-1#2", "action": "verify", "at": t, "actor": admin,
             "data": {"classification": "pengaduan"}},
            {**MAKASSAR, "id": "M-1#3", "action": "dispatch", "at": t, "actor": admin,
             "data": {"unit": "dinas-pu"}},
        ),
        encoding="utf-8",
    )  # fmt: skip
    return path


def _follow_up_deadline(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(["sla", *argv, "--as-of", "2026-04-13T10:00:00+08:00", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    return next(r["deadline"] for r in rows if r["clock"] == "follow_up")


def test_a_calendar_file_with_a_regional_holiday_moves_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _dispatched(tmp_path)
    anniversary = Holiday(date(2026, 4, 15), "Hari Jadi Kabupaten", HolidayKind.REGIONAL)
    calendar = tmp_path / "kabupaten.json"
    calendar.write_text(
        codecs.dumps(id_gov_calendar("WITA", regional_holidays=[anniversary])), encoding="utf-8"
    )
    assert _follow_up_deadline(capsys, str(history), "--tz", "WITA") == "2026-04-21T00:00:00+08:00"
    moved = _follow_up_deadline(capsys, str(history), "--calendar-file", str(calendar))
    assert moved == "2026-04-22T00:00:00+08:00"


def test_a_policy_file_with_another_follow_up_target_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _dispatched(tmp_path)
    preset = lapor_policy(calendar=id_gov_calendar("WITA"))
    policy = preset.with_clock(preset.clock("follow_up").evolve(target=Target.working_days(3)))
    path = tmp_path / "policy.json"
    path.write_text(codecs.dumps(policy), encoding="utf-8")
    assert _follow_up_deadline(capsys, str(history), "--policy", str(path)) == (
        "2026-04-17T00:00:00+08:00"
    )


def test_a_ladder_file_is_used_by_due(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import attrs

    history = _dispatched(tmp_path)
    preset = lapor_ladder()
    rules = tuple(
        attrs.evolve(r, name="verification.early") if r.name == "verification.1" else r
        for r in preset.rules
    )
    path = tmp_path / "ladder.json"
    path.write_text(codecs.dumps(preset.evolve(rules=rules)), encoding="utf-8")
    argv = ["due", str(history), "--as-of", "2026-04-20T08:00:00+07:00", "--json"]
    assert main([*argv, "--ladder", str(path), "--tz", "WITA"]) == 0
    assert {a["rule"] for a in json.loads(capsys.readouterr().out)} == {"follow_up.1"}


def test_a_workflow_file_replays_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _dispatched(tmp_path)
    path = tmp_path / "workflow.json"
    path.write_text(codecs.dumps(lapor_workflow()), encoding="utf-8")
    assert main(["replay", str(history), "--workflow", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "dispatched"


def test_diagram_draws_a_workflow_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import attrs

    preset = lapor_workflow()
    states = tuple(
        attrs.evolve(s, label="Diproses Dinas") if s.name == "dispatched" else s
        for s in preset.states
    )
    path = tmp_path / "workflow.json"
    path.write_text(codecs.dumps(attrs.evolve(preset, states=states)), encoding="utf-8")
    assert main(["diagram", "--workflow", str(path)]) == 0
    assert "Diproses Dinas" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("option", "value", "path"),
    [
        ("--policy", lambda: codecs.to_dict(lapor_policy()), "clocks[1].target"),
        ("--ladder", lambda: codecs.to_dict(lapor_ladder()), "rules[0].offset"),
        ("--workflow", lambda: codecs.to_dict(lapor_workflow()), "actions[0].roles"),
        ("--calendar-file", lambda: codecs.to_dict(id_gov_calendar()), "hours"),
    ],
)
def test_a_bad_definition_file_names_the_file_and_the_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: object, path: str
) -> None:
    data = value()  # type: ignore[operator]
    target: object = data
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]  # type: ignore[index]
    target[last] = 5  # type: ignore[index]
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    history = _dispatched(tmp_path)
    command = "due" if option == "--ladder" else "sla"
    assert main([command, str(history), option, str(file)]) == 2
    err = capsys.readouterr().err
    assert str(file) in err
    assert repr(path) in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("with_policy", [False, True])
def test_a_workflow_file_the_policy_does_not_fit_names_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], with_policy: bool
) -> None:
    # A valid workflow without the "reply" action: the policy's clocks name it (found by
    # test_cli_fuzz's definition bytes, where the message named no file).
    data = json.loads(codecs.dumps(lapor_workflow()))
    for action in data["actions"]:
        if action["name"] == "reply":
            action["name"] = "answer"
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(data), encoding="utf-8")
    argv = ["sla", str(_dispatched(tmp_path)), "--workflow", str(workflow)]
    if with_policy:
        policy = tmp_path / "policy.json"
        policy.write_text(codecs.dumps(lapor_policy()), encoding="utf-8")
        argv += ["--policy", str(policy)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"on the --workflow file {workflow} does not fit" in err
    assert ("--policy file " + str(tmp_path / "policy.json") in err) is with_policy
    assert "reply" in err
    assert len(err.strip().splitlines()) == 1


def test_a_definition_file_that_is_not_utf8_names_its_line_and_byte_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "policy.json"
    file.write_bytes(b'{\n  "name": "kab\xe9"\n}\n')
    assert main(["sla", str(_dispatched(tmp_path)), "--policy", str(file)]) == 2
    err = capsys.readouterr().err
    assert f"{file}:line 2" in err
    assert "byte offset 14" in err


def test_a_missing_definition_file_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sla", str(_dispatched(tmp_path)), "--policy", "nowhere.json"]) == 2
    assert "cannot read --policy nowhere.json" in capsys.readouterr().err


def test_calendar_file_and_tz_together_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calendar = tmp_path / "c.json"
    calendar.write_text(codecs.dumps(id_gov_calendar()), encoding="utf-8")
    argv = ["sla", str(_dispatched(tmp_path)), "--calendar-file", str(calendar), "--tz", "WIT"]
    assert main(argv) == 2
    assert "--calendar-file" in capsys.readouterr().err


# -- input as people have it --------------------------------------------------------------


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    "command",
    [
        ["replay", "-"],
        ["sla", "-", "--as-of", FRIDAY_NOON_WITA],
        ["due", "-", "--as-of", FRIDAY_NOON_WITA],
        ["tick", "-", "--as-of", FRIDAY_NOON_WITA],
        ["report", "-", "--as-of", FRIDAY_NOON_WITA, "--json"],
        ["export", "-", "--viewer", "admin_agency"],
    ],
)
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_dash_reads_standard_input_with_or_without_a_bom(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    bom: bytes,
) -> None:
    _stdin(monkeypatch, bom + _events(MAKASSAR).encode())
    assert main(command) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "M-1" in out or "received" in out or command[0] == "tick"


def test_a_bom_file_is_read(makassar: Path, capsys: pytest.CaptureFixture[str]) -> None:
    makassar.write_bytes(b"\xef\xbb\xbf" + makassar.read_bytes())
    assert main(["replay", str(makassar), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["complaint"] == "M-1"


def test_import_reads_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, b"\xef\xbb\xbf" + _events(MAKASSAR).encode())
    assert main(["import", "-", "--db", str(tmp_path / "s.sqlite")]) == 0
    assert "new: 1" in capsys.readouterr().out


def test_tick_write_refuses_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, _events(MAKASSAR).encode())
    assert main(["tick", "-", "--write"]) == 2
    assert "standard input" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["replay", "sla", "due", "tick", "report", "export"])
def test_a_latin1_file_is_an_error_naming_the_line_and_byte_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "latin1.jsonl"
    second = {**MAKASSAR, "id": "M-2#1", "complaint": "M-2", "data": {**MAKASSAR["data"]}}
    second["data"]["title"] = "Jalan rusak di Désa"  # type: ignore[index]
    path.write_bytes(_events(MAKASSAR, second).encode("latin-1"))
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:line 2" in err
    assert "byte 0xe9 at byte offset" in err
    assert "Traceback" not in err


def test_a_postgres_store_without_psycopg_is_a_missing_extra_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    for argv in (["sla", "--db", "postgresql://db.example/lapor"],
                 ["import", "-", "--db", "postgresql://db.example/lapor"],
                 ["tick", "--db", "postgresql://db.example/lapor"],
                 ["export", "--db", "postgresql://db.example/lapor"]):  # fmt: skip
        _stdin(monkeypatch, b"")
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "pip install 'pengaduan[postgres]'" in err, argv
        assert len(err.strip().splitlines()) == 1


def test_the_working_time_left_and_the_deadline_agree(
    makassar: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = _verification(capsys, str(makassar), "--as-of", FRIDAY_NOON_WITA, "--tz", "WITA")
    assert timedelta(seconds=row["remaining_working_seconds"]) == timedelta(hours=3, minutes=30)  # type: ignore[arg-type]


def test_the_demo_on_wita_sends_its_reminders_at_0730_local_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--complaints", "60", "--tz", "WITA"]) == 0
    out = capsys.readouterr().out
    assert "07:30 WITA |" in out
    assert "(Asia/Makassar)" in out  # the by-year table counts by the local year


def test_simulate_on_wit_starts_at_local_midnight(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--complaints", "3", "--years", "1", "--tz", "WIT"]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["at"].endswith("+09:00")
