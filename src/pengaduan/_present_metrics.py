"""Metrics as text and HTML tables: what ``str(metrics)`` and a notebook show.

`pengaduan.reports` builds its reports from these pieces and re-exports the two renderers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from pengaduan._present import html_table as _html_table
from pengaduan._present import styled as _styled
from pengaduan._table import DEFAULT_WIDTH, fit_table
from pengaduan.metrics import GroupBy

if TYPE_CHECKING:
    from pengaduan.metrics import GroupMetrics, Metrics

__all__ = ["render_metrics_html", "render_metrics_text"]


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


def _wrap(text: str, width: int | None) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) if width is not None else [text]


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
