"""The SP4N-LAPOR! ladder: each rung at the instant the issue fixes, on the id-gov calendar."""

from __future__ import annotations

from datetime import timedelta

from escalation_support import Lapor, wib

from pengaduan.escalation import Offset, Recipient, due, next_due_at, tick
from pengaduan.presets import lapor_ladder, lapor_policy


def _by_clock(complaint, as_of, clock):  # type: ignore[no-untyped-def]
    return [a for a in due([complaint], as_of, ladder=lapor_ladder()) if a.clock == clock]


def test_preset_is_cached_and_watches_the_preset_policy() -> None:
    assert lapor_ladder() is lapor_ladder()
    ladder = lapor_ladder()
    assert ladder.policy == lapor_policy()
    assert (ladder.name, ladder.version) == ("sp4n-lapor", "2025.1")
    assert [r.name for r in ladder.rules_for("follow_up")] == [
        "follow_up.1",
        "follow_up.2",
        "follow_up.3",
        "follow_up.4",
    ]


def test_follow_up_ladder_levels_fall_on_deadline_day_and_one_three_six_working_days_after() -> (
    None
):
    # Dispatched Mon 8 June 2026: 5 working days end on Mon 15 June (D). 16 June is a holiday.
    c = Lapor().routed(wib(2026, 6, 8, 9)).complaint
    actions = _by_clock(c, wib(2026, 7, 1, 9), "follow_up")
    assert [(a.level, a.action, a.to, a.due_at) for a in actions] == [
        (1, "remind", (Recipient("unit_operator", "dinas-pu"),), wib(2026, 6, 15, 7, 30)),
        (2, "escalate", (Recipient("unit_head", "dinas-pu"),), wib(2026, 6, 17, 7, 30)),
        (3, "escalate", (Recipient("regional_head"),), wib(2026, 6, 19, 7, 30)),
        (4, "escalate", (Recipient("admin_national"),), wib(2026, 6, 24, 7, 30)),
    ]
    assert all(a.deadline == wib(2026, 6, 16) for a in actions)


def test_each_level_becomes_due_only_at_its_instant() -> None:
    c = Lapor().routed(wib(2026, 6, 8, 9)).complaint
    assert _by_clock(c, wib(2026, 6, 15, 7, 29), "follow_up") == []
    assert [a.level for a in _by_clock(c, wib(2026, 6, 15, 7, 30), "follow_up")] == [1]
    assert [a.level for a in _by_clock(c, wib(2026, 6, 16, 23), "follow_up")] == [1]
    assert [a.level for a in _by_clock(c, wib(2026, 6, 17, 7, 30), "follow_up")] == [1, 2]


def test_verification_escalates_to_the_agency_admin_one_working_day_after_its_deadline() -> None:
    # Submitted Mon 8 June: 3 working days end Thu 11 June; +1 is Fri 12 June.
    c = Lapor().submit(wib(2026, 6, 8, 9)).complaint
    assert next_due_at(c, ladder=lapor_ladder()) == wib(2026, 6, 12, 7, 30)
    (action,) = due([c], wib(2026, 6, 12, 9), ladder=lapor_ladder())
    assert (action.clock, action.level, action.action) == ("verification", 1, "escalate")
    assert action.to == (Recipient("admin_agency"),)


def test_closure_closes_the_complaint_as_system_when_the_reply_window_runs_out() -> None:
    # Followed up Tue 9 June 2026 10:00: 10 working days (16 June off) end Wed 24 June.
    c = Lapor().routed(wib(2026, 6, 8, 9)).follow_up(wib(2026, 6, 9, 10)).complaint
    (close,) = _by_clock(c, wib(2026, 6, 25, 0, 0), "closure")
    assert (close.action, close.due_at, close.to) == ("close", wib(2026, 6, 25), ())
    assert close.automatic
    assert _by_clock(c, wib(2026, 6, 24, 23, 59), "closure") == []
    result = tick([c], wib(2026, 6, 25, 0, 0), ladder=lapor_ladder())
    closed = result.complaints["C-1"]
    assert closed.state == "closed"
    event = closed.events[-1]
    assert (event.action, event.actor.role, event.id) == ("close", "system", close.key)
    assert event.data["key"] == close.key


def test_resolution_copies_the_ombudsman_at_breach_in_working_time() -> None:
    # Verified Mon 8 June 20:00: 60 calendar days end Fri 7 Aug 20:00, after office hours;
    # the copy goes at the next working instant, Mon 10 Aug 07:30.
    c = (
        Lapor()
        .submit(wib(2026, 6, 8, 19))
        .verify(wib(2026, 6, 8, 20))
        .dispatch(wib(2026, 6, 8, 21))
    )
    # The follow-up clock runs too, so look at resolution only.
    c = c.complaint
    (copy,) = _by_clock(c, wib(2026, 8, 10, 8), "resolution")
    assert copy.due_at == wib(2026, 8, 10, 7, 30)
    assert copy.deadline == wib(2026, 8, 7, 20)
    assert copy.to[0].role == "ombudsman"
    assert _by_clock(c, wib(2026, 8, 10, 7, 29), "resolution") == []


def test_the_whole_life_of_a_late_complaint_sends_each_rung_once() -> None:
    c = Lapor().routed(wib(2026, 6, 8, 9)).complaint
    sent: list[str] = []
    for day in range(9, 31):
        for hour in (0, 8, 13):
            result = tick([c], wib(2026, 6, day, hour), ladder=lapor_ladder())
            c = result.complaints["C-1"]
            sent.extend(a.key for a in result.actions)
    assert sent == [
        "C-1/follow_up/1/follow_up.1/0",
        "C-1/follow_up/1/follow_up.2/0",
        "C-1/follow_up/1/follow_up.3/0",
        "C-1/follow_up/1/follow_up.4/0",
    ]
    recorded = [e for e in c.events if e.action == "escalate"]
    assert [e.actor.role for e in recorded] == ["system"] * 4
    assert [e.at.hour for e in recorded] == [8, 8, 8, 8]


def test_offset_at_deadline_is_a_zero_calendar_offset() -> None:
    assert Offset.at_deadline() == Offset.calendar_time(timedelta(0))


def test_a_reopened_complaint_left_unsettled_is_copied_to_the_ombudsman() -> None:
    # Closed in time on Mon 15 June, reopened Wed 17 June 10:00: a new 60-day cycle ends
    # Sun 16 Aug 10:00; 17 Aug is Independence Day, so the copy goes Tue 18 Aug 07:30.
    story = Lapor().routed(wib(2026, 6, 8, 9)).follow_up(wib(2026, 6, 9, 9))
    story.do("close", wib(2026, 6, 15, 9)).do("reopen", wib(2026, 6, 17, 10), reason="Belum")
    c = story.complaint
    (copy,) = _by_clock(c, wib(2026, 8, 19, 9), "resolution")
    assert (copy.cycle, copy.deadline) == (2, wib(2026, 8, 16, 10))
    assert copy.to[0].role == "ombudsman"
    assert copy.due_at == wib(2026, 8, 18, 7, 30)
    assert _by_clock(c, wib(2026, 8, 16, 9), "resolution") == []
