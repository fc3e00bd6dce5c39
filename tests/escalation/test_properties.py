"""Properties over random histories: agreement of due and next_due_at, quiet hours, exactly once,
idempotent ticks, and nothing ever fired for a clock that is not running."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from escalation_support import histories
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import Complaint, Event
from pengaduan.escalation import Offset, Rule, due, next_due_at, tick
from pengaduan.exceptions import RefusedError
from pengaduan.presets import lapor_ladder, lapor_workflow
from pengaduan.sla import ClockStatus, evaluate

# The preset, plus a percent rule and a rule that repeats every working day (with a limit) and
# one that repeats every 3 working hours (without): they exercise every kind of instant.
LADDER = (
    lapor_ladder()
    .with_rule(Rule("verification.half", "verification", 1, "admin_agency", percent=50))
    .with_rule(
        Rule(
            "follow_up.daily",
            "follow_up",
            5,
            "unit_head",
            "escalate",
            offset=Offset.working_days(2),
            repeat=Offset.working_days(1),
            repeats=4,
        )
    )
    .with_rule(
        Rule(
            "closure.nudge",
            "closure",
            1,
            "admin_agency",
            percent=20,
            repeat=Offset.working_time(timedelta(hours=3)),
        )
    )
)

later = st.integers(min_value=0, max_value=60 * 24 * 60).map(lambda m: timedelta(minutes=m))


def _after(complaint: Complaint, delta: timedelta) -> datetime:
    assert complaint.updated_at is not None
    return complaint.updated_at + delta


@given(histories(), later)
def test_something_is_due_exactly_when_next_due_at_has_come(
    complaint: Complaint, delta: timedelta
) -> None:
    as_of = _after(complaint, delta)
    wake = next_due_at(complaint, ladder=LADDER)
    actions = due([complaint], as_of, ladder=LADDER)
    assert bool(actions) == (wake is not None and wake <= as_of)
    if actions:
        assert min(a.due_at for a in actions) >= wake  # type: ignore[operator]


@given(histories(), later)
def test_due_actions_are_on_running_clocks_in_working_time_and_not_in_the_future(
    complaint: Complaint, delta: timedelta
) -> None:
    as_of = _after(complaint, delta)
    evaluation = evaluate(complaint, as_of, policy=LADDER.policy)
    for action in due([complaint], as_of, ladder=LADDER):
        state = evaluation[action.clock]
        assert state.status is ClockStatus.RUNNING
        assert state.current is not None
        assert state.current.index == action.cycle
        assert state.current.start <= action.due_at <= as_of
        rule = LADDER.rule(action.rule)
        if rule.quiet:
            assert state.clock.calendar.is_working(action.due_at)
        assert action.key == (
            f"{complaint.id}/{action.clock}/{action.cycle}/{action.rule}/{action.repeat}"
        )


@given(histories(), later)
def test_a_second_tick_at_the_same_instant_does_nothing(
    complaint: Complaint, delta: timedelta
) -> None:
    as_of = _after(complaint, delta)
    first = tick([complaint], as_of, ladder=LADDER)
    assert not first.refused
    again = tick(first.complaints, as_of, ladder=LADDER)
    assert (again.events, again.actions, again.refused) == ((), (), ())
    assert due(first.complaints, as_of, ladder=LADDER) == ()


@st.composite
def lives(draw: st.DrawFn) -> tuple[Complaint, list[datetime]]:
    """A history and the instants of ticks interleaved with it (and a while after it)."""
    complaint = draw(histories())
    first, last = complaint.events[0].at, complaint.events[-1].at
    span = int((last - first).total_seconds() // 60) + 40 * 24 * 60
    offsets = draw(st.lists(st.integers(min_value=0, max_value=span), min_size=1, max_size=25))
    return complaint, sorted(first + timedelta(minutes=m) for m in offsets)


def _live(complaint: Complaint, ticks: list[datetime]) -> tuple[Complaint, list[str]]:
    """Replay the history as a host would, ticking at each instant; return the end and keys."""
    workflow = lapor_workflow()
    current = workflow.new(complaint.id)
    events = list(complaint.events)
    fired: list[str] = []
    pending = sorted(ticks)
    while events or pending:
        if events and (not pending or events[0].at < pending[0]):
            event: Event = events.pop(0)
            # An automatic close may have made a later action of the history impossible.
            with contextlib.suppress(RefusedError):
                current = workflow.apply_event(current, event)
            continue
        at = pending.pop(0)
        result = tick([current], at, ladder=LADDER)
        current = result.complaints[complaint.id]
        fired += [a.key for a in result.actions]
    return current, fired


@given(lives())
def test_every_key_fires_exactly_once_over_a_life_of_ticks(
    life: tuple[Complaint, list[datetime]],
) -> None:
    complaint, ticks = life
    end, fired = _live(complaint, ticks)
    assert len(fired) == len(set(fired))
    recorded = [e.id for e in end.events if "key" in e.data]
    assert recorded == fired
    # Repeats of one rule and cycle only go forward; a rule without repeats fires at most once.
    last: dict[tuple[str, int, str], int] = {}
    for event in end.events:
        if "key" not in event.data:
            continue
        slot = (event.data["clock"], event.data["cycle"], event.data["rule"])
        assert event.data["repeat"] > last.get(slot, -1)
        if LADDER.rule(event.data["rule"]).repeat is None:
            assert slot not in last
        last[slot] = event.data["repeat"]


@given(lives())
def test_nothing_is_ever_recorded_for_a_clock_that_was_not_running(
    life: tuple[Complaint, list[datetime]],
) -> None:
    complaint, ticks = life
    end, _ = _live(complaint, ticks)
    workflow = lapor_workflow()
    for i, event in enumerate(end.events):
        if "key" not in event.data:
            continue
        before = workflow.replay(end.events[:i])[end.id]
        state = evaluate(before, event.at, policy=LADDER.policy)[event.data["clock"]]
        assert state.status is ClockStatus.RUNNING
        assert state.current is not None
        assert state.current.index == event.data["cycle"]
        assert datetime.fromisoformat(event.data["due_at"]) <= event.at


@given(histories(), later, later)
def test_due_depends_only_on_history_up_to_as_of(
    complaint: Complaint, a: timedelta, b: timedelta
) -> None:
    # Evaluated at an earlier instant, the events after it make no difference.
    as_of = complaint.events[0].at + a
    events = [e for e in complaint.events if e.at <= as_of]
    prefix = lapor_workflow().replay(events)[complaint.id]
    assert due([complaint], as_of, ladder=LADDER) == due([prefix], as_of, ladder=LADDER)
    assert next_due_at(complaint, ladder=LADDER, as_of=as_of) == next_due_at(
        prefix, ladder=LADDER, as_of=as_of
    )
    # And the prefix's own answer later on is that of a complaint with no further events.
    wake = next_due_at(prefix, ladder=LADDER, as_of=as_of)
    assert bool(due([prefix], as_of + b, ladder=LADDER)) == (wake is not None and wake <= as_of + b)


@given(histories())
def test_a_read_model_row_schedules_what_next_due_at_does(complaint: Complaint) -> None:
    # The row evaluates in full only the clocks with an open cycle (`sla._ended`); the ladder
    # must find in them every schedule the whole evaluation gives it.
    from pengaduan.readmodel import ReadModel, project

    row = project(complaint, ReadModel(policy=LADDER.policy, ladder=LADDER))
    assert row.next_due_at == next_due_at(complaint, ladder=LADDER, as_of=complaint.updated_at)
