"""Metrics by unit: each unit is charged for the stretch it held a complaint, no more."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan.metrics import measure, summarize, unit_views
from pengaduan.model import Actor
from pengaduan.presets import lapor_policy, lapor_workflow

from .conftest import handled, history, wib

AS_OF = wib(4, 30)


def _declined_then_redispatched():
    # PU holds it Mon 2 - Thu 5 March, declines; Dishub receives it Mon 9 March, follows up
    # Thu 12 March; the reporter is told it is settled on Mon 30 March.
    return history(
        "C-1",
        ("submit", wib(3, 2, 8), {}),
        ("verify", wib(3, 2, 9), {"classification": "pengaduan"}),
        ("dispatch", wib(3, 2, 10), {"unit": "dinas-pu"}),
        ("decline", wib(3, 5, 10), {"reason": "Bukan wewenang"}),
        ("dispatch", wib(3, 9, 9), {"unit": "dishub"}),
        ("follow_up", wib(3, 12, 9), {"response": "Ditangani"}),
        ("close", wib(3, 30, 9), {}),
    )


def test_the_second_unit_is_not_charged_for_the_first_units_days():
    m = measure([_declined_then_redispatched()], AS_OF, policy=lapor_policy(), by="unit")
    dishub = m["dishub"]
    assert dishub.follow_up_time.mean_working_days == 3.0  # 10, 11, 12 March
    assert dishub.follow_up_time.mean_days == 3.0
    assert dishub.compliance["follow_up"].rate == 1.0
    # The reporter waited from 2 March: 8 working days, the 5-day clock missed.
    assert m.total.follow_up_time.mean_working_days == 8.0
    assert m.total.compliance["follow_up"].rate == 0.0


def test_a_unit_that_declined_counts_the_complaint_received_but_not_its_closing():
    m = measure([_declined_then_redispatched()], AS_OF, policy=lapor_policy(), by="unit")
    pu, dishub = m["dinas-pu"], m["dishub"]
    assert (pu.received, pu.dispatched, pu.followed_up, pu.closed) == (1, 1, 0, 0)
    assert (dishub.received, dishub.dispatched, dishub.followed_up, dishub.closed) == (1, 1, 1, 1)
    assert pu.compliance["follow_up"].rate == 1.0  # declined within its own 5 working days
    assert m.total.closed == 1


def test_time_with_no_unit_is_charged_to_the_group_without_a_unit():
    m = measure([_declined_then_redispatched()], AS_OF, policy=lapor_policy(), by="unit")
    admins = m[None]
    assert admins.received == 0
    assert admins.compliance["verification"].rate == 1.0
    assert m["dishub"].compliance["verification"].stopped == 0


def test_a_unit_that_sat_past_its_own_deadline_before_declining_is_charged_a_miss():
    c = history(
        "C-2",
        ("submit", wib(3, 2, 8), {}),
        ("verify", wib(3, 2, 9), {"classification": "pengaduan"}),
        ("dispatch", wib(3, 2, 10), {"unit": "dinas-pu"}),
        ("decline", wib(3, 12, 10), {"reason": "Bukan wewenang"}),
        ("dispatch", wib(3, 12, 11), {"unit": "dishub"}),
        ("follow_up", wib(3, 13, 9), {"response": "Ditangani"}),
    )
    m = measure([c], AS_OF, policy=lapor_policy(), by="unit")
    assert m["dinas-pu"].compliance["follow_up"].rate == 0.0
    assert m["dishub"].compliance["follow_up"].rate == 1.0


def test_a_reopened_unsettled_complaint_is_overdue_on_resolution_not_settled():
    c = handled("C-3", wib(1, 5), wib(1, 5, 10), wib(1, 5, 11), wib(1, 6), wib(1, 20))
    c = lapor_workflow().apply(
        c, "reopen", Actor("admin-1", "admin_agency"), wib(1, 22), {"reason": "Belum tuntas"}
    )
    s = summarize(c, AS_OF, policy=lapor_policy())
    assert s is not None
    assert not s.closed
    assert [o.clock for o in s.overdue] == ["follow_up", "resolution"]
    (late,) = [o for o in s.overdue if o.clock == "resolution"]
    assert late.deadline == wib(1, 22) + timedelta(days=60)


_UNITS = ("dinas-pu", "dishub", "rsud")


@settings(max_examples=40, deadline=None)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(("forward", "decline")), st.integers(1, 60)), max_size=4
    ),
    follow_after=st.one_of(st.none(), st.integers(1, 80)),
)
def test_unit_views_hand_out_the_follow_up_once_and_keep_totals(moves, follow_after):
    steps = [
        ("submit", wib(3, 2, 8), {}),
        ("verify", wib(3, 2, 9), {"classification": "pengaduan"}),
        ("dispatch", wib(3, 2, 10), {"unit": "dinas-pu"}),
    ]
    at, unit = wib(3, 2, 10), "dinas-pu"
    for turn, (move, hours) in enumerate(moves, start=1):
        at += timedelta(hours=hours)
        other = _UNITS[turn % 3] if _UNITS[turn % 3] != unit else _UNITS[(turn + 1) % 3]
        if move == "forward":
            steps.append(("forward", at, {"unit": other}))
        else:
            steps.append(("decline", at, {"reason": "Bukan wewenang"}))
            at += timedelta(hours=1)
            steps.append(("dispatch", at, {"unit": other}))
        unit = other
    if follow_after is not None:
        steps.append(("follow_up", at + timedelta(hours=follow_after), {"response": "Ok"}))
    c = history("C-9", *steps)
    s = summarize(c, AS_OF, policy=lapor_policy())
    assert s is not None
    views = list(unit_views(s))
    # Only the unit holding it now keeps its backlog; a follow-up belongs to one unit only.
    assert sum(v.open for v in views) == 1
    assert [v.unit for v in views if v.open] == [s.unit]
    assert sum(v.followed_up_at is not None for v in views) == (follow_after is not None)
    for v in views:
        assert v.dispatched_at is not None
        assert s.dispatched_at is not None
        assert v.dispatched_at >= s.dispatched_at
        if v.followed_up_at is not None:
            assert v.followed_up_at == s.followed_up_at
            assert v.dispatched_at <= v.followed_up_at
    # Every stretch a clock judged is charged to exactly one group.
    m = measure([c], AS_OF, policy=lapor_policy(), by="unit")
    for clock in lapor_policy().names:
        judged = sum(g.compliance[clock].stopped for g in m.groups)
        assert judged == sum(t.get(clock, (0, 0))[0] for t in s.unit_clocks.values())
