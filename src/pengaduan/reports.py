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
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from pengaduan import _present_complaint
from pengaduan._present import html_table as _html_table
from pengaduan._present import styled as _styled
from pengaduan._present_metrics import (
    _group_cells,
    _group_header,
    _key,
    _num,
    _section_note,
    _summary_lines,
    _text_table,
    _wrap,
    render_metrics_html,
    render_metrics_text,
)
from pengaduan._table import DEFAULT_WIDTH
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.metrics import GroupBy, GroupMetrics, Metrics, Milestones, Overdue, _pandas, measure
from pengaduan.model import Complaint
from pengaduan.sla import Policy

if TYPE_CHECKING:
    from pengaduan.workflow import Workflow

__all__ = [
    "Comparison",
    "ReminderCount",
    "Report",
    "build_report",
    "compare",
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


_SECTION_TITLES = {
    GroupBy.YEAR: "Per tahun pengajuan / by year of submission",
    GroupBy.MONTH: "Per bulan pengajuan / by month of submission",
    GroupBy.UNIT: "Per unit kerja / by unit",
    GroupBy.CLASSIFICATION: "Per klasifikasi / by classification",
    GroupBy.CHANNEL: "Per kanal / by channel",
}


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
    """A `Comparison` as a text table.

    Args:
        comparison: The comparison.

    Returns:
        One row per group and measure: both values and the change.
    """
    header, rows = _comparison_rows(comparison)
    return _text_table(header, rows)


def render_comparison_html(comparison: Comparison) -> str:
    """A `Comparison` as an HTML table.

    Args:
        comparison: The comparison.

    Returns:
        An HTML ``<table>``: one row per group and measure, both values and the change.
    """
    header, rows = _comparison_rows(comparison)
    return _styled(_html_table(header, rows))


def complaint_html(complaint: Complaint, *, workflow: Workflow) -> str:
    """A complaint as HTML: its state (with its label), unit, channel, privacy flags, history.

    Free text and personal data (title, body, reporter, messages, reasons) are left out; an
    event shows only its unit, level, target role, classification or channel.

    Args:
        complaint: The complaint.
        workflow: The workflow whose state labels to show.

    Returns:
        An HTML fragment (what ``Complaint._repr_html_`` shows in a notebook, there without
        the state's label: a complaint does not know its workflow).
    """
    try:
        label = workflow.state(complaint.state).label
    except KeyError:  # a state of another workflow
        label = ""
    return _present_complaint.complaint_html(complaint, label)


# -- comparisons ---------------------------------------------------------------------------


@attrs.frozen
class Comparison:
    """Two sets of metrics over the same complaints (or the same seed), side by side.

    Attributes:
        before: The first (baseline) metrics.
        after: The second metrics.
        labels: What each side is, e.g. ``("3 working days", "5 working days")``.
    """

    before: Metrics
    after: Metrics
    labels: tuple[str, str] = ("before", "after")

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: one per group and measure, with both values and the change."""
        out: list[dict[str, Any]] = []
        pairs = [(self.before.total, self.after.total)]
        if self.before.by is not None:
            after = {g.key: g for g in self.after.groups}
            pairs += [(g, after[g.key]) for g in self.before.groups if g.key in after]
        for a, b in pairs:
            row_a, row_b = _flat(a.to_dict()), _flat(b.to_dict())
            for name, value in row_a.items():
                other = row_b.get(name)
                change = (
                    other - value
                    if isinstance(value, int | float) and isinstance(other, int | float)
                    else None
                )
                out.append(
                    {
                        "group": "all" if a is self.before.total else a.key,
                        "measure": name,
                        self.labels[0]: value,
                        self.labels[1]: other,
                        "change": change,
                    }
                )
        return out

    def to_frame(self) -> Any:
        """`rows` as a pandas DataFrame (needs the ``pandas`` extra)."""
        return _pandas("Comparison.to_frame").DataFrame(self.rows())

    def __str__(self) -> str:
        return render_comparison_text(self)

    def _repr_html_(self) -> str:
        return render_comparison_html(self)


def _flat(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("as_of", "by", "groups"):
            continue
        if isinstance(value, Mapping):
            for sub, inner in value.items():
                out[f"{key}.{sub}"] = inner
        else:
            out[key] = value
    return out


def compare(
    before: Metrics, after: Metrics, labels: Sequence[str] = ("before", "after")
) -> Comparison:
    """Put two sets of metrics side by side.

    Args:
        before: The first (baseline) metrics.
        after: The second metrics, grouped the same way.
        labels: What each side is, in that order.

    Returns:
        The comparison.
    """
    a, b = tuple(labels)
    return Comparison(before, after, (a, b))
