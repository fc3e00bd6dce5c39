"""The Indonesian government calendar: known dates from the decrees, hours and options."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pengaduan.calendar import Holiday, HolidayKind, Status
from pengaduan.exceptions import DefinitionError, NaiveDatetimeError, UnknownCalendarError
from pengaduan.presets import calendar_by_name, id_gov_calendar, id_gov_days_calendar

WIB = ZoneInfo("Asia/Jakarta")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


def test_tue_17_mar_2026_plus_3_working_days_ends_fri_27_mar() -> None:
    cal = id_gov_calendar()
    assert cal.add_working_days(at(2026, 3, 17, 9), 3) == at(2026, 3, 28)
    d = cal.deadline(at(2026, 3, 17, 9), working_days=3)
    assert d.day == date(2026, 3, 27)
    assert not d.estimated


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2026, 3, 18), HolidayKind.COLLECTIVE_LEAVE),
        (date(2026, 3, 19), HolidayKind.NATIONAL),
        (date(2026, 3, 20), HolidayKind.COLLECTIVE_LEAVE),
        (date(2026, 3, 23), HolidayKind.COLLECTIVE_LEAVE),
        (date(2026, 3, 24), HolidayKind.COLLECTIVE_LEAVE),
    ],
)
def test_nyepi_and_idul_fitri_2026_days_off_are_not_working_days(
    day: date, kind: HolidayKind
) -> None:
    cal = id_gov_calendar()
    assert not cal.is_working_day(day)
    assert kind in {h.kind for h in cal.holidays_on(day)}


def test_an_event_on_saturday_counts_monday_as_day_one_like_friday() -> None:
    cal = id_gov_calendar()
    friday, saturday = at(2026, 1, 9, 10), at(2026, 1, 10, 10)
    assert cal.add_working_days(friday, 1) == cal.add_working_days(saturday, 1) == at(2026, 1, 13)


def test_zero_working_days_is_the_end_of_the_day_or_of_the_next_working_day() -> None:
    cal = id_gov_calendar()
    assert cal.add_working_days(at(2026, 1, 9, 10), 0) == at(2026, 1, 10)
    assert cal.add_working_days(at(2026, 1, 10, 10), 0) == at(2026, 1, 13)


def test_negative_working_days_count_back() -> None:
    cal = id_gov_calendar()
    assert cal.add_working_days_to_date(date(2026, 3, 25), -1) == date(2026, 3, 17)


def test_18_aug_2025_added_in_august_2025_is_a_day_off() -> None:
    assert not id_gov_calendar().is_working_day(date(2025, 8, 18))


def test_perpres_21_2023_hours_make_37_5_hours_a_week_with_a_later_friday_close() -> None:
    cal = id_gov_calendar()
    week = cal.working_time_between(at(2026, 1, 5), at(2026, 1, 12))
    assert week == timedelta(hours=37, minutes=30)
    assert cal.is_working(at(2026, 1, 9, 16, 15))  # Friday until 16:30
    assert not cal.is_working(at(2026, 1, 8, 16, 15))  # Thursday until 16:00
    assert not cal.is_working(at(2026, 1, 9, 12, 30))  # Friday prayers break


def test_ramadan_weeks_have_32_5_hours_from_eight_and_a_decreed_ramadan_is_confirmed() -> None:
    cal = id_gov_calendar()
    monday = at(2026, 3, 2)
    assert cal.working_time_between(monday, monday + timedelta(days=7)) == timedelta(
        hours=32, minutes=30
    )
    assert not cal.is_working(at(2026, 3, 2, 7, 45))
    assert cal.is_working(at(2026, 3, 2, 8, 0))
    ramadan = next(r for r in cal.dated if r.first.year == 2026)
    assert ramadan.status is Status.CONFIRMED
    assert "sidang isbat" in ramadan.source
    assert "17 February 2026" in ramadan.source
    assert ramadan.first == date(2026, 2, 19)
    assert ramadan.last == date(2026, 3, 20)  # the day before Idul Fitri, 21 Mar 2026
    d = cal.deadline(at(2026, 3, 2, 9), working_time=timedelta(hours=1))
    assert not d.estimated


def test_a_ramadan_without_an_isbat_yet_is_estimated_from_the_lunar_table() -> None:
    cal = id_gov_calendar()
    ramadan = next(r for r in cal.dated if r.first.year == 2027)
    assert ramadan.status is Status.ESTIMATED
    assert "MABIMS" in ramadan.source
    assert (ramadan.first, ramadan.last) == (date(2027, 2, 8), date(2027, 3, 9))
    d = cal.deadline(at(2027, 2, 15, 9), working_time=timedelta(hours=1))
    assert d.estimated
    assert any("Ramadan" in why for why in d.reasons)


# 1 Ramadan by the isbat of the Ministry of Religious Affairs, written out by hand from the
# published decisions (see RAMADAN_ISBAT for where each was published), and Idul Fitri (1
# Syawal) by the SKB 3 Menteri decrees.
ISBAT = {
    2015: (date(2015, 6, 18), date(2015, 7, 17)),
    2016: (date(2016, 6, 6), date(2016, 7, 6)),
    2017: (date(2017, 5, 27), date(2017, 6, 25)),
    2018: (date(2018, 5, 17), date(2018, 6, 15)),
    2019: (date(2019, 5, 6), date(2019, 6, 5)),
    2020: (date(2020, 4, 24), date(2020, 5, 24)),
    2021: (date(2021, 4, 13), date(2021, 5, 13)),
    2022: (date(2022, 4, 3), date(2022, 5, 2)),
    2023: (date(2023, 3, 23), date(2023, 4, 22)),
    2024: (date(2024, 3, 12), date(2024, 4, 10)),
    2025: (date(2025, 3, 1), date(2025, 3, 31)),  # the lunar table says 2 March
    2026: (date(2026, 2, 19), date(2026, 3, 21)),
}


@pytest.mark.parametrize("year", sorted(ISBAT))
def test_each_decreed_ramadan_runs_from_its_isbat_to_the_eve_of_idul_fitri(year: int) -> None:
    first, syawal = ISBAT[year]
    (ramadan,) = [r for r in id_gov_calendar().dated if r.first.year == year]
    assert (ramadan.first, ramadan.last) == (first, syawal - timedelta(days=1))
    assert ramadan.status is Status.CONFIRMED
    assert "https://" in ramadan.source
    assert f"{1439 + year - 2018} H" in ramadan.source


def test_ramadan_hours_do_not_make_a_working_day_count_estimated() -> None:
    cal = id_gov_calendar()
    assert not cal.deadline(at(2026, 3, 2, 9), working_days=3).estimated


def test_perkiraan_holidays_are_estimated_and_flag_results_that_cross_them() -> None:
    cal = id_gov_calendar()
    fitri = [h for h in cal.holidays_in(2028) if h.day == date(2028, 2, 28)]
    assert fitri
    assert all(h.status is Status.ESTIMATED for h in fitri)
    d = cal.deadline(at(2028, 2, 25, 9), working_days=2)
    assert d.estimated
    assert any("2028-02-28" in why for why in d.reasons)


def test_years_after_the_last_decree_are_flagged_estimated() -> None:
    cal = id_gov_calendar()
    assert cal.holiday_years == (2015, 2027)
    assert not cal.deadline(at(2027, 6, 1, 9), working_days=3).estimated
    d = cal.deadline(at(2028, 6, 1, 9), working_days=3)
    assert d.estimated
    assert "2028" in d.reasons[-1]


@pytest.mark.parametrize(
    ("zone", "key", "name"),
    [
        ("WIB", "Asia/Jakarta", "id-gov-wib"),
        ("WITA", "Asia/Makassar", "id-gov-wita"),
        ("wit", "Asia/Jayapura", "id-gov-wit"),
    ],
)
def test_the_three_indonesian_zones_open_at_0730_local(zone: str, key: str, name: str) -> None:
    cal = id_gov_calendar(zone)
    assert (cal.zone, cal.name) == (key, name)
    opening = cal.next_working(datetime(2026, 1, 5, 0, tzinfo=ZoneInfo(key)))
    assert opening == datetime(2026, 1, 5, 7, 30, tzinfo=ZoneInfo(key))


def test_the_same_instant_is_later_in_the_day_in_wit_than_in_wib() -> None:
    t = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # 15:00 WIB, 17:00 WIT
    assert id_gov_calendar("WIB").is_working(t)
    assert not id_gov_calendar("WIT").is_working(t)


def test_without_collective_leave_cuti_bersama_days_are_working_days() -> None:
    cal = id_gov_calendar(collective_leave=False)
    assert cal.is_working_day(date(2026, 3, 18))
    assert not cal.is_working_day(date(2026, 3, 19))
    assert cal.add_working_days(at(2026, 3, 17, 9), 3) == at(2026, 3, 24)  # 18, 20, 23


def test_a_six_day_week_refuses_to_pretend_it_has_no_ramadan_hours() -> None:
    with pytest.raises(DefinitionError, match="ramadan_hours=False"):
        id_gov_calendar(six_day_week=True)


def test_a_six_day_week_works_on_saturday() -> None:
    cal = id_gov_calendar(six_day_week=True, ramadan_hours=False)
    assert cal.dated == ()
    assert cal.is_working_day(date(2026, 1, 10))
    assert not cal.is_working_day(date(2026, 1, 11))
    assert cal.working_time_between(at(2026, 1, 5), at(2026, 1, 12)) == timedelta(
        hours=37, minutes=30
    )


def test_a_regional_holiday_closes_its_day() -> None:
    anniversary = Holiday(date(2026, 1, 14), "Hari Jadi Kabupaten", HolidayKind.REGIONAL)
    cal = id_gov_calendar(regional_holidays=[anniversary])
    assert not cal.is_working_day(date(2026, 1, 14))
    assert cal.fingerprint != id_gov_calendar().fingerprint


def test_the_whole_day_variant_counts_each_working_day_as_24_hours() -> None:
    cal = id_gov_days_calendar()
    assert cal.working_time_between(at(2026, 1, 5), at(2026, 1, 12)) == timedelta(days=5)
    assert cal.add_working_days(at(2026, 3, 17, 9), 3) == at(2026, 3, 28)


def test_presets_are_cached_and_equal_by_value() -> None:
    assert id_gov_calendar() is id_gov_calendar()
    assert calendar_by_name("id-gov") == id_gov_calendar("WIB")
    assert calendar_by_name("id-gov", "WITA").zone == "Asia/Makassar"
    assert calendar_by_name("24x7").hours.weekly_total == timedelta(days=7)


def test_an_unknown_preset_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownCalendarError) as info:
        calendar_by_name("id-gob")
    assert info.value.known == ("id-gov", "id-gov-days", "24x7")
    assert isinstance(info.value, LookupError)


def test_a_naive_datetime_is_refused() -> None:
    cal = id_gov_calendar()
    with pytest.raises(NaiveDatetimeError):
        cal.add_working_days(datetime(2026, 1, 5, 9), 1)
    with pytest.raises(NaiveDatetimeError):
        cal.working_time_between(at(2026, 1, 5), datetime(2026, 1, 6))


def test_holiday_names_are_in_bahasa_indonesia_whatever_the_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    names = {h.name for h in id_gov_calendar().holidays_on(date(2026, 3, 19))}
    assert names == {"Hari Suci Nyepi"}


def test_batch_working_days_agree_with_numpy_busday_offset_and_the_scalar_form() -> None:
    np = pytest.importorskip("numpy")
    cal = id_gov_calendar()
    rng = np.random.default_rng(7)
    days = np.datetime64("2018-01-01") + rng.integers(0, 3650, 2000).astype("timedelta64[D]")
    n = rng.integers(1, 30, 2000)
    holidays = np.array(
        sorted({h.day for h in cal.holidays if 2017 <= h.day.year <= 2029}), dtype="datetime64[D]"
    )
    expected = np.busday_offset(days, n, roll="backward", holidays=holidays)
    got = cal.add_working_days_array(days, n)
    assert (got == expected).all()
    for d, k, g in zip(days[:50].tolist(), n[:50].tolist(), got[:50].tolist(), strict=True):
        assert cal.add_working_days_to_date(d, k) == g


def test_working_days_agree_with_the_holidays_package() -> None:
    import holidays

    ref = holidays.country_holidays(
        "ID", years=range(2018, 2028), categories=("public", "government"), language="id"
    )
    cal = id_gov_calendar()
    for k in range(0, 3000, 7):
        d = date(2018, 1, 1) + timedelta(days=k)
        for n in (0, 1, 3, 5, 10, -2):
            if date(2018, 2, 1) <= d <= date(2027, 11, 1):
                assert cal.add_working_days_to_date(d, n) == ref.get_nth_working_day(d, n)


def test_an_unknown_hours_rule_is_a_definition_error() -> None:
    from pengaduan.exceptions import DefinitionError

    with pytest.raises(DefinitionError, match="perpres-21-2023"):
        id_gov_calendar(hours="perpres-2099")


def test_keppres_68_1995_hours_have_no_ramadan_hours() -> None:
    cal = id_gov_calendar(hours="keppres-68-1995")
    assert cal.dated == ()
    assert cal.is_working(at(2026, 3, 2, 7, 45))
