"""Wherever the library takes an ``as_of`` instant, a time source in its place gives the same."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pengaduan.clock import instant_of
from pengaduan.escalation import due, next_due_at
from pengaduan.exceptions import NaiveDatetimeError
from pengaduan.metrics import measure
from pengaduan.open311 import to_open311
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.reports import build_report
from pengaduan.simulation import compare_policies, muara_enim, simulate
from pengaduan.sla import Target, evaluate, evaluate_many
from pengaduan.testing import ManualClock

WIB = ZoneInfo("Asia/Jakarta")
AS_OF = datetime(2025, 9, 1, 9, tzinfo=WIB)


@pytest.fixture(scope="module")
def complaints() -> list:  # type: ignore[type-arg]
    return list(simulate(muara_enim(complaints=20, years=1), seed=2).complaints().values())


def test_every_as_of_takes_a_time_source_in_its_place(complaints: list) -> None:  # type: ignore[type-arg]
    policy, ladder = lapor_policy(), lapor_ladder()
    shorter = policy.with_target("verification", Target.working_days(1))
    source = ManualClock(AS_OF)
    first = complaints[0]
    assert evaluate(first, source, policy=policy) == evaluate(first, AS_OF, policy=policy)
    assert evaluate_many(complaints, source, policy=policy) == evaluate_many(
        complaints, AS_OF, policy=policy
    )
    assert measure(complaints, source, policy=policy).to_dict() == (
        measure(complaints, AS_OF, policy=policy).to_dict()
    )
    assert build_report(complaints, source, policy=policy).to_dict() == (
        build_report(complaints, AS_OF, policy=policy).to_dict()
    )
    assert to_open311(complaints, policy=policy, as_of=source, workflow=lapor_workflow()) == (
        to_open311(complaints, policy=policy, as_of=AS_OF, workflow=lapor_workflow())
    )
    assert due(complaints, source, ladder=ladder) == due(complaints, AS_OF, ladder=ladder)
    assert next_due_at(first, ladder=ladder, as_of=source) == next_due_at(
        first, ladder=ladder, as_of=AS_OF
    )
    assert compare_policies(complaints, source, before=policy, after=shorter).rows() == (
        compare_policies(complaints, AS_OF, before=policy, after=shorter).rows()
    )


def test_a_time_source_answering_naive_is_refused_like_a_naive_instant() -> None:
    class Naive:
        def now(self) -> datetime:
            return datetime(2025, 9, 1, 9)

    with pytest.raises(NaiveDatetimeError):
        instant_of(Naive())
    with pytest.raises(TypeError, match="a datetime or a TimeSource"):
        instant_of("2025-09-01")  # type: ignore[arg-type]
