"""Properties of working-time arithmetic over random calendars, instants and DST zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from calendar_strategies import (
    calendars,
    instants,
    oracle_between,
    oracle_is_working,
)
from hypothesis import assume, given
from hypothesis import strategies as st

from pengaduan.calendar import WorkCalendar
from pengaduan.presets import calendar_24x7


def u(t: datetime) -> datetime:
    """The instant in UTC: datetimes in one zone compare by wall time, ambiguous at a DST
    fall-back (PEP 495), so instants are compared in UTC."""
    return t.astimezone(UTC)


deltas = st.integers(0, 10 * 24 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))
small = st.integers(-4 * 24 * 4, 4 * 24 * 4)  # up to four days either way, in quarters


@given(calendars(), instants(grid=True), small)
def test_working_time_between_matches_a_slot_by_slot_oracle(
    cal: WorkCalendar, a: datetime, k: int
) -> None:
    b = a + k * timedelta(minutes=15)
    lo, hi = min(a, b), max(a, b)
    expected = oracle_between(cal, lo, hi)
    assert cal.working_time_between(lo, hi) == expected
    assert cal.working_time_between(hi, lo) == -expected


@given(calendars(overnight=True), instants())
def test_is_working_matches_the_window_oracle(cal: WorkCalendar, t: datetime) -> None:
    assert cal.is_working(t) == oracle_is_working(cal, t)


@given(calendars(overnight=True), instants(), instants())
def test_adding_the_time_between_reaches_b_or_the_end_of_work_before_it(
    cal: WorkCalendar, a: datetime, b: datetime
) -> None:
    assume(a <= b)
    r = cal.add_working_time(a, cal.working_time_between(a, b))
    # the first working instant at or after the result is the first at or after b
    assert u(cal.next_working(r)) == u(cal.next_working(b))
    assert a <= u(r) <= b
    if cal.is_working(b) and cal.is_working(b - timedelta(microseconds=1)):
        assert u(r) == b  # inside a window; at an opening, r is the previous closing
    assert cal.working_time_between(r, b) == timedelta(0)


@given(calendars(overnight=True), instants(), deltas)
def test_add_working_time_then_measure_gives_the_delta_back(
    cal: WorkCalendar, t: datetime, d: timedelta
) -> None:
    r = cal.add_working_time(t, d)
    assert u(r) >= t
    assert cal.working_time_between(t, r) == d
    assert cal.working_time_between(t, u(r) - timedelta(microseconds=1)) < d or d == timedelta(0)


@given(calendars(overnight=True), instants(), deltas, deltas)
def test_add_working_time_is_additive(
    cal: WorkCalendar, t: datetime, x: timedelta, y: timedelta
) -> None:
    assert u(cal.add_working_time(cal.add_working_time(t, x), y)) == u(
        cal.add_working_time(t, x + y)
    )


@given(calendars(overnight=True), instants(), instants(), deltas)
def test_add_working_time_is_monotonic_in_start_and_delta(
    cal: WorkCalendar, a: datetime, b: datetime, d: timedelta
) -> None:
    a, b = min(a, b), max(a, b)
    assert u(cal.add_working_time(a, d)) <= u(cal.add_working_time(b, d))
    assert u(cal.add_working_time(a, d)) <= u(cal.add_working_time(a, d + timedelta(seconds=1)))


@given(calendars(overnight=True), instants(), deltas)
def test_counting_back_undoes_counting_forward_from_working_time(
    cal: WorkCalendar, t: datetime, d: timedelta
) -> None:
    start = cal.next_working(t)
    end = cal.add_working_time(start, d)
    assert u(cal.add_working_time(end, -d)) == u(start)


@given(calendars(overnight=True), instants(), instants(), st.integers(-30, 30))
def test_same_answers_given_in_utc_or_in_local_time(
    cal: WorkCalendar, a: datetime, b: datetime, n: int
) -> None:
    tz = ZoneInfo(cal.zone)
    la, lb = a.astimezone(tz), b.astimezone(tz)
    assert cal.working_time_between(a, b) == cal.working_time_between(la, lb)
    assert u(cal.add_working_days(a, n)) == u(cal.add_working_days(la, n))
    assert cal.working_days_between(a, b) == cal.working_days_between(la, lb)
    hours = timedelta(hours=n % 9)
    assert u(cal.add_working_time(a, hours)) == u(cal.add_working_time(la, hours))
    assert u(cal.next_working(a)) == u(cal.next_working(la))
    assert cal.next_working(a).tzinfo == tz


@given(calendars(overnight=True), instants(), st.integers(1, 60))
def test_working_days_between_inverts_add_working_days(
    cal: WorkCalendar, a: datetime, n: int
) -> None:
    end = cal.add_working_days(a, n)
    last = end - timedelta(microseconds=1)
    assert cal.working_days_between(a, last) == n
    assert cal.is_working_day(last.astimezone(ZoneInfo(cal.zone)).date())
    assert u(cal.add_working_days(a, cal.working_days_between(a, last))) == u(end)


@given(calendars(overnight=True), instants(), st.integers(-60, 60))
def test_add_working_days_matches_stepping_day_by_day(
    cal: WorkCalendar, t: datetime, n: int
) -> None:
    day = t.astimezone(ZoneInfo(cal.zone)).date()
    step = timedelta(days=1 if n >= 0 else -1)
    d = day
    if n == 0:
        while not cal.windows_on(d):
            d += step
    for _ in range(abs(n)):
        d += step
        while not cal.windows_on(d):
            d += step
    assert cal.add_working_days_to_date(day, n) == d
    assert cal.add_working_days(t, n).date() == d + timedelta(days=1)


@given(calendars(), instants(), instants())
def test_working_days_between_counts_working_dates_in_the_half_open_span(
    cal: WorkCalendar, a: datetime, b: datetime
) -> None:
    tz = ZoneInfo(cal.zone)
    da, db = a.astimezone(tz).date(), b.astimezone(tz).date()
    lo, hi = min(da, db), max(da, db)
    count = sum(1 for k in range(1, (hi - lo).days + 1) if cal.windows_on(lo + timedelta(days=k)))
    assert cal.working_days_between(a, b) == (count if da <= db else -count)


@given(instants(), instants())
def test_a_24x7_calendar_has_no_gap_at_midnight(a: datetime, b: datetime) -> None:
    for zone in ("UTC", "Europe/Amsterdam", "Asia/Jakarta"):
        cal = calendar_24x7(zone)
        assert cal.working_time_between(a, b) == b - a
        assert u(cal.add_working_time(a, abs(b - a))) == a + abs(b - a)
        assert cal.is_working(a)


@given(st.integers(0, 10**6))
def test_add_working_time_is_exact_to_the_microsecond_across_a_dst_change(us: int) -> None:
    cal = calendar_24x7("Europe/Amsterdam")
    t = datetime(2026, 3, 29, 1, 59, 59, tzinfo=ZoneInfo("Europe/Amsterdam"))
    r = cal.add_working_time(t, timedelta(microseconds=us))
    assert r.astimezone(UTC) - t.astimezone(UTC) == timedelta(microseconds=us)


@given(calendars(overnight=True), instants(), st.integers(-60, -1))
def test_counting_back_working_days_from_a_working_day_is_inverted_by_between(
    cal: WorkCalendar, a: datetime, n: int
) -> None:
    assume(cal.is_working_day(a.astimezone(ZoneInfo(cal.zone)).date()))
    last = u(cal.add_working_days(a, n)) - timedelta(microseconds=1)
    assert cal.working_days_between(a, last) == n
