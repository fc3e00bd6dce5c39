"""Laziness, growth of the index, provenance helpers and unusual inputs."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz

from pengaduan.calendar import Holiday, Status, WeeklyHours, WorkCalendar, changed_results
from pengaduan.exceptions import NaiveDatetimeError, NoWorkingTimeError, PengaduanError
from pengaduan.presets import calendar_24x7, id_gov_calendar

WIB = ZoneInfo("Asia/Jakarta")


def test_importing_pengaduan_loads_neither_numpy_pandas_nor_holidays() -> None:
    code = (
        "import sys, pengaduan, pengaduan.calendar, pengaduan.presets;"
        "print(sorted(m for m in ('numpy', 'pandas', 'holidays') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_constructing_a_calendar_builds_no_index_until_asked() -> None:
    code = (
        "import sys, pengaduan.presets as p;"
        "c = p.calendar_24x7('Asia/Jakarta');"
        "import pengaduan._calendar_index as i;"
        "built = []; orig = i.Index.__init__;"
        "i.Index.__init__ = lambda self, *a: (built.append(a[0]), orig(self, *a))[1];"
        "c2 = p.calendar_24x7('Asia/Makassar'); print(len(built));"
        "from datetime import datetime, timezone;"
        "c2.is_working(datetime(2026, 1, 1, tzinfo=timezone.utc)); print(len(built))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1"]


def test_a_long_working_time_reaches_across_many_years() -> None:
    cal = id_gov_calendar()
    t = datetime(2019, 1, 2, 9, tzinfo=WIB)
    r = cal.add_working_time(t, timedelta(hours=37.5 * 52 * 6))
    assert 2024 <= r.year <= 2026
    assert cal.working_time_between(t, r) == timedelta(hours=37.5 * 52 * 6)


def test_counting_back_far_grows_the_index_backwards() -> None:
    cal = WorkCalendar(name="o", zone="UTC", hours={"mon-fri": "09:00-17:00"})
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    r = cal.add_working_days(t, -2000)
    assert r.year in (2018, 2019)
    assert cal.previous_working(datetime(2026, 6, 6, 12, tzinfo=UTC)) == datetime(
        2026, 6, 5, 17, tzinfo=UTC
    )
    assert cal.add_working_time(t, -timedelta(hours=8 * 1000)) < t - timedelta(days=1000)


def test_measure_and_depends_on_estimate_tell_what_is_estimated() -> None:
    cal = id_gov_calendar()
    m = cal.measure(datetime(2026, 3, 17, 9, tzinfo=WIB), datetime(2026, 3, 27, 12, tzinfo=WIB))
    assert (m.working_days, m.working_seconds) == (3, 88200)
    # 17 to 19 March 2026 falls in Ramadan 1447 H, decreed by the isbat: nothing is estimated
    assert not m.estimated
    assert not cal.depends_on_estimate(date(2026, 3, 17), date(2026, 3, 27), hours=True)
    # Ramadan 2027 has no isbat yet: its hours are estimated, its working days are not
    assert cal.depends_on_estimate(date(2027, 2, 15), date(2027, 2, 19), hours=True)
    assert not cal.depends_on_estimate(date(2027, 2, 15), date(2027, 2, 19), hours=False)
    assert cal.depends_on_estimate(date(2028, 2, 20), date(2028, 3, 1), hours=False)


def test_an_estimated_holiday_outside_the_span_does_not_flag_the_result() -> None:
    cal = WorkCalendar(
        name="o",
        zone="UTC",
        hours={"mon-fri": "09:00-17:00"},
        holidays=[Holiday(date(2026, 1, 20), "later", status=Status.ESTIMATED)],
    )
    t = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert not cal.deadline(t, working_days=5).estimated
    d = cal.deadline(t, working_days=15)
    assert d.estimated
    assert d.reasons == ("2026-01-20 later is an estimated holiday",)


def test_a_combined_calendar_inherits_estimates_from_its_parts() -> None:
    a = WorkCalendar(
        name="a",
        zone="UTC",
        hours={"mon-fri": "09:00-12:00"},
        holidays=[Holiday(date(2026, 1, 7), "x", status="estimated")],
    )
    b = WorkCalendar(name="b", zone="UTC", hours={"mon-fri": "13:00-17:00"})
    u = a.union(b)
    d = u.deadline(datetime(2026, 1, 5, 9, tzinfo=UTC), working_time=timedelta(hours=20))
    assert d.estimated
    assert "2026-01-07 x is an estimated holiday" in d.reasons
    assert u.holidays_in(2026) == a.holidays
    assert u.fingerprint != a.intersection(b).fingerprint


def test_other_tzinfo_implementations_give_the_same_answers() -> None:
    cal = id_gov_calendar()
    jakarta = dateutil_tz.gettz("Asia/Jakarta")
    t1 = datetime(2026, 3, 17, 9, tzinfo=WIB)
    t2 = datetime(2026, 3, 17, 9, tzinfo=jakarta)
    assert cal.add_working_days(t1, 3) == cal.add_working_days(t2, 3)
    assert cal.add_working_time(t1, timedelta(hours=5)) == cal.add_working_time(
        t2, timedelta(hours=5)
    )


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


def test_a_tzinfo_without_an_offset_counts_as_naive() -> None:
    cal = calendar_24x7()
    with pytest.raises(NaiveDatetimeError):
        cal.is_working(datetime(2026, 1, 1, tzinfo=_NoOffset()))
    with pytest.raises(NaiveDatetimeError):
        cal.add_working_days(datetime(2026, 1, 1, tzinfo=_NoOffset()), 1)


def test_a_date_where_an_instant_is_needed_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        calendar_24x7().add_working_time(date(2026, 1, 1), timedelta(hours=1))  # type: ignore[arg-type]


def test_no_working_time_error_is_a_lookup_error_naming_the_calendar() -> None:
    cal = WorkCalendar(name="closed", zone="UTC", hours=WeeklyHours.parse({}))
    with pytest.raises(NoWorkingTimeError) as info:
        cal.next_working(datetime(2026, 1, 1, tzinfo=UTC))
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, PengaduanError)
    assert "closed" in str(info.value)


def test_deadline_needs_exactly_one_amount() -> None:
    cal = calendar_24x7()
    t = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(TypeError):
        cal.deadline(t)
    with pytest.raises(TypeError):
        cal.deadline(t, working_days=1, working_time=timedelta(hours=1))


@pytest.mark.parametrize("n", [2.5, 2.0, float("nan"), "3"])
def test_a_number_of_working_days_that_is_not_an_integer_is_a_type_error(n: object) -> None:
    # 2.5 failed with "list indices must be integers or slices, not float"; NaN grew the
    # index for 400 years (about 20 seconds) before a NoWorkingTimeError.
    cal = id_gov_calendar()
    t = datetime(2026, 3, 17, 9, tzinfo=WIB)
    for call in (
        lambda: cal.add_working_days(t, n),  # type: ignore[arg-type]
        lambda: cal.add_working_days_to_date(t.date(), n),  # type: ignore[arg-type]
        lambda: cal.deadline(t, working_days=n),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match=r"n must be an int \(a number of working days\)"):
            call()


def test_a_number_of_working_days_of_another_integer_type_counts_as_that_int() -> None:
    np = pytest.importorskip("numpy")
    cal = id_gov_calendar()
    t = datetime(2026, 3, 17, 9, tzinfo=WIB)
    assert cal.add_working_days(t, np.int64(3)) == cal.add_working_days(t, 3)
    assert cal.add_working_days_to_date(t.date(), np.int32(-2)) == (
        cal.add_working_days_to_date(t.date(), -2)
    )


def test_an_amount_of_working_time_or_a_year_of_the_wrong_type_is_a_type_error() -> None:
    cal = id_gov_calendar()
    with pytest.raises(TypeError, match="delta must be a timedelta"):
        cal.add_working_time(datetime(2026, 3, 17, 9, tzinfo=WIB), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="year must be an int, got str"):
        cal.holidays_in("2026")  # type: ignore[arg-type]  # matched no holiday: ()


def test_working_time_deadline_day_is_the_day_the_time_ran_out() -> None:
    cal = id_gov_calendar()
    d = cal.deadline(datetime(2026, 1, 5, 15, tzinfo=WIB), working_time=timedelta(hours=1))
    assert (d.at, d.day) == (datetime(2026, 1, 5, 16, tzinfo=WIB), date(2026, 1, 5))


def test_batch_form_handles_zero_and_negative_n_and_empty_input() -> None:
    np = pytest.importorskip("numpy")
    cal = id_gov_calendar()
    days = np.array(["2026-03-17", "2026-03-21", "2026-03-25"], dtype="datetime64[D]")
    got = cal.add_working_days_array(days, np.array([0, 0, -1]))
    assert got.tolist() == [date(2026, 3, 17), date(2026, 3, 25), date(2026, 3, 17)]
    assert cal.add_working_days_array(days[:0], 1).size == 0


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, t: cal.is_working_day(t),
        lambda cal, t: cal.add_working_days_to_date(t, 3),
        lambda cal, t: cal.working_days_between_dates(date(2026, 3, 1), t),
        lambda cal, t: cal.holidays_on(t),
        lambda cal, t: cal.windows_on(t),
        lambda cal, t: cal.depends_on_estimate(t, date(2026, 4, 1)),
    ],
)
@pytest.mark.parametrize("tz", [None, UTC])
def test_a_datetime_where_a_local_date_is_needed_is_a_type_error(call, tz) -> None:
    # Its own wall date need not be the calendar's local date, and a naive one has no zone.
    cal = id_gov_calendar()
    with pytest.raises(TypeError, match="local date"):
        call(cal, datetime(2026, 3, 19, 20, tzinfo=tz))
    call(cal, date(2026, 3, 19))  # a plain date is fine


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.is_working(datetime(1, 1, 1, 12, tzinfo=UTC)),
        lambda cal: cal.working_time_between(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
        ),
        lambda cal: cal.working_days_between(
            datetime(1, 6, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        ),
        lambda cal: cal.working_days_between_dates(date(9998, 1, 1), date(9999, 1, 1)),
        lambda cal: cal.add_working_days(datetime(1, 6, 1, tzinfo=UTC), 1),
    ],
)
def test_instants_outside_the_years_the_index_covers_are_refused_not_miscounted(call) -> None:
    with pytest.raises(NoWorkingTimeError, match="2 to 9997"):
        call(calendar_24x7())


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.working_time_between(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
        ),
        lambda cal: cal.working_days_between_dates(date(2026, 1, 1), date(9999, 1, 1)),
        lambda cal: cal.depends_on_estimate(date(2026, 1, 1), date(9999, 1, 1)),
        lambda cal: cal.working_days_between(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(1, 6, 1, tzinfo=UTC)
        ),
    ],
)
def test_a_span_reaching_past_the_years_the_index_covers_is_refused_before_building_them(
    call, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every year up to 9997 was built first (about a minute for a 24x7 calendar), then refused.
    from pengaduan import _calendar_index

    built: list[tuple[int, int]] = []
    original = _calendar_index.Index.__init__

    def spy(self, first_year, last_year, *rest):  # type: ignore[no-untyped-def]
        built.append((first_year, last_year))
        original(self, first_year, last_year, *rest)

    monkeypatch.setattr(_calendar_index.Index, "__init__", spy)
    with pytest.raises(NoWorkingTimeError, match="2 to 9997"):
        call(calendar_24x7())
    assert all(last - first < 10 for first, last in built), built


_NAIVE = datetime(2026, 3, 17, 9)
_AWARE = datetime(2026, 3, 17, 9, tzinfo=WIB)


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.is_working(_NAIVE),
        lambda cal: cal.next_working(_NAIVE),
        lambda cal: cal.previous_working(_NAIVE),
        lambda cal: cal.add_working_days(_NAIVE, 3),
        lambda cal: cal.add_working_days(_NAIVE, 0),
        lambda cal: cal.working_days_between(_NAIVE, _AWARE),
        lambda cal: cal.working_days_between(_AWARE, _NAIVE),
        lambda cal: cal.add_working_time(_NAIVE, timedelta(hours=1)),
        lambda cal: cal.working_time_between(_NAIVE, _AWARE),
        lambda cal: cal.working_time_between(_AWARE, _NAIVE),
        lambda cal: cal.deadline(_NAIVE, working_days=3),
        lambda cal: cal.deadline(_NAIVE, working_time=timedelta(hours=1)),
        lambda cal: cal.measure(_NAIVE, _AWARE),
        lambda cal: cal.measure(_AWARE, _NAIVE),
    ],
)
def test_every_instant_method_refuses_a_naive_datetime(call) -> None:
    with pytest.raises(NaiveDatetimeError):
        call(id_gov_calendar())


def test_changed_results_refuses_a_naive_start() -> None:
    cal = id_gov_calendar()
    with pytest.raises(NaiveDatetimeError):
        changed_results(cal, cal.renamed("copy"), [_NAIVE], [3])
