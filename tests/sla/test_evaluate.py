"""Evaluation semantics: targets, pauses, breaches, cycles and precedence, by hand-checked cases.

The office calendar works Mon-Fri 09:00-12:00 and 13:00-17:00 (WIB) with no holidays;
2 March 2026 is a Monday.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sla_support import (
    GENERIC,
    OFFICE,
    generic_policy,
    history,
    hours,
    wib,
)

from pengaduan import NaiveDatetimeError
from pengaduan.sla import (
    ClockStatus,
    Condition,
    Target,
    evaluate,
    evaluate_many,
    expected_datetime,
    what_if,
)

MON = wib(2026, 3, 2, 10)


def clock_of(steps: list[tuple[str, datetime]], target: Target, as_of: datetime, **changes):
    return evaluate(history(steps), as_of, policy=generic_policy(target, **changes))["c"]


# -- working days ------------------------------------------------------------------------------


def test_working_days_deadline_ends_the_nth_working_day_after_the_start_date():
    state = clock_of([("begin", MON)], Target.working_days(3), wib(2026, 3, 3, 9))
    assert state.status is ClockStatus.RUNNING
    assert state.deadline == wib(2026, 3, 6)  # the end of Thursday 5 March
    assert state.deadline == OFFICE.add_working_days(MON, 3)
    assert not state.breached


def test_working_days_pause_moves_the_deadline_by_working_days_between():
    steps = [("begin", MON), ("hold", wib(2026, 3, 3, 10)), ("release", wib(2026, 3, 4, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 4, 11))
    assert OFFICE.working_days_between(wib(2026, 3, 3, 10), wib(2026, 3, 4, 10)) == 1
    assert state.deadline == wib(2026, 3, 7)  # one working day later: the end of Friday
    (pause,) = state.current.pauses
    assert (pause.start, pause.end, pause.cause) == (
        wib(2026, 3, 3, 10),
        wib(2026, 3, 4, 10),
        "held",
    )


def test_a_cycle_stopped_before_the_deadline_is_met_and_at_the_deadline_missed():
    just_before = wib(2026, 3, 6) - timedelta(microseconds=1)
    met = clock_of([("begin", MON), ("finish", just_before)], Target.working_days(3), just_before)
    assert met.status is ClockStatus.STOPPED
    assert met.current.met is True
    assert not met.breached
    missed = clock_of(
        [("begin", MON), ("finish", wib(2026, 3, 6))], Target.working_days(3), wib(2026, 3, 9)
    )
    assert missed.current.met is False
    assert missed.breached
    assert missed.current.breach_at == wib(2026, 3, 6)


def test_a_running_clock_is_breached_once_as_of_reaches_the_deadline():
    before = clock_of([("begin", MON)], Target.working_days(3), wib(2026, 3, 6) - hours(1))
    at = clock_of([("begin", MON)], Target.working_days(3), wib(2026, 3, 6))
    assert not before.breached
    assert at.breached
    assert at.current.breach_at == wib(2026, 3, 6)
    assert at.remaining == timedelta(0)


def test_a_pause_that_begins_after_the_deadline_does_not_undo_the_breach():
    steps = [("begin", MON), ("hold", wib(2026, 3, 6, 10)), ("release", wib(2026, 3, 10, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 10, 11))
    assert state.deadline == wib(2026, 3, 6)
    assert state.breached
    assert state.current.breach_at == wib(2026, 3, 6)


def test_a_clock_paused_before_its_deadline_has_no_deadline_and_is_not_breached():
    steps = [("begin", MON), ("hold", wib(2026, 3, 3, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 4, 30))
    assert state.status is ClockStatus.PAUSED
    assert state.deadline is None
    assert not state.breached
    assert state.next_change_at is None
    # What is left is counted as if it resumed at as_of (Thu 30 April 00:00): the pause moved
    # the deadline by the working days from 4 March to 30 April, so it would end Mon 4 May:
    # Thu, Fri and Mon, 7 hours each.
    assert state.remaining == hours(21)


# -- working time -------------------------------------------------------------------------------


def test_working_time_deadline_excludes_paused_working_time_exactly():
    steps = [("begin", MON), ("pause", wib(2026, 3, 2, 14)), ("resume", wib(2026, 3, 3, 9, 30))]
    state = clock_of(steps, Target.working_time(hours(7)), wib(2026, 3, 3, 10))
    # Mon 10-12 and 13-14 count (3h); Tue from 09:30: 2.5h to noon, then 1.5h after lunch.
    assert state.deadline == wib(2026, 3, 3, 14, 30)
    cycle = state.current
    assert cycle.elapsed_working == hours(3) + timedelta(minutes=30)
    assert cycle.remaining == hours(3) + timedelta(minutes=30)
    assert cycle.percent == pytest.approx(50.0)


def test_working_time_deadline_is_the_earliest_instant_the_time_runs_out():
    # 6 hours from Monday 10:00 run out at the 17:00 close, not at Tuesday's opening.
    state = clock_of([("begin", MON)], Target.working_time(hours(6)), MON)
    assert state.deadline == wib(2026, 3, 2, 17)


# -- calendar days and time -------------------------------------------------------------------


def test_calendar_time_is_a_plain_duration_with_pauses_excluded():
    steps = [("begin", MON), ("hold", wib(2026, 3, 2, 20)), ("release", wib(2026, 3, 2, 22))]
    state = clock_of(steps, Target.calendar_time(hours(48)), wib(2026, 3, 3))
    assert state.deadline == wib(2026, 3, 4, 12)
    assert state.current.elapsed_actual == hours(12)


def test_calendar_days_count_24_hours_each_weekends_included():
    friday = wib(2026, 3, 6, 10)
    state = clock_of([("begin", friday)], Target.calendar_days(2), friday)
    assert state.deadline == wib(2026, 3, 8, 10)
    assert state.current.budget == timedelta(days=2)


# -- cycles and precedence ------------------------------------------------------------------


def test_a_reset_ends_the_open_cycle_and_starts_a_new_one():
    steps = [("begin", MON), ("again", wib(2026, 3, 3, 10)), ("finish", wib(2026, 3, 3, 11))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 4))
    first, second = state.cycles
    assert (first.ended_by, first.stop, first.met) == ("reset", wib(2026, 3, 3, 10), None)
    assert (second.index, second.start, second.ended_by) == (2, wib(2026, 3, 3, 10), "stop")
    assert state.stopped_cycles == (second,)
    assert state.met_cycles == (second,)


def test_a_start_while_a_cycle_is_open_changes_nothing():
    steps = [("begin", MON), ("begin", wib(2026, 3, 3, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 4))
    (cycle,) = state.cycles
    assert cycle.start == MON


def test_a_start_after_a_stop_opens_a_new_cycle_and_keeps_the_old_one():
    steps = [("begin", MON), ("finish", wib(2026, 3, 2, 11)), ("begin", wib(2026, 3, 9, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 9, 11))
    assert [c.index for c in state.cycles] == [1, 2]
    assert state.status is ClockStatus.RUNNING
    assert state.cycles[0].met is True


def test_a_reset_with_no_open_cycle_starts_one():
    state = clock_of(
        [("note", MON), ("again", wib(2026, 3, 2, 11))],
        Target.working_days(3),
        wib(2026, 3, 3),
        start=(),
    )
    (cycle,) = state.cycles
    assert (cycle.start, cycle.ended_by) == (wib(2026, 3, 2, 11), None)
    assert state.status is ClockStatus.RUNNING


def test_an_event_meeting_start_and_reset_ends_the_open_cycle_the_reset_wins():
    # Alone, a start met while a cycle is open changes nothing; as a reset it starts anew.
    steps = [("again", MON), ("again", wib(2026, 3, 3, 10))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 4), start=("begin", "again"))
    first, second = state.cycles
    assert (first.ended_by, first.stop) == ("reset", wib(2026, 3, 3, 10))
    assert (second.start, second.ended_by) == (wib(2026, 3, 3, 10), None)


def test_a_stop_that_also_pauses_by_action_stops_and_leaves_no_pause():
    state = clock_of(
        [("begin", MON), ("pause", wib(2026, 3, 2, 11))],
        Target.working_days(3),
        wib(2026, 3, 3),
        stop=("finish", "pause"),
    )
    assert state.status is ClockStatus.STOPPED
    assert state.current.pauses == ()
    assert state.current.stop == wib(2026, 3, 2, 11)


def test_a_stop_when_nothing_runs_is_ignored():
    steps = [("finish", MON), ("note", wib(2026, 3, 2, 11))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 9))
    assert state.status is ClockStatus.NOT_STARTED
    assert state.cycles == ()
    assert state.deadline is None
    assert state.remaining is None


def test_stop_wins_over_pause_on_the_same_event():
    # The clock stops when the complaint is held, and would be paused while held.
    state = clock_of(
        [("begin", MON), ("hold", wib(2026, 3, 2, 11))],
        Target.working_days(3),
        wib(2026, 3, 3),
        stop="hold",
    )
    assert state.status is ClockStatus.STOPPED
    assert state.current.pauses == ()


def test_a_stop_during_a_pause_ends_the_pause_at_the_stop():
    steps = [("begin", MON), ("hold", wib(2026, 3, 2, 11)), ("finish", wib(2026, 3, 2, 15))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 3))
    (pause,) = state.current.pauses
    assert pause.end == wib(2026, 3, 2, 15)
    assert state.current.elapsed_working == hours(1)


def test_a_cycle_started_by_a_pausing_event_starts_paused():
    state = clock_of(
        [("pause", MON)],
        Target.working_days(3),
        wib(2026, 3, 3),
        start="pause",
        stop="finish",
    )
    assert state.status is ClockStatus.PAUSED
    (pause,) = state.current.pauses
    assert (pause.start, pause.cause, pause.reason) == (MON, "pause", "r1")


def test_a_reset_into_a_pause_state_starts_the_new_cycle_paused():
    state = clock_of(
        [("begin", MON), ("hold", wib(2026, 3, 2, 11))],
        Target.working_days(3),
        wib(2026, 3, 3),
        reset="hold",
    )
    assert len(state.cycles) == 2
    assert state.status is ClockStatus.PAUSED


def test_a_manual_pause_and_a_pause_state_make_one_pause_until_both_end():
    steps = [
        ("begin", MON),
        ("pause", wib(2026, 3, 2, 11)),
        ("hold", wib(2026, 3, 2, 13)),
        ("resume", wib(2026, 3, 2, 14)),
        ("release", wib(2026, 3, 2, 15)),
    ]
    state = clock_of(steps, Target.working_time(hours(7)), wib(2026, 3, 2, 16))
    (pause,) = state.current.pauses
    assert (pause.start, pause.end, pause.cause) == (
        wib(2026, 3, 2, 11),
        wib(2026, 3, 2, 15),
        "pause",
    )
    assert state.status is ClockStatus.RUNNING


def test_a_state_condition_is_met_only_by_entering_the_state():
    # Starts on entering "open"; a note while open does not start a new cycle.
    steps = [
        ("begin", MON),
        ("finish", wib(2026, 3, 2, 11)),
        ("note", wib(2026, 3, 2, 12)),
        ("release", wib(2026, 3, 2, 13)),
        ("note", wib(2026, 3, 2, 14)),
    ]
    state = clock_of(
        steps,
        Target.working_days(3),
        wib(2026, 3, 3),
        start=Condition(states={"open"}),
        reset=(),
        stop="finish",
    )
    assert [c.start for c in state.cycles] == [MON, wib(2026, 3, 2, 13)]


# -- events at the same instant ------------------------------------------------------------------


def test_events_at_the_same_instant_take_effect_in_recorded_order():
    started_then_stopped = clock_of(
        [("begin", MON), ("finish", MON)], Target.working_days(3), wib(2026, 3, 3)
    )
    assert started_then_stopped.status is ClockStatus.STOPPED
    assert started_then_stopped.current.met is True
    assert started_then_stopped.current.elapsed_actual == timedelta(0)
    stopped_then_started = clock_of(
        [("finish", MON), ("begin", MON)], Target.working_days(3), wib(2026, 3, 3)
    )
    assert stopped_then_started.status is ClockStatus.RUNNING


def test_a_start_and_a_hold_at_the_same_instant_take_effect_in_recorded_order():
    start_then_hold = clock_of(
        [("begin", MON), ("hold", MON), ("release", wib(2026, 3, 3, 9))],
        Target.working_days(1),
        wib(2026, 3, 3, 10),
    )
    assert [(p.start, p.end) for p in start_then_hold.current.pauses] == [(MON, wib(2026, 3, 3, 9))]
    # Held first, nothing runs; the start then finds the complaint open again ("begin"
    # leads to "open"), so the cycle starts unpaused.
    hold_then_start = clock_of(
        [("hold", MON), ("begin", MON), ("release", wib(2026, 3, 3, 9))],
        Target.working_days(1),
        wib(2026, 3, 3, 10),
    )
    assert hold_then_start.current.start == MON
    assert hold_then_start.current.pauses == ()


def test_a_zero_length_pause_is_kept_and_moves_nothing():
    steps = [("begin", MON), ("hold", MON), ("release", MON)]
    state = clock_of(steps, Target.working_time(hours(7)), wib(2026, 3, 2, 11))
    (pause,) = state.current.pauses
    assert pause.start == pause.end == MON
    assert state.deadline == OFFICE.add_working_time(MON, hours(7))


def test_events_after_as_of_are_ignored_and_an_event_at_as_of_counts():
    steps = [("begin", MON), ("finish", wib(2026, 3, 3, 10))]
    before = clock_of(steps, Target.working_days(3), wib(2026, 3, 3, 10) - timedelta(seconds=1))
    at = clock_of(steps, Target.working_days(3), wib(2026, 3, 3, 10))
    assert before.status is ClockStatus.RUNNING
    assert at.status is ClockStatus.STOPPED


# -- results ----------------------------------------------------------------------------------


def test_next_change_at_is_the_deadline_of_a_running_unbreached_clock():
    running = clock_of([("begin", MON)], Target.working_days(3), wib(2026, 3, 3))
    assert running.next_change_at == wib(2026, 3, 6)
    breached = clock_of([("begin", MON)], Target.working_days(3), wib(2026, 3, 9))
    assert breached.next_change_at is None
    stopped = clock_of([("begin", MON), ("finish", MON)], Target.working_days(3), MON)
    assert stopped.next_change_at is None


def test_at_percent_gives_the_instant_a_share_of_the_budget_is_used():
    state = clock_of([("begin", MON)], Target.working_time(hours(14)), MON)
    assert state.at_percent(50) == wib(2026, 3, 3, 10)
    assert state.at_percent(100) == state.deadline
    paused = clock_of([("begin", MON), ("hold", MON)], Target.working_time(hours(14)), MON)
    assert paused.at_percent(50) is None


def test_evaluation_is_indexed_by_clock_name_and_refuses_an_unknown_one():
    from pengaduan import UnknownClockError

    evaluation = evaluate(
        history([("begin", MON)]), MON, policy=generic_policy(Target.working_days(1))
    )
    assert [s.name for s in evaluation] == ["c"]
    assert len(evaluation) == 1
    with pytest.raises(UnknownClockError) as info:
        evaluation["nope"]
    assert info.value.known == ("c",)
    assert isinstance(info.value, LookupError)


def test_evaluation_is_pure_and_deterministic():
    steps = [("begin", MON), ("hold", wib(2026, 3, 3, 10)), ("release", wib(2026, 3, 4, 10))]
    policy = generic_policy(Target.working_days(3))
    complaint = history(steps)
    as_of = wib(2026, 3, 5)
    assert evaluate(complaint, as_of, policy=policy) == evaluate(complaint, as_of, policy=policy)


def test_a_naive_as_of_is_refused():
    with pytest.raises(NaiveDatetimeError):
        evaluate(history([]), datetime(2026, 3, 2), policy=generic_policy(Target.working_days(1)))
    with pytest.raises(NaiveDatetimeError):
        evaluate_many([], datetime(2026, 3, 2), policy=generic_policy(Target.working_days(1)))


def test_evaluate_many_keeps_the_order_given_and_accepts_a_mapping():
    policy = generic_policy(Target.working_days(1))
    a = history([("begin", MON)], "A")
    b = history([], "B")
    assert list(evaluate_many([b, a], MON, policy=policy)) == ["B", "A"]
    result = evaluate_many({"A": a, "B": b}, MON, policy=policy)
    assert result["A"]["c"].status is ClockStatus.RUNNING
    assert result["B"]["c"].status is ClockStatus.NOT_STARTED


def test_an_evaluation_wakes_up_at_the_earliest_deadline_among_its_running_clocks():
    from pengaduan.sla import Policy

    quick = generic_policy(Target.working_days(1)).clocks[0]
    slow = quick.evolve(name="slow", target=Target.working_days(5))
    policy = Policy("two", "1", [slow, quick], GENERIC)
    evaluation = evaluate(history([("begin", MON)]), MON, policy=policy)
    assert evaluation.next_change_at == wib(2026, 3, 4)  # the end of Tuesday
    idle = evaluate(history([]), MON, policy=policy)
    assert idle.next_change_at is None


def test_a_pause_lasts_until_as_of_while_it_is_open():
    steps = [("begin", MON), ("hold", wib(2026, 3, 2, 11))]
    state = clock_of(steps, Target.working_days(3), wib(2026, 3, 2, 15))
    (pause,) = state.current.pauses
    assert pause.end is None
    assert pause.duration(wib(2026, 3, 2, 15)) == hours(4)
    assert state.current.elapsed_working == hours(1)
    with pytest.raises(NaiveDatetimeError):  # it would be read in the machine's zone
        pause.duration(datetime(2026, 3, 2, 15))


# -- daylight saving time ------------------------------------------------------------------------


def test_calendar_time_counts_elapsed_time_across_a_dst_fall_back():
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from pengaduan.presets import calendar_24x7

    ams = ZoneInfo("Europe/Amsterdam")
    cal = calendar_24x7("Europe/Amsterdam")
    begin = datetime(2026, 10, 25, 1, 30, tzinfo=ams)  # CEST, +02:00
    finish = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ams)  # the second 02:30, CET
    policy = generic_policy(Target.calendar_time(hours(2)), cal)
    state = evaluate(history([("begin", begin), ("finish", finish)]), finish, policy=policy)["c"]
    cycle = state.current
    assert cycle.elapsed_actual == hours(2)
    assert cycle.elapsed_working == hours(2)
    # Two hours after 01:30 CEST is the second 02:30 (CET): stopping then is too late.
    assert cycle.deadline.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert cycle.met is False
    early = evaluate(
        history([("begin", begin), ("finish", datetime(2026, 10, 25, 2, 30, tzinfo=ams))]),
        finish,
        policy=policy,
    )["c"]
    assert early.current.met is True  # the first 02:30 (CEST) is one hour in


def test_every_entry_point_refuses_a_naive_as_of():
    policy = generic_policy(Target.working_days(1))
    complaint = history([("begin", MON)])
    naive = datetime(2026, 3, 3)
    with pytest.raises(NaiveDatetimeError):
        expected_datetime(complaint, naive, policy=policy, clock="c")
    with pytest.raises(NaiveDatetimeError):
        what_if([complaint], naive, before=policy, after=policy.evolve(version="2"))
