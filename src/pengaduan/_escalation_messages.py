"""Notification texts of the escalation engine, in Bahasa Indonesia and English.

Private: `pengaduan.escalation` renders every `DueAction.message` through `render`. A text names
the complaint, its title (when every recipient may see the complaint), the unit, the clock's
deadline and how late it is; it never contains the reporter's personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal

import attrs

from pengaduan._dates import long_date
from pengaduan.calendar import WorkCalendar
from pengaduan.sla import TargetUnit

Language = Literal["id", "en"]

LANGUAGES: tuple[Language, ...] = ("id", "en")

_KIND = {
    "id": {"remind": "Pengingat", "escalate": "Eskalasi"},
    "en": {"remind": "Reminder", "escalate": "Escalation"},
}


@attrs.frozen
class MessageFacts:
    """What a message may say about one due action (nothing personal)."""

    complaint: str
    title: str | None
    confidential: bool
    unit: str | None
    clock_label: str
    clock_label_en: str
    action: str
    action_label: str
    action_label_en: str
    level: int
    recipients: Sequence[str]
    deadline: datetime | None
    deadline_day: date | None
    target_unit: TargetUnit
    calendar: WorkCalendar
    as_of: datetime


def _zone_name(at: datetime) -> str:
    name = at.tzname() or ""
    return name if name and name[0] not in "+-" else at.strftime("UTC%z")


def _instant(at: datetime, calendar: WorkCalendar, language: Language) -> str:
    local = at.astimezone(calendar.tz)
    clock = f"{local:%H:%M} {_zone_name(local)}"
    if language == "id":
        return f"{long_date(local.date(), language)} pukul {clock}"
    return f"{long_date(local.date(), language)} at {clock}"


def _deadline(facts: MessageFacts, language: Language) -> str:
    if facts.deadline is None:
        return "belum diketahui" if language == "id" else "not known yet"
    if facts.target_unit is TargetUnit.WORKING_DAYS and facts.deadline_day is not None:
        day = long_date(facts.deadline_day, language)
        return f"akhir hari {day}" if language == "id" else f"end of {day}"
    return _instant(facts.deadline, facts.calendar, language)


def _duration(delta: timedelta, language: Language) -> str:
    minutes = int(delta.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    words = ("hari", "jam", "menit") if language == "id" else ("d", "h", "min")
    parts = []
    if days:
        parts.append(f"{days} {words[0]}" if language == "id" else f"{days}{words[0]}")
    if hours:
        parts.append(f"{hours} {words[1]}" if language == "id" else f"{hours}{words[1]}")
    if minutes or not parts:
        parts.append(f"{minutes} {words[2]}")
    return " ".join(parts)


def _working_days(n: int, language: Language) -> str:
    if language == "id":
        return f"{n} hari kerja"
    return f"{n} working day{'s' if n != 1 else ''}"


def lateness(facts: MessageFacts, language: Language) -> str:
    """How late the clock is as of the facts' instant, or what is left of it."""
    deadline, as_of, cal = facts.deadline, facts.as_of, facts.calendar
    if deadline is None:
        return ""
    late = as_of >= deadline
    if facts.target_unit is TargetUnit.WORKING_DAYS and facts.deadline_day is not None:
        today = as_of.astimezone(cal.tz).date()
        if late:
            n = max(cal.working_days_between_dates(facts.deadline_day, today), 0)
            if n == 0:  # past 24:00 of the last day, before the next working day starts
                n = 1
            amount = _working_days(n, language)
        else:
            n = cal.working_days_between_dates(today, facts.deadline_day)
            if n <= 0:
                return "hari ini hari terakhir" if language == "id" else "today is the last day"
            amount = _working_days(n, language)
    elif facts.target_unit is TargetUnit.WORKING_TIME:
        gap = (
            cal.working_time_between(deadline, as_of)
            if late
            else cal.working_time_between(as_of, deadline)
        )
        amount = _duration(gap, language) + (" kerja" if language == "id" else " of working time")
    else:
        amount = _duration(as_of - deadline if late else deadline - as_of, language)
    if language == "id":
        return f"terlambat {amount}" if late else f"sisa {amount}"
    return f"{amount} late" if late else f"{amount} left"


def render(facts: MessageFacts, language: Language) -> str:
    """The notification text of one due action."""
    en = language == "en"
    subject = f"Complaint {facts.complaint}" if en else f"Laporan {facts.complaint}"
    if facts.confidential:
        subject += " (confidential)" if en else " (rahasia)"
    elif facts.title:
        subject += f' "{facts.title}"'
    if facts.unit is not None:
        subject += f" (unit {facts.unit})"
    else:
        subject += " (not yet dispatched)" if en else " (belum didisposisi)"
    clock = (facts.clock_label_en or facts.clock_label) if en else facts.clock_label
    deadline = _deadline(facts, language)
    late = lateness(facts, language)
    when = f"{deadline}, {late}" if late else deadline
    kind = _KIND[language].get(facts.action)
    if kind is not None:
        head = f"[{kind} {'level' if en else 'tingkat'} {facts.level}]"
        if en:
            tail = "Please follow it up now." if kind == "Escalation" else "Please follow it up."
            return f"{head} {subject}: {clock} deadline {when}. {tail}"
        tail = "Mohon segera ditindaklanjuti." if kind == "Eskalasi" else "Mohon ditindaklanjuti."
        return f"{head} {subject}: batas waktu {clock} {when}. {tail}"
    label = (facts.action_label_en or facts.action) if en else (facts.action_label or facts.action)
    if en:
        return f"[Automatic] {subject}: {label} by the system; {clock} deadline {when}."
    return f"[Otomatis] {subject}: {label} oleh sistem; batas waktu {clock} {when}."
