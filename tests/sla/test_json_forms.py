"""The public JSON forms of clock states, evaluations and due actions."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pengaduan.escalation import due
from pengaduan.interchange import clock_state_to_dict, due_action_to_dict, evaluation_to_dict
from pengaduan.model import Actor
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.sla import Target, evaluate

WIB = ZoneInfo("Asia/Jakarta")
AT = datetime(2026, 6, 8, 9, tzinfo=WIB)


def _dispatched():
    wf = lapor_workflow()
    c = wf.apply(
        wf.new("C-1"),
        "submit",
        Actor("w", "reporter"),
        AT,
        {"title": "Jalan rusak", "body": "...", "channel": "web"},
    )
    c = wf.apply(c, "verify", Actor("a", "admin_agency"), AT, {"classification": "pengaduan"})
    return wf.apply(c, "dispatch", Actor("a", "admin_agency"), AT, {"unit": "dinas-pu"})


def test_a_clock_state_has_iso_instants_with_offset_and_named_units() -> None:
    later = AT + timedelta(days=1)
    record = clock_state_to_dict(evaluate(_dispatched(), later, policy=lapor_policy())["follow_up"])
    assert record["status"] == "running"
    assert datetime.fromisoformat(record["deadline"]).utcoffset() == timedelta(hours=7)
    assert record["as_of"] == later.isoformat()
    assert record["remaining_unit"] == "working"
    assert record["elapsed_unit"] == "working"
    assert isinstance(record["remaining_seconds"], int)
    assert record["remaining_seconds"] > 0
    assert json.loads(json.dumps(record)) == record


def test_a_calendar_clock_names_its_elapsed_time_calendar() -> None:
    policy = lapor_policy(resolution=Target.calendar_days(60))
    record = clock_state_to_dict(
        evaluate(_dispatched(), AT + timedelta(hours=5), policy=policy)["resolution"]
    )
    assert record["elapsed_unit"] == "calendar"
    assert record["elapsed_seconds"] == 5 * 3600


def test_an_evaluation_wraps_every_clock_in_the_policys_order() -> None:
    evaluation = evaluate(_dispatched(), AT, policy=lapor_policy())
    record = evaluation_to_dict(evaluation)
    assert record["complaint"] == "C-1"
    assert [c["clock"] for c in record["clocks"]] == list(lapor_policy().names)
    assert record["next_change_at"] == evaluation.next_change_at.isoformat()
    assert (record["policy"], record["policy_version"]) == (evaluation.policy, evaluation.version)
    assert json.loads(json.dumps(record)) == record


def test_a_due_action_has_its_key_and_iso_instants() -> None:
    (first, *_rest) = due(_dispatched(), AT + timedelta(days=9), ladder=lapor_ladder())
    record = due_action_to_dict(first)
    assert record["key"] == first.key
    assert datetime.fromisoformat(record["due_at"]) == first.due_at
    assert record["to"] == [{"role": r.role, "unit": r.unit} for r in first.to]
    assert json.loads(json.dumps(record)) == record
