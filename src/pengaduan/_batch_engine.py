"""The numpy engine behind `pengaduan.batch` (private; needs numpy).

Every clock of a policy is evaluated for every complaint at once. The precedence of
`pengaduan.sla` (stop, reset, start, then pause and resume, event by event) is rewritten as
forward fills over the event arrays: a clock is open after an event exactly when the last event
that met its stop, reset or start condition did not meet the stop condition; a cycle is paused
after an event exactly when the last pause or resume action since the cycle began was a pause,
or the state entered is a pause state. Deadlines follow the pauses rank by rank (each rank one
vectorised step for every cycle that has that many), as `sla._deadline` takes them one by one,
and every calendar question is the scalar one's own lookup table, searched with
`numpy.searchsorted` (`pengaduan._batch_calendar`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pengaduan._batch_calendar import CalendarArrays, OutOfRangeError, us_of
from pengaduan.sla import Clock, TargetUnit

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    Ints = np.ndarray[Any, np.dtype[np.int64]]
    Bools = np.ndarray[Any, np.dtype[np.bool_]]

__all__ = ["ENDED_BY", "STATUS", "Events", "clock_cycles", "last_where"]

#: Codes of ``ended_by`` in the engine's arrays.
ENDED_BY = (None, "stop", "reset", "expired")
#: Codes of the per-cycle status.
STATUS = ("running", "paused", "stopped")

NULL = -(2**63)  # an absent instant in an int64 column


def last_where(mask: Bools, first: Ints) -> Ints:
    """For each row, the last row at or before it where `mask` holds, in its group; else -1.

    Args:
        mask: The rows to look for.
        first: For each row, the first row of its group.
    """
    import numpy as np

    idx = np.where(mask, np.arange(mask.size, dtype=np.int64), -1)
    np.maximum.accumulate(idx, out=idx)
    idx[idx < first] = -1
    out: Ints = idx
    return out


def _segment_sum(values: Ints, first: Ints, counts: Ints) -> Ints:
    """Sums of consecutive runs of `values` (``values[first[k]:first[k] + counts[k]]``)."""
    import numpy as np

    total = np.zeros(values.size + 1, dtype=np.int64)
    np.cumsum(values, out=total[1:])
    out: Ints = total[first + counts] - total[first]
    return out


class Events:
    """The events a batch evaluation counts: up to ``as_of``, coded as integers.

    Attributes:
        at: Instants, UTC microseconds.
        action: Action codes (indexes into `actions`).
        state: The state code after each event (indexes into `states`).
        entered: The state code an event entered, or -1.
        group: The complaint's position (in the input's order) of each event.
        first: For each event, the position of its complaint's first event.
        actions: The action names.
        states: The state names.
    """

    def __init__(
        self,
        at: Ints,
        action: Ints,
        group: Ints,
        first: Ints,
        actions: Sequence[str],
        dest: Mapping[str, str | None],
        initial: str,
    ) -> None:
        import numpy as np

        self.at, self.action, self.group, self.first = at, action, group, first
        self.actions = tuple(actions)
        states = sorted({initial, *(d for d in dest.values() if d is not None)})
        self.states = tuple(states)
        code = {s: k for k, s in enumerate(states)}
        dest_code = np.asarray(
            [code[d] if (d := dest.get(a)) is not None else -1 for a in self.actions] or [-1],
            dtype=np.int64,
        )
        moves = dest_code[action] if action.size else np.zeros(0, dtype=np.int64)
        last = last_where(moves >= 0, first)
        state = np.where(last >= 0, moves[np.maximum(last, 0)], code[initial])
        before = np.empty_like(state)
        if state.size:
            before[1:] = state[:-1]
            before[first == np.arange(state.size)] = code[initial]
        self.state: Ints = state
        self.entered: Ints = np.where((moves >= 0) & (moves != before), moves, -1)
        self.row_first: Bools = first == np.arange(at.size)

    def actions_in(self, names: frozenset[str]) -> Bools:
        """Whether each event's action is one of `names`."""
        import numpy as np

        lut = np.asarray([a in names for a in self.actions] or [False], dtype=bool)
        out: Bools = lut[self.action] if self.action.size else np.zeros(0, dtype=bool)
        return out

    def codes_in(self, codes: Ints, names: frozenset[str]) -> Bools:
        """Whether each state code of `codes` (-1: none) names one of `names`."""
        import numpy as np

        lut = np.asarray([False, *(s in names for s in self.states)], dtype=bool)
        out: Bools = lut[codes + 1]
        return out

    def met(self, actions: frozenset[str], states: frozenset[str]) -> Bools:
        """Whether each event meets a condition on these actions or entered states."""
        out = self.actions_in(actions)
        if states:
            out = out | self.codes_in(self.entered, states)
        return out

    def previous(self, values: Bools) -> Bools:
        """Each event's value of the previous event of its complaint (False for the first)."""
        import numpy as np

        out = np.zeros_like(values)
        out[1:] = values[:-1]
        out[self.row_first] = False
        return out


def clock_cycles(clock: Clock, ev: Events, as_of: int, arrays: CalendarArrays) -> dict[str, Any]:
    """Every cycle of one clock over all complaints, as arrays (one entry per cycle).

    Raises:
        OutOfRangeError: If a calendar lookup left `arrays`' years (widen them and ask again).
    """
    import numpy as np

    stop = ev.met(clock.stop.actions, clock.stop.states)
    reset = ~stop & ev.met(clock.reset.actions, clock.reset.states)
    start = ev.met(clock.start.actions, clock.start.states)
    pause_on = ev.actions_in(clock.pause_on)
    resume_on = ev.actions_in(clock.resume_on)
    by_state = (
        ev.codes_in(ev.state, clock.pause_while)
        if clock.pause_while
        else np.zeros(ev.at.size, dtype=bool)
    )
    # Open after an event: the last stop/reset/start event did not stop it.
    last = last_where(stop | reset | start, ev.first)
    open_after = (last >= 0) & ~stop[np.maximum(last, 0)]
    open_before = ev.previous(open_after)
    starts = reset | (start & ~open_before & ~stop)
    closes = (stop | reset) & open_before
    count: Ints = np.cumsum(starts, dtype=np.int64)
    start_idx = np.flatnonzero(starts)
    n_cycles = start_idx.size
    cycle_of: Ints = count - 1
    closed_cycle: Ints = count - starts - 1
    close_idx = np.flatnonzero(closes)
    end_idx = np.full(n_cycles, -1, dtype=np.int64)
    end_idx[closed_cycle[close_idx]] = close_idx
    # Paused after an event: a pause action since the cycle began with no resume after it,
    # or a pause state.
    cycle_start = start_idx[np.maximum(cycle_of, 0)] if n_cycles else np.zeros_like(count)
    last_manual = last_where(pause_on | resume_on, ev.first)
    manual = (last_manual >= cycle_start) & pause_on[np.maximum(last_manual, 0)]
    paused = open_after & (manual | by_state)
    was_paused = ev.previous(paused)
    begins = np.flatnonzero(paused & (starts | ~was_paused))
    ends_inside = open_after & ~starts & was_paused & ~paused
    ends_closing = closes & was_paused
    end_rows = np.flatnonzero(ends_inside | ends_closing)
    end_cycle = np.where(ends_closing[end_rows], closed_cycle[end_rows], cycle_of[end_rows])
    begin_cycle = cycle_of[begins]
    n_pauses = np.bincount(begin_cycle, minlength=n_cycles).astype(np.int64)
    n_ended = np.bincount(end_cycle, minlength=n_cycles).astype(np.int64)
    first_pause = np.cumsum(n_pauses) - n_pauses
    first_end = np.cumsum(n_ended) - n_ended
    rank = np.arange(begins.size, dtype=np.int64) - first_pause[begin_cycle]
    has_end = rank < n_ended[begin_cycle]
    end_of_pause = np.full(begins.size, -1, dtype=np.int64)
    end_of_pause[has_end] = end_rows[(first_end[begin_cycle] + rank)[has_end]]
    at = ev.at
    c_start = at[start_idx]
    is_open = end_idx < 0
    c_end = np.where(is_open, as_of, at[np.maximum(end_idx, 0)])
    p0 = at[begins]
    # an open pause lasts to as_of, which is also its (open) cycle's end
    p1 = np.where(has_end, at[np.maximum(end_of_pause, 0)], as_of)

    unit = clock.target.unit
    by_days = unit is TargetUnit.WORKING_DAYS
    in_working_time = by_days or unit is TargetUnit.WORKING_TIME
    known = np.ones(n_cycles, dtype=bool)
    done = np.zeros(n_cycles, dtype=bool)
    o_start = arrays.ordinal(c_start) if in_working_time else None
    worked_start = arrays.worked(c_start)
    max_rank = int(n_pauses.max()) if n_cycles else 0
    if by_days:
        assert o_start is not None
        n = int(clock.target.amount)  # type: ignore[arg-type]
        extra_days = np.zeros(n_cycles, dtype=np.int64)
        deadline = arrays.day_end(arrays.nth_day(o_start, np.full(n_cycles, n)))
        for r in range(max_rank):
            sel = np.flatnonzero((n_pauses > r) & ~done)
            if not sel.size:
                break
            p = first_pause[sel] + r
            past = p0[p] >= deadline[sel]
            done[sel[past]] = True
            go, pg = sel[~past], p[~past]
            step = arrays.days_between(arrays.ordinal(p0[pg]), arrays.ordinal(p1[pg]))
            extra_days[go] += step
            moved = go[step != 0]
            deadline[moved] = arrays.day_end(arrays.nth_day(o_start[moved], n + extra_days[moved]))
            still = go[~has_end[pg]]
            known[still] = False
            done[still] = True
    elif unit is TargetUnit.WORKING_TIME:
        amount = us_of(clock.target.amount)  # type: ignore[arg-type]
        extra = np.zeros(n_cycles, dtype=np.int64)
        deadline = arrays.forward(c_start, worked_start + amount)
        for r in range(max_rank):
            sel = np.flatnonzero((n_pauses > r) & ~done)
            if not sel.size:
                break
            p = first_pause[sel] + r
            past = p0[p] >= deadline[sel]
            done[sel[past]] = True
            go, pg = sel[~past], p[~past]
            extra[go] += arrays.worked(p1[pg]) - arrays.worked(p0[pg])
            deadline[go] = arrays.forward(c_start[go], worked_start[go] + amount + extra[go])
            still = go[~has_end[pg]]
            known[still] = False
            done[still] = True
    else:
        amount_td = clock.target.amount
        amount = (
            us_of(amount_td)  # type: ignore[arg-type]
            if unit is TargetUnit.CALENDAR_TIME
            else int(amount_td) * 86_400_000_000  # type: ignore[arg-type]
        )
        deadline = c_start + amount
        for r in range(max_rank):
            sel = np.flatnonzero((n_pauses > r) & ~done)
            if not sel.size:
                break
            p = first_pause[sel] + r
            past = p0[p] >= deadline[sel]
            done[sel[past]] = True
            go, pg = sel[~past], p[~past]
            deadline[go] += p1[pg] - p0[pg]
            still = go[~has_end[pg]]
            known[still] = False
            done[still] = True
    provisional = deadline
    ended_by = np.where(is_open, 0, np.where(stop[np.maximum(end_idx, 0)], 1, 2)).astype(np.int8)
    breached = known & (provisional <= c_end)
    if clock.due_action is not None:
        due = ev.actions_in(frozenset({clock.due_action}))
        expired = breached & (ended_by == 1) & due[np.maximum(end_idx, 0)]
        ended_by[expired] = 3
        breached &= ~expired
    pause_cycle = begin_cycle
    paused_actual = _segment_sum(p1 - p0, first_pause, n_pauses)
    worked_p0 = arrays.worked(p0)
    worked_p1 = arrays.worked(p1)
    paused_working = _segment_sum(worked_p1 - worked_p0, first_pause, n_pauses)
    worked_end = arrays.worked(c_end)
    elapsed_working = worked_end - worked_start - paused_working
    elapsed_actual = c_end - c_start - paused_actual
    estimated = np.zeros(n_cycles, dtype=bool)
    if by_days:
        assert o_start is not None
        prov_p = provisional[pause_cycle]
        upto = np.minimum(p1, prov_p)
        before_deadline = np.where(p0 < prov_p, arrays.worked(upto) - worked_p0, 0)
        budget = (
            arrays.worked(provisional)
            - worked_start
            - _segment_sum(before_deadline, first_pause, n_pauses)
        )
        estimated = arrays.depends_on_estimate(
            o_start, arrays.ordinal(provisional) - 1, hours=False
        )
    else:
        budget = np.full(n_cycles, amount, dtype=np.int64)
        if in_working_time:
            assert o_start is not None
            estimated = arrays.depends_on_estimate(o_start, arrays.ordinal(provisional), hours=True)
    status = np.where(is_open, np.where(n_pauses > n_ended, 1, 0), 2).astype(np.int8)
    return {
        "group": ev.group[start_idx],
        "started": c_start,
        "stopped": np.where(is_open, NULL, c_end),
        "ended_by": ended_by,
        "paused": paused_actual,
        "pauses": n_pauses,
        "deadline": np.where(known, provisional, NULL),
        "status": status,
        "breached": breached,
        "elapsed_working": elapsed_working,
        "elapsed_calendar": elapsed_actual,
        "budget": budget,
        "estimated": estimated,
    }


def retrying(
    clock: Clock, ev: Events, as_of: int, arrays: CalendarArrays
) -> tuple[dict[str, Any], CalendarArrays]:
    """`clock_cycles`, widening the calendar's years until every lookup falls inside them."""
    while True:
        try:
            return clock_cycles(clock, ev, as_of, arrays), arrays
        except OutOfRangeError:
            arrays = arrays.widened()
