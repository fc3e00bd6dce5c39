"""A read-model row's clocks are `evaluate`'s, over generated histories.

`readmodel.project` works out in full only the clocks with an open cycle; a stopped or
never-started clock's row comes from its last cycle's deadline and verdict alone
(`sla._ended`). These properties hold it to the whole evaluation, on the histories, clocks
and calendars of the batch properties (pauses by state and by action, resets, a due action,
random calendars and zones).
"""

from __future__ import annotations

from datetime import timedelta

import attrs
from batch_strategies import WEIGHTED, build, clocks, gaps, starts, steps
from hypothesis import given
from hypothesis import strategies as st
from sla_support import GENERIC

from pengaduan.model import Complaint
from pengaduan.readmodel import CALENDAR, WORKING, ClockRow, ReadModel, project, row_to_dict
from pengaduan.sla import Policy, evaluate

# Histories that begin a clock and finish it, with anything between and after: the generic
# strategy's histories seldom finish a clock, and a finished one is what `_ended` serves.
_some = st.lists(st.tuples(st.sampled_from(WEIGHTED), gaps), max_size=10)
finished = st.tuples(_some, gaps, _some).map(
    lambda parts: [("begin", timedelta(0)), *parts[0], ("finish", parts[1]), *parts[2][:3]]
)
histories = st.one_of(steps, finished)


def evaluated_rows(complaint: Complaint, policy: Policy) -> tuple[ClockRow, ...]:
    """The clock rows taken from the whole evaluation as of the last event."""
    assert complaint.updated_at is not None
    rows = []
    for state in evaluate(complaint, complaint.updated_at, policy=policy):
        unit = WORKING if state.clock.target.in_working_time else CALENDAR
        if not state.cycles:
            rows.append(ClockRow(state.clock.name, 0, state.status, None, False, None, unit))
            continue
        cycle = state.cycles[-1]
        remaining = cycle.remaining
        rows.append(
            ClockRow(
                state.clock.name,
                cycle.index,
                state.status,
                cycle.deadline,
                cycle.breached,
                None if remaining is None else remaining.total_seconds(),
                unit,
            )
        )
    return tuple(rows)


@given(
    histories,
    starts,
    st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(clocks(f"c{n}") for n in ns))
    ),
)
def test_the_clocks_of_a_row_are_those_of_the_whole_evaluation(raw, start, chosen):
    complaint = build(raw, start, "G-1")
    if complaint.updated_at is None:
        return
    policy = Policy("test", "1", chosen, GENERIC)
    row = project(complaint, ReadModel(policy=policy))
    expected = evaluated_rows(complaint, policy)
    assert row.clocks == expected
    # The JSON form too: the deadlines' offsets are those of the clocks' zones.
    assert row_to_dict(row) == row_to_dict(attrs.evolve(row, clocks=expected))


@given(histories, starts, clocks("c"))
def test_a_stopped_clock_shows_its_last_cycle_and_no_remaining_time(raw, start, clock):
    complaint = build(raw, start, "G-1")
    if complaint.updated_at is None:
        return
    policy = Policy("test", "1", (clock,), GENERIC)
    state = evaluate(complaint, complaint.updated_at, policy=policy)["c"]
    (row,) = project(complaint, ReadModel(policy=policy)).clocks
    assert row.cycle == len(state.cycles)
    if state.status.value == "stopped":
        assert row.remaining_seconds is None
        assert row.deadline == state.cycles[-1].deadline
