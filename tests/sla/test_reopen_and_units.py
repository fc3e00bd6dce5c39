"""A reopen starts new cycles; each unit is judged on the stretch it held the complaint."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sla_support import Lapor, wib

from pengaduan.presets import id_gov_calendar, lapor_policy
from pengaduan.sla import ClockStatus, evaluate

TUE = wib(2026, 9, 1, 9)  # no holiday between 1 September and early October 2026


def _settled_then_reopened() -> Lapor:
    story = Lapor().submit(TUE).verify(wib(2026, 9, 1, 10)).dispatch(wib(2026, 9, 1, 11))
    story.follow_up(wib(2026, 9, 3, 9)).close(wib(2026, 9, 17, 9))
    return story.do("reopen", wib(2026, 9, 21, 9), reason="Jalan rusak lagi")


def test_a_reopen_starts_a_new_resolution_cycle_instead_of_keeping_it_stopped_and_met():
    story = _settled_then_reopened()
    state = evaluate(story.complaint, wib(2026, 9, 22), policy=lapor_policy())["resolution"]
    assert state.status is ClockStatus.RUNNING
    first, second = state.cycles
    assert (first.ended_by, first.met) == ("stop", True)  # the close came in time
    assert second.start == wib(2026, 9, 21, 9)
    # 60 calendar days from the reopen, Monday 21 September 09:00 WIB.
    assert second.deadline == wib(2026, 11, 20, 9)


def test_a_reopened_complaint_left_unsettled_breaches_its_resolution_clock():
    story = _settled_then_reopened()
    state = evaluate(story.complaint, wib(2026, 11, 20, 9), policy=lapor_policy())["resolution"]
    assert state.breached
    assert state.current.breach_at == wib(2026, 11, 20, 9)
    assert state.next_change_at is None


def test_the_reply_window_of_a_reopened_complaint_opens_at_its_next_follow_up_only():
    story = _settled_then_reopened()
    policy = lapor_policy()
    closure = evaluate(story.complaint, wib(2026, 10, 30), policy=policy)["closure"]
    # Nobody answered the reopened complaint: no reply window, so no automatic close is due.
    assert [c.ended_by for c in closure.cycles] == ["stop"]
    assert closure.status is ClockStatus.STOPPED
    story.follow_up(wib(2026, 9, 23, 9))
    closure = evaluate(story.complaint, wib(2026, 9, 24), policy=policy)["closure"]
    assert closure.status is ClockStatus.RUNNING
    assert closure.current.start == wib(2026, 9, 23, 9)


def test_every_clock_a_close_stopped_runs_again_after_a_reopen():
    story = _settled_then_reopened().follow_up(wib(2026, 9, 23, 9))
    result = evaluate(story.complaint, wib(2026, 9, 24), policy=lapor_policy())
    closed = evaluate(story.complaint, wib(2026, 9, 18), policy=lapor_policy())
    stopped_by_close = [
        s.name for s in closed if s.current is not None and s.current.stop == wib(2026, 9, 17, 9)
    ]
    assert stopped_by_close == ["closure", "resolution"]
    assert all(result[name].status is ClockStatus.RUNNING for name in stopped_by_close)


def _declined_and_redispatched() -> Lapor:
    # PU holds it from Tue 1 Sep 11:00 to its decline on Fri 4 Sep; Dishub gets it Mon 7 Sep.
    story = Lapor().submit(TUE).verify(wib(2026, 9, 1, 10)).dispatch(wib(2026, 9, 1, 11))
    story.decline(wib(2026, 9, 4, 11)).dispatch(wib(2026, 9, 7, 9), unit="dishub")
    return story.follow_up(wib(2026, 9, 10, 9))


def test_the_reporters_follow_up_clock_runs_on_across_a_decline_and_is_missed():
    state = evaluate(
        _declined_and_redispatched().complaint, wib(2026, 9, 11), policy=lapor_policy()
    )
    (cycle,) = state["follow_up"].cycles
    # 5 working days from Tue 1 Sep: 2, 3, 4, 7, 8 September.
    assert cycle.deadline == wib(2026, 9, 9)
    assert cycle.met is False


def test_the_second_unit_is_judged_from_when_it_received_the_complaint():
    state = evaluate(
        _declined_and_redispatched().complaint, wib(2026, 9, 11), policy=lapor_policy()
    )
    (cycle,) = state["follow_up"].cycles
    assert [(s.unit, s.ended_by, s.met) for s in cycle.shares] == [
        ("dinas-pu", "handover", True),
        (None, "handover", True),
        ("dishub", "stop", True),
    ]
    pu, admins, dishub = cycle.shares
    assert pu.deadline == wib(2026, 9, 9)
    # Dishub's 5 working days from Mon 7 Sep: 8, 9, 10, 11, 14 September.
    assert dishub.deadline == wib(2026, 9, 15)
    assert (dishub.start, dishub.end) == (wib(2026, 9, 7, 9), wib(2026, 9, 10, 9))
    # Working time from Mon 7 Sep 09:00 to Thu 10 Sep 09:00 (07:30-16:00, 1 h break).
    assert dishub.elapsed == timedelta(hours=6 + 7.5 + 7.5 + 1.5)
    assert admins.end == dishub.start


def test_a_unit_that_sits_past_its_own_deadline_before_declining_misses_its_share():
    story = Lapor().submit(TUE).verify(wib(2026, 9, 1, 10)).dispatch(wib(2026, 9, 1, 11))
    story.decline(wib(2026, 9, 10, 11)).dispatch(wib(2026, 9, 10, 12), unit="dishub")
    (cycle,) = evaluate(story.complaint, wib(2026, 9, 11), policy=lapor_policy())[
        "follow_up"
    ].cycles
    pu = cycle.shares[0]
    assert (pu.unit, pu.met, pu.breach_at) == ("dinas-pu", False, wib(2026, 9, 9))
    assert cycle.shares[-1].ended_by is None  # Dishub still holds it


def test_a_cycle_held_by_one_unit_has_one_share_equal_to_the_cycle():
    story = Lapor().submit(TUE).verify(wib(2026, 9, 1, 10)).dispatch(wib(2026, 9, 1, 11))
    story.follow_up(wib(2026, 9, 10, 9))
    (cycle,) = evaluate(story.complaint, wib(2026, 9, 11), policy=lapor_policy())[
        "follow_up"
    ].cycles
    (share,) = cycle.shares
    assert (share.unit, share.start, share.end) == ("dinas-pu", cycle.start, cycle.stop)
    assert (share.deadline, share.breach_at, share.elapsed) == (
        cycle.deadline,
        cycle.breach_at,
        cycle.elapsed,
    )


@settings(max_examples=60, deadline=None)
@given(
    hours=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=5),
    followed=st.booleans(),
    as_of_hours=st.integers(min_value=0, max_value=400),
)
def test_shares_tile_their_cycle_and_their_elapsed_adds_up_to_the_cycles(
    hours: list[int], followed: bool, as_of_hours: int
) -> None:
    story = Lapor().submit(TUE).verify(wib(2026, 9, 1, 10)).dispatch(wib(2026, 9, 1, 11))
    at = wib(2026, 9, 1, 11)
    units = ["dinas-pu", "dishub", "rsud", "disdik", "bpbd"]
    for i, step in enumerate(hours):
        at += timedelta(hours=step)
        if i % 2 == 0:
            story.do("forward", at, unit=units[(i + 1) % len(units)])
        else:
            story.decline(at).dispatch(at + timedelta(minutes=30), unit=units[i % len(units)])
            at += timedelta(minutes=30)
    if followed:
        at += timedelta(hours=1)
        story.follow_up(at)
    as_of = at + timedelta(hours=as_of_hours)
    cal = id_gov_calendar()
    (cycle,) = evaluate(story.complaint, as_of, policy=lapor_policy())["follow_up"].cycles
    shares = cycle.shares
    assert shares[0].start == cycle.start
    assert shares[-1].end == cycle.stop
    assert shares[-1].ended_by == cycle.ended_by
    for a, b in itertools.pairwise(shares):
        assert a.end == b.start
        assert a.ended_by == "handover"
    assert sum((s.elapsed for s in shares), timedelta(0)) == cycle.elapsed
    for share in shares:
        # Each stretch gets the full target from when it began, on the same calendar.
        assert share.deadline == cal.add_working_days(share.start, 5)
        end = share.end if share.end is not None else as_of
        assert share.breached == (share.deadline <= end)
