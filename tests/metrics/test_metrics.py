"""Metrics: every count, rate and duration checked against figures worked out by hand."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import (
    InvalidPeriodError,
    MissingExtraError,
    NaiveDatetimeError,
    PengaduanError,
    UnknownGroupingError,
)
from pengaduan.metrics import GroupBy, Milestones, measure, quantile, summarize
from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow

from .conftest import handled, history, wib

# Mon 2 Mar 2026 .. : a plain working week (no holiday until Nyepi on 19 Mar).
FAST = handled(
    "C-1", wib(3, 2, 9), wib(3, 2, 10), wib(3, 2, 11), wib(3, 4, 11), wib(3, 20, 8)
)  # follow-up after 2 days (2 working days); closed
SLOW = handled(
    "C-2", wib(3, 2, 9), wib(3, 3, 9), wib(3, 3, 10), wib(3, 13, 10), unit="dinas-kesehatan"
)  # follow-up after 10 days (8 working days): breaches its 5 working days
WAITING = handled("C-3", wib(3, 5, 9), wib(3, 5, 10), wib(3, 5, 11))  # dispatched, no follow-up
ARCHIVED = history(
    "C-4",
    ("submit", wib(3, 6, 9), {}),
    ("archive", wib(3, 6, 10), {"reason": "Tidak jelas"}),
    channel="sms",
)
NEW = history("C-5", ("submit", wib(3, 9, 9), {}), channel="sms")
ALL = [FAST, SLOW, WAITING, ARCHIVED, NEW]
AS_OF = wib(3, 23, 9)


def test_counts_follow_the_definitions() -> None:
    total = measure(ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total
    assert (total.received, total.archived, total.verified, total.dispatched) == (5, 1, 3, 3)
    assert (total.followed_up, total.closed, total.open) == (2, 1, 3)


def test_rates_follow_the_definitions() -> None:
    total = measure(ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total
    assert total.follow_up_rate == pytest.approx(2 / 3)
    assert total.settlement_rate == pytest.approx(1 / 4)  # closed / (received - archived)


def test_rates_are_none_without_a_denominator() -> None:
    total = measure([ARCHIVED], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total
    assert total.follow_up_rate is None
    assert total.settlement_rate is None
    assert total.follow_up_time.count == 0
    assert total.follow_up_time.mean_days is None


def test_follow_up_time_in_calendar_and_working_days() -> None:
    fu = measure(
        ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()
    ).total.follow_up_time
    assert fu.count == 2
    # 2 days and 10 days; working days: Tue..Wed = 2 (3, 4 Mar) and 4..13 Mar = 8.
    assert fu.mean_days == pytest.approx(6.0)
    assert fu.median_days == pytest.approx(6.0)
    assert fu.p90_days == pytest.approx(2 + 0.9 * 8)
    assert fu.mean_working_days == pytest.approx(5.0)
    assert fu.max_days == pytest.approx(10.0)


def test_a_weekend_counts_in_calendar_days_not_in_working_days() -> None:
    # Dispatched Fri 6 Mar 16:00, followed up Mon 9 Mar 10:00: 2.75 days, 1 working day.
    c = handled("W", wib(3, 6, 8), wib(3, 6, 15), wib(3, 6, 16), wib(3, 9, 10))
    fu = measure(
        [c], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()
    ).total.follow_up_time
    assert fu.mean_days == pytest.approx(2.75)
    assert fu.mean_working_days == 1.0


def test_verification_and_closure_times_from_submission() -> None:
    total = measure([FAST], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total
    assert total.verification_time.mean_days == pytest.approx(1 / 24)
    assert total.verification_time.mean_working_days == 0.0
    assert total.closure_time.mean_days == pytest.approx(18 - 1 / 24)


def test_backlog_ages_are_measured_to_as_of() -> None:
    age = measure(
        ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()
    ).total.backlog_age
    assert age.count == 3  # SLOW (followed up, not closed), WAITING, NEW
    assert age.max_days == pytest.approx(21.0)  # SLOW, submitted 2 Mar 09:00


def test_compliance_is_the_share_of_stopped_cycles_that_met_their_deadline() -> None:
    total = measure(ALL, AS_OF, policy=lapor_policy()).total
    follow_up = total.compliance["follow_up"]
    assert (follow_up.stopped, follow_up.met) == (2, 1)  # WAITING's cycle is still running
    assert follow_up.rate == 0.5
    verification = total.compliance["verification"]
    assert (verification.stopped, verification.met) == (4, 4)  # dispatch or archive stops it


def test_without_a_policy_there_is_no_compliance() -> None:
    assert (
        measure(ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total.compliance
        == {}
    )


def test_events_after_as_of_are_ignored() -> None:
    before = measure(
        ALL, wib(3, 4, 10), workflow=lapor_workflow(), calendar=id_gov_calendar()
    ).total  # before FAST's follow-up, after its dispatch
    assert before.received == 2  # C-3, C-4 and C-5 not yet submitted
    assert before.dispatched == 2
    assert before.followed_up == 0
    assert before.closed == 0
    assert before.open == 2


def test_most_overdue_lists_running_clocks_past_their_deadline_oldest_first() -> None:
    m = measure(ALL, AS_OF, policy=lapor_policy())
    overdue = m.most_overdue()
    # C-3: 5 working days after Thu 5 Mar; C-5: 3 after Mon 9 Mar; both end on Thu 12 Mar.
    assert [(o.complaint, o.clock) for o in overdue] == [
        ("C-3", "follow_up"),
        ("C-5", "verification"),
    ]
    for item in overdue:
        assert item.deadline == wib(3, 13, 0)
        assert item.overdue_days == pytest.approx(10 + 9 / 24)
        # 16 and 17 Mar only: 18-24 Mar are Nyepi, Idul Fitri and cuti bersama (and a weekend).
        assert item.overdue_working_days == 2
    assert overdue[0].unit == "dinas-pu"
    assert overdue[1].state == "submitted"
    assert m.most_overdue(1) == overdue[:1]


def test_a_clock_whose_end_is_an_automatic_action_is_never_overdue() -> None:
    # FAST's closure window (10 working days after 4 Mar) ran out before it was closed.
    c = handled("X", wib(3, 2, 9), wib(3, 2, 10), wib(3, 2, 11), wib(3, 4, 11))
    m = measure([c], wib(4, 30), policy=lapor_policy())
    assert m.most_overdue() == ()


def test_period_filters_on_submission() -> None:
    m = measure(
        ALL,
        AS_OF,
        since=wib(3, 5, 0),
        until=wib(3, 9, 0),
        workflow=lapor_workflow(),
        calendar=id_gov_calendar(),
    )
    assert sorted(s.complaint for s in m.summaries) == ["C-3", "C-4"]


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(InvalidPeriodError, match="'until' must come after 'since'") as info:
        measure(
            ALL,
            AS_OF,
            since=wib(3, 9),
            until=wib(3, 9),
            workflow=lapor_workflow(),
            calendar=id_gov_calendar(),
        )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, PengaduanError)


@pytest.mark.parametrize("name", ["as_of", "since", "until"])
def test_naive_instants_are_refused(name: str) -> None:
    kwargs = {"as_of": AS_OF, name: datetime(2026, 3, 9)}
    with pytest.raises(NaiveDatetimeError, match=name):
        measure(ALL, **kwargs)


def test_summarize_refuses_a_naive_instant() -> None:
    with pytest.raises(NaiveDatetimeError, match="as_of"):
        summarize(FAST, datetime(2026, 3, 9), workflow=lapor_workflow(), calendar=id_gov_calendar())


def test_regrouping_by_an_unknown_grouping_or_asking_for_a_missing_group_is_refused() -> None:
    m = measure(ALL, AS_OF, by="unit", workflow=lapor_workflow(), calendar=id_gov_calendar())
    with pytest.raises(UnknownGroupingError, match="'agency'"):
        m.group_by("agency")
    with pytest.raises(KeyError, match="dinas-sosial"):
        m["dinas-sosial"]


def test_an_unknown_grouping_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownGroupingError, match="group by one of: unit, classification") as e:
        measure(ALL, AS_OF, by="agency", workflow=lapor_workflow(), calendar=id_gov_calendar())
    assert isinstance(e.value, LookupError)
    assert e.value.known == ("unit", "classification", "channel", "month", "year")


def test_groups_by_unit_put_complaints_without_one_last() -> None:
    m = measure(ALL, AS_OF, by="unit", workflow=lapor_workflow(), calendar=id_gov_calendar())
    assert [g.key for g in m.groups] == ["dinas-kesehatan", "dinas-pu", None]
    assert m[None].received == 2
    assert m["dinas-pu"].follow_up_time.count == 1


def test_groups_by_channel_and_classification() -> None:
    assert [
        g.key
        for g in measure(
            ALL, AS_OF, by="channel", workflow=lapor_workflow(), calendar=id_gov_calendar()
        )
    ] == ["sms", "web"]
    assert [
        g.key
        for g in measure(
            ALL,
            AS_OF,
            by=GroupBy.CLASSIFICATION,
            workflow=lapor_workflow(),
            calendar=id_gov_calendar(),
        )
    ] == ["pengaduan", None]


def test_months_and_years_are_those_of_the_calendar_zone() -> None:
    # 31 Dec 2025 20:00 UTC is 1 Jan 2026 03:00 in Jakarta.
    from datetime import UTC

    c = history("Y", ("submit", datetime(2025, 12, 31, 20, tzinfo=UTC), {}))
    assert [
        g.key
        for g in measure(
            [c], AS_OF, by="year", workflow=lapor_workflow(), calendar=id_gov_calendar()
        )
    ] == ["2026"]
    assert [
        g.key
        for g in measure(
            [c], AS_OF, by="month", workflow=lapor_workflow(), calendar=id_gov_calendar()
        )
    ] == ["2026-01"]


def test_group_by_regroups_without_measuring_again() -> None:
    m = measure(ALL, AS_OF, policy=lapor_policy())
    by_unit = m.group_by("unit")
    assert by_unit.summaries is m.summaries
    assert by_unit == measure(ALL, AS_OF, policy=lapor_policy(), by="unit")


def test_summarize_returns_none_for_a_complaint_not_yet_submitted() -> None:
    assert summarize(FAST, wib(3, 1), workflow=lapor_workflow(), calendar=id_gov_calendar()) is None
    summary = summarize(FAST, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    assert summary is not None
    assert summary.followed_up_at == wib(3, 4, 11)


def test_milestones_are_configurable() -> None:
    # Count verifications as "dispatch": then C-5 (never verified) is not dispatched either.
    m = measure(
        ALL,
        AS_OF,
        milestones=Milestones(dispatch="verify"),
        workflow=lapor_workflow(),
        calendar=id_gov_calendar(),
    )
    assert m.total.dispatched == 3


def test_reminders_are_counted_from_escalate_events() -> None:
    c = history(
        "R",
        ("submit", wib(3, 2), {}),
        ("escalate", wib(3, 6), {"level": 1, "to": "admin_agency"}),
    )
    assert (
        measure([c], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).total.reminders
        == 1
    )


def test_json_keys_are_the_documented_ones() -> None:
    d = measure(ALL, AS_OF, policy=lapor_policy()).to_dict()
    for key in (
        "received",
        "archived",
        "verified",
        "dispatched",
        "followed_up",
        "closed",
        "follow_up_rate",
        "settlement_rate",
        "follow_up_mean_calendar_days",
        "follow_up_median_calendar_days",
        "follow_up_mean_working_days",
    ):
        assert key in d
    assert {k for k in d if k.startswith("compliance_")} == {
        f"compliance_{c}" for c in ("verification", "follow_up", "closure", "resolution")
    }
    json.dumps(d)


def test_grouped_json_has_one_object_per_group() -> None:
    d = measure(
        ALL, AS_OF, by="unit", workflow=lapor_workflow(), calendar=id_gov_calendar()
    ).to_dict()
    assert [g["unit"] for g in d["groups"]] == ["dinas-kesehatan", "dinas-pu", None]


def test_to_frame_has_one_row_per_group_indexed_by_key() -> None:
    frame = measure(ALL, AS_OF, policy=lapor_policy(), by="unit").to_frame()
    assert list(frame.index[:2]) == ["dinas-kesehatan", "dinas-pu"]
    assert frame.index[2] is None or frame.index[2] != frame.index[2]  # None or NaN
    assert frame.loc["dinas-pu", "follow_up_mean_calendar_days"] == pytest.approx(2.0)
    assert frame.loc["dinas-kesehatan", "compliance_follow_up"] == 0.0


def test_complaints_frame_is_the_flat_table() -> None:
    frame = measure(ALL, AS_OF, policy=lapor_policy()).complaints_frame()
    assert list(frame.index) == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    assert frame.loc["C-2", "follow_up_met"] == 0
    assert frame.loc["C-2", "follow_up_stopped"] == 1


def test_to_frame_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'pengaduan\[pandas\]'") as info:
        measure(ALL, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar()).to_frame()
    assert isinstance(info.value, ImportError)
    assert info.value.extra == "pandas"


def test_text_and_html_renderings_show_the_figures() -> None:
    m = measure(ALL, AS_OF, policy=lapor_policy(), by="unit")
    text = str(m)
    assert "dinas-kesehatan" in text
    assert "(all)" in text
    assert "<table" in m._repr_html_()
    assert "compliance follow_up" in str(measure(ALL, AS_OF, policy=lapor_policy()))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40), st.floats(0, 1))
def test_quantile_matches_numpy(values: list[float], q: float) -> None:
    values.sort()
    assert quantile(values, q) == pytest.approx(float(np.quantile(values, q)), abs=1e-6)


def test_quantile_of_nothing_is_none() -> None:
    assert quantile([], 0.5) is None


@pytest.mark.parametrize("q", [-0.1, 1.5, float("nan"), float("inf")])
def test_quantile_refuses_a_q_outside_zero_to_one(q: float) -> None:
    # -0.1 wrapped to the end of the list (1.4 of [1, 2, 3]); 1.5 raised IndexError
    for values in ([1.0, 2.0, 3.0], []):
        with pytest.raises(ValueError, match="q must be between 0 and 1"):
            quantile(values, q)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 60 * 24 * 20),  # submission, minutes after 2 Mar
            st.integers(0, 60 * 24 * 5),  # to verify
            st.integers(0, 60 * 24 * 15),  # to follow up
            st.booleans(),
            st.sampled_from(["a", "b", "c"]),
        ),
        max_size=8,
    ),
    st.sampled_from(list(GroupBy)),
)
def test_groups_add_up_to_the_total(rows: list, by: GroupBy) -> None:
    complaints = []
    for i, (sub, ver, fu, follows, unit) in enumerate(rows):
        submitted = wib(3, 2, 0) + timedelta(minutes=sub)
        verified = submitted + timedelta(minutes=ver)
        followed = verified + timedelta(minutes=fu + 1) if follows else None
        complaints.append(handled(f"C-{i}", submitted, verified, verified, followed, unit=unit))
    m = measure(complaints, wib(4, 30), policy=lapor_policy(), by=by)
    for name in ("received", "archived", "dispatched", "followed_up", "closed", "open"):
        assert sum(getattr(g, name) for g in m.groups) == getattr(m.total, name)
    for clock in lapor_policy().names:
        assert (
            sum(g.compliance[clock].stopped for g in m.groups) == m.total.compliance[clock].stopped
        )
    assert m.total.followed_up <= m.total.dispatched <= m.total.received
