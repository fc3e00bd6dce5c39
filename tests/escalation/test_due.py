"""What is due, and when: percentages, offsets, repeats, pauses, stops and quiet hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from escalation_support import WIB, Lapor, wib

from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.escalation import Ladder, Offset, Recipient, Rule, due, next_due_at, tick
from pengaduan.exceptions import NaiveDatetimeError, UnknownLanguageError
from pengaduan.presets import calendar_24x7, lapor_ladder, lapor_workflow
from pengaduan.sla import Clock, Condition, Policy, Target

# Mon-Fri 09:00-12:00 and 13:00-17:00, no holidays, in WIB.
OFFICE = WorkCalendar(
    name="office",
    zone="Asia/Jakarta",
    hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-17:00"}),
)


def _policy(target: Target, calendar: WorkCalendar = OFFICE) -> Policy:
    follow_up = Clock(
        "follow_up",
        "Tindak Lanjut",
        target,
        calendar,
        start="dispatch",
        stop=("follow_up", "archive"),
        reset=Condition(actions=("reply", "reopen")),
        label_en="Follow-up",
    )
    verification = Clock(
        "verification",
        "Verifikasi",
        Target.working_days(3),
        calendar,
        start="submit",
        stop=("dispatch", "archive"),
        pause_while="on_hold",
        label_en="Verification",
    )
    return Policy("test", "1", (verification, follow_up), lapor_workflow())


def _ladder(*rules: Rule, target: Target | None = None, **kw: object) -> Ladder:
    policy = _policy(target or Target.working_time(timedelta(hours=8)))
    return Ladder("test", "1", policy, rules, **kw)  # type: ignore[arg-type]


def _rule(name: str = "r", **kw: object) -> Rule:
    defaults: dict[str, object] = {"clock": "follow_up", "level": 1, "to": "unit_head"}
    return Rule(name, **{**defaults, **kw})  # type: ignore[arg-type]


# Dispatched Mon 2 March 2026 10:00 in OFFICE time: an 8-hour working-time target ends Tue
# 3 March 11:00 (Mon 10-12, 13-17 = 6h; Tue 09-11 = 2h).
DISPATCHED = wib(2026, 3, 2, 10)
DEADLINE = wib(2026, 3, 3, 11)


def _dispatched() -> Lapor:
    return Lapor().routed(DISPATCHED - timedelta(minutes=2))


def test_a_percent_rule_is_due_when_that_share_of_the_budget_is_used() -> None:
    ladder = _ladder(_rule(percent=50))
    c = _dispatched().complaint
    # 4 working hours after Mon 10:00 is Mon 15:00.
    assert next_due_at(c, ladder=ladder) == wib(2026, 3, 2, 15)
    assert due([c], wib(2026, 3, 2, 14, 59), ladder=ladder) == ()
    (action,) = due([c], wib(2026, 3, 2, 15), ladder=ladder)
    assert (action.due_at, action.deadline) == (wib(2026, 3, 2, 15), DEADLINE)


def test_a_working_time_offset_counts_back_from_the_deadline_over_closed_hours() -> None:
    ladder = _ladder(_rule(offset=Offset.working_time(timedelta(hours=-3))))
    # Three working hours before Tue 11:00: Tue 09-11 (2h) and Mon 16-17 (1h).
    assert next_due_at(_dispatched().complaint, ladder=ladder) == wib(2026, 3, 2, 16)


def test_a_working_day_offset_lands_on_the_first_working_instant_of_that_day() -> None:
    ladder = _ladder(_rule(offset=Offset.working_days(2)))
    # D is Tue 3 March; two working days later is Thu 5 March, opening at 09:00.
    assert next_due_at(_dispatched().complaint, ladder=ladder) == wib(2026, 3, 5, 9)
    ladder = _ladder(_rule(offset=Offset.working_days(-1)))
    assert next_due_at(_dispatched().complaint, ladder=ladder) == wib(
        2026, 3, 2, 10
    )  # clamped: start


def test_a_due_instant_before_the_cycle_started_is_moved_to_the_start() -> None:
    ladder = _ladder(_rule(offset=Offset.working_time(timedelta(hours=-40))))
    assert next_due_at(_dispatched().complaint, ladder=ladder) == DISPATCHED


def test_quiet_hours_move_an_instant_at_night_to_the_next_opening() -> None:
    ladder = _ladder(_rule(offset=Offset.calendar_time(timedelta(hours=12))))
    # Deadline Tue 11:00 + 12 h = Tue 23:00 -> Wed 09:00.
    assert next_due_at(_dispatched().complaint, ladder=ladder) == wib(2026, 3, 4, 9)
    loud = _ladder(_rule(offset=Offset.calendar_time(timedelta(hours=12)), quiet=False))
    assert next_due_at(_dispatched().complaint, ladder=loud) == wib(2026, 3, 3, 23)


def test_a_ladder_quiet_calendar_overrides_a_24x7_clock_calendar() -> None:
    policy = _policy(Target.calendar_time(timedelta(hours=24)), calendar=calendar_24x7())
    rule = _rule(offset=Offset.at_deadline())
    c = _dispatched().complaint
    plain = Ladder("t", "1", policy, (rule,))
    assert next_due_at(c, ladder=plain) == DISPATCHED + timedelta(hours=24)
    office = Ladder("t", "1", policy, (rule,), quiet_calendar=OFFICE)
    assert next_due_at(c, ladder=office) == DISPATCHED + timedelta(hours=24)  # Tue 10:00 is open
    friday = Lapor().routed(wib(2026, 3, 6, 18))
    assert next_due_at(friday.complaint, ladder=office) == wib(
        2026, 3, 9, 9
    )  # Sat 18:02 -> Mon 09:00


def test_a_repeating_rule_fires_its_latest_repeat_only() -> None:
    ladder = _ladder(
        _rule(offset=Offset.at_deadline(), repeat=Offset.working_time(timedelta(hours=1)))
    )
    c = _dispatched().complaint
    # Repeat n is n working hours after Tue 11:00: 12:00 (the lunch break: moved to 13:00),
    # 14:00, 15:00. At Tue 15:30 only the latest, repeat 3, is due.
    (action,) = due([c], wib(2026, 3, 3, 15, 30), ladder=ladder)
    assert (action.repeat, action.due_at) == (3, wib(2026, 3, 3, 15))
    assert action.key == "C-1/follow_up/1/r/3"
    assert due([c], wib(2026, 3, 3, 12, 30), ladder=ladder)[0].repeat == 0


def test_a_long_gap_finds_the_latest_of_many_repeats() -> None:
    ladder = _ladder(
        _rule(offset=Offset.at_deadline(), repeat=Offset.calendar_time(timedelta(minutes=1)))
    )
    c = _dispatched().complaint
    # A year of one-minute repeats from the deadline, Tue 3 March 2026 11:00: the last one at
    # or before Wed 3 March 2027 10:00 is at 10:00 itself (working time, so not moved).
    (action,) = due([c], wib(2027, 3, 3, 10), ladder=ladder)
    assert action.due_at == wib(2027, 3, 3, 10)
    assert action.repeat == (365 * 24 - 1) * 60
    # At 12:30 the repeats from 12:00 on fall in the lunch break and move to 13:00, later than
    # as_of: the latest due is the one at 11:59.
    (action,) = due([c], wib(2027, 3, 3, 12, 30), ladder=ladder)
    assert action.due_at == wib(2027, 3, 3, 11, 59)


def test_repeats_stop_at_the_limit() -> None:
    ladder = _ladder(_rule(offset=Offset.at_deadline(), repeat=Offset.working_days(1), repeats=2))
    c = _dispatched().complaint
    (action,) = due([c], wib(2026, 3, 20, 9), ladder=ladder)
    assert action.repeat == 2
    assert action.due_at == wib(2026, 3, 5, 9)


def test_a_stopped_clock_never_fires_even_what_fell_due_before_it_stopped() -> None:
    ladder = _ladder(_rule(percent=50), _rule("late", percent=150))
    lapor = _dispatched()
    assert len(due([lapor.complaint], wib(2026, 3, 4, 9), ladder=ladder)) == 2
    lapor.follow_up(wib(2026, 3, 4, 9, 30))
    assert due([lapor.complaint], wib(2026, 3, 4, 10), ladder=ladder) == ()
    assert next_due_at(lapor.complaint, ladder=ladder) is None
    # Evaluated as of before the stop, the history after it is ignored.
    assert len(due([lapor.complaint], wib(2026, 3, 4, 9), ladder=ladder)) == 2


def test_a_paused_clock_fires_nothing_until_it_resumes() -> None:
    rule = _rule(clock="verification", to="admin_agency", offset=Offset.working_days(1))
    ladder = _ladder(rule)
    lapor = Lapor().submit(wib(2026, 3, 2, 10))
    # 3 working days: D = Thu 5 March; +1 = Fri 6 March 09:00.
    assert next_due_at(lapor.complaint, ladder=ladder) == wib(2026, 3, 6, 9)
    lapor.hold(wib(2026, 3, 3, 10))
    assert next_due_at(lapor.complaint, ladder=ladder) is None
    assert due([lapor.complaint], wib(2026, 3, 20, 10), ladder=ladder) == ()
    lapor.resume(wib(2026, 3, 10, 10))
    # Paused Tue 3 to Tue 10 March: 5 working days more, so D = Thu 12, +1 = Fri 13 March.
    assert next_due_at(lapor.complaint, ladder=ladder) == wib(2026, 3, 13, 9)


def test_a_new_cycle_has_new_keys() -> None:
    ladder = _ladder(_rule(percent=100))
    lapor = _dispatched().follow_up(wib(2026, 3, 3, 9, 30)).reply(wib(2026, 3, 3, 10))
    (action,) = due([lapor.complaint], wib(2026, 3, 10, 10), ladder=ladder)
    assert (action.cycle, action.key) == (2, "C-1/follow_up/2/r/0")


def test_unit_roles_resolve_to_the_complaints_current_unit() -> None:
    ladder = _ladder(_rule(to=("unit_operator", "unit_head", "admin_agency"), percent=10))
    c = _dispatched().do("forward", DISPATCHED + timedelta(minutes=5), unit="dinas-kes").complaint
    (action,) = due([c], wib(2026, 3, 10, 10), ladder=ladder)
    assert action.to == (
        Recipient("unit_operator", "dinas-kes"),
        Recipient("unit_head", "dinas-kes"),
        Recipient("admin_agency"),
    )
    assert [str(r) for r in action.to] == [
        "unit_operator@dinas-kes",
        "unit_head@dinas-kes",
        "admin_agency",
    ]


def test_due_orders_actions_by_instant_then_complaint_then_level() -> None:
    ladder = _ladder(_rule("b", level=2, percent=10), _rule("a", level=1, percent=10))
    one = Lapor("C-2").routed(DISPATCHED - timedelta(minutes=2)).complaint
    two = Lapor("C-1").routed(DISPATCHED - timedelta(minutes=2)).complaint
    keys = [a.key for a in due({"x": one, "y": two}, wib(2026, 3, 10, 10), ladder=ladder)]
    assert keys == [
        "C-1/follow_up/1/a/0",
        "C-1/follow_up/1/b/0",
        "C-2/follow_up/1/a/0",
        "C-2/follow_up/1/b/0",
    ]


def test_a_complaint_with_no_events_has_nothing_due() -> None:
    c = lapor_workflow().new("C-9")
    assert next_due_at(c, ladder=lapor_ladder()) is None
    assert due(c, wib(2026, 3, 1), ladder=lapor_ladder()) == ()


def test_naive_instants_are_refused() -> None:
    from datetime import datetime

    c = _dispatched().complaint
    with pytest.raises(NaiveDatetimeError):
        due([c], datetime(2026, 3, 3, 9), ladder=lapor_ladder())
    with pytest.raises(NaiveDatetimeError):
        next_due_at(c, as_of=datetime(2026, 3, 3, 9), ladder=lapor_ladder())
    with pytest.raises(NaiveDatetimeError):
        tick([c], datetime(2026, 3, 3, 9), ladder=lapor_ladder())


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(UnknownLanguageError, match="no messages in language 'fr'") as caught:
        due([], wib(2026, 3, 3, 9), language="fr", ladder=lapor_ladder())
    assert isinstance(caught.value, LookupError)
    assert (caught.value.language, caught.value.known) == ("fr", ("id", "en"))
    with pytest.raises(UnknownLanguageError):
        tick([], wib(2026, 3, 3, 9), language="jv", ladder=lapor_ladder())


def test_the_instant_is_presented_in_the_calendar_zone() -> None:
    ladder = _ladder(_rule(percent=50))
    (action,) = due([_dispatched().complaint], wib(2026, 3, 2, 15), ladder=ladder)
    assert action.due_at.tzinfo is not None
    assert action.due_at.utcoffset() == WIB.utcoffset(action.due_at)


def test_offsets_keep_local_opening_hours_across_a_dst_change() -> None:
    from zoneinfo import ZoneInfo

    ams = ZoneInfo("Europe/Amsterdam")
    office = WorkCalendar(
        name="ams", zone="Europe/Amsterdam", hours=WeeklyHours.parse({"mon-fri": "09:00-17:00"})
    )
    policy = _policy(Target.working_days(1), calendar=office)
    ladder = Ladder("t", "1", policy, (_rule(offset=Offset.working_days(1)),))
    # Dispatched Fri 27 March 2026 (CET); summer time starts Sun 29 March. D is Mon 30 March;
    # one working day later is Tue 31 March, opening at 09:00 CEST (07:00 UTC).
    c = Lapor().routed(wib(2026, 3, 27, 16)).complaint
    wake = next_due_at(c, ladder=ladder)
    assert wake is not None
    assert wake.astimezone(ams).replace(tzinfo=None).isoformat() == "2026-03-31T09:00:00"
    assert wake.utcoffset() == timedelta(hours=2)
