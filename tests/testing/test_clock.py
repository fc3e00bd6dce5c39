"""The manual clock and the time-source protocol."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import NaiveDatetimeError
from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.clock import TimeSource, now_of
from pengaduan.presets import id_gov_calendar
from pengaduan.testing import DEFAULT_START, ManualClock

WIB = ZoneInfo("Asia/Jakarta")
FRIDAY_BEFORE_LEBARAN = datetime(2026, 3, 13, 9, 0, tzinfo=WIB)


def test_a_manual_clock_stands_still_until_moved() -> None:
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN)
    assert clock.now() == FRIDAY_BEFORE_LEBARAN
    assert clock.now() == FRIDAY_BEFORE_LEBARAN


def test_the_default_start_is_a_monday_morning_in_wib() -> None:
    local = ManualClock().now().astimezone(WIB)
    assert ManualClock().now() == DEFAULT_START
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
    assert id_gov_calendar().is_working(local)


def test_a_manual_clock_is_a_time_source() -> None:
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN)
    assert isinstance(clock, TimeSource)
    assert now_of(clock) == FRIDAY_BEFORE_LEBARAN


def test_a_naive_start_or_target_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="ManualClock start"):
        ManualClock(datetime(2026, 3, 13, 9))
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN)
    with pytest.raises(NaiveDatetimeError):
        clock.set(datetime(2026, 3, 14, 9))
    assert clock.now() == FRIDAY_BEFORE_LEBARAN


def test_a_time_source_answering_naive_is_refused() -> None:
    class Naive:
        def now(self) -> datetime:
            return datetime(2026, 3, 13, 9)

    with pytest.raises(NaiveDatetimeError, match=r"Naive\.now\(\)"):
        now_of(Naive())


def test_set_and_advance_move_in_actual_time_and_keep_the_zone() -> None:
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN)
    assert clock.advance(hours=2, minutes=30) == datetime(2026, 3, 13, 11, 30, tzinfo=WIB)
    assert clock.advance(timedelta(days=1), days=1) == datetime(2026, 3, 15, 11, 30, tzinfo=WIB)
    moved = clock.set(datetime(2026, 3, 1, 0, 0, tzinfo=UTC))
    assert moved == datetime(2026, 3, 1, 7, 0, tzinfo=WIB)
    assert moved.tzinfo == WIB


def test_with_a_calendar_the_clock_answers_in_the_calendars_zone() -> None:
    clock = ManualClock(datetime(2026, 3, 13, 2, 0, tzinfo=UTC), calendar=id_gov_calendar())
    assert clock.now().utcoffset() == timedelta(hours=7)


def test_working_days_skip_the_idul_fitri_holidays_and_keep_the_time_of_day() -> None:
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN, calendar=id_gov_calendar())
    # Mon 16, Tue 17, then 18-24 March are Nyepi, Idul Fitri and cuti bersama.
    assert clock.advance_working_days(2) == datetime(2026, 3, 17, 9, tzinfo=WIB)
    assert clock.advance_working_days(1) == datetime(2026, 3, 25, 9, tzinfo=WIB)


def test_zero_working_days_moves_from_a_holiday_to_the_next_working_day_only() -> None:
    clock = ManualClock(datetime(2026, 3, 19, 10, tzinfo=WIB), calendar=id_gov_calendar())
    assert clock.advance_working_days(0) == datetime(2026, 3, 25, 10, tzinfo=WIB)
    assert clock.advance_working_days(0) == datetime(2026, 3, 25, 10, tzinfo=WIB)


def test_negative_working_days_move_back() -> None:
    clock = ManualClock(datetime(2026, 3, 25, 10, tzinfo=WIB), calendar=id_gov_calendar())
    assert clock.advance_working_days(-1) == datetime(2026, 3, 17, 10, tzinfo=WIB)


def test_working_time_follows_the_calendars_windows() -> None:
    # Tuesday 17 March 2026 is still Ramadan (work ends at 15:00): one hour left from 14:00;
    # then Nyepi, Idul Fitri and cuti bersama; Wednesday 25 March opens at 07:30.
    clock = ManualClock(datetime(2026, 3, 17, 14, 0, tzinfo=WIB), calendar=id_gov_calendar())
    assert clock.advance_working_time(timedelta(hours=2)) == datetime(
        2026, 3, 25, 8, 30, tzinfo=WIB
    )


def test_to_next_working_stays_in_working_time_and_moves_out_of_a_weekend() -> None:
    clock = ManualClock(datetime(2026, 3, 14, 12, tzinfo=WIB), calendar=id_gov_calendar())
    first = clock.to_next_working()
    assert first.date() == date(2026, 3, 16)
    assert clock.to_next_working() == first


def test_working_steps_without_a_calendar_say_how_to_give_one() -> None:
    clock = ManualClock(FRIDAY_BEFORE_LEBARAN)
    with pytest.raises(TypeError, match=r"needs a calendar: pass calendar="):
        clock.advance_working_days(1)
    assert clock.now() == FRIDAY_BEFORE_LEBARAN
    assert clock.advance_working_days(1, calendar=id_gov_calendar()).day == 16


AMSTERDAM = WorkCalendar(
    name="office-ams",
    zone="Europe/Amsterdam",
    hours=WeeklyHours.parse({"mon-fri": "09:00-17:00"}),
)


def test_working_days_across_a_dst_change_keep_the_wall_clock_time() -> None:
    ams = ZoneInfo("Europe/Amsterdam")
    clock = ManualClock(datetime(2026, 3, 27, 10, tzinfo=ams), calendar=AMSTERDAM)
    moved = clock.advance_working_days(1)  # over the night of 28-29 March (CET -> CEST)
    assert moved == datetime(2026, 3, 30, 10, tzinfo=ams)
    assert moved.utcoffset() == timedelta(hours=2)


@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(WIB)
    ),
    n=st.integers(min_value=1, max_value=40),
)
def test_advancing_n_working_days_lands_n_working_days_later_at_the_same_time(
    start: datetime, n: int
) -> None:
    calendar = id_gov_calendar()
    clock = ManualClock(start, calendar=calendar)
    moved = clock.advance_working_days(n)
    assert calendar.working_days_between(start, moved) == n
    assert calendar.is_working_day(moved.date())
    assert moved.time() == start.time()
