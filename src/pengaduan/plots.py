"""Plots for notebooks (the ``plot`` extra: matplotlib, imported only when a plot is drawn).

- `timeline`: one complaint's states over time, its clock cycles with their deadlines and
  breaches, and the reminders it received;
- `compliance_by_unit`: the share of a clock's stopped cycles that met their deadline, per
  unit (or any other grouping);
- `follow_up_distribution`: a histogram of the time from dispatch to first follow-up, in
  calendar or working days, optionally one series per group (e.g. per year);
- `follow_up_over_time`: the average time to first follow-up per month or quarter, with the
  day the reminders (the ladder) were switched on marked: the chart that shows whether
  reminders work;
- `compliance_over_time`: a clock's compliance per month or quarter, one small panel per unit.

Each function draws on the `ax` given (or on a new figure, sized and laid out to fit its
labels and legend) and returns the matplotlib ``Axes`` (`compliance_over_time`: one per
panel). Long unit names are wrapped. Plots show ids, units and states only, never a
complaint's text or reporter.
"""

from __future__ import annotations

import importlib
import math
import textwrap
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule

from pengaduan._time import require_aware
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import MissingDefinitionError, MissingExtraError
from pengaduan.metrics import GroupBy, Metrics
from pengaduan.model import Complaint
from pengaduan.sla import Policy, evaluate
from pengaduan.workflow import Workflow

__all__ = [
    "compliance_by_unit",
    "compliance_over_time",
    "follow_up_distribution",
    "follow_up_over_time",
    "timeline",
]

# A colour per state of the SP4N-LAPOR! preset; other states cycle through the default ones.
_STATE_COLOURS = {
    "submitted": "#9ecae1",
    "on_hold": "#fdd0a2",
    "verified": "#6baed6",
    "dispatched": "#fd8d3c",
    "followed_up": "#74c476",
    "closed": "#31a354",
    "archived": "#bdbdbd",
}


def _pyplot(feature: str) -> Any:
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise MissingExtraError(feature, "plot") from None


def _axes(ax: Any, feature: str, size: tuple[float, float]) -> Any:
    plt = _pyplot(feature)
    if ax is None:
        # Constrained layout keeps tick labels, titles and outside legends on the figure.
        _figure, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _wrap(label: str, width: int = 22) -> str:
    """A label broken into lines of at most `width` characters (long unit names)."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=True)) or label


def timeline(
    complaint: Complaint,
    as_of: datetime | TimeSource | None = None,
    *,
    policy: Policy,
    workflow: Workflow | None = None,
    ax: Any = None,
) -> Any:
    """Draw a complaint's timeline: states, clock cycles, deadlines, breaches, reminders.

    The top row shows the state the complaint was in over time; one row per clock below it
    shows each cycle as a bar (grey while paused), its deadline as a tick and a breach in red.

    Args:
        complaint: The complaint.
        as_of: The instant to evaluate at (default: the last event).
        policy: The clocks to draw.
        workflow: The workflow of the history (default: the policy's).
        ax: The matplotlib axes to draw on (default: a new figure).

    Returns:
        The axes.

    Raises:
        MissingExtraError: If matplotlib is not installed.
        NaiveDatetimeError: If `as_of` is naive.
        MissingDefinitionError: If neither `workflow` nor the policy gives a workflow.
        ValueError: If the complaint has no events.
    """
    if as_of is not None:
        as_of = instant_of(as_of)
    if not complaint.events:
        raise ValueError(f"complaint {complaint.id!r} has no events to draw")
    ax = _axes(ax, "plots.timeline", (10, 3))
    mdates = importlib.import_module("matplotlib.dates")
    if workflow is None:
        workflow = policy.workflow
    if workflow is None:
        raise MissingDefinitionError("plots.timeline", "workflow", "a policy that has one")
    last = complaint.events[-1].at
    end = as_of if as_of is not None else last
    tz = policy.clocks[0].calendar.tz if policy.clocks else end.tzinfo
    dest = {a.name: a.dest for a in workflow.actions}

    def x(at: datetime) -> float:
        return float(mdates.date2num(at.astimezone(tz)))

    # States.
    spans: list[tuple[datetime, datetime, str]] = []
    state = workflow.initial
    since = complaint.events[0].at
    for event in complaint.events:
        if event.at > end:
            break
        target = dest.get(event.action)
        if target is not None and target != state:
            if state != workflow.initial:
                spans.append((since, event.at, state))
            state, since = target, event.at
    evaluation = evaluate(complaint, end, policy=policy)
    # A finished complaint is drawn up to its last event or deadline, not up to as_of.
    horizon = max(e.at for e in complaint.events if e.at <= end)
    for clock_state in evaluation.clocks:
        for cycle in clock_state.cycles:
            if cycle.deadline is not None:
                horizon = max(horizon, cycle.deadline)
    if not workflow.state(state).terminal:
        horizon = max(horizon, end)
    span = max(horizon - complaint.events[0].at, timedelta(hours=1))
    horizon = horizon + span * 0.05
    spans.append((since, max(horizon, since), state))
    rows = len(policy.clocks) + 1
    top = rows - 1
    seen: dict[str, Any] = {}
    for start, stop, name in spans:
        width = max(x(stop) - x(start), 1e-3)
        bars = ax.barh(
            top, width, left=x(start), color=_STATE_COLOURS.get(name, "#cccccc"), height=0.6
        )
        seen.setdefault(name, bars)
    ax.legend(
        list(seen.values()), list(seen), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8
    )
    # Clocks.
    for row, clock_state in enumerate(reversed(evaluation.clocks)):
        for cycle in clock_state.cycles:
            stop = cycle.stop if cycle.stop is not None else end
            ax.barh(
                row,
                max(x(stop) - x(cycle.start), 1e-3),
                left=x(cycle.start),
                color="#d62728" if cycle.breached else "#1f77b4",
                height=0.4,
            )
            for pause in cycle.pauses:
                pause_end = pause.end if pause.end is not None else end
                ax.barh(
                    row,
                    max(x(pause_end) - x(pause.start), 1e-3),
                    left=x(pause.start),
                    color="#bbbbbb",
                    height=0.4,
                )
            if cycle.deadline is not None:
                ax.plot([x(cycle.deadline)] * 2, [row - 0.3, row + 0.3], color="black", lw=1.5)
    # Reminders.
    for event in complaint.events:
        if event.at <= end and event.action == "escalate":
            ax.plot([x(event.at)], [top], marker="v", color="#7b3294", markersize=7)
    ax.set_xlim(x(complaint.events[0].at - span * 0.02), x(horizon))
    ax.set_yticks(range(rows))
    ax.set_yticklabels([*(s.clock.name for s in reversed(evaluation.clocks)), "state"])
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.set_title(f"Complaint {complaint.id}")
    return ax


def _grouped(metrics: Metrics, by: GroupBy | str) -> Metrics:
    grouping = GroupBy.parse(by)
    return metrics if metrics.by is grouping else metrics.group_by(grouping)


def compliance_by_unit(
    metrics: Metrics,
    clock: str = "follow_up",
    *,
    by: GroupBy | str = GroupBy.UNIT,
    ax: Any = None,
) -> Any:
    """Draw a clock's compliance per unit (or per another grouping) as horizontal bars.

    Groups with no stopped cycle are left out; each bar is labelled ``met/stopped``.

    Args:
        metrics: Metrics measured with a policy (`pengaduan.metrics.measure`).
        clock: The clock's name.
        by: The grouping (unit by default).
        ax: The matplotlib axes to draw on (default: a new figure).

    Returns:
        The axes.

    Raises:
        MissingExtraError: If matplotlib is not installed.
        UnknownClockError: If the metrics have no such clock.
    """
    if clock not in metrics.clocks:
        from pengaduan.exceptions import UnknownClockError

        raise UnknownClockError(clock, metrics.clocks)
    grouped = _grouped(metrics, by)
    size = (7.5, max(2.5, 0.5 * len(grouped.groups) + 1.2))
    ax = _axes(ax, "plots.compliance_by_unit", size)
    labels: list[str] = []
    rates: list[float] = []
    notes: list[str] = []
    for group in grouped.groups:
        c = group.compliance[clock]
        if c.rate is None:
            continue
        labels.append("-" if group.key is None else group.key)
        rates.append(100 * c.rate)
        notes.append(f"{c.met}/{c.stopped}")
    positions = list(range(len(labels)))
    bars = ax.barh(positions, rates, color="#1f77b4")
    for bar, note in zip(bars, notes, strict=True):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, note, va="center")
    ax.set_yticks(positions)
    ax.set_yticklabels([_wrap(label) for label in labels])
    ax.set_xlim(0, 115)
    ax.set_xlabel(f"{clock}: stopped cycles that met their deadline (%)")
    ax.invert_yaxis()
    return ax


def follow_up_distribution(
    metrics: Metrics,
    *,
    working_days: bool = False,
    by: GroupBy | str | None = None,
    bins: int | Sequence[float] = 20,
    ax: Any = None,
) -> Any:
    """Draw a histogram of the time from dispatch to first follow-up.

    Args:
        metrics: The metrics (their complaint summaries are used).
        working_days: Count working days instead of calendar days.
        by: Draw one series per group (e.g. ``"year"``), stacked side by side.
        bins: Histogram bins (a number or the edges).
        ax: The matplotlib axes to draw on (default: a new figure).

    Returns:
        The axes.

    Raises:
        MissingExtraError: If matplotlib is not installed.
    """
    ax = _axes(ax, "plots.follow_up_distribution", (7, 4))
    grouped = metrics if by is None else _grouped(metrics, by)
    calendar = _calendar_of(metrics)
    key_groups = grouped.groups if by is not None else (grouped.total,)
    from pengaduan.metrics import _key_function

    key_of = _key_function(grouped.by, calendar) if grouped.by is not None else None
    series: list[list[float]] = []
    labels: list[str] = []
    for group in key_groups:
        values: list[float] = []
        for s in metrics.summaries:
            if key_of is not None and key_of(s) != group.key:
                continue
            if s.dispatched_at is None or s.followed_up_at is None:
                continue
            if working_days:
                values.append(
                    float(calendar.working_days_between(s.dispatched_at, s.followed_up_at))
                )
            else:
                values.append((s.followed_up_at - s.dispatched_at).total_seconds() / 86_400)
        series.append(values)
        labels.append("all" if by is None else ("-" if group.key is None else str(group.key)))
    if by is None:
        ax.hist(series, bins=bins, label=labels)
    else:
        # Outlines over one another rather than thin interleaved bars; the same edges for all.
        edges = bins
        if isinstance(bins, int):
            pooled = [v for values in series for v in values] or [0.0]
            low, high = min(pooled), max(pooled)
            step = (high - low) / bins or 1.0
            edges = [low + i * step for i in range(bins + 1)]
        for values, label in zip(series, labels, strict=True):
            ax.hist(values, bins=edges, label=_wrap(label), histtype="step", linewidth=2)
    ax.set_xlabel("working days" if working_days else "days", loc="right")
    ax.set_ylabel("complaints")
    ax.set_title("Dispatch to first follow-up")
    if by is not None:
        ax.legend(title=GroupBy.parse(by).value, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


_PERIODS = {"month": 1, "quarter": 3}


def _months(period: str) -> int:
    try:
        return _PERIODS[period]
    except KeyError:
        raise ValueError(f"period must be 'month' or 'quarter', not {period!r}") from None


def _period_of(day: date, months: int) -> date:
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def _period_starts(first: date, last: date, months: int) -> list[date]:
    """Every period start from `first`'s period to `last`'s (empty periods included)."""
    start = _period_of(first, months)
    until = _period_of(last, months)
    return [d.date() for d in rrule(MONTHLY, interval=months, dtstart=start, until=until)]


def _middles(starts: Sequence[date], months: int, mdates: Any) -> tuple[list[float], list[float]]:
    """The middle of each period and its width, as matplotlib date numbers."""
    first = [float(mdates.date2num(d)) for d in starts]
    ends = [float(mdates.date2num(d + relativedelta(months=months))) for d in starts]
    return [(a + b) / 2 for a, b in zip(first, ends, strict=True)], [
        b - a for a, b in zip(first, ends, strict=True)
    ]


def _calendar_of(metrics: Metrics) -> Any:
    if metrics.calendar is None:  # pragma: no cover - measure always sets it
        raise MissingDefinitionError("plots", "calendar")
    return metrics.calendar


def _mark_switch(ax: Any, since: datetime | None, tz: Any, mdates: Any, text: bool) -> None:
    if since is None:
        return
    require_aware(since, "ladder_since")
    where = mdates.date2num(since.astimezone(tz))
    ax.axvline(where, color="#7b3294", linestyle="--", linewidth=1.5)
    if text:
        ax.annotate(
            f"pengingat aktif / reminders on\n{since.astimezone(tz).date().isoformat()}",
            xy=(where, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -4),
            textcoords="offset points",
            va="top",
            fontsize=8,
            color="#7b3294",
        )


def follow_up_over_time(
    metrics: Metrics,
    *,
    period: str = "month",
    working_days: bool = False,
    ladder_since: datetime | None = None,
    ax: Any = None,
) -> Any:
    """Draw the average time from dispatch to first follow-up per month or quarter.

    Complaints count in the period they were submitted in (in the calendar's zone), as in
    `pengaduan.metrics.GroupBy.MONTH`; a period without a followed-up complaint is a gap. Faint
    bars behind the line show how many complaints each average is over. Mark the day the
    regency switched its reminders on with `ladder_since` to see what they changed.

    Args:
        metrics: The metrics (their complaint summaries are used).
        period: ``"month"`` or ``"quarter"``.
        working_days: Count working days instead of calendar days.
        ladder_since: The day the ladder (reminders) was switched on, marked by a line.
        ax: The matplotlib axes to draw on (default: a new figure).

    Returns:
        The axes.

    Raises:
        MissingExtraError: If matplotlib is not installed.
        NaiveDatetimeError: If `ladder_since` is naive.
        ValueError: If `period` is neither ``"month"`` nor ``"quarter"``.
    """
    months = _months(period)
    if ladder_since is not None:
        require_aware(ladder_since, "ladder_since")
    ax = _axes(ax, "plots.follow_up_over_time", (9, 4))
    mdates = importlib.import_module("matplotlib.dates")
    calendar = _calendar_of(metrics)
    tz = calendar.tz
    sums: dict[date, list[float]] = {}
    for s in metrics.summaries:
        if s.dispatched_at is None or s.followed_up_at is None:
            continue
        if working_days:
            value = float(calendar.working_days_between(s.dispatched_at, s.followed_up_at))
        else:
            value = (s.followed_up_at - s.dispatched_at).total_seconds() / 86_400
        key = _period_of(s.submitted_at.astimezone(tz).date(), months)
        sums.setdefault(key, []).append(value)
    unit = "working days" if working_days else "days"
    ax.set_title(f"Average time to first follow-up, per {period}")
    ax.set_ylabel(f"mean {unit} (dispatch to follow-up)")
    if sums:
        starts = _period_starts(min(sums), max(sums), months)
        middle, width = _middles(starts, months, mdates)
        means = [sum(sums[d]) / len(sums[d]) if d in sums else math.nan for d in starts]
        counts = [len(sums.get(d, ())) for d in starts]
        twin = ax.twinx()
        twin.bar(middle, counts, width=[w * 0.8 for w in width], color="#1f77b4", alpha=0.12)
        twin.set_ylabel("complaints", color="#7f8c9a")
        twin.tick_params(axis="y", colors="#7f8c9a")
        twin.set_ylim(0, max(counts) * 3 or 1)
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.plot(middle, means, marker="o", color="#1f77b4", linewidth=2, label="mean")
        ax.set_ylim(0, max(m for m in means if not math.isnan(m)) * 1.25 or 1)
    _mark_switch(ax, ladder_since, tz, mdates, text=True)
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.grid(axis="y", alpha=0.3)
    return ax


def compliance_over_time(
    metrics: Metrics,
    clock: str = "follow_up",
    *,
    by: GroupBy | str = GroupBy.UNIT,
    period: str = "quarter",
    ladder_since: datetime | None = None,
    axes: Sequence[Any] | None = None,
) -> tuple[Any, ...]:
    """Draw a clock's compliance per month or quarter, one small panel per unit (or group).

    Each panel shows the share of the group's stopped cycles that met their deadline, per
    period of submission, over the same axes as every other panel, with all groups together
    as a grey line for comparison. Periods with no stopped cycle are gaps.

    Args:
        metrics: Metrics measured with a policy (`pengaduan.metrics.measure`).
        clock: The clock's name.
        by: The grouping (unit by default).
        period: ``"month"`` or ``"quarter"``.
        ladder_since: The day the ladder (reminders) was switched on, marked on each panel.
        axes: The axes to draw on, one per group in key order (default: a new figure).

    Returns:
        The axes of the panels, in group order.

    Raises:
        MissingExtraError: If matplotlib is not installed.
        NaiveDatetimeError: If `ladder_since` is naive.
        UnknownClockError: If the metrics have no such clock.
        ValueError: If `period` is unknown or `axes` are fewer than the groups.
    """
    if clock not in metrics.clocks:
        from pengaduan.exceptions import UnknownClockError

        raise UnknownClockError(clock, metrics.clocks)
    months = _months(period)
    if ladder_since is not None:
        require_aware(ladder_since, "ladder_since")
    grouping = GroupBy.parse(by)
    calendar = _calendar_of(metrics)
    tz = calendar.tz
    from pengaduan.metrics import _key_function

    key_of = _key_function(grouping, calendar)
    tallies: dict[str | None, dict[date, list[int]]] = {}
    total: dict[date, list[int]] = {}
    for s in metrics.summaries:
        stopped, met = s.clocks.get(clock, (0, 0))
        if not stopped:
            continue
        when = _period_of(s.submitted_at.astimezone(tz).date(), months)
        for target in (tallies.setdefault(key_of(s), {}), total):
            cell = target.setdefault(when, [0, 0])
            cell[0] += stopped
            cell[1] += met
    groups = sorted(tallies, key=lambda k: (k is None, k or ""))
    plt = _pyplot("plots.compliance_over_time")
    mdates = importlib.import_module("matplotlib.dates")
    if axes is None:
        columns = max(1, min(3, len(groups)))
        rows = max(1, math.ceil(len(groups) / columns))
        figure, grid = plt.subplots(
            rows,
            columns,
            figsize=(3.8 * columns, 2.4 * rows + 0.6),
            sharex=True,
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        panels = [a for row in grid for a in row]
        for spare in panels[len(groups) :]:
            spare.set_visible(False)
        figure.suptitle(f"{clock}: stopped cycles that met their deadline (%), per {period}")
    else:
        panels = list(axes)
        if len(panels) < len(groups):
            raise ValueError(f"{len(groups)} groups need as many axes, not {len(panels)}")
    if not total:
        return tuple(panels[:1])
    starts = _period_starts(min(total), max(total), months)
    middle, _width = _middles(starts, months, mdates)

    def rates(cells: dict[date, list[int]]) -> list[float]:
        return [100 * cells[d][1] / cells[d][0] if d in cells else math.nan for d in starts]

    overall = rates(total)
    by_label = grouping.value
    for panel, key in zip(panels, groups, strict=False):
        panel.plot(middle, overall, color="#bbbbbb", linewidth=1.5, label="semua / all")
        panel.plot(
            middle,
            rates(tallies[key]),
            marker="o",
            markersize=3.5,
            color="#1f77b4",
            linewidth=1.8,
            label="-" if key is None else key,
        )
        panel.set_title(_wrap("-" if key is None else key, 30), fontsize=9)
        panel.set_ylim(-5, 105)
        panel.grid(axis="y", alpha=0.3)
        _mark_switch(panel, ladder_since, tz, mdates, text=False)
        locator = mdates.AutoDateLocator(tz=tz, maxticks=5)
        panel.xaxis.set_major_locator(locator)
        panel.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
        # A panel above an empty slot is the lowest of its column: it keeps its dates.
        panel.xaxis.set_tick_params(labelbottom=True)
    if axes is None and groups:
        lines = importlib.import_module("matplotlib.lines")
        handles = [
            lines.Line2D([], [], color="#1f77b4", marker="o", markersize=3.5, label=by_label),
            lines.Line2D([], [], color="#bbbbbb", label="semua / all"),
        ]
        if ladder_since is not None:
            handles.append(
                lines.Line2D(
                    [], [], color="#7b3294", linestyle="--", label="pengingat aktif / reminders on"
                )
            )
        panels[0].figure.legend(
            handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8
        )
    return tuple(panels[: len(groups)])
