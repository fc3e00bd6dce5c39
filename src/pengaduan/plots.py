"""Plots for notebooks (the ``plot`` extra: matplotlib, imported only when a plot is drawn).

- `timeline`: one complaint's states over time, its clock cycles with their deadlines and
  breaches, and the reminders it received;
- `compliance_by_unit`: the share of a clock's stopped cycles that met their deadline, per
  unit (or any other grouping);
- `follow_up_distribution`: a histogram of the time from dispatch to first follow-up, in
  calendar or working days, optionally one series per group (e.g. per year).

Each function draws on the `ax` given (or on a new figure) and returns the matplotlib
``Axes``. Plots show ids, units and states only, never a complaint's text or reporter.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pengaduan._time import require_aware
from pengaduan.exceptions import MissingExtraError
from pengaduan.metrics import GroupBy, Metrics
from pengaduan.model import Complaint
from pengaduan.sla import Policy, evaluate
from pengaduan.workflow import Workflow

__all__ = ["compliance_by_unit", "follow_up_distribution", "timeline"]

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
        _figure, ax = plt.subplots(figsize=size)
    return ax


def timeline(
    complaint: Complaint,
    policy: Policy | None = None,
    as_of: datetime | None = None,
    *,
    workflow: Workflow | None = None,
    ax: Any = None,
) -> Any:
    """Draw a complaint's timeline: states, clock cycles, deadlines, breaches, reminders.

    The top row shows the state the complaint was in over time; one row per clock below it
    shows each cycle as a bar (grey while paused), its deadline as a tick and a breach in red.

    Args:
        complaint: The complaint.
        policy: The clocks to draw (SP4N-LAPOR! by default).
        as_of: The instant to evaluate at (default: the last event).
        workflow: The workflow of the history (default: the policy's).
        ax: The matplotlib axes to draw on (default: a new figure).

    Returns:
        The axes.

    Raises:
        MissingExtraError: If matplotlib is not installed.
        NaiveDatetimeError: If `as_of` is naive.
        ValueError: If the complaint has no events.
    """
    if as_of is not None:
        require_aware(as_of, "as_of")
    if not complaint.events:
        raise ValueError(f"complaint {complaint.id!r} has no events to draw")
    ax = _axes(ax, "plots.timeline", (10, 3))
    mdates = importlib.import_module("matplotlib.dates")
    if policy is None:
        from pengaduan.presets import lapor_policy

        policy = lapor_policy()
    if workflow is None:
        workflow = policy.workflow
    if workflow is None:
        from pengaduan.presets import lapor_workflow

        workflow = lapor_workflow()
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
    evaluation = evaluate(complaint, policy, end)
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
    ax = _axes(ax, "plots.compliance_by_unit", (7, 4))
    grouped = _grouped(metrics, by)
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
    ax.set_yticklabels(labels)
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
    calendar = metrics.calendar
    if calendar is None:  # pragma: no cover - measure always sets it
        from pengaduan.presets import id_gov_calendar

        calendar = id_gov_calendar()
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
    ax.hist(series, bins=bins, label=labels)
    ax.set_xlabel("working days" if working_days else "days", loc="right")
    ax.set_ylabel("complaints")
    ax.set_title("Dispatch to first follow-up")
    if by is not None:
        ax.legend(title=GroupBy.parse(by).value)
    return ax
