"""Property-based tests of clock evaluation and of event ordering.

Histories are random sequences of the generic workflow's actions (any action may follow any
other), some at the same instant, evaluated on the office calendar (no holidays) and on the
Indonesian government calendar (holidays, Ramadan hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st
from sla_support import ACTIONS, OFFICE, generic_policy, history, wib

from pengaduan import Complaint
from pengaduan.presets import id_gov_calendar
from pengaduan.sla import ClockStatus, Cycle, Target, TargetUnit, evaluate, evaluate_many

BASE = wib(2026, 3, 2, 8)
GOV = id_gov_calendar()

gaps = st.one_of(
    st.just(timedelta(0)),  # the same instant as the previous event
    st.integers(1, 60 * 10).map(lambda m: timedelta(minutes=m)),  # within a day
    st.integers(1, 60 * 24 * 6).map(lambda m: timedelta(minutes=m)),  # across days
)
# Every action may appear; pausing and resuming ones more often, and most histories begin by
# starting the clock, so that pauses inside cycles are common.
WEIGHTED = (*ACTIONS, "hold", "release", "pause", "resume", "hold", "release")
steps = st.tuples(
    st.lists(st.tuples(st.just("begin"), st.just(timedelta(0))), max_size=1),
    st.lists(st.tuples(st.sampled_from(WEIGHTED), gaps), max_size=14),
).map(lambda parts: parts[0] + parts[1])
targets = st.one_of(
    st.integers(1, 6).map(Target.working_days),
    st.integers(1, 40).map(lambda h: Target.working_time(timedelta(hours=h, minutes=30))),
    st.integers(1, 600).map(lambda m: Target.working_time(timedelta(minutes=m))),
    st.integers(1, 10).map(Target.calendar_days),
    st.integers(1, 100).map(lambda h: Target.calendar_time(timedelta(hours=h))),
)
calendars = st.sampled_from([OFFICE, GOV])


def build(raw: list[tuple[str, timedelta]], start: datetime = BASE) -> Complaint:
    at = start
    out = []
    for action, gap in raw:
        at = at + gap
        out.append((action, at))
    return history(out)


def end_of(complaint: Complaint) -> datetime:
    return complaint.events[-1].at if complaint.events else BASE


def comparable(cycle: Cycle) -> tuple:
    """A cycle without the event ids and reasons that tie it to particular events."""
    pauses = tuple((p.start, p.end, p.cause) for p in cycle.pauses)
    return (cycle.index, cycle.start, cycle.stop, cycle.ended_by, pauses, cycle.deadline)


def net_elapsed_at(cycle: Cycle, instant: datetime) -> timedelta:
    """The clock's measure elapsed from the cycle's start to `instant`, pauses excluded."""
    cal = cycle.calendar
    working = cycle.target.in_working_time

    def span(a: datetime, b: datetime) -> timedelta:
        if b <= a:
            return timedelta(0)
        return cal.working_time_between(a, b) if working else b - a

    total = span(cycle.start, instant)
    for pause in cycle.pauses:
        end = pause.end if pause.end is not None else instant
        total -= span(pause.start, min(end, instant))
    return total


@given(steps, targets, calendars, st.integers(0, 60 * 24 * 20))
def test_the_structure_of_cycles_and_pauses_is_sound(raw, target, calendar, extra):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    state = evaluate(complaint, as_of, policy=generic_policy(target, calendar))["c"]
    previous_end = None
    for number, cycle in enumerate(state.cycles, 1):
        assert cycle.index == number
        assert previous_end is None or cycle.start >= previous_end
        assert cycle.stop is None or cycle.stop >= cycle.start
        assert (cycle.stop is None) == (cycle.ended_by is None)
        last = cycle.start
        for pause in cycle.pauses:
            assert pause.start >= last
            if pause.end is not None:
                assert pause.end >= pause.start
                assert cycle.stop is None or pause.end <= cycle.stop
                last = pause.end
            else:
                assert pause is cycle.pauses[-1]
                assert cycle.open
        previous_end = cycle.stop
        assert cycle.remaining is None or cycle.remaining == cycle.budget - cycle.elapsed
    open_cycles = [c for c in state.cycles if c.open]
    assert len(open_cycles) <= 1
    assert not open_cycles or open_cycles[0] is state.cycles[-1]
    expected = (
        ClockStatus.NOT_STARTED
        if not state.cycles
        else ClockStatus.STOPPED
        if not state.cycles[-1].open
        else ClockStatus.PAUSED
        if state.cycles[-1].paused
        else ClockStatus.RUNNING
    )
    assert state.status is expected


working_days = st.integers(1, 6).map(Target.working_days)
time_targets = targets.filter(lambda t: t.unit is not TargetUnit.WORKING_DAYS)


@given(steps, working_days, calendars, st.integers(0, 60 * 24 * 20))
def test_a_working_days_deadline_moves_by_the_working_days_of_each_pause_before_it(
    raw, target, calendar, extra
):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    state = evaluate(complaint, as_of, policy=generic_policy(target, calendar))["c"]
    for cycle in state.cycles:
        if cycle.deadline is None:
            assert cycle.paused
            continue
        # The end (24:00) of a working day, no earlier than without pauses, and the same when
        # no pause began before it.
        local = cycle.deadline.astimezone(calendar.tz)
        assert local.time().isoformat() == "00:00:00"
        assert calendar.is_working_day(local.date() - timedelta(days=1))
        plain = calendar.add_working_days(cycle.start, target.amount)
        assert cycle.deadline >= plain
        if not any(p.start < plain for p in cycle.pauses):
            assert cycle.deadline == plain
        # Each pause that began before the deadline moved it by its working days.
        moved = sum(
            calendar.working_days_between(p.start, p.end)
            for p in cycle.pauses
            if p.start < cycle.deadline and p.end is not None
        )
        assert cycle.deadline == calendar.add_working_days(cycle.start, target.amount + moved)


@given(steps, time_targets, calendars, st.integers(0, 60 * 24 * 20))
def test_a_time_deadline_is_where_exactly_the_target_has_elapsed(raw, target, calendar, extra):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    state = evaluate(complaint, as_of, policy=generic_policy(target, calendar))["c"]
    amount = timedelta(days=target.amount) if isinstance(target.amount, int) else target.amount
    for cycle in state.cycles:
        if cycle.deadline is None:
            assert cycle.paused
            continue
        assert net_elapsed_at(cycle, cycle.deadline) == amount
        assert net_elapsed_at(cycle, cycle.deadline - timedelta(microseconds=1)) <= amount


@given(steps, targets, calendars, st.integers(0, 60 * 24 * 20))
def test_met_means_stopped_strictly_before_the_deadline(raw, target, calendar, extra):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    state = evaluate(complaint, as_of, policy=generic_policy(target, calendar))["c"]
    for cycle in state.cycles:
        if cycle.ended_by == "stop":
            assert cycle.met == (cycle.stop < cycle.deadline)
            assert cycle.breached == (not cycle.met)
        elif cycle.open and not cycle.paused:
            assert cycle.breached == (cycle.deadline <= as_of)
            if target.unit is not TargetUnit.WORKING_DAYS:
                assert cycle.breached == (cycle.elapsed >= cycle.budget)
        if cycle.breach_at is not None:
            assert cycle.breach_at == cycle.deadline


@given(steps, targets, calendars, st.integers(0, 60 * 24 * 20))
def test_elapsed_time_plus_paused_time_is_the_cycles_span(raw, target, calendar, extra):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    state = evaluate(complaint, as_of, policy=generic_policy(target, calendar))["c"]
    for cycle in state.cycles:
        end = cycle.stop if cycle.stop is not None else as_of
        paused_actual = sum((p.duration(end) for p in cycle.pauses), timedelta(0))
        paused_working = sum(
            (
                calendar.working_time_between(p.start, p.end if p.end is not None else end)
                for p in cycle.pauses
            ),
            timedelta(0),
        )
        assert cycle.elapsed_actual + paused_actual == end - cycle.start
        assert cycle.elapsed_working + paused_working == calendar.working_time_between(
            cycle.start, end
        )


@given(steps, targets, calendars, st.data())
def test_evaluating_as_of_an_instant_ignores_the_events_after_it(raw, target, calendar, data):
    complaint = build(raw)
    last = end_of(complaint)
    minutes = int((last - BASE).total_seconds() // 60)
    as_of = BASE + timedelta(minutes=data.draw(st.integers(0, max(minutes, 0))))
    policy = generic_policy(target, calendar)
    truncated = attrs.evolve(complaint, events=tuple(e for e in complaint.events if e.at <= as_of))
    assert (
        evaluate(complaint, as_of, policy=policy).clocks
        == evaluate(truncated, as_of, policy=policy).clocks
    )


@given(steps, targets, calendars, st.integers(0, 60 * 24 * 10), st.integers(1, 60 * 24 * 10))
def test_a_later_as_of_never_changes_a_finished_cycle_nor_undoes_a_breach(
    raw, target, calendar, extra, later
):
    complaint = build(raw)
    first = end_of(complaint) + timedelta(minutes=extra)
    second = first + timedelta(minutes=later)
    policy = generic_policy(target, calendar)
    a = evaluate(complaint, first, policy=policy)["c"]
    b = evaluate(complaint, second, policy=policy)["c"]
    assert len(a.cycles) == len(b.cycles)
    for x, y in zip(a.cycles, b.cycles, strict=True):
        if not x.open:
            assert x == y
        elif x.breach_at is not None:
            assert y.breach_at == x.breach_at
        if x.open and not x.paused and x.breach_at is None:
            # Nothing happens between as_of and the deadline but the breach itself.
            assert a.next_change_at == x.deadline
            assert y.breached == (x.deadline <= second)


@given(steps, targets, st.integers(0, 60 * 24 * 10), st.data())
def test_no_op_events_anywhere_change_nothing(raw, target, extra, data):
    complaint = build(raw)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    position = data.draw(st.integers(0, len(raw)))
    noted = build([*raw[:position], ("note", timedelta(0)), *raw[position:]])
    policy = generic_policy(target)
    a = evaluate(complaint, as_of, policy=policy)["c"]
    b = evaluate(noted, as_of, policy=policy)["c"]
    assert a.status is b.status
    assert [comparable(c) for c in a.cycles] == [comparable(c) for c in b.cycles]


@given(steps, targets, st.integers(0, 60 * 24 * 10), st.integers(1, 8))
def test_shifting_a_history_by_whole_weeks_shifts_its_deadlines_alike(raw, target, extra, weeks):
    # The office calendar has no holidays, so every week is alike.
    complaint = build(raw)
    shift = timedelta(weeks=weeks)
    moved = build(raw, BASE + shift)
    as_of = end_of(complaint) + timedelta(minutes=extra)
    policy = generic_policy(target)
    a = evaluate(complaint, as_of, policy=policy)["c"]
    b = evaluate(moved, as_of + shift, policy=policy)["c"]
    assert a.status is b.status
    assert [c.deadline and c.deadline + shift for c in a.cycles] == [c.deadline for c in b.cycles]
    assert [c.elapsed for c in a.cycles] == [c.elapsed for c in b.cycles]
    assert a.remaining == b.remaining


@given(steps, targets, calendars, st.booleans())
def test_stopping_exactly_at_the_deadline_misses_it_and_just_before_meets_it(
    raw, target, calendar, early
):
    complaint = build(raw)
    policy = generic_policy(target, calendar)
    state = evaluate(complaint, end_of(complaint), policy=policy)["c"]
    cycle = state.current
    if cycle is None or not cycle.open or cycle.deadline is None:
        return
    stop_at = max(cycle.deadline - timedelta(microseconds=1 if early else 0), end_of(complaint))
    finished = build([*raw, ("finish", stop_at - end_of(complaint))])
    after = evaluate(finished, stop_at, policy=policy)["c"]
    last = after.cycles[-1]
    assert last.ended_by == "stop"
    assert last.met == (stop_at < cycle.deadline)


@given(
    steps,
    targets,
    calendars,
    st.integers(0, 60 * 24 * 10),
    st.sampled_from(["UTC", "Asia/Jayapura"]),
)
def test_the_zone_events_are_written_in_changes_nothing_but_presentation(
    raw, target, calendar, extra, zone
):
    from zoneinfo import ZoneInfo

    complaint = build(raw)
    other = ZoneInfo(zone)
    moved = attrs.evolve(
        complaint,
        events=tuple(attrs.evolve(e, at=e.at.astimezone(other)) for e in complaint.events),
    )
    as_of = end_of(complaint) + timedelta(minutes=extra)
    policy = generic_policy(target, calendar)
    a = evaluate(complaint, as_of, policy=policy)["c"]
    b = evaluate(moved, as_of.astimezone(other), policy=policy)["c"]
    assert a.status is b.status
    assert [comparable(c) for c in a.cycles] == [comparable(c) for c in b.cycles]
    assert [(c.elapsed, c.budget, c.breach_at) for c in a.cycles] == [
        (c.elapsed, c.budget, c.breach_at) for c in b.cycles
    ]


def _timed(raw: list[tuple[str, timedelta]], complaint_id: str) -> Complaint:
    at, out = BASE, []
    for action, gap in raw:
        at = at + gap
        out.append((action, at))
    return history(out, complaint_id)


@given(st.lists(steps, min_size=1, max_size=4), targets, calendars, st.integers(0, 60 * 24 * 10))
def test_evaluation_is_pure_alone_in_a_batch_and_in_any_batch_order(raws, target, calendar, extra):
    # Histories with events at the same instant included; a batch shares calendar answers
    # between complaints, which must change no answer.
    complaints = [_timed(raw, f"G-{i}") for i, raw in enumerate(raws)]
    as_of = max(end_of(c) for c in complaints) + timedelta(minutes=extra)
    policy = generic_policy(target, calendar)
    alone = {c.id: evaluate(c, as_of, policy=policy) for c in complaints}
    assert {c.id: evaluate(c, as_of, policy=policy) for c in complaints} == alone
    assert evaluate_many(complaints, as_of, policy=policy) == alone
    assert evaluate_many(complaints[::-1], as_of, policy=policy) == alone
