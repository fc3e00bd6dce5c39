"""Plots (the ``plot`` extra), drawn with the Agg backend."""

from __future__ import annotations

import sys

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from pengaduan import MissingExtraError, NaiveDatetimeError, UnknownClockError  # noqa: E402
from pengaduan.metrics import measure  # noqa: E402
from pengaduan.plots import compliance_by_unit, follow_up_distribution, timeline  # noqa: E402
from pengaduan.presets import lapor_policy, lapor_workflow  # noqa: E402

from .conftest import handled, history, wib  # noqa: E402

FAST = handled("C-1", wib(3, 2, 9), wib(3, 2, 10), wib(3, 2, 11), wib(3, 4, 11), wib(3, 27, 8))
SLOW = handled(
    "C-2", wib(3, 2, 9), wib(3, 3, 9), wib(3, 3, 10), wib(3, 13, 10), unit="dinas-kesehatan"
)
HELD = history(
    "C-3",
    ("submit", wib(3, 2, 9), {}),
    ("hold", wib(3, 2, 10), {"reason": "Data kurang"}),
    ("resume", wib(3, 4, 10), {}),
    ("escalate", wib(3, 5, 10), {"level": 1, "to": "admin_agency"}),
)
AS_OF = wib(4, 6, 9)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_timeline_draws_a_row_per_clock_and_one_for_states() -> None:
    ax = timeline(FAST, lapor_policy(), AS_OF)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["resolution", "closure", "follow_up", "verification", "state"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["submitted", "verified", "dispatched", "followed_up", "closed"]
    assert ax.get_title() == "Complaint C-1"


def test_timeline_shows_pauses_and_reminders() -> None:
    ax = timeline(HELD, lapor_policy(), AS_OF)
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert "#bbbbbb" in colours  # the verification clock paused while on hold
    markers = [line for line in ax.get_lines() if line.get_marker() == "v"]
    assert len(markers) == 1


def test_timeline_marks_a_breached_cycle_in_red() -> None:
    ax = timeline(SLOW, lapor_policy(), AS_OF)
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert "#d62728" in colours


def test_timeline_of_a_complaint_without_events_is_refused() -> None:
    with pytest.raises(ValueError, match="has no events"):
        timeline(lapor_workflow().new("X"))


def test_timeline_at_a_naive_instant_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError, match="as_of"):
        timeline(FAST, lapor_policy(), datetime(2026, 4, 6, 9))


def test_compliance_by_unit_draws_one_bar_per_unit_with_its_rate() -> None:
    m = measure([FAST, SLOW], AS_OF, policy=lapor_policy())
    ax = compliance_by_unit(m)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["dinas-kesehatan", "dinas-pu"]
    assert [p.get_width() for p in ax.patches] == [0.0, 100.0]
    assert [t.get_text() for t in ax.texts] == ["0/1", "1/1"]


def test_compliance_of_an_unknown_clock_is_refused() -> None:
    m = measure([FAST], AS_OF, policy=lapor_policy())
    with pytest.raises(UnknownClockError, match="'answer'"):
        compliance_by_unit(m, "answer")


def test_follow_up_distribution_counts_every_followed_up_complaint() -> None:
    m = measure([FAST, SLOW, HELD], AS_OF)
    ax = follow_up_distribution(m, bins=[0, 5, 15])
    assert [p.get_height() for p in ax.patches] == [1, 1]
    ax = follow_up_distribution(m, working_days=True, bins=[0, 5, 15])
    assert ax.get_xlabel() == "working days"


def test_follow_up_distribution_by_group_draws_one_series_each() -> None:
    m = measure([FAST, SLOW], AS_OF)
    ax = follow_up_distribution(m, by="unit", bins=[0, 5, 15])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["dinas-kesehatan", "dinas-pu"]


def test_plots_without_matplotlib_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtraError, match=r"pengaduan\[plot\]"):
        compliance_by_unit(measure([FAST], AS_OF, policy=lapor_policy()))
