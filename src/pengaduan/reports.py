"""Reports: the figures of a regency as text for a terminal and as HTML for a notebook.

`build_report` measures complaints once (`pengaduan.metrics.measure`) and lays out what a
regency publishes: counts and rates, the average follow-up per year, compliance per unit, the
most overdue complaints and the reminders sent. `str(report)` is the terminal text;
in Jupyter the report renders itself as HTML (``_repr_html_``), and so do `Metrics`, a
`pengaduan.simulation.Comparison` and a complaint (`complaint_html`).

Reports carry no personal data: complaints appear by id, unit and state only, never with
their title, text or reporter.

Headings are bilingual (Bahasa Indonesia first, English after a slash).

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from pengaduan.presets import lapor_policy
>>> from pengaduan.simulation import muara_enim, simulate
>>> history = simulate(muara_enim(complaints=40), seed=1)
>>> report = build_report(history.complaints(), history.scenario.end, policy=lapor_policy())
>>> print(str(report).splitlines()[0])
Laporan Pengaduan / Complaints report
>>> report.total.received
40

```
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from pengaduan import _present
from pengaduan._table import DEFAULT_WIDTH, fit_table
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.metrics import GroupBy, GroupMetrics, Metrics, Milestones, Overdue, measure
from pengaduan.model import Complaint
from pengaduan.sla import Policy

if TYPE_CHECKING:
    from pengaduan.simulation import Comparison
    from pengaduan.workflow import Workflow

__all__ = [
    "ReminderCount",
    "Report",
    "build_report",
    "complaint_html",
    "render_comparison_html",
    "render_comparison_text",
    "render_metrics_html",
    "render_metrics_text",
]


@attrs.frozen
class ReminderCount:
    """How many reminders (escalations) went to whom, per year.

    Attributes:
        year: The year they were sent (in the calendar's zone).
        level: The escalation level.
        to: The role they went to.
        count: How many.
    """

    year: str
    level: int | None
    to: str | None
    count: int


@attrs.frozen
class Report:
    """A regency's report as of an instant.

    Attributes:
        title: The report's title.
        as_of: The instant reported on.
        policy: ``"name version"`` of the SLA policy used, if any.
        metrics: The metrics of every complaint received in the period (ungrouped).
        sections: The same metrics grouped (by year and by unit by default).
        overdue: The clocks furthest past their deadline.
        reminders: The reminders sent, per year, level and role.
        compliance_clocks: The clocks whose compliance is shown (those without a
            ``due_action``: a window such as *closure* ends in an action, not a breach).
    """

    title: str
    as_of: datetime
    policy: str | None
    metrics: Metrics
    sections: tuple[Metrics, ...]
    overdue: tuple[Overdue, ...]
    reminders: tuple[ReminderCount, ...]
    compliance_clocks: tuple[str, ...] = ()

    @property
    def total(self) -> GroupMetrics:
        """The figures of all complaints."""
        return self.metrics.total

    def section(self, by: GroupBy | str) -> Metrics:
        """The section grouped by `by`.

        Raises:
            KeyError: If the report has no such section.
        """
        grouping = GroupBy.parse(by)
        for section in self.sections:
            if section.by is grouping:
                return section
        raise KeyError(grouping.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible content."""
        return {
            "title": self.title,
            "as_of": self.as_of.isoformat(),
            "policy": self.policy,
            **self.metrics.total.to_dict(),
            "sections": {s.by.value: s.to_dict()["groups"] for s in self.sections if s.by},
            "most_overdue": [
                {
                    "complaint": o.complaint,
                    "unit": o.unit,
                    "state": o.state,
                    "clock": o.clock,
                    "deadline": o.deadline.isoformat(),
                    "overdue_calendar_days": o.overdue_days,
                    "overdue_working_days": o.overdue_working_days,
                }
                for o in self.overdue
            ],
            # "reminders" is the count (of the total's figures); these are the rows of the
            # reminders-sent table, by the year they were sent.
            "reminders_sent": [
                {"year_sent": r.year, "level": r.level, "to": r.to, "count": r.count}
                for r in self.reminders
            ],
        }

    def __repr__(self) -> str:
        title = self.title if len(self.title) <= 60 else self.title[:57] + "..."
        return (
            f"<Report {title!r} as of {self.as_of.isoformat(timespec='minutes')}: "
            f"{len(self.metrics.summaries)} complaints, {len(self.sections)} sections, "
            f"{len(self.overdue)} overdue>"
        )

    def to_text(self, *, width: int | None = DEFAULT_WIDTH) -> str:
        """The report as terminal text, its tables at most `width` columns wide.

        Args:
            width: The most columns a table line may take (80 by default, what ``str``
                gives): a wider table is split into parts, each repeating its first column,
                and heads wrap onto two lines. ``None`` for no limit.
        """
        return _report_text(self, width)

    def __str__(self) -> str:
        return _report_text(self)

    def _repr_html_(self) -> str:
        return _report_html(self)


def build_report(
    complaints: Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    policy: Policy | None = None,
    title: str = "Laporan Pengaduan / Complaints report",
    by: Sequence[GroupBy | str] = ("year", "unit"),
    since: datetime | None = None,
    until: datetime | None = None,
    top: int = 10,
    workflow: Workflow | None = None,
    milestones: Milestones | None = None,
    calendar: WorkCalendar | None = None,
) -> Report:
    """Measure complaints once and lay out the report.

    Args:
        complaints: The complaints (or a mapping of them by id).
        as_of: The instant to report on (or a `TimeSource` to ask once); later events are
            ignored.
        policy: The SLA policy for compliance and overdue complaints.
        title: The title.
        by: The groupings to show, in order.
        since: Count complaints submitted at or after this instant.
        until: Count complaints submitted before this instant.
        top: How many overdue clocks to list.
        workflow: The workflow of the history (see `measure`).
        milestones: The milestone actions (see `measure`).
        calendar: The calendar (see `measure`).

    Raises:
        NaiveDatetimeError: If an instant is naive.
        InvalidPeriodError: If `until` is not after `since`.
        UnknownGroupingError: If a grouping is unknown.
    """
    as_of = instant_of(as_of)
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    complaints = tuple(complaints)
    groupings = [GroupBy.parse(b) for b in by]
    metrics = measure(
        complaints,
        as_of,
        policy=policy,
        since=since,
        until=until,
        workflow=workflow,
        milestones=milestones,
        calendar=calendar,
    )
    sections = tuple(metrics.group_by(g) for g in groupings)
    measured = {s.complaint for s in metrics.summaries}
    reminder = (milestones or Milestones()).reminder
    tz = metrics.calendar.tz if metrics.calendar is not None else as_of.tzinfo
    counts: Counter[tuple[str, int | None, str | None]] = Counter()
    for complaint in complaints:
        if complaint.id not in measured:
            continue
        for event in complaint.events:
            if event.at > as_of:
                break
            if event.action == reminder:
                level = event.data.get("level")
                to = event.data.get("to")
                counts[
                    (
                        event.at.astimezone(tz).strftime("%Y"),
                        level if isinstance(level, int) else None,
                        to if isinstance(to, str) else None,
                    )
                ] += 1
    reminders = tuple(
        ReminderCount(year, level, to, n)
        for (year, level, to), n in sorted(counts.items(), key=lambda kv: _reminder_key(kv[0]))
    )
    shown = tuple(c.name for c in policy.clocks if c.due_action is None) if policy else ()
    return Report(
        title=title,
        as_of=as_of,
        policy=f"{policy.name} {policy.version}" if policy is not None else None,
        metrics=metrics,
        sections=sections,
        overdue=metrics.most_overdue(top),
        reminders=reminders,
        compliance_clocks=shown,
    )


def _reminder_key(key: tuple[str, int | None, str | None]) -> tuple[str, int, str]:
    year, level, to = key
    return (year, level if level is not None else 0, to or "")


# -- formatting ------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _key(value: str | None) -> str:
    return "-" if value is None else value


def _compliance_cell(group: GroupMetrics, clock: str) -> str:
    c = group.compliance.get(clock)
    if c is None or not c.stopped:
        return "-"
    return f"{_pct(c.rate)} ({c.met}/{c.stopped})"


_COUNT_COLUMNS = (
    ("received", "Diterima / received"),
    ("archived", "Diarsipkan / archived"),
    ("verified", "Terverifikasi / verified"),
    ("dispatched", "Terdisposisi / dispatched"),
    ("followed_up", "Ditindaklanjuti / followed up"),
    ("closed", "Selesai / closed"),
    ("open", "Belum selesai / open"),
    ("reminders", "Pengingat / reminders"),
)

#: The heads of the figures in the tables, by the name `GroupMetrics.row` gives each figure
#: (Bahasa Indonesia / English); the English head is the name read aloud.
_HEADS = {
    **dict(_COUNT_COLUMNS),
    "follow_up_rate": "Tingkat tindak lanjut / follow-up rate",
    "settlement_rate": "Tingkat penyelesaian / settlement rate",
    "follow_up_mean_calendar_days": "Rata-rata TL (hari kalender) / follow-up mean (calendar days)",
    "follow_up_median_calendar_days": (
        "Median TL (hari kalender) / follow-up median (calendar days)"
    ),
    "follow_up_mean_working_days": "Rata-rata TL (hari kerja) / follow-up mean (working days)",
}


def _compliance_head(clock: str) -> str:
    return f"Kepatuhan {clock} / compliance {clock}"


def _summary_lines(group: GroupMetrics) -> list[tuple[str, str]]:
    fu = group.follow_up_time
    lines = [(label, str(getattr(group, name))) for name, label in _COUNT_COLUMNS]
    lines += [
        (_HEADS["follow_up_rate"], _pct(group.follow_up_rate)),
        (_HEADS["settlement_rate"], _pct(group.settlement_rate)),
        (
            "Rata-rata tindak lanjut / follow-up mean",
            f"{_num(fu.mean_days)} calendar days ({_num(fu.mean_working_days)} working days)",
        ),
        (
            "Median tindak lanjut / follow-up median",
            f"{_num(fu.median_days)} calendar days ({_num(fu.median_working_days)} working days)",
        ),
        (
            "Persentil 90 / follow-up p90",
            f"{_num(fu.p90_days)} calendar days ({_num(fu.p90_working_days)} working days)",
        ),
    ]
    if group.open:
        lines.append(
            (
                "Umur tunggakan / backlog age",
                f"mean {_num(group.backlog_age.mean_days)}, "
                f"oldest {_num(group.backlog_age.max_days)} calendar days",
            )
        )
    return lines


_GROUP_HEADS = {
    GroupBy.YEAR: "Tahun pengajuan / year submitted",
    GroupBy.MONTH: "Bulan pengajuan / month submitted",
    GroupBy.UNIT: "Unit kerja / unit",
    GroupBy.CLASSIFICATION: "Klasifikasi / classification",
    GroupBy.CHANNEL: "Kanal / channel",
}

_GROUP_FIGURES = (
    "received",
    "archived",
    "dispatched",
    "followed_up",
    "closed",
    "open",
    "follow_up_rate",
    "settlement_rate",
    "follow_up_mean_calendar_days",
    "follow_up_median_calendar_days",
    "follow_up_mean_working_days",
    "reminders",
)


def _group_header(metrics: Metrics, clocks: Sequence[str]) -> list[str]:
    label = _GROUP_HEADS[metrics.by] if metrics.by is not None else "Kelompok / group"
    return [
        label,
        *(_HEADS[name] for name in _GROUP_FIGURES),
        *(_compliance_head(c) for c in clocks),
    ]


def _group_cells(group: GroupMetrics, clocks: Sequence[str]) -> list[str]:
    fu = group.follow_up_time
    return [
        _key(group.key),
        str(group.received),
        str(group.archived),
        str(group.dispatched),
        str(group.followed_up),
        str(group.closed),
        str(group.open),
        _pct(group.follow_up_rate),
        _pct(group.settlement_rate),
        _num(fu.mean_days),
        _num(fu.median_days),
        _num(fu.mean_working_days),
        str(group.reminders),
        *(_compliance_cell(group, c) for c in clocks),
    ]


def _text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = DEFAULT_WIDTH
) -> str:
    return fit_table(header, rows, width=width)


_NUMBER = re.compile(r"[-+]?[\d.,]+\s*(%|/\s*[\d.,]+.*)?")


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    # Inline styles, so that the table reads alike in a notebook, on the docs site and in a
    # mail client that drops <style> elements; numbers are right-aligned.
    head = "".join(f'<th style="{_present.TH_STYLE}">{html.escape(h)}</th>' for h in header)

    def cell(text: str) -> str:
        align = ";text-align:right" if _NUMBER.fullmatch(text.strip()) else ""
        return f'<td style="{_present.TD_STYLE}{align}">{html.escape(text)}</td>'

    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="pengaduan-table" style="{_present.TABLE_STYLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _styled(body: str) -> str:
    """An HTML fragment that carries its own (scoped) styles."""
    return f'<div class="pengaduan" style="{_present.BOX_STYLE}">{_present.STYLE}{body}</div>'


_SECTION_TITLES = {
    GroupBy.YEAR: "Per tahun pengajuan / by year of submission",
    GroupBy.MONTH: "Per bulan pengajuan / by month of submission",
    GroupBy.UNIT: "Per unit kerja / by unit",
    GroupBy.CLASSIFICATION: "Per klasifikasi / by classification",
    GroupBy.CHANNEL: "Per kanal / by channel",
}


def _section_note(metrics: Metrics) -> str | None:
    """What a by-year or by-month table counts by."""
    if metrics.by not in (GroupBy.YEAR, GroupBy.MONTH):
        return None
    period = "year" if metrics.by is GroupBy.YEAR else "month"
    zone = f" ({metrics.calendar.zone})" if metrics.calendar is not None else ""
    return (
        f"Counted by the {period} of submission{zone}: a complaint's follow-ups, reminders and "
        f"compliance count in the {period} it was submitted."
    )


def _period(metrics: Metrics) -> str:
    parts = []
    if metrics.since is not None:
        parts.append(f"from {metrics.since.isoformat()}")
    if metrics.until is not None:
        parts.append(f"until {metrics.until.isoformat()}")
    return " ".join(parts) if parts else "all complaints received"


def _overdue_rows(overdue: Sequence[Overdue], tz: Any) -> list[list[str]]:
    return [
        [
            o.complaint,
            _key(o.unit),
            o.state,
            o.clock,
            o.deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            _num(o.overdue_days),
            str(o.overdue_working_days),
        ]
        for o in overdue
    ]


_OVERDUE_HEADER = (
    "Laporan / complaint",
    "Unit kerja / unit",
    "Status / state",
    "Jam SLA / clock",
    "Batas waktu / deadline",
    "Terlambat (hari kalender) / overdue (calendar days)",
    "Terlambat (hari kerja) / overdue (working days)",
)
_REMINDER_HEADER = ("Tahun kirim / year sent", "Tingkat / level", "Kepada / to", "Jumlah / count")


def _wrap(text: str, width: int | None) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) if width is not None else [text]


def _report_text(report: Report, width: int | None = DEFAULT_WIDTH) -> str:
    m = report.metrics
    tz = m.calendar.tz if m.calendar is not None else report.as_of.tzinfo
    out = [report.title, "=" * len(report.title)]
    out += _wrap(f"As of {report.as_of.astimezone(tz).isoformat()}; {_period(m)}", width)
    if report.policy:
        out.append(f"SLA policy {report.policy}")
    out.append("")
    lines = _summary_lines(report.total)
    label_width = max(len(label) for label, _ in lines)
    out += [f"{label.ljust(label_width)}  {value}" for label, value in lines]
    for section in report.sections:
        assert section.by is not None
        title = _SECTION_TITLES[section.by]
        out += ["", title, "-" * len(title)]
        rows = [_group_cells(g, report.compliance_clocks) for g in section.groups]
        out.append(_text_table(_group_header(section, report.compliance_clocks), rows, width))
        note = _section_note(section)
        if note is not None:
            out += _wrap(note, width)
    if report.compliance_clocks:
        out += _wrap(
            "Compliance: share of stopped cycles that met their deadline (met/stopped); "
            "TL = tindak lanjut (follow-up).",
            width,
        )
    title = "Paling lama terlambat / most overdue"
    out += ["", title, "-" * len(title)]
    if report.overdue:
        out.append(_text_table(_OVERDUE_HEADER, _overdue_rows(report.overdue, tz), width))
    else:
        out.append("None: no running clock is past its deadline.")
    title = "Pengingat terkirim / reminders sent"
    out += ["", title, "-" * len(title)]
    if report.reminders:
        out.append(
            _text_table(
                _REMINDER_HEADER,
                [[r.year, _key(str(r.level)), _key(r.to), str(r.count)] for r in report.reminders],
                width,
            )
        )
        out += _wrap("Counted by the year each reminder was sent.", width)
    else:
        out.append("None.")
    return "\n".join(out) + "\n"


def _report_html(report: Report) -> str:
    m = report.metrics
    tz = m.calendar.tz if m.calendar is not None else report.as_of.tzinfo
    parts = [f"<h3>{html.escape(report.title)}</h3>"]
    meta = f"As of {report.as_of.astimezone(tz).isoformat()}; {_period(m)}"
    if report.policy:
        meta += f"; SLA policy {report.policy}"
    parts.append(f"<p>{html.escape(meta)}</p>")
    summary = [list(p) for p in _summary_lines(m.total)]
    parts.append(_html_table(("Ukuran / measure", "Nilai / value"), summary))
    for section in report.sections:
        assert section.by is not None
        parts.append(f"<h4>{html.escape(_SECTION_TITLES[section.by])}</h4>")
        rows = [_group_cells(g, report.compliance_clocks) for g in section.groups]
        parts.append(_html_table(_group_header(section, report.compliance_clocks), rows))
        note = _section_note(section)
        if note is not None:
            parts.append(f"<p>{html.escape(note)}</p>")
    parts.append("<h4>Paling lama terlambat / most overdue</h4>")
    parts.append(
        _html_table(_OVERDUE_HEADER, _overdue_rows(report.overdue, tz))
        if report.overdue
        else "<p>None.</p>"
    )
    parts.append("<h4>Pengingat terkirim / reminders sent</h4>")
    parts.append(
        _html_table(
            _REMINDER_HEADER,
            [[r.year, _key(str(r.level)), _key(r.to), str(r.count)] for r in report.reminders],
        )
        if report.reminders
        else "<p>None.</p>"
    )
    return _styled("".join(parts))


def render_metrics_text(metrics: Metrics, *, width: int | None = DEFAULT_WIDTH) -> str:
    """`Metrics` as a text table (what ``str(metrics)`` returns).

    Args:
        metrics: The metrics; grouped, one row per group and a last ``(all)`` row.
        width: The most columns a line may take (a wider table is split into parts, each
            repeating the group column); ``None`` for no limit.

    Returns:
        The table, without a trailing newline.
    """
    clocks = metrics.clocks
    if metrics.by is None:
        lines = _summary_lines(metrics.total)
        lines += [(_compliance_head(c), _compliance_cell(metrics.total, c)) for c in clocks]
        label_width = max(len(label) for label, _ in lines)
        return "\n".join(f"{label.ljust(label_width)}  {value}" for label, value in lines)
    rows = [_group_cells(g, clocks) for g in metrics.groups]
    rows.append(_group_cells(attrs.evolve(metrics.total, key="(all)"), clocks))
    out = [_text_table(_group_header(metrics, clocks), rows, width)]
    note = _section_note(metrics)
    if note is not None:
        out += _wrap(note, width)
    return "\n".join(out)


def render_metrics_html(metrics: Metrics) -> str:
    """`Metrics` as an HTML table (what a notebook shows).

    Args:
        metrics: The metrics; grouped, one row per group and a last ``(all)`` row.

    Returns:
        An HTML ``<table>``, every value escaped.
    """
    clocks = metrics.clocks
    if metrics.by is None:
        rows = [list(p) for p in _summary_lines(metrics.total)]
        rows += [[_compliance_head(c), _compliance_cell(metrics.total, c)] for c in clocks]
        return _styled(_html_table(("Ukuran / measure", "Nilai / value"), rows))
    rows = [_group_cells(g, clocks) for g in metrics.groups]
    rows.append(_group_cells(attrs.evolve(metrics.total, key="(all)"), clocks))
    return _styled(_html_table(_group_header(metrics, clocks), rows))


def _comparison_rows(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    header = ["group", "measure", *comparison.labels, "change"]
    rows = []
    for row in comparison.rows():

        def show(value: Any) -> str:
            if value is None:
                return "-"
            if isinstance(value, float):
                return f"{value:.3g}"
            return str(value)

        rows.append(
            [
                _key(row["group"]),
                row["measure"],
                show(row[comparison.labels[0]]),
                show(row[comparison.labels[1]]),
                show(row["change"]),
            ]
        )
    return header, rows


def render_comparison_text(comparison: Comparison) -> str:
    """A `pengaduan.simulation.Comparison` as a text table.

    Args:
        comparison: The comparison.

    Returns:
        One row per group and measure: both values and the change.
    """
    header, rows = _comparison_rows(comparison)
    return _text_table(header, rows)


def render_comparison_html(comparison: Comparison) -> str:
    """A `pengaduan.simulation.Comparison` as an HTML table.

    Args:
        comparison: The comparison.

    Returns:
        An HTML ``<table>``: one row per group and measure, both values and the change.
    """
    header, rows = _comparison_rows(comparison)
    return _styled(_html_table(header, rows))


_SAFE_DATA = ("unit", "level", "to", "classification", "channel")


def complaint_html(complaint: Complaint, workflow: Workflow | None = None) -> str:
    """A complaint as HTML: its state, unit, channel, privacy flags and history.

    Free text and personal data (title, body, reporter, messages, reasons) are left out; an
    event shows only its unit, level, target role, classification or channel.

    Args:
        complaint: The complaint.
        workflow: The workflow whose state labels to show (SP4N-LAPOR! by default).

    Returns:
        An HTML fragment (what ``Complaint._repr_html_`` shows in a notebook).
    """
    if workflow is None:
        from pengaduan.presets import lapor_workflow

        workflow = lapor_workflow()
    try:
        label = workflow.state(complaint.state).label
    except KeyError:  # a state of another workflow
        label = ""
    facts = complaint.facts
    rows = [
        ["state", f"{complaint.state} ({label})" if label else complaint.state],
        ["unit", _key(complaint.unit)],
        ["events", str(len(complaint.events))],
    ]
    if facts is not None:
        rows.append(["channel", f"{facts.channel.value} ({facts.channel.label})"])
        rows.append(["classification", facts.classification.value if facts.classification else "-"])
        flags = ", ".join(sorted(f.label for f in facts.privacy.flags)) or "-"
        rows.append(["privacy", flags])
    history = []
    for event in complaint.events:
        details = ", ".join(
            f"{k}={event.data[k]}"
            for k in _SAFE_DATA
            if k in event.data and event.data[k] is not None
        )
        history.append(
            [
                event.at.isoformat(),
                event.action,
                event.actor.role,
                _key(event.actor.unit),
                details,
            ]
        )
    return _styled(
        f"<h4>Complaint {html.escape(complaint.id)}</h4>"
        + _html_table(("", ""), rows)
        + _html_table(("at", "action", "role", "actor unit", "details"), history)
    )
