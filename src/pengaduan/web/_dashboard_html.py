"""The dashboard's pages as HTML strings (server-rendered; no JavaScript).

Every value that comes from a complaint, a definition or a request is escaped here (`_e`);
links are relative, so the pages work under whatever prefix the host mounts them at.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo
from urllib.parse import quote

from pengaduan._dates import MONTHS_EN, MONTHS_ID, long_date
from pengaduan.metrics import GroupMetrics
from pengaduan.model import Complaint, Event
from pengaduan.sla import ClockState, ClockStatus, Evaluation, TargetUnit, Timeline
from pengaduan.web._dashboard_data import SOON, Board, ClockRow, MonthPoint, working_days_late
from pengaduan.workflow import Workflow

__all__ = ["complaint_page", "message_page", "overview_page"]

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "app": "Dasbor Pengaduan",
        "as_of": "Keadaan per",
        "overdue": "Laporan terlambat per unit kerja",
        "overdue_note": "Jam SLA yang sudah melewati batas waktu dan masih berjalan, "
        "yang paling terlambat lebih dulu.",
        "soon": "Segera jatuh tempo",
        "soon_note": "Jam SLA yang berjalan dengan batas waktu dalam {days} hari ke depan.",
        "none_overdue": "Tidak ada laporan yang terlambat.",
        "none_soon": "Tidak ada batas waktu dalam {days} hari ke depan.",
        "complaint": "Laporan",
        "clock": "Jam SLA",
        "deadline": "Batas waktu",
        "over": "Lewat batas",
        "left": "Sisa waktu",
        "level": "Tingkat",
        "remind": "Pengingat",
        "remind_link": "Ingatkan via WhatsApp",
        "no_number": "nomor kepala unit tidak ada di direktori",
        "no_message": "belum ada pesan dari tangga eskalasi",
        "no_unit": "(belum didisposisi)",
        "rows": "{n} jam terlambat{s}",
        "rows_soon": "{n} jam segera jatuh tempo{s}",
        "trend": "Rata-rata waktu tindak lanjut",
        "trend_note": "Rata-rata hari kalender dari disposisi sampai tindak lanjut pertama, "
        "per bulan pengajuan; batang samar: jumlah laporan.",
        "switch": "pengingat aktif",
        "before_after": "Rata-rata sebelum pengingat aktif: {before}; sejak itu: {after}.",
        "days": "{n} hari",
        "no_trend": "Belum ada laporan yang ditindaklanjuti.",
        "compliance": "Kepatuhan per unit kerja",
        "compliance_note": "Tepat waktu: siklus jam yang berhenti sebelum batas waktunya, "
        "dari semua yang berhenti.",
        "unit": "Unit kerja",
        "received": "Diterima",
        "dispatched": "Didisposisi",
        "followed_up": "Ditindaklanjuti",
        "mean_follow_up": "Rata-rata tindak lanjut",
        "open": "Terbuka",
        "on_time": "Tepat waktu",
        "total": "Semua unit",
        "public_title": "Tampilan publik",
        "public_note": "Daftar laporan terlambat dan halaman laporan hanya untuk petugas. "
        "Masuk (login) diatur oleh aplikasi yang memasang dasbor ini; tanpa itu dasbor "
        "hanya menampilkan angka agregat berikut, dari laporan yang sudah dipublikasikan.",
        "forbidden": "Halaman laporan hanya untuk petugas yang sudah masuk melalui "
        "aplikasi induk. Tidak ada data laporan yang ditampilkan.",
        "not_found": "Laporan {id} tidak ditemukan, atau Anda tidak boleh melihatnya.",
        "back": "Kembali ke ringkasan",
        "facts": "Keterangan",
        "state": "Status",
        "channel": "Kanal",
        "classification": "Klasifikasi",
        "submitted": "Diajukan",
        "privacy": "Kerahasiaan",
        "anonymous": "anonim",
        "confidential": "rahasia",
        "clocks": "Jam SLA",
        "status": "Keadaan",
        "remaining": "Sisa / lewat",
        "cycles": "Siklus",
        "timeline": "Penjelasan jam",
        "timeline_note": "Kapan setiap jam mulai, berhenti sementara, berhenti dan melewati "
        "batas waktunya (teks dari pustaka, dalam bahasa Inggris).",
        "history": "Riwayat",
        "at": "Waktu",
        "action": "Tindakan",
        "role": "Peran",
        "details": "Rincian",
        "title_hidden": "(judul tidak ditampilkan)",
        "late": "terlambat",
        "working_days": "{n} hari kerja",
        "last_day": "hari ini hari terakhir",
        "end_of": "akhir hari {day}",
        "calendar_days": "{n} hari kalender",
        "hours": "{n} jam",
        "minutes": "{n} menit",
        "none": "—",
        "lang": "Bahasa",
        "bad_lang": "Bahasa {lang} tidak dikenal; yang ada: id, en.",
    },
    "en": {
        "app": "Complaints dashboard",
        "as_of": "As of",
        "overdue": "Overdue complaints by unit",
        "overdue_note": "Open SLA clocks past their deadline, the most late first.",
        "soon": "Due soon",
        "soon_note": "Running SLA clocks with a deadline within the next {days} days.",
        "none_overdue": "No complaint is overdue.",
        "none_soon": "No deadline within the next {days} days.",
        "complaint": "Complaint",
        "clock": "SLA clock",
        "deadline": "Deadline",
        "over": "Over by",
        "left": "Left",
        "level": "Level",
        "remind": "Reminder",
        "remind_link": "Remind on WhatsApp",
        "no_number": "the unit head's number is not in the directory",
        "no_message": "no message from the ladder yet",
        "no_unit": "(not yet dispatched)",
        "rows": "{n} overdue clock{s}",
        "rows_soon": "{n} clock{s} due soon",
        "trend": "Average time to follow-up",
        "trend_note": "Mean calendar days from dispatch to first follow-up, per month of "
        "submission; faint bars: number of complaints.",
        "switch": "reminders on",
        "before_after": "Mean before the reminders were switched on: {before}; since: {after}.",
        "days": "{n} days",
        "no_trend": "Nothing has been followed up yet.",
        "compliance": "Compliance by unit",
        "compliance_note": "On time: clock cycles stopped before their deadline, of all "
        "that stopped.",
        "unit": "Unit",
        "received": "Received",
        "dispatched": "Dispatched",
        "followed_up": "Followed up",
        "mean_follow_up": "Mean follow-up",
        "open": "Open",
        "on_time": "On time",
        "total": "All units",
        "public_title": "Public view",
        "public_note": "The overdue list and the complaint pages are for staff only. "
        "Signing in is up to the application that mounts this dashboard; without it the "
        "dashboard shows only these aggregate figures, over published complaints.",
        "forbidden": "Complaint pages are for staff signed in through the host "
        "application. No complaint data is shown.",
        "not_found": "Complaint {id} was not found, or you may not see it.",
        "back": "Back to the overview",
        "facts": "Facts",
        "state": "State",
        "channel": "Channel",
        "classification": "Classification",
        "submitted": "Submitted",
        "privacy": "Privacy",
        "anonymous": "anonymous",
        "confidential": "confidential",
        "clocks": "SLA clocks",
        "status": "Status",
        "remaining": "Left / over",
        "cycles": "Cycles",
        "timeline": "Clock explanation",
        "timeline_note": "When each clock started, paused, stopped and passed its deadline.",
        "history": "History",
        "at": "At",
        "action": "Action",
        "role": "Role",
        "details": "Details",
        "title_hidden": "(title not shown)",
        "late": "late",
        "working_days": "{n} working days",
        "last_day": "today is the last day",
        "end_of": "end of {day}",
        "calendar_days": "{n} calendar days",
        "hours": "{n} h",
        "minutes": "{n} min",
        "none": "—",
        "lang": "Language",
        "bad_lang": "Unknown language {lang}; there are: id, en.",
    },
}

_STATUS = {
    "id": {
        ClockStatus.NOT_STARTED: "belum mulai",
        ClockStatus.RUNNING: "berjalan",
        ClockStatus.PAUSED: "dijeda",
        ClockStatus.STOPPED: "berhenti",
    },
    "en": {
        ClockStatus.NOT_STARTED: "not started",
        ClockStatus.RUNNING: "running",
        ClockStatus.PAUSED: "paused",
        ClockStatus.STOPPED: "stopped",
    },
}

# The event data a history row may show: routing and escalation facts, never free text.
_DETAILS = ("unit", "classification", "channel", "level", "to")


def _long(day: date, language: str) -> str:
    return long_date(day, "en" if language == "en" else "id")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def text(language: str, key: str, **values: object) -> str:
    """The `key` text in `language`, with `values` filled in (not escaped)."""
    return _TEXTS[language][key].format(**values)


def _number(value: float, language: str, digits: int = 1) -> str:
    shown = f"{value:.{digits}f}"
    return shown.replace(".", ",") if language == "id" else shown


def _zone(at: datetime) -> str:
    name = at.tzname() or ""
    return name if name and name[0] not in "+-" else at.strftime("UTC%z")


def when(at: datetime, tz: tzinfo, language: str) -> str:
    """An instant as a long date and a time in `tz`: ``Senin, 5 Januari 2026 09:30 WIB``."""
    local = at.astimezone(tz)
    return f"{_long(local.date(), language)} {local:%H:%M} {_zone(local)}"


def _span(delta: timedelta, language: str) -> str:
    minutes = int(abs(delta).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(text(language, "days", n=days))
    if hours:
        parts.append(text(language, "hours", n=hours))
    if minutes and not days:
        parts.append(text(language, "minutes", n=minutes))
    return " ".join(parts) or text(language, "minutes", n=0)


def _lang_query(language: str, default: str) -> str:
    return "" if language == default else f"?lang={language}"


def _layout(
    *,
    title: str,
    body: str,
    language: str,
    default: str,
    root: str,
    as_of: datetime | None,
    tz: tzinfo | None,
    path: str,
) -> str:
    """The page around `body`: head, header with the language switch, main."""
    other = "en" if language == "id" else "id"
    names = {"id": "Bahasa Indonesia", "en": "English"}
    switch_href = _e(path + ("" if other == default else f"?lang={other}"))
    stamp = ""
    if as_of is not None and tz is not None:
        shown = f"{text(language, 'as_of')} {when(as_of, tz, language)}"
        stamp = f'<p class="stamp">{_e(shown)}</p>'
    return (
        "<!DOCTYPE html>"
        f'<html lang="{_e(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>"
        f'<link rel="stylesheet" href="{_e(root)}static/dashboard.css">'
        f'<link rel="icon" type="image/svg+xml" href="{_e(root)}static/favicon.svg">'
        "</head><body>"
        '<header class="top"><div class="wrap">'
        f'<a class="brand" href="{_e(root)}{_e(_lang_query(language, default))}">'
        f"{_e(text(language, 'app'))}</a>"
        f'<nav class="lang" aria-label="{_e(text(language, "lang"))}">'
        f'<span class="current">{_e(names[language])}</span> · '
        f'<a href="{switch_href}" hreflang="{other}">{_e(names[other])}</a></nav>'
        "</div></header>"
        f'<main class="wrap"><h1>{_e(title)}</h1>{stamp}{body}</main>'
        "</body></html>"
    )


# -- the overview ---------------------------------------------------------------------------


def _clock_label(state: ClockState, language: str) -> str:
    clock = state.clock
    return (clock.label_en or clock.label or clock.name) if language == "en" else clock.label


def _deadline_text(state: ClockState, language: str) -> str:
    """A deadline in the clock's zone: the last day of a working-day clock, else the instant."""
    deadline = state.deadline
    if deadline is None:
        return text(language, "none")
    clock = state.clock
    if clock.target.unit is TargetUnit.WORKING_DAYS:
        last = (deadline - timedelta(microseconds=1)).astimezone(clock.calendar.tz).date()
        return text(language, "end_of", day=_long(last, language))
    return when(deadline, clock.calendar.tz, language)


def _deadline_cell(row: ClockRow, language: str) -> str:
    return _deadline_text(row.state, language)


def _over_cell(row: ClockRow, language: str) -> str:
    late = row.late if row.late >= timedelta(0) else -row.late
    actual = _span(late, language)
    if row.working_days_late == 0:
        return f"<strong>{_e(text(language, 'last_day'))}</strong>"
    if row.working_days_late is not None:
        working = text(language, "working_days", n=abs(row.working_days_late))
        return f"<strong>{_e(working)}</strong><br><span class=muted>{_e(actual)}</span>"
    return f"<strong>{_e(actual)}</strong>"


def _complaint_cell(complaint: Complaint, language: str, default: str, prefix: str) -> str:
    href = f"{prefix}complaints/{quote(complaint.id, safe='')}{_lang_query(language, default)}"
    title = complaint.facts.title if complaint.facts is not None else None
    shown = f'<a href="{_e(href)}">{_e(complaint.id)}</a>'
    if complaint.facts is not None and complaint.facts.privacy.confidential:
        shown += f' <span class="tag secret">{_e(text(language, "confidential"))}</span>'
    if title:
        shown += f'<br><span class="title">{_e(title)}</span>'
    return shown


def _remind_cell(row: ClockRow, language: str) -> str:
    if row.whatsapp is not None:
        return (
            f'<a class="wa" href="{_e(row.whatsapp)}" rel="noopener noreferrer" '
            f'target="_blank">{_e(text(language, "remind_link"))}</a>'
        )
    reason = "no_message" if row.message is None else "no_number"
    return f'<span class="muted">{_e(text(language, reason))}</span>'


def _level_cell(level: int, language: str) -> str:
    if level == 0:
        return f'<span class="muted">{_e(text(language, "none"))}</span>'
    return f'<span class="level l{min(level, 4)}">{level}</span>'


def _rows_table(rows: Sequence[ClockRow], language: str, default: str, *, late: bool) -> str:
    head = [
        text(language, "complaint"),
        text(language, "clock"),
        text(language, "deadline"),
        text(language, "over" if late else "left"),
        text(language, "level"),
        text(language, "remind"),
    ]
    out = [
        '<table class="rows"><colgroup><col class="c-complaint"><col class="c-clock">'
        '<col class="c-deadline"><col class="c-over"><col class="c-level"><col class="c-remind">'
        "</colgroup><thead><tr>",
        *(f"<th>{_e(h)}</th>" for h in head),
        "</tr></thead><tbody>",
    ]
    for row in rows:
        out.append(
            f'<tr data-complaint="{_e(row.complaint.id)}" data-clock="{_e(row.state.name)}">'
            f"<td>{_complaint_cell(row.complaint, language, default, '')}</td>"
            f"<td>{_e(_clock_label(row.state, language))}</td>"
            f"<td>{_e(_deadline_cell(row, language))}</td>"
            f'<td class="{"late" if late else "left"}">{_over_cell(row, language)}</td>'
            f"<td>{_level_cell(row.level, language)}</td>"
            f"<td>{_remind_cell(row, language)}</td></tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _unit_blocks(rows: Sequence[ClockRow], language: str, default: str, *, late: bool) -> str:
    """One heading and table per unit, in the order the units come in `rows`."""
    parts = []
    groups: dict[str | None, list[ClockRow]] = {}
    for row in rows:
        groups.setdefault(row.complaint.unit, []).append(row)
    for unit, mine in groups.items():
        name = unit if unit is not None else text(language, "no_unit")
        plural = "" if len(mine) == 1 or language == "id" else "s"
        count = text(language, "rows" if late else "rows_soon", n=len(mine), s=plural)
        parts.append(
            f'<div class="unit" data-unit="{_e(unit or "")}"><h3>{_e(name)} '
            f'<span class="count">{_e(count)}</span></h3>'
            f"{_rows_table(mine, language, default, late=late)}</div>"
        )
    return "".join(parts)


def _overdue_section(board: Board, language: str, default: str) -> str:
    body = (
        _unit_blocks(board.overdue, language, default, late=True)
        if board.overdue
        else f'<p class="empty">{_e(text(language, "none_overdue"))}</p>'
    )
    return (
        f'<section id="overdue"><h2>{_e(text(language, "overdue"))}</h2>'
        f'<p class="note">{_e(text(language, "overdue_note"))}</p>{body}</section>'
    )


def _soon_section(board: Board, language: str, default: str) -> str:
    days = SOON.days
    body = (
        _unit_blocks(board.soon, language, default, late=False)
        if board.soon
        else f'<p class="empty">{_e(text(language, "none_soon", days=days))}</p>'
    )
    return (
        f'<section id="soon"><h2>{_e(text(language, "soon"))}</h2>'
        f'<p class="note">{_e(text(language, "soon_note", days=days))}</p>{body}</section>'
    )


def _month_label(day: date, language: str) -> str:
    names = MONTHS_ID if language == "id" else MONTHS_EN
    return f"{names[day.month - 1][:3]} {day.year}"


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw`."""
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover - 10 * power is always enough


def _mean(points: Sequence[MonthPoint]) -> float | None:
    total = sum(p.count for p in points if p.mean_days is not None)
    if not total:
        return None
    return sum(p.mean_days * p.count for p in points if p.mean_days is not None) / total


def trend_svg(points: Sequence[MonthPoint], since: date | None, language: str) -> str:
    """The follow-up trend as an inline SVG: a line of monthly means over faint count bars."""
    width, height = 860, 300
    left, right, top, bottom = 56, 16, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    means = [p.mean_days for p in points if p.mean_days is not None]
    tick = _nice_step(max(means) * 1.1 / 5 if means else 0.2)
    ticks = max(math.ceil(max(means, default=1.0) * 1.1 / tick), 1)
    top_value = tick * ticks
    top_count = max((p.count for p in points), default=0) or 1
    step = plot_w / n

    def x(i: float) -> float:
        return left + step * (i + 0.5)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    out = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{_e(text(language, "trend"))}">'
    ]
    # Grid lines and the day axis.
    for k in range(ticks + 1):
        value = tick * k
        gy = y(value)
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end">'
            f"{_e(_number(value, language, 0 if tick >= 1 else 1))}</text>"
        )
    out.append(
        f'<text class="axis" x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
        f"{_e(text(language, 'days', n='').strip())}</text>"
    )
    # Counts as faint bars (on their own scale: a third of the height at most).
    for i, point in enumerate(points):
        if point.count:
            bar = plot_h / 3 * point.count / top_count
            out.append(
                f'<rect class="bar" x="{x(i) - step * 0.35:.1f}" y="{top + plot_h - bar:.1f}" '
                f'width="{step * 0.7:.1f}" height="{bar:.1f}"/>'
            )
    # Month labels: every third month (and the first).
    for i, point in enumerate(points):
        if point.month.month % 3 == 1 or i == 0:
            out.append(
                f'<text class="axis" x="{x(i):.1f}" y="{height - bottom + 18}" '
                f'text-anchor="middle">{_e(_month_label(point.month, language))}</text>'
            )
    # The line, broken where a month has no mean.
    runs: list[list[tuple[float, float]]] = [[]]
    for i, point in enumerate(points):
        if point.mean_days is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x(i), y(point.mean_days)))
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            out.append(f'<polyline class="line" points="{coords}"/>')
    for i, point in enumerate(points):
        if point.mean_days is not None:
            label = (
                f"{_month_label(point.month, language)}: "
                f"{text(language, 'days', n=_number(point.mean_days, language))} "
                f"(n={point.count})"
            )
            out.append(
                f'<circle class="dot" cx="{x(i):.1f}" cy="{y(point.mean_days):.1f}" r="3.5">'
                f"<title>{_e(label)}</title></circle>"
            )
    # The day the reminders were switched on.
    if since is not None and points:
        first = points[0].month
        months = (since.year - first.year) * 12 + since.month - first.month
        if 0 <= months < n:
            days_in = (
                date(since.year + since.month // 12, since.month % 12 + 1, 1)
                - date(since.year, since.month, 1)
            ).days
            sx = left + step * (months + (since.day - 1) / days_in)
            out.append(
                f'<line class="switch" x1="{sx:.1f}" x2="{sx:.1f}" y1="{top - 8}" '
                f'y2="{top + plot_h}"/>'
                f'<text class="switch-label" x="{sx + 6:.1f}" y="{top + 4}">'
                f"{_e(text(language, 'switch'))}: {_e(_long(since, language))}</text>"
            )
    out.append(
        f'<line class="axis-line" x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}"/></svg>'
    )
    return "".join(out)


def _trend_section(board: Board, since: date | None, language: str) -> str:
    parts = [
        f'<section id="trend"><h2>{_e(text(language, "trend"))}</h2>'
        f'<p class="note">{_e(text(language, "trend_note"))}</p>'
    ]
    if not any(p.mean_days is not None for p in board.trend):
        parts.append(f'<p class="empty">{_e(text(language, "no_trend"))}</p></section>')
        return "".join(parts)
    parts.append(f'<figure class="chart">{trend_svg(board.trend, since, language)}</figure>')
    if since is not None:
        start = date(since.year, since.month, 1)
        before = _mean([p for p in board.trend if p.month < start])
        after = _mean([p for p in board.trend if p.month >= start])
        if before is not None and after is not None:
            parts.append(
                '<p class="summary">'
                + _e(
                    text(
                        language,
                        "before_after",
                        before=text(language, "days", n=_number(before, language)),
                        after=text(language, "days", n=_number(after, language)),
                    )
                )
                + "</p>"
            )
    parts.append("</section>")
    return "".join(parts)


def _rate(met: int, stopped: int, language: str) -> str:
    if not stopped:
        return f'<span class="muted">{_e(text(language, "none"))}</span>'
    share = met / stopped
    grade = "good" if share >= 0.9 else "fair" if share >= 0.7 else "poor"
    return (
        f'<span class="rate {grade}">{_e(_number(100 * share, language, 0))}%</span> '
        f'<span class="muted">{met}/{stopped}</span>'
    )


def _unit_row(group: GroupMetrics, name: str, clocks: Sequence[str], language: str) -> str:
    mean = group.follow_up_time.mean_days
    cells = [
        f'<th scope="row">{_e(name)}</th>',
        f'<td class="n">{group.received}</td>',
        f'<td class="n">{group.dispatched}</td>',
        f'<td class="n">{group.followed_up}</td>',
        '<td class="n">'
        + (
            _e(text(language, "days", n=_number(mean, language)))
            if mean is not None
            else _e(text(language, "none"))
        )
        + "</td>",
    ]
    for clock in clocks:
        found = group.compliance.get(clock)
        cells.append(
            '<td class="n">'
            + (_rate(found.met, found.stopped, language) if found else _e(text(language, "none")))
            + "</td>"
        )
    cells.append(f'<td class="n">{group.open}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def _compliance_section(board: Board, labels: dict[str, str], language: str) -> str:
    first = [
        text(language, "unit"),
        text(language, "received"),
        text(language, "dispatched"),
        text(language, "followed_up"),
        text(language, "mean_follow_up"),
    ]
    head = (
        "".join(f'<th rowspan="2">{_e(h)}</th>' for h in first)
        + f'<th colspan="{len(board.clocks)}" class="group">{_e(text(language, "on_time"))}</th>'
        + f'<th rowspan="2">{_e(text(language, "open"))}</th></tr><tr>'
        + "".join(f'<th class="n">{_e(labels[c])}</th>' for c in board.clocks)
    )
    no_unit = text(language, "no_unit")
    rows = [
        _unit_row(g, g.key if g.key is not None else no_unit, board.clocks, language)
        for g in board.units
    ]
    total = _unit_row(board.total, text(language, "total"), board.clocks, language)
    return (
        f'<section id="compliance"><h2>{_e(text(language, "compliance"))}</h2>'
        f'<p class="note">{_e(text(language, "compliance_note"))}</p>'
        '<div class="scroll"><table class="compliance"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + f"</tbody><tfoot>{total}</tfoot></table></div></section>"
    )


def overview_page(
    board: Board,
    *,
    labels: dict[str, str],
    tz: tzinfo,
    since: date | None,
    language: str,
    default: str,
) -> str:
    """The overview: overdue and soon-due rows (staff), the trend, compliance per unit."""
    parts = []
    if board.staff:
        parts.append(_overdue_section(board, language, default))
        parts.append(_soon_section(board, language, default))
    else:
        parts.append(
            f'<section class="public"><h2>{_e(text(language, "public_title"))}</h2>'
            f'<p class="note">{_e(text(language, "public_note"))}</p></section>'
        )
    parts.append(_trend_section(board, since, language))
    parts.append(_compliance_section(board, labels, language))
    return _layout(
        title=text(language, "app"),
        body="".join(parts),
        language=language,
        default=default,
        root="",
        as_of=board.as_of,
        tz=tz,
        path="./",
    )


# -- a complaint's page ----------------------------------------------------------------------


def _facts_table(complaint: Complaint, workflow: Workflow, tz: tzinfo, language: str) -> str:
    facts = complaint.facts
    try:
        state = workflow.state(complaint.state)
        state_label = (state.label_en or state.label) if language == "en" else state.label
    except KeyError:  # a state of another workflow
        state_label = complaint.state
    rows: list[tuple[str, str]] = [
        (text(language, "state"), _e(state_label or complaint.state)),
        (text(language, "unit"), _e(complaint.unit or text(language, "no_unit"))),
    ]
    if facts is not None:
        channel = facts.channel.label if language == "id" and facts.channel.label else facts.channel
        rows.append((text(language, "channel"), _e(channel)))
        if facts.classification is not None:
            rows.append((text(language, "classification"), _e(facts.classification)))
        flags = []
        if facts.privacy.anonymous:
            flags.append(f'<span class="tag">{_e(text(language, "anonymous"))}</span>')
        if facts.privacy.confidential:
            flags.append(f'<span class="tag secret">{_e(text(language, "confidential"))}</span>')
        if flags:
            rows.append((text(language, "privacy"), " ".join(flags)))
    submitted = complaint.events[0].at if complaint.events else None
    if submitted is not None:
        rows.append((text(language, "submitted"), _e(when(submitted, tz, language))))
    body = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def _clocks_table(evaluation: Evaluation, language: str) -> str:
    head = [
        text(language, "clock"),
        text(language, "status"),
        text(language, "deadline"),
        text(language, "remaining"),
        text(language, "cycles"),
    ]
    rows = []
    for state in evaluation:
        status = _STATUS[language][state.status]
        css = ""
        if state.breached:
            status += f", {text(language, 'late')}"
            css = ' class="late"'
        deadline = _deadline_text(state, language)
        remaining = state.remaining
        days = working_days_late(state, evaluation.as_of)
        if remaining is None:
            left = text(language, "none")
        elif days is not None:
            left = (
                text(language, "last_day")
                if days == 0
                else text(language, "working_days", n=abs(days))
            )
            if days > 0:
                left = f"{text(language, 'late')} {left}"
        elif remaining < timedelta(0):
            left = f"{text(language, 'late')} {_span(remaining, language)}"
        else:
            left = _span(remaining, language)
        rows.append(
            f"<tr{css}><td>{_e(_clock_label(state, language))}</td><td>{_e(status)}</td>"
            f"<td>{_e(deadline)}</td><td>{_e(left)}</td>"
            f'<td class="n">{len(state.cycles)}</td></tr>'
        )
    return (
        '<table class="clocks"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _timeline_table(timeline: Timeline, evaluation: Evaluation, tz: tzinfo, language: str) -> str:
    labels = {state.name: _clock_label(state, language) for state in evaluation}
    rows = []
    for entry in timeline.entries:
        future = entry.at > timeline.as_of
        css = ' class="late"' if entry.kind == "breached" else ' class="future"' if future else ""
        rows.append(
            f"<tr{css}><td>{_e(when(entry.at, tz, language))}</td>"
            f"<td>{_e(labels.get(entry.clock, entry.clock))} #{entry.cycle}</td>"
            f"<td>{_e(entry.text)}</td></tr>"
        )
    head = (text(language, "at"), text(language, "clock"), text(language, "details"))
    return (
        '<table class="timeline"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _history_table(events: Sequence[Event], workflow: Workflow, tz: tzinfo, language: str) -> str:
    rows = []
    for event in events:
        try:
            action = workflow.action(event.action)
            label = (action.label_en or action.label) if language == "en" else action.label
        except KeyError:
            label = event.action
        details = ", ".join(
            f"{key}: {event.data[key]}"
            for key in _DETAILS
            if event.data.get(key) is not None and not isinstance(event.data[key], dict | list)
        )
        unit = event.actor.unit or ""
        role = event.actor.role + (f" ({unit})" if unit else "")
        rows.append(
            f"<tr><td>{_e(when(event.at, tz, language))}</td><td>{_e(label or event.action)}</td>"
            f"<td>{_e(role)}</td><td>{_e(details)}</td></tr>"
        )
    head = (
        text(language, "at"),
        text(language, "action"),
        text(language, "role"),
        text(language, "details"),
    )
    return (
        '<table class="history"><thead><tr>'
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def complaint_page(
    complaint: Complaint,
    evaluation: Evaluation,
    timeline: Timeline,
    *,
    workflow: Workflow,
    tz: tzinfo,
    language: str,
    default: str,
) -> str:
    """A complaint's page: its facts (as the viewer may see them), clocks, timeline, history."""
    facts = complaint.facts
    title = facts.title if facts is not None and facts.title else None
    back = f"../{_lang_query(language, default)}"
    body = (
        f'<p class="back"><a href="{_e(back)}">← {_e(text(language, "back"))}</a></p>'
        + (f'<p class="lead">{_e(title)}</p>' if title else "")
        + f'<section id="facts"><h2>{_e(text(language, "facts"))}</h2>'
        + _facts_table(complaint, workflow, tz, language)
        + f'</section><section id="clocks"><h2>{_e(text(language, "clocks"))}</h2>'
        + _clocks_table(evaluation, language)
        + f'</section><section id="timeline"><h2>{_e(text(language, "timeline"))}</h2>'
        + f'<p class="note">{_e(text(language, "timeline_note"))}</p>'
        + _timeline_table(timeline, evaluation, tz, language)
        + f'</section><section id="history"><h2>{_e(text(language, "history"))}</h2>'
        + _history_table(complaint.events, workflow, tz, language)
        + "</section>"
    )
    quoted = quote(complaint.id, safe="")
    return _layout(
        title=f"{text(language, 'complaint')} {complaint.id}",
        body=body,
        language=language,
        default=default,
        root="../",
        as_of=evaluation.as_of,
        tz=tz,
        path=quoted,
    )


def message_page(message: str, *, title: str, language: str, default: str, root: str) -> str:
    """A page that only says `message` (forbidden, not found, bad input)."""
    return _layout(
        title=title,
        body=f'<p class="message">{_e(message)}</p>'
        f'<p class="back"><a href="{_e(root)}{_e(_lang_query(language, default))}">'
        f"← {_e(text(language, 'back'))}</a></p>",
        language=language,
        default=default,
        root=root,
        as_of=None,
        tz=None,
        path="",
    )
