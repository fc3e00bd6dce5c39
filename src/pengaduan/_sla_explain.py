"""Building and rendering clock timelines (private; see `pengaduan.sla.explain`)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from pengaduan import _present
from pengaduan.sla import Cycle, Evaluation, Timeline, TimelineEntry

_ZERO = timedelta(0)
# At one instant and one event: a breach first (stopping at the deadline is too late), then
# what the event ends, then what it starts.
_ORDER = {
    "breached": 0,
    "resumed": 1,
    "stopped": 2,
    "expired": 2,
    "reset": 2,
    "started": 3,
    "paused": 4,
}


def format_instant(value: datetime) -> str:
    """An instant as ``2026-03-17 09:00 +07:00`` (seconds only when not zero)."""
    text = value.strftime("%Y-%m-%d %H:%M")
    if value.second or value.microsecond:
        text += value.strftime(":%S")
    offset = value.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}" if offset else text


def format_delta(delta: timedelta, *, hours: bool = False) -> str:
    """A duration as ``2d 3h 15m``, or with `hours` as ``51h 15m`` (working time).

    Prefixed with ``-`` when negative.
    """
    sign = "-" if delta < _ZERO else ""
    seconds = int(abs(delta).total_seconds())
    days, rest = 0, seconds
    if not hours:
        days, rest = divmod(seconds, 86_400)
    whole_hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}d")
    if whole_hours:
        parts.append(f"{whole_hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return sign + " ".join(parts)


def _measure(cycle: Cycle) -> str:
    return "working time" if cycle.target.in_working_time else "time"


def _show(cycle: Cycle, delta: timedelta) -> str:
    return format_delta(delta, hours=cycle.target.in_working_time)


def _cycle_entries(
    name: str, cycle: Cycle, actions: dict[str, tuple[int, str]]
) -> list[tuple[int, TimelineEntry]]:
    """The entries of one cycle, each with the sequence number of the event behind it."""
    tz = cycle.calendar.tz
    out: list[tuple[int, TimelineEntry]] = []
    unknown = (-1, "?")

    def add(at: datetime, kind: str, text: str, event: str | None = None) -> None:
        seq = actions.get(event, unknown)[0] if event is not None else -1
        if kind == "due":
            seq = len(actions)
        out.append((seq, TimelineEntry(at.astimezone(tz), name, cycle.index, kind, text)))

    by = actions.get(cycle.start_event or "", unknown)[1]
    estimated = " (rests on an estimated holiday)" if cycle.estimated else ""
    deadline = (
        f"; deadline {format_instant(cycle.deadline.astimezone(tz))}{estimated}"
        if cycle.deadline is not None
        else ""
    )
    add(
        cycle.start,
        "started",
        f"started on {by}; target {cycle.target}{deadline}",
        cycle.start_event,
    )
    for pause in cycle.pauses:
        why = pause.cause + (f": {pause.reason}" if pause.reason else "")
        add(pause.start, "paused", f"paused because {why}", pause.event_id)
        if pause.end is not None and (cycle.stop is None or pause.end != cycle.stop):
            add(
                pause.end,
                "resumed",
                f"resumed after {format_delta(pause.end - pause.start)}",
                pause.end_event,
            )
    if cycle.breach_at is not None:
        add(cycle.breach_at, "breached", f"breached: the {cycle.target} ran out")
    if cycle.stop is not None:
        by = actions.get(cycle.stop_event or "", unknown)[1]
        if cycle.ended_by == "stop":
            verdict = "met" if cycle.met else "missed"
            add(
                cycle.stop,
                "stopped",
                f"stopped on {by}: {verdict}; {_show(cycle, cycle.elapsed)} of "
                f"{_measure(cycle)} used ({cycle.percent:.0f}%)",
                cycle.stop_event,
            )
        elif cycle.ended_by == "expired":
            add(cycle.stop, "expired", f"ran out and ended by {by}, as designed", cycle.stop_event)
        else:
            add(cycle.stop, "reset", f"ended by {by}, which starts a new cycle", cycle.stop_event)
    elif cycle.deadline is not None and cycle.breach_at is None:
        remaining = cycle.remaining
        left = f"; {_show(cycle, remaining)} of {_measure(cycle)} left" if remaining else ""
        add(cycle.deadline, "due", f"due ({cycle.percent:.0f}% used{left})")
    return out


def build_timeline(evaluation: Evaluation) -> Timeline:
    """Build the timeline of an evaluation."""
    actions = {event.id: (n, event.action) for n, event in enumerate(evaluation._events)}
    entries: list[tuple[datetime, int, int, int, TimelineEntry]] = []
    summary: list[tuple[str, str, str, str, str]] = []
    for position, state in enumerate(evaluation.clocks):
        for cycle in state.cycles:
            for seq, entry in _cycle_entries(state.name, cycle, actions):
                at = entry.at.astimezone(UTC)  # one zone's datetimes compare by wall time
                entries.append((at, seq, _ORDER.get(entry.kind, 5), position, entry))
        tz = state.clock.calendar.tz
        deadline = state.deadline
        remaining = state.remaining
        status = state.status.value
        if state.breached:
            status += ", breached"
        summary.append(
            (
                state.name,
                status,
                format_instant(deadline.astimezone(tz)) if deadline is not None else "-",
                format_delta(remaining, hours=state.clock.target.in_working_time)
                if remaining is not None
                else "-",
                str(len(state.cycles)),
            )
        )
    entries.sort(key=lambda item: item[:4])
    return Timeline(
        evaluation.complaint,
        evaluation.as_of,
        tuple(item[4] for item in entries),
        tuple(summary),
    )


_HEADER = ("clock", "status", "deadline", "remaining", "cycles")


def render_text(timeline: Timeline) -> str:
    """The timeline as plain text for a terminal."""
    lines = [f"complaint {timeline.complaint} as of {format_instant(timeline.as_of)}", ""]
    rows = [_HEADER, *timeline.summary]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    width = max((len(e.clock) for e in timeline.entries), default=0) + 3
    for entry in timeline.entries:
        marker = "  " if entry.at.astimezone(UTC) <= timeline.as_of.astimezone(UTC) else "> "
        who = f"{entry.clock} #{entry.cycle}".ljust(width)
        lines.append(f"{marker}{format_instant(entry.at)}  {who}  {entry.text}")
    return "\n".join(lines)


def render_html(timeline: Timeline) -> str:
    """The timeline as an HTML fragment for a notebook (it carries its own styles)."""
    esc = html.escape
    td, th = _present.TD_STYLE, _present.TH_STYLE
    table = f'<table class="pengaduan-table" style="{_present.TABLE_STYLE}"><thead><tr>'
    parts = [
        f'<div class="pengaduan" style="{_present.BOX_STYLE}">{_present.STYLE}'
        f"<strong>complaint {esc(timeline.complaint)}</strong> as of "
        f"{esc(format_instant(timeline.as_of))}",
        table,
        *(f'<th style="{th}">{h}</th>' for h in _HEADER),
        "</tr></thead><tbody>",
    ]
    for row in timeline.summary:
        colour = ";color:#b00" if "breached" in row[1] else ""
        parts.append(
            "<tr>" + "".join(f'<td style="{td}{colour}">{esc(cell)}</td>' for cell in row) + "</tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        f'{table}<th style="{th}">at</th><th style="{th}">clock</th><th style="{th}">event</th>'
        "</tr></thead><tbody>"
    )
    for entry in timeline.entries:
        future = entry.at.astimezone(UTC) > timeline.as_of.astimezone(UTC)
        colour = ";color:#888" if future else ""
        if entry.kind == "breached":
            colour = ";color:#b00"
        style = f"{td}{colour}"
        parts.append(
            f'<tr><td style="{style}">{esc(format_instant(entry.at))}</td>'
            f'<td style="{style}">{esc(entry.clock)} #{entry.cycle}</td>'
            f'<td style="{style}">{esc(entry.text)}</td></tr>'
        )
    parts.append("</tbody></table></div>")
    return "".join(parts)


__all__ = ["build_timeline", "format_delta", "format_instant", "render_html", "render_text"]
