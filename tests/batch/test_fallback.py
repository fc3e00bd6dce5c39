"""What the batch path cannot do goes to evaluate, and the result and the log say so."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from batch_support import both, first_difference
from sla_support import GENERIC, OFFICE, generic_clock, history, wib

from pengaduan import Actor, Complaint, Event
from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.sla import Clock, Policy, Target

T0 = wib(2026, 3, 2, 9)


@attrs.frozen
class CustomClock(Clock):
    """A clock whose class is not the library's: only evaluate may honour it."""


def complaints():
    steps = [("begin", 0), ("hold", 5), ("release", 30), ("pause", 50), ("resume", 80)]
    return [
        history([(a, T0 + timedelta(hours=h + k)) for a, h in steps], f"G-{k}") for k in range(4)
    ]


def test_a_subclassed_clock_falls_back_for_every_complaint_and_agrees(caplog):
    plain = generic_clock(Target.working_days(2))
    custom = CustomClock(**{f.name: getattr(plain, f.name) for f in attrs.fields(Clock)})
    custom = attrs.evolve(custom, name="custom")
    policy = Policy("test", "1", (plain, custom), GENERIC)
    with caplog.at_level(logging.WARNING, logger="pengaduan.batch"):
        batch, expected = both(complaints(), T0 + timedelta(days=9), policy)
    got = batch.rows()
    assert got == expected, first_difference(got, expected)
    assert {r.clock for r in got} == {"c", "custom"}
    (fallback,) = batch.fallbacks
    assert fallback.clocks == ("custom",)
    assert fallback.complaints == ("G-0", "G-1", "G-2", "G-3")
    assert "subclass of Clock" in fallback.reason
    (record,) = [r for r in caplog.records if r.name == "pengaduan.batch"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "custom" in message
    assert "4 complaint" in message
    assert "G-" not in message  # counts, never ids


def test_a_history_that_goes_back_in_time_falls_back_for_that_complaint_only():
    actor = Actor("a", "x")
    at = [T0, T0 + timedelta(hours=30), T0 + timedelta(hours=2), T0 + timedelta(hours=40)]
    actions = ["begin", "hold", "release", "finish"]
    odd = Complaint(
        "ODD",
        "open",
        tuple(
            Event(f"ODD#{i}", "ODD", a, t, actor, {})
            for i, (a, t) in enumerate(zip(actions, at, strict=True))
        ),
    )
    policy = Policy("test", "1", (generic_clock(Target.working_days(2)),), GENERIC)
    batch, expected = both([*complaints(), odd], T0 + timedelta(days=9), policy)
    got = batch.rows()
    assert got == expected, first_difference(got, expected)
    (fallback,) = batch.fallbacks
    assert fallback.complaints == ("ODD",)
    assert fallback.clocks == ("c",)
    assert "back in time" in fallback.reason


def test_a_zone_whose_clocks_turn_back_across_midnight_falls_back_and_agrees():
    # Goose Bay ended daylight saving time at 00:01 until 2010: the date went back an hour.
    goose_bay = WorkCalendar(
        "goose-bay", "America/Goose_Bay", WeeklyHours.parse({"mon-sat": "00:00-02:00, 08:00-17:00"})
    )
    start = datetime(1995, 10, 27, 9, tzinfo=ZoneInfo("America/Goose_Bay"))
    steps = [("begin", 0), ("hold", 30), ("release", 50), ("pause", 60), ("resume", 70)]
    cs = [history([(a, start + timedelta(hours=h)) for a, h in steps], "G-1")]
    policy = Policy("test", "1", (generic_clock(Target.working_days(2), goose_bay),), GENERIC)
    batch, expected = both(cs, start + timedelta(days=9), policy)
    assert batch.rows() == expected
    (fallback,) = batch.fallbacks
    assert "America/Goose_Bay" in fallback.reason
    assert "midnight" in fallback.reason
    assert fallback.clocks == ("c",)


def test_a_zone_with_ordinary_daylight_saving_time_needs_no_fallback():
    amsterdam = WorkCalendar(
        "ams", "Europe/Amsterdam", WeeklyHours.parse({"mon-fri": "00:30-03:30, 09:00-17:00"})
    )
    start = wib(2026, 3, 25, 9)
    steps = [("begin", 0), ("hold", 40), ("release", 100), ("pause", 130), ("resume", 180)]
    cs = [history([(a, start + timedelta(hours=h)) for a, h in steps], "G-1")]
    for target in (Target.working_days(3), Target.working_time(timedelta(hours=20))):
        policy = Policy("test", "1", (generic_clock(target, amsterdam),), GENERIC)
        batch, expected = both(cs, start + timedelta(days=20), policy)
        assert batch.rows() == expected
        assert not batch.fallbacks


def test_without_any_fallback_nothing_is_logged(caplog):
    policy = Policy("test", "1", (generic_clock(Target.working_days(2), OFFICE),), GENERIC)
    with caplog.at_level(logging.DEBUG, logger="pengaduan.batch"):
        batch, _ = both(complaints(), T0 + timedelta(days=9), policy)
    assert not batch.fallbacks
    assert not [r for r in caplog.records if r.name == "pengaduan.batch"]
