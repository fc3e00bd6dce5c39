"""The batch path agrees exactly with evaluate over generated histories.

Histories are random sequences of the generic workflow's actions (any action may follow any
other, some at the same instant), several complaints per table, on the office calendar, the
Indonesian government calendar and random calendars (overnight windows, dated hours,
holidays, zones with daylight saving time), with every kind of target, pauses by state and by
action, resets, a due action, and an ``as_of`` before, among or after the events.
"""

from __future__ import annotations

from datetime import timedelta

from batch_strategies import BASE, build, calendars, clocks, starts, steps, targets
from batch_support import both, first_difference
from hypothesis import given
from hypothesis import strategies as st
from sla_support import GENERIC, generic_clock

from pengaduan.sla import Policy


@given(
    st.lists(st.tuples(steps, starts), min_size=1, max_size=5),
    st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(clocks(f"c{n}") for n in ns))
    ),
    st.integers(-60 * 24 * 3, 60 * 24 * 30),
)
def test_batch_rows_equal_evaluate_rows(histories, chosen, shift):
    complaints = [build(raw, start, f"G-{k}") for k, (raw, start) in enumerate(histories)]
    policy = Policy("test", "1", chosen, GENERIC)
    instants = [e.at for c in complaints for e in c.events] or [BASE]
    as_of = max(instants) + timedelta(minutes=shift)
    batch, expected = both(complaints, as_of, policy)
    got = batch.rows()
    assert got == expected, first_difference(got, expected)
    assert not batch.fallbacks


@given(steps, targets, calendars, st.integers(0, 60 * 24 * 20))
def test_the_status_of_each_clock_is_evaluates(raw, target, calendar, extra):
    from pengaduan.sla import evaluate

    complaint = build(raw, BASE, "G-1")
    policy = Policy("test", "1", (generic_clock(target, calendar),), GENERIC)
    as_of = (complaint.events[-1].at if complaint.events else BASE) + timedelta(minutes=extra)
    batch, _expected = both([complaint], as_of, policy)
    if complaint.events:
        assert (
            batch.status("G-1", "c") is evaluate(complaint, as_of=as_of, policy=policy)["c"].status
        )


@given(
    steps,
    clocks("c"),
    st.sampled_from(["finish", "hold", "pause", "again", "release", "resume"]),
    st.integers(0, 60 * 24 * 10),
)
def test_batch_agrees_on_events_and_as_of_exactly_at_a_deadline(raw, clock, action, later):
    """A stop, a pause or a reset at the very instant of a deadline, and ``as_of`` there."""
    from pengaduan import Actor, Complaint, Event
    from pengaduan.sla import evaluate

    complaint = build(raw, BASE, "G-1")
    policy = Policy("test", "1", (clock,), GENERIC)
    as_of = (complaint.events[-1].at if complaint.events else BASE) + timedelta(days=40)
    state = evaluate(complaint, as_of=as_of, policy=policy)["c"]
    deadline = state.deadline
    if deadline is not None and (not complaint.events or deadline >= complaint.events[-1].at):
        event = Event("G-1#x", "G-1", action, deadline, Actor("a", "x"), {})
        complaint = Complaint("G-1", "open", (*complaint.events, event))
        as_of = deadline
    for instant in (as_of, as_of + timedelta(minutes=later)):
        batch, expected = both([complaint], instant, policy)
        got = batch.rows()
        assert got == expected, first_difference(got, expected)
