"""The batch path agrees exactly with evaluate over a whole simulated regency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from batch_support import both, first_difference

from pengaduan.presets import lapor_policy
from pengaduan.simulation import muara_enim, simulate
from pengaduan.sla import Target


@pytest.fixture(scope="module")
def regency():
    sim = simulate(muara_enim(), seed=7)
    return sim, sim.complaints()


POLICIES = {
    "preset": lapor_policy(),
    "resolution in working days": lapor_policy(resolution=Target.working_days(60)),
    "resolution in working time": lapor_policy(
        resolution=Target.working_time(timedelta(hours=200))
    ),
    "resolution in calendar time": lapor_policy(
        resolution=Target.calendar_time(timedelta(days=30, hours=6))
    ),
}


@pytest.mark.parametrize("name", sorted(POLICIES))
@pytest.mark.parametrize("when", ["end", "middle", "start"])
def test_every_clock_row_of_the_regency_is_evaluates(regency, name, when):
    sim, complaints = regency
    scenario = sim.scenario
    as_of = {
        "end": scenario.end,
        "middle": scenario.start + (scenario.end - scenario.start) / 2,
        "start": scenario.start + timedelta(days=20, hours=3, minutes=17),
    }[when]
    batch, expected = both(complaints, as_of, POLICIES[name])
    got = batch.rows()
    assert len(got) >= 20
    assert got == expected, first_difference(got, expected)
    assert not batch.fallbacks


def test_the_regency_has_every_kind_of_cycle(regency):
    """The comparison above covers pauses, expiries, breaches and open cycles.

    (The simulated regency has no reopened complaints, so no resets: the properties cover
    those.)
    """
    sim, complaints = regency
    batch, _ = both(complaints, sim.scenario.end, lapor_policy())
    rows = batch.rows()
    assert {r.ended_by for r in rows} >= {"stop", "expired", None}
    assert any(r.pauses for r in rows)
    assert any(r.breached for r in rows)
    assert not all(r.breached for r in rows)
    assert {r.clock for r in rows} == set(lapor_policy().names)


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_evaluating_in_chunks_of_complaints_changes_nothing(regency, monkeypatch, chunk):
    """The engine takes whole complaints about `_CHUNK` events at a time."""
    import pengaduan.batch

    sim, complaints = regency
    monkeypatch.setattr(pengaduan.batch, "_CHUNK", chunk)
    batch, expected = both(complaints, sim.scenario.end, lapor_policy())
    got = batch.rows()
    assert got == expected, first_difference(got, expected)
