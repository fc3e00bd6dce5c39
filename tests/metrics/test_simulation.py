"""Simulation: reproducible histories the workflow accepts, and what-ifs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan import DefinitionError, NaiveDatetimeError
from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow
from pengaduan.simulation import (
    Reminders,
    Scenario,
    UnitProfile,
    compare_policies,
    compare_scenarios,
    muara_enim,
    muara_enim_ladder,
    simulate,
)
from pengaduan.sla import Target

from .conftest import WIB, wib


def small(**changes) -> Scenario:
    base = Scenario(
        name="small",
        start=wib(1, 1, 0),
        end=wib(4, 1, 0),
        complaints=30,
        units=(UnitProfile("a", follow_up_days=2.0), UnitProfile("b", follow_up_days=6.0)),
        calendar=id_gov_calendar(),
        archive_share=0.1,
        hold_share=0.2,
        reply_share=0.2,
    )
    return base.evolve(**changes)


def test_the_same_seed_gives_the_same_history() -> None:
    assert simulate(small(), seed=3).events == simulate(small(), seed=3).events


def test_another_seed_gives_another_history() -> None:
    assert simulate(small(), seed=3).events != simulate(small(), seed=4).events


@settings(max_examples=15)
@given(st.integers(0, 10_000))
def test_every_simulated_event_is_accepted_by_the_workflow(seed: int) -> None:
    history = simulate(small(), seed=seed)
    complaints = lapor_workflow().replay(history.events)  # raises on any refusal
    # A walk-in arriving after office hours on the last day is entered after the period.
    assert 25 <= len(complaints) <= 30


@settings(max_examples=15)
@given(st.integers(0, 10_000))
def test_events_are_in_time_order_and_inside_the_period(seed: int) -> None:
    scenario = small()
    events = simulate(scenario, seed=seed).events
    instants = [e.at for e in events]
    assert instants == sorted(instants)
    assert all(scenario.start <= t <= scenario.end for t in instants)


def test_the_scenario_shares_show_in_the_history() -> None:
    scenario = small(complaints=400, archive_share=0.25, hold_share=0.0, reply_share=0.0)
    actions = [e.action for e in simulate(scenario, seed=1).events]
    assert 70 <= actions.count("archive") <= 130
    assert "hold" not in actions
    assert "reply" not in actions


def test_a_slower_unit_follows_up_later() -> None:
    m = simulate(small(complaints=200), seed=2).measure(by="unit")
    assert m["a"].follow_up_time.median_days < m["b"].follow_up_time.median_days


def test_without_reminders_no_escalation_is_recorded_and_complaints_still_close() -> None:
    actions = [e.action for e in simulate(small(), seed=5).events]
    assert "escalate" not in actions
    assert "close" in actions


def test_reminders_are_recorded_only_once_the_ladder_is_switched_on() -> None:
    since = wib(2, 15, 0)
    scenario = small(reminders=Reminders(muara_enim_ladder(), since=since), neglect_share=0.2)
    events = simulate(scenario, seed=5).events
    escalations = [e for e in events if e.action == "escalate"]
    assert escalations
    assert all(e.at >= since for e in escalations)
    assert all(e.actor.role == "system" and "key" in e.data for e in escalations)


def test_reminders_shorten_follow_up_from_the_same_seed() -> None:
    with_ladder = small(complaints=80, reminders=Reminders(muara_enim_ladder()))
    comparison = compare_scenarios(small(complaints=80), with_ladder, seed=9)
    assert (
        comparison.after.total.follow_up_time.mean_days
        < comparison.before.total.follow_up_time.mean_days
    )
    # The same arrivals: the same number of complaints received by the end.
    assert comparison.after.total.received == comparison.before.total.received


def test_muara_enim_is_shaped_on_the_published_figures() -> None:
    m = simulate(muara_enim(), seed=1).measure(policy=lapor_policy(), by="year")
    first, second = m.groups
    assert 240 <= m.total.received <= 280
    assert 5.0 <= first.follow_up_time.mean_days <= 9.5
    assert 1.0 <= second.follow_up_time.mean_days <= 3.5
    assert first.reminders < second.reminders
    assert m.total.settlement_rate > 0.9


def test_switching_the_ladder_on_at_midnight_of_a_holiday_messages_nobody_before_office_hours() -> (
    None
):
    # muara_enim switches its reminders on at 00:00 on 1 January 2026 (a holiday); what fell
    # due while they were off is caught up at the next opening, like every other message.
    history = simulate(muara_enim(), seed=3)
    calendar = history.scenario.calendar
    since = history.scenario.reminders.since
    messages = [e for e in history.events if e.action == "escalate"]
    assert any(e.at >= since for e in messages)
    assert [e.id for e in messages if not calendar.is_working(e.at)] == []
    assert min(e.at for e in messages if e.at >= since) >= calendar.next_working(since)


def test_muara_enim_without_the_ladder_sends_no_reminder() -> None:
    events = simulate(muara_enim(complaints=60, ladder_from_year=None), seed=1).events
    assert not [e for e in events if e.action == "escalate" and e.data.get("kind") != "close"]


def test_compare_policies_measures_the_same_history_twice() -> None:
    history = simulate(small(complaints=60), seed=4)
    lenient = lapor_policy().with_target("follow_up", Target.working_days(10))
    comparison = compare_policies(
        history.complaints(),
        history.scenario.end,
        before=lapor_policy(),
        after=lenient,
        labels=("5", "10"),
    )
    before = comparison.before.total.compliance["follow_up"]
    after = comparison.after.total.compliance["follow_up"]
    assert before.stopped == after.stopped
    assert after.met >= before.met
    assert after.met > before.met  # unit b takes 6 working days at the median
    rows = comparison.rows()
    row = next(r for r in rows if r["group"] == "all" and r["measure"] == "compliance_follow_up")
    assert row["change"] == pytest.approx(row["10"] - row["5"])
    assert "compliance_follow_up" in str(comparison)
    assert "<table" in comparison._repr_html_()
    assert len(comparison.to_frame()) == len(rows)


def test_compare_policies_by_group_compares_each_group() -> None:
    history = simulate(small(complaints=40), seed=4)
    policy = lapor_policy()
    rows = compare_policies(
        history.complaints(), history.scenario.end, before=policy, after=policy, by="unit"
    )
    groups = {r["group"] for r in rows.rows()}
    assert {"all", "a", "b"} <= groups
    assert all(r["change"] in (0, 0.0, None) for r in rows.rows())


def test_progress_is_reported_for_every_complaint() -> None:
    seen: list[tuple[int, int]] = []
    simulate(small(complaints=5), seed=1, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 5) for n in range(1, 6)]


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"end": wib(1, 1, 0)}, "end must come after its start"),
        ({"complaints": -1}, "cannot be negative"),
        ({"units": ()}, "at least one unit"),
        ({"channels": {"fax": 1}}, "unknown channel 'fax'"),
        ({"classifications": {"gossip": 1}}, "unknown classification 'gossip'"),
        ({"archive_share": 1.5}, "between 0 and 1"),
        ({"verify_days": 0}, "must be positive"),
    ],
)
def test_inconsistent_scenarios_are_refused(changes: dict, match: str) -> None:
    with pytest.raises(DefinitionError, match=match):
        small(**changes)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        small(start=datetime(2026, 1, 1))


def test_with_unit_replaces_or_adds_a_unit() -> None:
    scenario = small().with_unit(UnitProfile("a", follow_up_days=9.0))
    assert [u.follow_up_days for u in scenario.units] == [9.0, 6.0]
    assert len(small().with_unit(UnitProfile("c")).units) == 3


def test_muara_enim_accepts_another_start() -> None:
    scenario = muara_enim(start=datetime(2018, 1, 1, tzinfo=WIB), years=1, complaints=10)
    assert scenario.end - scenario.start == timedelta(days=365)
