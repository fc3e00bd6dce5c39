"""Building blocks of the Indonesian government calendar (private; see `pengaduan.presets`).

Holidays come from the `holidays` package: category ``public`` (libur nasional) and
``government`` (cuti bersama), in Bahasa Indonesia. A name ending in ``"(perkiraan)"`` is an
estimated date.

Ramadan periods: 1 Ramadan is fixed each year by the Ministry of Religious Affairs (Kemenag)
in its *sidang isbat* (the evening of 29 Sya'ban), and the last day of Ramadan is the day
before Idul Fitri, which the SKB 3 Menteri holiday decree fixes (the `holidays` package carries
it, confirmed for the decreed years). For the years in `RAMADAN_ISBAT` (2015-2026: the isbat
decisions, checked one by one, each with where it was published) a Ramadan period is therefore
**confirmed**: its first day is the isbat's and its last the day before the confirmed Idul
Fitri. Every other year (no isbat yet, such as 2027, whose isbat falls in February 2027, or
one before 2015) is **estimated**: its first day comes from the MABIMS lunar
table of `holidays` (``IndonesiaIslamicHolidays.ramadan_beginning_dates``, which flags every
date as unconfirmed), and the source says so. The table and the isbat disagree in 2025 (the
table has 2 March; the isbat fixed 1 March 2025), which is why the decisions are recorded
here rather than taken from the table.
"""

from __future__ import annotations

from datetime import date, timedelta
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

#: 1 Ramadan as fixed by Kemenag's sidang isbat, by Gregorian year: (the first day, the
#: decision, where it was published). Add a year when its isbat has been held.
RAMADAN_ISBAT: dict[int, tuple[date, str, str]] = {
    2015: (
        date(2015, 6, 18),
        "1 Ramadan 1436 H: sidang isbat of Kemenag, Tuesday 16 June 2015",
        "https://www.tempo.co/politik/pemerintah-resmi-tetapkan-awal-ramadan-2015-hari-kamis-nbsp--1443230",
    ),
    2016: (
        date(2016, 6, 6),
        "1 Ramadan 1437 H: sidang isbat of Kemenag, Sunday 5 June 2016",
        "https://www.cnnindonesia.com/nasional/20160605191559-20-135974/"
        "pemerintah-tetapkan-awal-ramadan-jatuh-esok-senin-6-juni",
    ),
    2017: (
        date(2017, 5, 27),
        "1 Ramadan 1438 H: sidang isbat of Kemenag, Friday 26 May 2017",
        "https://kumparan.com/wisnu-prasetyo/pemerintah-tetapkan-1-ramadhan-1438-h-sabtu-27-mei",
    ),
    2018: (
        date(2018, 5, 17),
        "1 Ramadan 1439 H: sidang isbat of Kemenag, Tuesday 15 May 2018",
        "https://kominfo.go.id/index.php/content/detail/13122/"
        "pemerintah-tetapkan-1-ramadan-1439h2018m-jatuh-pada-kamis-17-mei-2018/0/artikel_gpr",
    ),
    2019: (
        date(2019, 5, 6),
        "1 Ramadan 1440 H: sidang isbat of Kemenag, Sunday 5 May 2019",
        "https://nasional.kontan.co.id/news/awal-ramadan-1440-hijrah-jatuh-pada-senin-6-mei-2019",
    ),
    2020: (
        date(2020, 4, 24),
        "1 Ramadan 1441 H: sidang isbat of Kemenag, Thursday 23 April 2020",
        "https://nasional.kontan.co.id/news/"
        "pemerintah-putuskan-1-ramadhan-1441-h-jatuh-pada-jumat-24-april-2020",
    ),
    2021: (
        date(2021, 4, 13),
        "1 Ramadan 1442 H: sidang isbat of Kemenag, Monday 12 April 2021",
        "https://en.minanews.net/indonesian-government-sets-the-beginning-of-ramadan-1442-h-on-13-april/",
    ),
    2022: (
        date(2022, 4, 3),
        "1 Ramadan 1443 H: sidang isbat of Kemenag, Friday 1 April 2022 (KMA 324/2022)",
        "https://palembang.inews.id/read/63010/kemenag-tetapkan-1-ramadhan-pada-3-april",
    ),
    2023: (
        date(2023, 3, 23),
        "1 Ramadan 1444 H: sidang isbat of Kemenag, Wednesday 22 March 2023",
        "https://momsmoney.kontan.co.id/news/"
        "pemerintah-tetapkan-awal-bulan-puasa-2023-1-ramadan-1444-h-jatuh-pada-kamis-23-maret",
    ),
    2024: (
        date(2024, 3, 12),
        "1 Ramadan 1445 H: sidang isbat of Kemenag, Sunday 10 March 2024 (KMA 313/2024)",
        "https://video.tempo.co/read/37193/pemerintah-tetapkan-1-ramadan-1445-h-jatuh-pada-12-maret-2024",
    ),
    2025: (
        date(2025, 3, 1),
        "1 Ramadan 1446 H: sidang isbat of Kemenag, Friday 28 February 2025",
        "https://onews.id/alasan-pemerintah-tetapkan-1-ramadan-1446-h-pada-1-maret-2025",
    ),
    2026: (
        date(2026, 2, 19),
        "1 Ramadan 1447 H: sidang isbat of Kemenag, Tuesday 17 February 2026",
        "https://digital.okezone.com/view/2026/02/17/1/104039/"
        "pemerintah-tetapkan-1-ramadan-1447-h-jatuh-pada-19-februari-2026",
    ),
}


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
    """Return each Ramadan in ``years`` as dated hours (see the module docstring).

    A year of `RAMADAN_ISBAT` whose Idul Fitri is confirmed gives a confirmed period; any
    other year an estimated one from the lunar table.
    """
    from holidays.countries.indonesia import IndonesiaIslamicHolidays

    ver = version("holidays")
    islamic = IndonesiaIslamicHolidays()
    out: list[DatedHours] = []
    for year in years:
        decreed = RAMADAN_ISBAT.get(year)
        tabulated = [d for d, _ in islamic.ramadan_beginning_dates(year) if d.year == year]
        firsts = [decreed[0]] if decreed is not None else tabulated
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
            end = f"last day before Idul Fitri (holidays {ver}, {eid_note})"
            if decreed is not None and not eid_unconfirmed:
                _first, decision, url = decreed
                status, source = Status.CONFIRMED, f"{decision} ({url}); {end}"
            else:
                status = Status.ESTIMATED
                start = (
                    f"{decreed[1]} ({decreed[2]})"
                    if decreed is not None
                    else f"holidays {ver}: first day from the MABIMS table "
                    "(IndonesiaIslamicHolidays.ramadan_beginning_dates, unconfirmed; no isbat "
                    "decision recorded for this year)"
                )
                source = f"{start}; {end}"
            out.append(
                DatedHours(
                    first,
                    last,
                    hours,
                    name=f"Ramadan {first.year}",
                    status=status,
                    source=f"{source}; hours Perpres 21/2023",
                )
            )
    return tuple(out)
