"""Building blocks of the Indonesian government calendar (private; see `pengaduan.presets`).

Holidays come from the `holidays` package: category ``public`` (libur nasional) and
``government`` (cuti bersama), in Bahasa Indonesia. A name ending in ``"(perkiraan)"`` is an
estimated date.

Ramadan periods: `holidays` has no Ramadan holiday for Indonesia, but its Islamic calendar
class for Indonesia (``IndonesiaIslamicHolidays``, on the MABIMS lunar table) yields
``ramadan_beginning_dates``. It flags every one of them as *unconfirmed*: no year of Ramadan's
first day is listed as confirmed for Indonesia. So each Ramadan period runs from that tabulated
first day to the day before Idul Fitri (whose date is confirmed for the years the package
says), and is marked **estimated**, with the source saying exactly that.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import version

from pengaduan.calendar import DatedHours, Holiday, HolidayKind, Status, WeeklyHours

#: Perpres 21/2023: 37.5 hours a week from 07:30, breaks of 60 minutes (90 on Friday).
PERPRES_21_2023 = WeeklyHours.parse(
    {"mon-thu": "07:30-12:00, 13:00-16:00", "fri": "07:30-11:30, 13:00-16:30"}
)
#: Ramadan under Perpres 21/2023: 32.5 hours a week from 08:00. The daily split (a 30-minute
#: break Monday to Thursday, 60 minutes on Friday) is the usual MenPANRB circular pattern.
PERPRES_21_2023_RAMADAN = WeeklyHours.parse(
    {"mon-thu": "08:00-12:00, 12:30-15:00", "fri": "08:00-11:30, 12:30-15:30"}
)
#: Keppres 68/1995: Mon-Thu 07:30-16:00 (break 12:00-13:00), Fri 07:30-16:30 (11:30-13:00).
KEPPRES_68_1995 = WeeklyHours.parse(
    {"mon-thu": "07:30-12:00, 13:00-16:00", "fri": "07:30-11:30, 13:00-16:30"}
)
#: A six-day week of 37.5 hours (Mon-Thu 07:00-14:00, Fri 07:00-11:00, Sat 07:00-12:30), as
#: commonly applied by regions keeping six days; not confirmed in a primary text: pass your
#: agency's own hours where they differ.
SIX_DAY_WEEK = WeeklyHours.parse(
    {"mon-thu": "07:00-14:00", "fri": "07:00-11:00", "sat": "07:00-12:30"}
)

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone_key(zone: str) -> str:
    """Return the IANA key for ``"WIB"``/``"WITA"``/``"WIT"`` (any case) or an IANA key."""
    return ZONES.get(zone.upper(), zone)


def holiday_records(
    years: range, *, collective_leave: bool
) -> tuple[tuple[Holiday, ...], tuple[int, int]]:
    """Return Indonesia's holidays for ``years`` and the years with a collective-leave decree.

    Every year that has at least one ``government`` (cuti bersama) day in the package counts
    as decreed; the range returned runs from the first year asked for to the last decreed one.
    """
    import holidays

    ver = version("holidays")
    out: list[Holiday] = []
    decreed: list[int] = []
    cats = [("public", HolidayKind.NATIONAL), ("government", HolidayKind.COLLECTIVE_LEAVE)]
    for category, kind in cats:
        table = holidays.country_holidays(
            "ID", years=list(years), categories=(category,), language="id"
        )
        for day, names in sorted(table.items()):
            if kind is HolidayKind.COLLECTIVE_LEAVE:
                decreed.append(day.year)
                if not collective_leave:
                    continue
            for name in names.split("; "):
                status = Status.ESTIMATED if "(perkiraan)" in name else Status.CONFIRMED
                out.append(Holiday(day, name, kind, status, f"holidays {ver} (ID, {category})"))
    last = max(decreed) if decreed else years.start - 1
    return tuple(out), (years.start, min(last, years.stop - 1))


def ramadan_periods(years: range, hours: WeeklyHours) -> tuple[DatedHours, ...]:
    """Return each Ramadan in ``years`` as estimated dated hours (see the module docstring)."""
    from holidays.countries.indonesia import IndonesiaIslamicHolidays

    ver = version("holidays")
    islamic = IndonesiaIslamicHolidays()
    out: list[DatedHours] = []
    for year in years:
        firsts = [d for d, _ in islamic.ramadan_beginning_dates(year) if d.year == year]
        eids = sorted(
            (d, unconfirmed)
            for y in (year, year + 1)
            for d, unconfirmed in islamic.eid_al_fitr_dates(y)
        )
        for first in firsts:
            after = [(d, u) for d, u in eids if d > first]
            if not after:
                continue
            eid, eid_unconfirmed = after[0]
            last = eid - timedelta(days=1)
            if (last - first).days not in (28, 29):
                continue  # the tables disagree: leave this Ramadan out rather than guess
            eid_note = "estimated" if eid_unconfirmed else "confirmed"
            out.append(
                DatedHours(
                    first,
                    last,
                    hours,
                    name=f"Ramadan {first.year}",
                    status=Status.ESTIMATED,
                    source=(
                        f"holidays {ver}: first day from the MABIMS table "
                        "(IndonesiaIslamicHolidays.ramadan_beginning_dates, unconfirmed); "
                        f"last day before Idul Fitri ({eid_note}); hours Perpres 21/2023"
                    ),
                )
            )
    return tuple(out)
