"""Calendar presets: the Indonesian government calendar (WIB, WITA, WIT) and variants.

Also its whole-day variant and a 24/7 calendar. Each is built on first use and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from pengaduan.calendar import DatedHours, Holiday, WeeklyHours, WorkCalendar
from pengaduan.exceptions import DefinitionError, UnknownCalendarError

__all__ = ["calendar_24x7", "calendar_by_name", "id_gov_calendar", "id_gov_days_calendar"]

#: The names `calendar_by_name` (and the CLI's ``--calendar``) accepts.
CALENDAR_NAMES = ("id-gov", "id-gov-days", "24x7")


def id_gov_calendar(
    zone: str = "WIB",
    *,
    collective_leave: bool = True,
    six_day_week: bool = False,
    regional_holidays: Iterable[Holiday] = (),
    hours: str | WeeklyHours = "perpres-21-2023",
    ramadan_hours: bool = True,
    years: tuple[int, int] = (2015, 2035),
) -> WorkCalendar:
    """Return the Indonesian government (civil service) calendar.

    Monday to Friday under Perpres 21/2023: Mon-Thu 07:30-16:00 with a break 12:00-13:00, Fri
    07:30-16:30 with a break 11:30-13:00 (37.5 hours a week); Ramadan hours (32.5 hours a week
    from 08:00) over each Ramadan: **confirmed** for the years whose 1 Ramadan the Ministry of
    Religious Affairs fixed in its sidang isbat (2015-2026, each with its source), estimated
    from the lunar table for the others (2027 until its isbat); national holidays and cuti
    bersama from the `holidays` package, those named "(perkiraan)" marked estimated. Years
    after the last cuti bersama decree in the package are outside ``holiday_years``, so
    results reaching them are flagged estimated.

    Args:
        zone: ``"WIB"``, ``"WITA"``, ``"WIT"`` or any IANA key.
        collective_leave: Count cuti bersama as days off (the default).
        six_day_week: Work Monday to Saturday (37.5 hours; see the Calendars docs). No
            Ramadan hours are published for a six-day week, so it needs
            ``ramadan_hours=False`` (add your agency's own with `WorkCalendar.with_dated`).
        regional_holidays: Extra days off, e.g. a regency's anniversary.
        hours: ``"perpres-21-2023"`` (the default), ``"keppres-68-1995"`` (the same weekly
            windows, without Ramadan hours) or your own `WeeklyHours`.
        ramadan_hours: Apply the Ramadan hours (only with ``"perpres-21-2023"``).
        years: The first and last year of holiday data to load.

    Raises:
        DefinitionError: For ``six_day_week=True`` without ``ramadan_hours=False`` (the
            calendar would pretend a six-day week has no Ramadan hours), or an unknown hours
            rule.

    ```pycon
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> cal = id_gov_calendar()
    >>> cal.name, cal.zone
    ('id-gov-wib', 'Asia/Jakarta')
    >>> cal.add_working_days(datetime(2026, 3, 17, 10, tzinfo=ZoneInfo("Asia/Jakarta")), 3)
    datetime.datetime(2026, 3, 28, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Jakarta'))

    ```
    """
    if six_day_week and ramadan_hours and hours == "perpres-21-2023":
        raise DefinitionError(
            "id_gov_calendar(six_day_week=True)",
            "Perpres 21/2023 gives Ramadan hours (32.5 hours a week from 08:00) for the "
            "five-day week only, and no six-day split is published; pass ramadan_hours=False "
            "and add your agency's own Ramadan hours with with_dated(DatedHours(...)), rather "
            "than have the calendar count ordinary hours through Ramadan",
        )
    return _id_gov(
        zone,
        collective_leave,
        six_day_week,
        tuple(regional_holidays),
        hours,
        ramadan_hours,
        years,
        whole_days=False,
    )


def id_gov_days_calendar(
    zone: str = "WIB",
    *,
    collective_leave: bool = True,
    six_day_week: bool = False,
    regional_holidays: Iterable[Holiday] = (),
    years: tuple[int, int] = (2015, 2035),
) -> WorkCalendar:
    """Return the Indonesian government calendar with every working day counted 00:00-24:00.

    The same working days as `id_gov_calendar`; use it when a limit in working days should be
    measured in whole days of working time.

    Args:
        zone: ``"WIB"``, ``"WITA"``, ``"WIT"`` or any IANA key.
        collective_leave: Count cuti bersama as days off (the default).
        six_day_week: Count Saturday as a working day too.
        regional_holidays: Extra days off.
        years: The first and last year of holiday data to load.
    """
    return _id_gov(
        zone,
        collective_leave,
        six_day_week,
        tuple(regional_holidays),
        "whole-days",
        False,
        years,
        whole_days=True,
    )


@functools.cache
def calendar_24x7(zone: str = "UTC") -> WorkCalendar:
    """Return a calendar in which every instant is working time (no gap at midnight).

    ```pycon
    >>> calendar_24x7().hours.weekly_total
    datetime.timedelta(days=7)

    ```
    """
    return WorkCalendar(name="24x7", zone=zone, hours=WeeklyHours.every_day("00:00-24:00"))


def calendar_by_name(name: str, zone: str | None = None) -> WorkCalendar:
    """Return the preset named ``"id-gov"``, ``"id-gov-days"`` or ``"24x7"``.

    Args:
        name: One of `CALENDAR_NAMES`.
        zone: Its zone (``"WIB"``, ``"WITA"``, ``"WIT"`` or an IANA key); by default WIB for
            the Indonesian calendars and UTC for 24x7.

    Raises:
        UnknownCalendarError: For any other name.
    """
    if name == "id-gov":
        return id_gov_calendar(zone or "WIB")
    if name == "id-gov-days":
        return id_gov_days_calendar(zone or "WIB")
    if name == "24x7":
        from pengaduan._calendar_id import zone_key

        return calendar_24x7(zone_key(zone or "UTC"))
    raise UnknownCalendarError(name, CALENDAR_NAMES)


@functools.cache
def _id_gov(
    zone: str,
    collective_leave: bool,
    six_day_week: bool,
    regional: tuple[Holiday, ...],
    hours: str | WeeklyHours,
    ramadan_hours: bool,
    years: tuple[int, int],
    *,
    whole_days: bool,
) -> WorkCalendar:
    from pengaduan import _calendar_id as idc

    key = idc.zone_key(zone)
    span = range(years[0], years[1] + 1)
    week: WeeklyHours
    if whole_days:
        week = WeeklyHours.parse({"mon-sat" if six_day_week else "mon-fri": "00:00-24:00"})
    elif isinstance(hours, WeeklyHours):
        week = hours
    elif six_day_week:
        week = idc.SIX_DAY_WEEK
    elif hours == "perpres-21-2023":
        week = idc.PERPRES_21_2023
    elif hours == "keppres-68-1995":
        week = idc.KEPPRES_68_1995
    else:
        raise DefinitionError(
            "id_gov_calendar",
            f"unknown hours rule {hours!r}; use 'perpres-21-2023', 'keppres-68-1995' or "
            "your own WeeklyHours",
        )
    dated: tuple[DatedHours, ...] = ()
    if ramadan_hours and hours == "perpres-21-2023" and not six_day_week and not whole_days:
        dated = idc.ramadan_periods(span, idc.PERPRES_21_2023_RAMADAN)
    records, known = idc.holiday_records(span, collective_leave=collective_leave)
    suffix = {"Asia/Jakarta": "wib", "Asia/Makassar": "wita", "Asia/Jayapura": "wit"}.get(key)
    name = ("id-gov-days" if whole_days else "id-gov") + (f"-{suffix}" if suffix else "")
    return WorkCalendar(
        name=name,
        zone=key,
        hours=week,
        dated=dated,
        holidays=(*records, *regional),
        holiday_years=known,
    )
