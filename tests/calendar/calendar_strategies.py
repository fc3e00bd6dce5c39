"""Hypothesis strategies and a brute-force oracle for calendar tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from pengaduan.calendar import DatedHours, Holiday, WeeklyHours, Window, WorkCalendar

ZONES = ["UTC", "Asia/Jakarta", "Europe/Amsterdam", "America/New_York"]
QUARTER = timedelta(minutes=15)

# Windows on a 15-minute grid: start in [00:00, 24:00), length up to 24 hours; so every
# boundary, in every zone used here, lies on a 15-minute grid in UTC too.
windows = st.builds(
    lambda s, n: Window(timedelta(minutes=15 * s), timedelta(minutes=15 * (s + n))),
    st.integers(0, 95),
    st.integers(1, 96),
)
day_windows = st.lists(windows, max_size=3)

# Spans around the 2026 DST changes of Amsterdam (29 Mar, 25 Oct) and New York (8 Mar, 1 Nov).
SPANS = [
    (datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 4, 5, tzinfo=UTC)),
    (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC)),
]


@st.composite
def calendars(draw: st.DrawFn, *, overnight: bool = False) -> WorkCalendar:
    days = [draw(day_windows) for _ in range(7)]
    if overnight:
        days[draw(st.integers(0, 6))] = [Window.parse("21:00-02:00")]
    if not any(days):
        days[0] = [draw(windows)]
    holidays = draw(
        st.lists(
            st.dates(date(2026, 3, 1), date(2026, 11, 10)).map(lambda d: Holiday(d, "libur")),
            max_size=6,
        )
    )
    dated = draw(
        st.lists(
            st.builds(
                lambda d, n, w: DatedHours(d, d + timedelta(days=n), WeeklyHours([w] * 7)),
                st.dates(date(2026, 3, 1), date(2026, 11, 1)),
                st.integers(0, 6),
                day_windows,
            ),
            max_size=2,
        )
    )
    return WorkCalendar(
        name="random",
        zone=draw(st.sampled_from(ZONES)),
        hours=WeeklyHours(days),
        dated=dated,
        holidays=holidays,
    )


@st.composite
def instants(draw: st.DrawFn, *, grid: bool = False) -> datetime:
    lo, hi = draw(st.sampled_from(SPANS))
    if grid:
        k = draw(st.integers(0, (hi - lo) // QUARTER))
        return lo + k * QUARTER
    return draw(st.datetimes(lo.replace(tzinfo=None), hi.replace(tzinfo=None))).replace(tzinfo=UTC)


def wall_to_utc(midnight: datetime, offset: timedelta) -> datetime:
    """The first instant at which the wall clock reads midnight + offset or later.

    Steps through the wall clock minute by minute past a spring-forward gap, where a wall time
    does not round-trip through UTC.
    """
    wall = (midnight + offset).replace(tzinfo=None)
    tz = midnight.tzinfo
    while (
        datetime.combine(wall.date(), wall.time(), tzinfo=tz)
        .astimezone(UTC)
        .astimezone(tz)
        .replace(tzinfo=None)
        != wall
    ):
        wall += timedelta(minutes=1)
    return datetime.combine(wall.date(), wall.time(), tzinfo=tz).astimezone(UTC)


def oracle_is_working(cal: WorkCalendar, x: datetime) -> bool:
    """Whether x is working time, by checking the windows of its local date and the day before."""
    tz = ZoneInfo(cal.zone)
    local = x.astimezone(tz).date()
    for d in (local - timedelta(days=1), local):
        for w in cal.windows_on(d):
            midnight = datetime.combine(d, time(), tzinfo=tz)
            start = wall_to_utc(midnight, w.start)
            end = wall_to_utc(midnight, w.end)
            if start <= x < end:
                return True
    return False


def oracle_between(cal: WorkCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time from a to b (both on the 15-minute grid, a <= b), slot by slot."""
    total = timedelta(0)
    t = a
    while t < b:
        if oracle_is_working(cal, t):
            total += QUARTER
        t += QUARTER
    return total
