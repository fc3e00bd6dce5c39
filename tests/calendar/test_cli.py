"""The ``pengaduan calendar`` command."""

from __future__ import annotations

import json

import pytest

from pengaduan._cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["calendar", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_deadline_json_gives_the_end_instant_the_last_day_and_the_estimate_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "deadline", "2026-03-17T09:00:00+07:00", "--working-days", "3", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "deadline": "2026-03-28T00:00:00+07:00",
        "date": "2026-03-27",
        "estimated": False,
    }


def test_deadline_reads_a_start_in_another_offset_in_the_calendar_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 17:30 UTC on Friday is 02:30 on Saturday in WIT (00:30 in WIB): zero working days end
    # with Monday in WIT but with Friday in WIB
    code, out, _ = run(
        capsys, "deadline", "2026-01-09T17:30:00Z", "--working-days", "0", "--tz", "WIT", "--json"
    )
    assert code == 0
    assert json.loads(out)["deadline"] == "2026-01-13T00:00:00+09:00"
    code, out, _ = run(capsys, "deadline", "2026-01-09T16:30:00Z", "--working-days", "0", "--json")
    assert json.loads(out)["deadline"] == "2026-01-10T00:00:00+07:00"


def test_deadline_in_working_hours_flags_estimated_ramadan_hours(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ramadan 2027 (from 8 February) has no isbat yet: its hours are estimated.
    code, out, _ = run(
        capsys, "deadline", "2027-02-15T09:00+07:00", "--working-hours", "1.5", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "deadline": "2027-02-15T10:30:00+07:00",
        "date": "2027-02-15",
        "estimated": True,
    }


def test_deadline_in_working_hours_of_a_decreed_ramadan_is_not_estimated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ramadan 2026 began on 19 February by the isbat of 17 February 2026: hours from 08:00.
    code, out, _ = run(
        capsys, "deadline", "2026-03-02T09:00+07:00", "--working-hours", "1.5", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "deadline": "2026-03-02T10:30:00+07:00",
        "date": "2026-03-02",
        "estimated": False,
    }


def test_deadline_text_names_the_reasons_for_an_estimate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "deadline", "2028-02-25", "--working-days", "1")
    assert code == 0
    assert "estimated  yes" in out
    assert "Idul Fitri (perkiraan)" in out


def test_between_json_gives_working_days_and_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "between", "2026-03-17T09:00+07:00", "2026-03-27T12:00+07:00", "--json"
    )
    assert code == 0
    assert json.loads(out) == {"working_days": 3, "working_seconds": 88200}


def test_between_on_24x7_counts_every_second(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "between", "2026-01-01", "2026-01-02", "--calendar", "24x7", "--json"
    )
    assert code == 0
    assert json.loads(out) == {"working_days": 1, "working_seconds": 86400}


def test_holidays_lists_date_name_kind_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "holidays", "2026", "--json")
    assert code == 0
    rows = json.loads(out)
    nyepi = next(r for r in rows if r["date"] == "2026-03-19")
    assert (nyepi["name"], nyepi["kind"], nyepi["status"]) == (
        "Hari Suci Nyepi",
        "national",
        "confirmed",
    )
    assert {r["kind"] for r in rows} == {"national", "collective_leave"}
    code, out, _ = run(capsys, "holidays", "2028")
    assert "(perkiraan)" in out
    assert "estimated" in out


def test_a_bad_start_or_zone_is_an_error_with_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "deadline", "yesterday", "--working-days", "1")
    assert code == 2
    assert "ISO 8601" in err
    code, _, err = run(capsys, "deadline", "2026-01-01", "--working-days", "1", "--tz", "Mars/X")
    assert code == 2
    assert "Mars/X" in err


def test_an_unknown_calendar_name_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["calendar", "deadline", "2026-01-01", "--working-days", "1", "--calendar", "x"])
    assert info.value.code == 2
    assert "id-gov-days" in capsys.readouterr().err


@pytest.mark.parametrize("hours", ["1e300", "5e15"])
def test_too_many_working_hours_to_count_is_an_error_naming_the_amount(
    capsys: pytest.CaptureFixture[str], hours: str
) -> None:
    code, out, err = run(capsys, "deadline", "2026-03-17", f"--working-hours={hours}")
    assert code == 2
    assert out == ""
    assert f"{float(hours):g} working hours is too large" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("hours", ["inf", "-inf", "nan", "1e400", "lots"])
def test_working_hours_that_are_not_a_finite_number_are_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], hours: str
) -> None:
    # float() reads "nan" and "inf"; timedelta then failed with "cannot convert float NaN to
    # integer", which named neither the option nor what it needs
    with pytest.raises(SystemExit) as info:
        main(["calendar", "deadline", "2026-03-17", f"--working-hours={hours}"])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"argument --working-hours: {hours!r} is not a finite number of hours" in err


def test_holidays_of_a_year_without_a_decreed_list_come_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 2028: expected dates, not a decree; 2040: none known at all (every weekday works)
    code, out, err = run(capsys, "holidays", "2028", "--json")
    assert code == 0
    assert json.loads(out)  # stdout stays the JSON list
    assert "no decreed holiday list for 2028 (known: 2015-2027)" in err
    assert "the list is what the calendar expects" in err
    code, out, err = run(capsys, "holidays", "2040")
    assert code == 0
    assert "no decreed holiday list for 2040" in err
    assert "it knows no holiday then, so every working weekday counts" in err
    code, _, err = run(capsys, "holidays", "2026")
    assert err == ""
    code, _, err = run(capsys, "holidays", "2040", "--calendar", "24x7")
    assert err == ""  # a calendar without holidays claims no decreed years
