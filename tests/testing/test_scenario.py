"""Scenarios: time moves in working days and escalations are recorded when they fall due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan.presets import calendar_24x7, lapor_policy, lapor_workflow
from pengaduan.store import InMemoryStore
from pengaduan.testing import ManualClock, Scenario, assert_escalated, assert_state

WIB = ZoneInfo("Asia/Jakarta")
FRIDAY = datetime(2026, 3, 13, 10, 0, tzinfo=WIB)  # before Idul Fitri 1447 H


def _dispatched_on_friday() -> Scenario:
    s = Scenario(FRIDAY)
    s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
    return s


def test_steps_happen_at_the_scenarios_now_and_are_recorded() -> None:
    s = Scenario(FRIDAY)
    s.complaint("C-1").submitted()
    s.advance(hours=2)
    s.complaint("C-1").verified()
    assert [e.at for e in s["C-1"].events] == [FRIDAY, FRIDAY + timedelta(hours=2)]
    assert_state(s["C-1"], "verified")


def test_the_idul_fitri_complaint_escalates_to_the_head_of_dinas_pu_on_monday_30_march() -> None:
    s = _dispatched_on_friday()
    s.advance(working_days=11)  # one jump; the scenario wakes up whenever something is due
    escalations = [
        (e.at, e.data["level"], e.data["to"], e.data["kind"])
        for e in s["C-1"].events
        if e.action == "escalate"
    ]
    assert escalations == [
        (datetime(2026, 3, 27, 7, 30, tzinfo=WIB), 1, "unit_operator", "remind"),
        (datetime(2026, 3, 30, 7, 30, tzinfo=WIB), 2, "unit_head", "escalate"),
        (datetime(2026, 4, 1, 7, 30, tzinfo=WIB), 3, "regional_head", "escalate"),
        # Good Friday (3 April) is a holiday: +6 working days is Tuesday 7 April.
        (datetime(2026, 4, 7, 7, 30, tzinfo=WIB), 4, "admin_national", "escalate"),
    ]
    s.assert_escalated("C-1", to="unit_head", unit="dinas-pu", on=date(2026, 3, 30))
    assert [str(r) for a in s.notifier.sent for r in a.to] == [
        "unit_operator@dinas-pu",
        "unit_head@dinas-pu",
        "regional_head",
        "admin_national",
    ]
    assert s.now() == datetime(2026, 4, 7, 10, 0, tzinfo=WIB)


def test_a_follow_up_in_time_stops_the_ladder() -> None:
    s = _dispatched_on_friday()
    s.advance(working_days=5)
    s.complaint("C-1").followed_up()
    s.advance(working_days=5)
    s.assert_not_escalated("C-1", kind="escalate")
    s.assert_escalated("C-1", kind="remind", level=1)


def test_the_closure_clock_closes_a_complaint_at_the_end_of_the_tenth_working_day() -> None:
    s = _dispatched_on_friday()
    s.complaint("C-1").followed_up()
    # Working days after Fri 13 March: 16, 17, 25, 26, 27, 30, 31 March, 1, 2, 6 April.
    s.advance(to=datetime(2026, 4, 6, 23, 59, tzinfo=WIB))
    assert_state(s["C-1"], "followed_up")
    s.advance(minutes=1)
    assert_state(s["C-1"], "closed")
    close = s["C-1"].events[-1]
    assert (close.action, close.actor.role, close.at) == (
        "close",
        "system",
        datetime(2026, 4, 7, 0, 0, tzinfo=WIB),
    )


def test_advancing_in_small_steps_or_one_jump_records_the_same_history() -> None:
    jump = _dispatched_on_friday()
    jump.advance(working_days=12)
    steps = _dispatched_on_friday()
    for _ in range(12 * 3):
        steps.advance(hours=8)
    steps.advance(to=jump.now())
    assert steps["C-1"].events == jump["C-1"].events


@settings(max_examples=25)
@given(hops=st.lists(st.integers(min_value=1, max_value=72), min_size=1, max_size=12))
def test_how_time_is_cut_up_does_not_change_what_is_recorded(hops: list[int]) -> None:
    cut = _dispatched_on_friday()
    for hours in hops:
        cut.advance(hours=hours)
    whole = _dispatched_on_friday()
    whole.advance(to=cut.now())
    assert cut["C-1"].events == whole["C-1"].events
    assert cut.notifier.keys == whole.notifier.keys


def test_advance_takes_working_time_and_an_instant() -> None:
    s = Scenario(datetime(2026, 3, 17, 14, 0, tzinfo=WIB))
    assert s.advance(working_time=timedelta(hours=2)) == datetime(2026, 3, 25, 8, 30, tzinfo=WIB)
    assert s.advance(to=datetime(2026, 3, 26, 0, 0, tzinfo=ZoneInfo("UTC"))) == datetime(
        2026, 3, 26, 7, 0, tzinfo=WIB
    )


def test_a_scenario_does_not_run_backwards() -> None:
    s = _dispatched_on_friday()
    with pytest.raises(ValueError, match="a scenario only moves forward"):
        s.advance(to=FRIDAY - timedelta(seconds=1))
    with pytest.raises(ValueError, match="only moves forward"):
        s.advance(working_days=-1)
    assert s.now() == FRIDAY


def test_tick_is_idempotent() -> None:
    s = _dispatched_on_friday()
    s.advance(working_days=6)
    before = s["C-1"]
    assert s.tick().events == ()
    assert s["C-1"] is before


def test_an_unknown_complaint_is_named_with_those_the_scenario_has() -> None:
    s = _dispatched_on_friday()
    with pytest.raises(KeyError, match="no complaint 'C-2'; it has: C-1"):
        s["C-2"]


def test_a_store_receives_every_step_and_every_escalation() -> None:
    store = InMemoryStore(workflow=lapor_workflow())
    s = Scenario(FRIDAY, store=store)
    s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
    s.advance(working_days=6)
    assert store.load("C-1") == s["C-1"]
    assert [e.action for _, e in store.events()][-2:] == ["escalate", "escalate"]


def test_a_scenario_shares_a_clock_and_takes_its_own_definitions() -> None:
    clock = ManualClock(FRIDAY)
    policy = lapor_policy(calendar=calendar_24x7("Asia/Jakarta"))
    s = Scenario(clock, calendar=calendar_24x7("Asia/Jakarta"), policy=policy)
    s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
    s.advance(days=5)
    assert clock.now() == FRIDAY + timedelta(days=5)
    # On a 24x7 calendar 5 working days end at the end of Wednesday 18 March.
    s.assert_deadline("C-1", "follow_up", date(2026, 3, 18))
    s.assert_not_breached("C-1", "follow_up")
    s.advance(days=1)
    s.assert_breached("C-1", "follow_up")
    assert_escalated(s["C-1"], to="unit_operator", on=date(2026, 3, 18), tz=WIB)


def test_a_custom_workflow_needs_a_policy() -> None:
    s = Scenario(FRIDAY, workflow=lapor_workflow().evolve(name="kabupaten-x"))
    s.complaint("C-1").submitted()
    with pytest.raises(TypeError, match=r"no default SLA policy: pass Scenario\(\.\.\., policy="):
        s.evaluate("C-1")


def test_a_custom_workflow_without_a_ladder_moves_time_and_ticks_nothing() -> None:
    s = Scenario(FRIDAY, workflow=lapor_workflow().evolve(name="kabupaten-x"))
    s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
    assert s.ladder is None
    assert s.advance(working_days=30) > FRIDAY + timedelta(days=30)
    assert s.tick().events == ()
    s.assert_not_escalated("C-1")


def test_advance_takes_exactly_one_way_of_moving() -> None:
    s = _dispatched_on_friday()
    with pytest.raises(TypeError, match="exactly one of: working_days=, working_time=, to="):
        s.advance(working_days=1, hours=2)
    with pytest.raises(TypeError, match="exactly one of"):
        s.advance()
    assert s.now() == FRIDAY
