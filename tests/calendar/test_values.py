"""Calendar values: windows, weekly hours, dated rules, holidays, fingerprints, combinations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from calendar_strategies import calendars, instants, oracle_is_working
from hypothesis import given

from pengaduan.calendar import (
    DatedHours,
    Holiday,
    HolidayKind,
    Status,
    WeeklyHours,
    Window,
    WorkCalendar,
    changed_results,
)
from pengaduan.exceptions import (
    DefinitionError,
    NoWorkingTimeError,
    PengaduanError,
    UnknownHolidayError,
)
from pengaduan.presets import calendar_24x7, id_gov_calendar

AMS = ZoneInfo("Europe/Amsterdam")
WIB = ZoneInfo("Asia/Jakarta")


def office(**kw: object) -> WorkCalendar:
    return WorkCalendar(
        name="office",
        zone="Europe/Amsterdam",
        hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-17:00"}),
        **kw,  # type: ignore[arg-type]
    )


def test_a_window_ending_before_it_starts_crosses_midnight() -> None:
    w = Window.parse("21:00-02:00")
    assert w.end == timedelta(hours=26)
    assert w.duration == timedelta(hours=5)
    assert str(w) == "21:00-02:00"


def test_a_window_may_end_at_24_00_and_take_seconds_and_microseconds() -> None:
    assert Window("00:00", "24:00").duration == timedelta(days=1)
    assert Window(time(7, 30), "08:00:00.5").duration == timedelta(minutes=30, microseconds=500000)


@pytest.mark.parametrize("text", ["7-8", "25:00-26:00", "07:61-08:00", "08:00"])
def test_a_malformed_window_is_a_definition_error(text: str) -> None:
    with pytest.raises(DefinitionError):
        Window.parse(text)


def test_weekly_hours_parse_ranges_and_later_keys_win() -> None:
    hours = WeeklyHours.parse({"mon-fri": "08:00-16:00", "fri": "08:00-11:00"})
    assert hours.days[4] == (Window.parse("08:00-11:00"),)
    assert hours.days[5] == ()
    with pytest.raises(DefinitionError):
        WeeklyHours.parse({"fri-mon": "08:00-16:00"})


def test_an_unknown_zone_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="Mars/Olympus"):
        WorkCalendar(name="x", zone="Mars/Olympus")


def test_an_overnight_window_counts_for_the_day_it_starts() -> None:
    cal = WorkCalendar(name="night", zone="Asia/Jakarta", hours={"mon": "21:00-02:00"})
    monday = datetime(2026, 1, 5, tzinfo=WIB)
    assert cal.is_working(monday.replace(day=6, hour=1, minute=59))
    assert not cal.is_working(monday.replace(day=6, hour=2))
    assert cal.working_time_between(monday, monday + timedelta(days=7)) == timedelta(hours=5)
    assert cal.is_working_day(date(2026, 1, 5))
    assert not cal.is_working_day(date(2026, 1, 6))


def test_a_window_across_the_spring_dst_change_lasts_what_the_clock_says() -> None:
    cal = WorkCalendar(
        name="n", zone="Europe/Amsterdam", hours=WeeklyHours.every_day("00:00-24:00")
    )
    day = datetime(2026, 3, 29, tzinfo=AMS)
    assert cal.working_time_between(day, day + timedelta(days=1)) == timedelta(hours=23)
    autumn = datetime(2026, 10, 25, tzinfo=AMS)
    assert cal.working_time_between(autumn, autumn + timedelta(days=1)) == timedelta(hours=25)


def test_one_hour_before_closing_plus_one_hour_is_the_closing_time_not_the_next_opening() -> None:
    cal = office()
    t = datetime(2026, 1, 9, 16, tzinfo=AMS)  # Friday
    assert cal.add_working_time(t, timedelta(hours=1)) == datetime(2026, 1, 9, 17, tzinfo=AMS)
    assert cal.add_working_time(t, timedelta(hours=1, seconds=1)) == datetime(
        2026, 1, 12, 9, 0, 1, tzinfo=AMS
    )


def test_next_and_previous_working() -> None:
    cal = office()
    lunch = datetime(2026, 1, 5, 12, 30, tzinfo=AMS)
    assert cal.next_working(lunch) == datetime(2026, 1, 5, 13, tzinfo=AMS)
    assert cal.previous_working(lunch) == datetime(2026, 1, 5, 12, tzinfo=AMS)
    assert cal.previous_working(lunch.replace(hour=10)) == lunch.replace(hour=10)


def test_a_dated_rule_replaces_the_hours_and_a_single_date_can_close() -> None:
    short = DatedHours.on(date(2026, 1, 5), ["09:00-11:00"], name="training")
    closed = DatedHours.on(date(2026, 1, 6), name="office move")
    cal = office(dated=[short, closed])
    day = datetime(2026, 1, 5, tzinfo=AMS)
    assert cal.working_time_between(day, day + timedelta(days=2)) == timedelta(hours=2)
    assert not cal.is_working_day(date(2026, 1, 6))


def test_a_holiday_wins_over_dated_hours() -> None:
    cal = office(
        dated=[DatedHours.on(date(2026, 1, 5), ["09:00-11:00"])],
        holidays=[Holiday(date(2026, 1, 5), "closed")],
    )
    assert cal.windows_on(date(2026, 1, 5)) == ()


def test_holidays_can_be_added_removed_and_moved() -> None:
    h = Holiday(date(2026, 1, 7), "Idul Fitri", HolidayKind.NATIONAL, Status.ESTIMATED)
    cal = office(holidays=[h])
    assert not cal.is_working_day(date(2026, 1, 7))
    moved = cal.move_holiday(date(2026, 1, 7), date(2026, 1, 8), status="confirmed")
    assert moved.is_working_day(date(2026, 1, 7))
    assert moved.holidays_on(date(2026, 1, 8))[0].status is Status.CONFIRMED
    assert cal.without_holidays(date(2026, 1, 7)).holidays == ()
    assert cal.with_holidays(Holiday(date(2026, 1, 2), "x")).holidays[0].day == date(2026, 1, 2)
    with pytest.raises(UnknownHolidayError) as info:
        cal.move_holiday(date(2026, 1, 1), date(2026, 1, 2))
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, PengaduanError)
    assert (info.value.calendar, info.value.day) == ("office", date(2026, 1, 1))
    assert "2026-01-01" in str(info.value)


def test_calendars_are_values_and_the_fingerprint_tracks_every_rule_but_not_the_name() -> None:
    a, b = office(), office()
    assert a == b
    assert hash(a) == hash(b)
    assert a.fingerprint == b.fingerprint
    assert a.renamed("other").fingerprint == a.fingerprint
    changed = [
        a.with_holidays(Holiday(date(2026, 1, 5), "x")),
        a.with_hours({"mon-fri": "09:00-17:00"}),
        a.with_dated(DatedHours.on(date(2026, 1, 5), ["09:00-10:00"])),
        WorkCalendar(name="office", zone="Asia/Jakarta", hours=a.hours),
        a.with_holidays(Holiday(date(2026, 1, 5), "x", status="estimated")),
    ]
    prints = {c.fingerprint for c in changed}
    assert len(prints) == len(changed)
    assert a.fingerprint not in prints


def test_the_index_is_not_part_of_equality_or_repr() -> None:
    a, b = office(), office()
    a.add_working_days(datetime(2026, 1, 5, tzinfo=AMS), 400)
    assert a == b
    assert repr(a) == repr(b)
    assert "_cache" not in repr(a)


def test_a_calendar_without_any_window_raises_no_working_time() -> None:
    cal = WorkCalendar(name="never", zone="UTC")
    t = datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(NoWorkingTimeError) as info:
        cal.add_working_days(t, 1)
    assert info.value.calendar == "never"
    with pytest.raises(NoWorkingTimeError):
        cal.add_working_time(t, timedelta(hours=1))
    assert cal.working_time_between(t, t + timedelta(days=3)) == timedelta(0)


def test_results_far_ahead_extend_the_index_by_years() -> None:
    cal = office()
    t = datetime(2026, 1, 5, 9, tzinfo=AMS)
    r = cal.add_working_days(t, 2600)  # about ten years of working days
    assert cal.working_days_between(t, r - timedelta(microseconds=1)) == 2600
    assert r.year == 2035 or r.year == 2036


@given(calendars(), calendars(), instants())
def test_union_and_intersection_work_when_any_or_all_parts_do(
    a: WorkCalendar, b: WorkCalendar, t: datetime
) -> None:
    u, i = a.union(b), a.intersection(b)
    assert u.is_working(t) == (oracle_is_working(a, t) or oracle_is_working(b, t))
    assert i.is_working(t) == (oracle_is_working(a, t) and oracle_is_working(b, t))


def test_union_working_days_are_days_of_any_part() -> None:
    weekdays = office()
    saturday = WorkCalendar(name="sat", zone="Europe/Amsterdam", hours={"sat": "09:00-12:00"})
    u = weekdays.union(saturday)
    assert u.name == "office | sat"
    assert u.is_working_day(date(2026, 1, 10))
    assert (
        weekdays.intersection(saturday).working_days_between_dates(
            date(2026, 1, 1), date(2026, 2, 1)
        )
        == 0
    )
    with pytest.raises(DefinitionError):
        u.with_holidays(Holiday(date(2026, 1, 5), "x"))


def test_changed_results_lists_only_the_deadlines_a_confirmed_date_moves() -> None:
    old = id_gov_calendar().with_holidays(
        Holiday(date(2026, 7, 10), "Libur daerah", HolidayKind.REGIONAL, Status.ESTIMATED)
    )
    new = old.move_holiday(date(2026, 7, 10), date(2026, 7, 13), status=Status.CONFIRMED)
    starts = [datetime(2026, 7, d, 10, tzinfo=WIB) for d in (1, 8, 9, 14)]
    changes = changed_results(old, new, starts, [1, 3, timedelta(hours=8)])
    # from 8 Jul, 3 working days end on 14 Jul either way (9, 13, 14 or 9, 10, 14)
    assert {(c.start.day, c.amount) for c in changes} == {(9, 1), (9, timedelta(hours=8))}
    (day_change,) = [c for c in changes if c.amount == 1]
    assert (day_change.old.date(), day_change.new.date()) == (date(2026, 7, 14), date(2026, 7, 11))
    assert day_change.shift == timedelta(days=-3)


def test_24x7_is_cached_per_zone() -> None:
    assert calendar_24x7("UTC") is calendar_24x7("UTC")
    assert calendar_24x7("Asia/Jakarta").zone == "Asia/Jakarta"


def test_windows_and_holidays_order_naturally() -> None:
    early, late = Window.parse("07:30-12:00"), Window.parse("13:00-16:00")
    assert sorted([late, early]) == [early, late]
    a = Holiday(date(2026, 1, 1), "Tahun Baru Masehi")
    b = Holiday(date(2026, 3, 19), "Hari Suci Nyepi")
    assert sorted([b, a]) == [a, b]


def test_changed_results_compares_instants_even_inside_a_repeated_dst_hour() -> None:
    old = calendar_24x7("Europe/Amsterdam")
    new = old.with_dated(DatedHours.on(date(2026, 10, 24), ["00:00-23:00"]))
    start = datetime(2026, 10, 24, tzinfo=AMS)
    (change,) = changed_results(old, new, [start], [timedelta(hours=26, minutes=30)])
    # both read 02:30 on the wall clock: the first and the second time that hour comes round
    assert (change.old.hour, change.old.minute, change.new.hour, change.new.minute) == (
        2,
        30,
        2,
        30,
    )
    assert (change.old.fold, change.new.fold) == (0, 1)
    assert change.shift == timedelta(hours=1)


def test_a_window_boundary_inside_a_spring_forward_gap_is_the_instant_the_clocks_jump() -> None:
    sunday = datetime(2026, 3, 29, tzinfo=AMS)  # 02:00 jumps to 03:00
    opens_in_gap = WorkCalendar(name="a", zone="Europe/Amsterdam", hours={"sun": "02:30-04:00"})
    assert opens_in_gap.next_working(sunday) == datetime(2026, 3, 29, 3, 0, tzinfo=AMS)
    assert opens_in_gap.working_time_between(sunday, sunday + timedelta(days=1)) == timedelta(
        hours=1
    )
    closes_in_gap = WorkCalendar(name="b", zone="Europe/Amsterdam", hours={"sun": "01:00-02:30"})
    assert closes_in_gap.working_time_between(sunday, sunday + timedelta(days=1)) == timedelta(
        hours=1
    )


def test_a_window_boundary_in_a_repeated_hour_is_its_first_occurrence() -> None:
    sunday = datetime(2026, 10, 25, tzinfo=AMS)  # 03:00 goes back to 02:00
    cal = WorkCalendar(name="c", zone="Europe/Amsterdam", hours={"sun": "02:30-03:30"})
    assert cal.working_time_between(sunday, sunday + timedelta(days=1)) == timedelta(hours=2)
