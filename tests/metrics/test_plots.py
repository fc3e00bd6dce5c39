"""Plots (the ``plot`` extra), drawn with the Agg backend."""

from __future__ import annotations

import sys

import pytest

from pengaduan.presets import id_gov_calendar

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from pengaduan import MissingExtraError, NaiveDatetimeError, UnknownClockError  # noqa: E402
from pengaduan.metrics import measure  # noqa: E402
from pengaduan.plots import (  # noqa: E402
    compliance_by_unit,
    compliance_over_time,
    follow_up_distribution,
    follow_up_over_time,
    timeline,
)
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
    ax = timeline(FAST, AS_OF, policy=lapor_policy())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["resolution", "closure", "follow_up", "verification", "state"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["submitted", "verified", "dispatched", "followed_up", "closed"]
    assert ax.get_title() == "Complaint C-1"


def test_timeline_shows_pauses_and_reminders() -> None:
    ax = timeline(HELD, AS_OF, policy=lapor_policy())
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert "#bbbbbb" in colours  # the verification clock paused while on hold
    markers = [line for line in ax.get_lines() if line.get_marker() == "v"]
    assert len(markers) == 1


def test_timeline_marks_a_breached_cycle_in_red() -> None:
    ax = timeline(SLOW, AS_OF, policy=lapor_policy())
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert "#d62728" in colours


def test_timeline_of_a_complaint_without_events_is_refused() -> None:
    with pytest.raises(ValueError, match="has no events"):
        timeline(lapor_workflow().new("X"), policy=lapor_policy())


def test_timeline_at_a_naive_instant_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError, match="as_of"):
        timeline(FAST, datetime(2026, 4, 6, 9), policy=lapor_policy())


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
    m = measure([FAST, SLOW, HELD], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    ax = follow_up_distribution(m, bins=[0, 5, 15])
    assert [p.get_height() for p in ax.patches] == [1, 1]
    ax = follow_up_distribution(m, working_days=True, bins=[0, 5, 15])
    assert ax.get_xlabel() == "working days"


def test_follow_up_distribution_by_group_draws_one_series_each() -> None:
    m = measure([FAST, SLOW], AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    ax = follow_up_distribution(m, by="unit", bins=[0, 5, 15])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["dinas-kesehatan", "dinas-pu"]


def test_plots_without_matplotlib_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingExtraError, match=r"pengaduan\[plot\]"):
        compliance_by_unit(measure([FAST], AS_OF, policy=lapor_policy()))


# Three months of complaints in two units: slow before the reminders, fast after.
LONG_UNIT = "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Muara Enim"
TREND = [
    handled("T-1", wib(1, 5), wib(1, 5, 10), wib(1, 5, 11), wib(1, 15, 11), unit=LONG_UNIT),
    handled("T-2", wib(1, 6), wib(1, 6, 10), wib(1, 6, 11), wib(1, 12, 11)),
    handled("T-3", wib(3, 2), wib(3, 2, 10), wib(3, 2, 11), wib(3, 3, 11), unit=LONG_UNIT),
    handled("T-4", wib(3, 3), wib(3, 3, 10), wib(3, 3, 11), wib(3, 4, 11)),
]
SWITCHED_ON = wib(2, 1, 0)


def _lines_with_points(ax: object) -> list[object]:
    return [line for line in ax.get_lines() if line.get_marker() == "o"]  # type: ignore[attr-defined]


def test_follow_up_over_time_averages_each_month_and_leaves_empty_months_as_gaps() -> None:
    m = measure(TREND, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    ax = follow_up_over_time(m, ladder_since=SWITCHED_ON)
    (line,) = _lines_with_points(ax)
    means = list(line.get_ydata())
    assert means[0] == pytest.approx(8.0)  # (10 + 6) / 2 days in January
    assert means[1] != means[1]  # February: nothing submitted, a gap (NaN)
    assert means[2] == pytest.approx(1.0)
    assert "reminders on" in " ".join(t.get_text() for t in ax.texts)
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1


def test_follow_up_over_time_by_quarter_in_working_days() -> None:
    m = measure(TREND, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    ax = follow_up_over_time(m, period="quarter", working_days=True)
    (line,) = _lines_with_points(ax)
    assert len(line.get_ydata()) == 1
    assert "working days" in ax.get_ylabel()


def test_follow_up_over_time_refuses_an_unknown_period_and_a_naive_switch() -> None:
    m = measure(TREND, AS_OF, workflow=lapor_workflow(), calendar=id_gov_calendar())
    with pytest.raises(ValueError, match="'week'"):
        follow_up_over_time(m, period="week")
    from datetime import datetime

    with pytest.raises(NaiveDatetimeError, match="ladder_since"):
        follow_up_over_time(m, ladder_since=datetime(2026, 2, 1))


def test_compliance_over_time_draws_one_panel_per_unit_on_shared_axes() -> None:
    m = measure(TREND, AS_OF, policy=lapor_policy())
    panels = compliance_over_time(m, period="month", ladder_since=SWITCHED_ON)
    assert len(panels) == 2
    titles = [p.get_title() for p in panels]
    assert titles[1] == "dinas-pu"
    assert all(len(line) <= 30 for line in titles[0].splitlines())  # the long name wrapped
    assert titles[0].replace("\n", " ") == LONG_UNIT
    slow_then_fast = list(_lines_with_points(panels[0])[0].get_ydata())
    assert slow_then_fast[0] == 0.0  # 10 days against a 5-working-day target
    assert slow_then_fast[2] == 100.0
    assert panels[0].get_shared_x_axes().joined(panels[0], panels[1])


def test_compliance_over_time_of_an_unknown_clock_is_refused() -> None:
    m = measure(TREND, AS_OF, policy=lapor_policy())
    with pytest.raises(UnknownClockError):
        compliance_over_time(m, "answer")


def _fits(figure: object) -> bool:
    """Whether everything drawn (tick labels, titles, legends) lies within the figure."""
    figure.canvas.draw()  # type: ignore[attr-defined]
    drawn = figure.get_tightbbox(figure.canvas.get_renderer())  # type: ignore[attr-defined]
    width, height = figure.get_size_inches()  # type: ignore[attr-defined]
    slack = 0.02
    return bool(
        drawn.x0 >= -slack
        and drawn.y0 >= -slack
        and drawn.x1 <= width + slack
        and drawn.y1 <= height + slack
    )


def test_every_plot_without_an_ax_keeps_its_labels_and_legend_on_the_figure() -> None:
    m = measure([*TREND, FAST, SLOW], AS_OF, policy=lapor_policy())
    figures = [
        timeline(FAST, AS_OF, policy=lapor_policy()).figure,
        compliance_by_unit(m).figure,
        follow_up_distribution(m, by="unit").figure,
        follow_up_over_time(m, ladder_since=SWITCHED_ON).figure,
        compliance_over_time(m, ladder_since=SWITCHED_ON)[0].figure,
    ]
    for figure in figures:
        assert _fits(figure), figure.axes[0].get_title()


def test_long_unit_names_are_wrapped_on_the_compliance_bars() -> None:
    m = measure(TREND, AS_OF, policy=lapor_policy())
    ax = compliance_by_unit(m)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert max(len(line) for label in labels for line in label.splitlines()) <= 22
