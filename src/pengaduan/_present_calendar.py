"""A calendar's month of working time as HTML (`WorkCalendar.month_html`)."""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from pengaduan._dates import MONTHS_ID
from pengaduan._present import STYLE, TABLE_STYLE, esc

if TYPE_CHECKING:
    from pengaduan.calendar import WorkCalendar

_WEEKDAYS = (
    "Sen / Mon",
    "Sel / Tue",
    "Rab / Wed",
    "Kam / Thu",
    "Jum / Fri",
    "Sab / Sat",
    "Min / Sun",
)
_CELL = "border:1px solid #d0d7de;padding:3px 5px;vertical-align:top;width:14%;font-size:11px"
_COLOURS = {"work": "#ffffff", "dated": "#eef6ff", "holiday": "#fdecea", "off": "#f3f5f7"}


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} j {minutes:02d} m" if minutes else f"{hours} j"


def _working(cal: WorkCalendar, day: date) -> timedelta:
    start = datetime.combine(day, time(), cal.tz)
    end = datetime.combine(day + timedelta(days=1), time(), cal.tz)
    return cal.working_time_between(start, end)


def month_table(cal: WorkCalendar, year: int, month: int) -> str:
    """The month's grid, Monday first: each day's windows and total, or what closes it."""
    first = date(year, month, 1)
    last = first + relativedelta(months=1, days=-1)
    total = timedelta(0)
    rows = []
    for week in _stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append(f'<td style="{_CELL};background:#fafbfc"></td>')
                continue
            worked = _working(cal, day)
            total += worked
            lines = [f"<b>{day.day}</b>"]
            holidays = cal.holidays_on(day)
            dated = None
            if cal.combination is None:
                covering = [d for d in cal.dated if d.first <= day <= d.last]
                dated = covering[-1] if covering else None
            if holidays:
                kind = "holiday"
                for holiday in holidays:
                    estimated = holiday.status == "estimated" and "perkiraan" not in holiday.name
                    mark = " (perkiraan / estimated)" if estimated else ""
                    lines.append(esc(f"{holiday.name}{mark}"))
            elif worked:
                kind = "dated" if dated is not None else "work"
                if cal.combination is None:
                    lines.extend(
                        f'<span style="color:#59636e;white-space:nowrap">{esc(str(w))}</span>'
                        for w in cal.windows_on(day)
                    )
                lines.append(esc(_hours(worked)))
            else:
                kind = "off"
                lines.append('<span style="color:#59636e">libur / off</span>')
            if dated is not None and worked and not holidays:
                mark = " (perkiraan)" if dated.status == "estimated" else ""
                lines.append(f'<i style="color:#0b5394">{esc(dated.name + mark)}</i>')
            cells.append(
                f'<td style="{_CELL};background:{_COLOURS[kind]}">{"<br>".join(lines)}</td>'
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(
        f'<th style="{_CELL};background:#f3f5f7;font-weight:600">{esc(d)}</th>' for d in _WEEKDAYS
    )
    title = f"{cal.name} ({cal.zone}): {MONTHS_ID[month - 1]} {year}"
    note = (
        f'<p class="muted">{esc(_hours(total))} jam kerja / working time, '
        f"{first.isoformat()} .. {last.isoformat()}; fingerprint {esc(cal.fingerprint)}</p>"
    )
    return (
        f'<div class="pengaduan">{STYLE}<h4>{esc(title)}</h4>{note}'
        f'<table class="pengaduan-table" '
        f'style="{TABLE_STYLE};table-layout:fixed;width:100%;min-width:560px;max-width:900px">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
