"""`pengaduan due` and `pengaduan tick` over a JSON Lines event file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from escalation_support import Lapor, wib

from pengaduan._cli import _COMMANDS, main
from pengaduan.interchange import read_events, write_events
from pengaduan.presets import lapor_workflow

AS_OF = "2026-06-17T08:00:00+07:00"


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    """Two complaints: C-1 dispatched Mon 8 June 2026 (late by 17 June), C-2 just submitted."""
    one = Lapor("C-1").routed(wib(2026, 6, 8, 9)).complaint
    two = Lapor("C-2").submit(wib(2026, 6, 16, 9)).complaint
    path = tmp_path / "events.jsonl"
    with path.open("w", encoding="utf-8") as target:
        write_events(sorted((*one.events, *two.events), key=lambda e: e.at), target)
    return path


def test_the_commands_are_registered() -> None:
    assert {"due", "tick"} <= set(_COMMANDS)


def test_due_json_lists_each_action_with_the_documented_keys(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", str(events_file), "--as-of", AS_OF, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in records] == [
        "C-1/follow_up/1/follow_up.1/0",
        "C-1/follow_up/1/follow_up.2/0",
    ]
    first = records[0]
    assert {"complaint", "clock", "level", "to", "due_at", "key", "action", "message"} <= set(first)
    assert first["to"] == [{"role": "unit_operator", "unit": "dinas-pu"}]
    assert first["due_at"] == "2026-06-15T07:30:00+07:00"
    assert first["message"].startswith("[Pengingat tingkat 1] Laporan C-1")


def test_due_prints_a_table_and_english_on_request(
    events_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["due", str(events_file), "--as-of", AS_OF, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == [
        "due",
        "at",
        "complaint",
        "clock",
        "level",
        "action",
        "to",
        "message",
    ]
    assert "unit_head@dinas-pu" in out
    assert "[Escalation level 2] Complaint C-1" in out


def test_due_at_80_columns_wraps_the_message_within_the_width(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", str(events_file), "--as-of", AS_OF, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "[Escalation level 2]" in out


def test_due_says_when_nothing_is_due(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["due", str(events_file), "--as-of", "2026-06-09T08:00:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Tidak ada yang jatuh tempo / nothing due as of 2026-06-09T08:00:00+07:00"
    )


def test_tick_prints_events_and_writes_them_only_with_write(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = events_file.read_text(encoding="utf-8")
    assert main(["tick", str(events_file), "--as-of", AS_OF]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["action"] for p in printed] == ["escalate", "escalate"]
    assert events_file.read_text(encoding="utf-8") == before

    assert main(["tick", str(events_file), "--as-of", AS_OF, "--write"]) == 0
    capsys.readouterr()
    written = list(read_events(str(events_file)))
    assert [e.id for e in written[-2:]] == [p["id"] for p in printed]
    # A second run at the same instant finds nothing to do and writes nothing.
    after = events_file.read_text(encoding="utf-8")
    assert main(["tick", str(events_file), "--as-of", AS_OF, "--write"]) == 0
    assert capsys.readouterr().out == ""
    assert events_file.read_text(encoding="utf-8") == after
    assert main(["due", str(events_file), "--as-of", AS_OF, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_tick_appends_after_a_last_line_without_newline(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events_file.write_text(events_file.read_text(encoding="utf-8").rstrip("\n"), "utf-8")
    assert main(["tick", str(events_file), "--as-of", AS_OF, "--write"]) == 0
    capsys.readouterr()
    assert len(list(read_events(str(events_file)))) == 6


def test_tick_reports_a_refused_action_with_exit_code_1(
    events_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A comment after the tick instant: the tick's events would be out of order.
    late = Lapor("C-1").routed(wib(2026, 6, 8, 9))
    late.do("comment", wib(2026, 6, 20, 9), message="cek")
    with events_file.open("a", encoding="utf-8") as target:
        write_events(late.complaint.events[-1:], target)
    assert main(["tick", str(events_file), "--as-of", AS_OF]) == 1
    err = capsys.readouterr().err
    assert "refused C-1/follow_up/1/follow_up.1/0" in err


@pytest.mark.parametrize("command", ["due", "tick"])
def test_a_missing_file_or_a_bad_instant_fails_cleanly(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, str(tmp_path / "none.jsonl"), "--as-of", AS_OF]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([command, str(tmp_path / "none.jsonl"), "--as-of", "2026-06-17T08:00:00"])


def test_a_malformed_file_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n", encoding="utf-8")
    assert main(["due", str(path), "--as-of", AS_OF]) == 2
    assert "pengaduan: error:" in capsys.readouterr().err


@pytest.fixture
def store_path(events_file: Path) -> Path:
    """The same history in a SQLite event store."""
    from pengaduan.store import open_store

    path = events_file.with_suffix(".sqlite")
    store = open_store(str(path), workflow=lapor_workflow())
    try:
        for event in read_events(str(events_file)):
            store.append(event.complaint, [event])
    finally:
        store.close()
    return path


def test_due_and_tick_read_and_write_an_event_store(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pengaduan.store import open_store

    assert main(["due", "--db", str(store_path), "--as-of", AS_OF, "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["tick", "--db", str(store_path), "--as-of", AS_OF, "--write"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    store = open_store(str(store_path), workflow=lapor_workflow())
    try:
        stored = store.load("C-1")
    finally:
        store.close()
    assert [e.id for e in stored.events[-2:]] == [p["id"] for p in printed]
    assert main(["tick", "--db", str(store_path), "--as-of", AS_OF, "--write"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["due", "--db", str(store_path), "--as-of", AS_OF, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_missing_store_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.sqlite"
    assert main(["tick", "--db", str(missing), "--as-of", AS_OF, "--write"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not missing.exists()


def test_tick_write_to_a_store_changed_since_it_was_read_decides_again_and_writes_nothing_stale(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pengaduan import escalation
    from pengaduan.store import open_store

    real_tick = escalation.tick
    follow_up = Lapor("C-1").routed(wib(2026, 6, 8, 9)).follow_up(wib(2026, 6, 17, 7, 45))
    concurrent = follow_up.complaint.events[-1]
    calls = []

    def tick_then_someone_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_tick(*args, **kwargs)
        calls.append(result)
        if len(calls) == 1:
            store = open_store(str(store_path), workflow=lapor_workflow())
            try:  # another writer records the unit's follow-up meanwhile
                store.append("C-1", [concurrent])
            finally:
                store.close()
        return result

    monkeypatch.setattr(escalation, "tick", tick_then_someone_writes)
    # The desk meets the conflict, reloads and decides again: after the follow-up nothing
    # is due, so nothing is written (the reminders decided on the stale history are not).
    assert main(["tick", "--db", str(store_path), "--as-of", AS_OF, "--write"]) == 0
    assert calls[0].events  # the first decision had reminders to send
    assert "nothing due" in capsys.readouterr().err
    store = open_store(str(store_path), workflow=lapor_workflow())
    try:
        stored = store.load("C-1")
    finally:
        store.close()
    assert stored.events[-1].id == concurrent.id
    assert [e.action for e in stored.events].count("escalate") == 0
