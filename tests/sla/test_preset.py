"""The SP4N-LAPOR! policy preset on the id-gov calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sla_support import SYSTEM, Lapor, wib

from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow
from pengaduan.sla import ClockStatus, Target, TargetUnit, evaluate, expected_datetime

TUE = wib(2026, 3, 17, 9, 15)  # before Nyepi, cuti bersama and Idul Fitri


def clocks(story: Lapor, as_of):
    return evaluate(story.complaint, as_of, policy=lapor_policy())


def test_the_preset_has_four_clocks_on_the_id_gov_calendar_for_the_lapor_workflow():
    policy = lapor_policy()
    assert policy.names == ("verification", "follow_up", "closure", "resolution")
    assert (policy.name, policy.version) == ("sp4n-lapor", "2025.1")
    assert policy.workflow is lapor_workflow()
    assert {c.calendar.name for c in policy.clocks} == {"id-gov-wib"}
    assert [str(c.target) for c in policy.clocks] == [
        "3 working days",
        "5 working days",
        "10 working days",
        "60 calendar days",
    ]
    assert policy.clock("closure").due_action == "close"
    assert lapor_policy() is policy  # cached


def test_verification_of_the_domain_example_ends_friday_27_march_2026():
    # 18-24 March: cuti bersama, Nyepi, weekend, Idul Fitri; days 1-3 are 25, 26, 27 March.
    state = clocks(Lapor().submit(TUE), wib(2026, 3, 20))["verification"]
    assert state.status is ClockStatus.RUNNING
    assert state.deadline == wib(2026, 3, 28)
    assert not state.current.estimated


def test_verification_pauses_while_on_hold_with_the_holds_reason():
    story = Lapor().submit(TUE).hold(wib(2026, 3, 25, 10), "Lokasi belum jelas")
    state = clocks(story, wib(2026, 3, 26, 10))["verification"]
    assert state.status is ClockStatus.PAUSED
    assert state.deadline is None
    (pause,) = state.current.pauses
    assert (pause.cause, pause.reason) == ("on_hold", "Lokasi belum jelas")
    story.resume(wib(2026, 3, 30, 10))
    state = clocks(story, wib(2026, 3, 30, 11))["verification"]
    assert state.status is ClockStatus.RUNNING
    # Paused 25-30 March: working days 26, 27, 30 -> three more: the end of 1 April.
    assert state.deadline == wib(2026, 4, 2)


def test_verification_stops_on_dispatch_not_on_verify():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 9))
    assert clocks(story, wib(2026, 3, 25, 10))["verification"].status is ClockStatus.RUNNING
    story.dispatch(wib(2026, 3, 26, 9))
    state = clocks(story, wib(2026, 3, 26, 10))["verification"]
    assert state.status is ClockStatus.STOPPED
    assert state.current.met is True


def test_verification_stops_on_archive():
    story = Lapor().submit(TUE).archive(wib(2026, 4, 1, 9))
    state = clocks(story, wib(2026, 4, 2))["verification"]
    assert state.status is ClockStatus.STOPPED
    assert state.current.met is False  # archived after the 27 March deadline


def test_follow_up_continues_its_cycle_across_a_decline_and_the_next_dispatch():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.decline(wib(2026, 3, 26, 9)).dispatch(wib(2026, 3, 27, 9), unit="rsud")
    state = clocks(story, wib(2026, 3, 27, 10))["follow_up"]
    (cycle,) = state.cycles
    assert cycle.start == wib(2026, 3, 25, 9)
    assert state.status is ClockStatus.RUNNING
    assert state.deadline == wib(2026, 4, 2)  # 26, 27, 30, 31 March, 1 April


def test_follow_up_starts_a_new_cycle_on_reply_and_on_reopen():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9)).reply(wib(2026, 3, 27, 9))
    story.follow_up(wib(2026, 3, 30, 9)).close(wib(2026, 4, 20, 9))
    story.do("reopen", wib(2026, 4, 21, 9), reason="Masalah muncul lagi")
    state = clocks(story, wib(2026, 4, 21, 10))["follow_up"]
    assert [(c.index, c.ended_by) for c in state.cycles] == [(1, "stop"), (2, "stop"), (3, None)]
    assert state.cycles[1].start == wib(2026, 3, 27, 9)
    assert state.cycles[2].start == wib(2026, 4, 21, 9)
    assert [c.met for c in state.stopped_cycles] == [True, True]


def test_follow_up_stops_when_a_declined_complaint_is_archived():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.decline(wib(2026, 3, 26, 9)).archive(wib(2026, 3, 26, 10))
    state = clocks(story, wib(2026, 5, 1))["follow_up"]
    assert state.status is ClockStatus.STOPPED
    assert not state.breached


def test_closure_runs_ten_working_days_from_the_follow_up_and_stops_on_reply():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9))
    result = clocks(story, wib(2026, 3, 26, 10))
    assert result["closure"].status is ClockStatus.RUNNING
    assert result["closure"].deadline == id_gov_calendar().add_working_days(wib(2026, 3, 26, 9), 10)
    assert result["follow_up"].status is ClockStatus.STOPPED
    story.reply(wib(2026, 3, 27, 9))
    result = clocks(story, wib(2026, 3, 27, 10))
    assert result["closure"].status is ClockStatus.STOPPED
    assert result["follow_up"].status is ClockStatus.RUNNING


def test_closure_breach_marks_the_complaint_due_for_an_automatic_close():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9))
    state = clocks(story, wib(2026, 4, 30))["closure"]
    assert state.breached
    assert state.clock.due_action == "close"


def test_an_automatic_close_after_the_window_ran_out_expires_the_closure_cycle():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9))
    deadline = clocks(story, wib(2026, 3, 26, 10))["closure"].deadline
    story.do("close", deadline + timedelta(hours=8), SYSTEM)
    state = clocks(story, deadline + timedelta(days=1))["closure"]
    (cycle,) = state.cycles
    assert (cycle.ended_by, cycle.breached, cycle.met) == ("expired", False, None)
    assert not state.breached
    assert state.stopped_cycles == ()


def test_a_close_before_the_window_runs_out_meets_the_closure_clock():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9)).close(wib(2026, 3, 27, 9))
    (cycle,) = clocks(story, wib(2026, 4, 30))["closure"].cycles
    assert (cycle.ended_by, cycle.met) == ("stop", True)


def test_another_stop_after_the_deadline_is_still_a_miss():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8)).dispatch(wib(2026, 3, 25, 9))
    story.follow_up(wib(2026, 3, 26, 9))
    deadline = clocks(story, wib(2026, 3, 26, 10))["closure"].deadline
    story.reply(deadline + timedelta(hours=8))
    (cycle,) = clocks(story, deadline + timedelta(days=1))["closure"].cycles
    assert (cycle.ended_by, cycle.breached, cycle.met) == ("stop", True, False)


def test_resolution_runs_sixty_calendar_days_from_verify_until_close():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8))
    state = clocks(story, wib(2026, 3, 25, 9))["resolution"]
    assert state.deadline == wib(2026, 3, 25, 8) + timedelta(days=60)
    story.dispatch(wib(2026, 3, 25, 9)).follow_up(wib(2026, 3, 26, 9)).close(wib(2026, 4, 9, 9))
    state = clocks(story, wib(2026, 4, 10))["resolution"]
    assert state.status is ClockStatus.STOPPED
    assert state.current.met is True


def test_the_resolution_target_is_configurable():
    policy = lapor_policy(resolution=Target.working_days(60))
    assert policy.clock("resolution").target.unit is TargetUnit.WORKING_DAYS
    assert lapor_policy(resolution=Target.working_days(60)) is policy
    assert policy != lapor_policy()


def test_expected_datetime_is_the_current_deadline_of_the_chosen_clock():
    story = Lapor().submit(TUE).verify(wib(2026, 3, 25, 8))
    policy = lapor_policy()
    assert expected_datetime(
        story.complaint, wib(2026, 3, 25, 9), policy=policy, clock="resolution"
    ) == wib(2026, 5, 24, 8)
    assert (
        expected_datetime(story.complaint, wib(2026, 3, 25, 9), policy=policy, clock="closure")
        is None
    )
    story.dispatch(wib(2026, 3, 25, 9)).follow_up(wib(2026, 3, 26, 9)).close(wib(2026, 4, 9, 9))
    assert (
        expected_datetime(story.complaint, wib(2026, 4, 10), policy=policy, clock="resolution")
        is None
    )


def test_expected_datetime_refuses_an_unknown_clock():
    from pengaduan import UnknownClockError

    with pytest.raises(UnknownClockError, match="unknown clock 'answer'"):
        expected_datetime(Lapor().complaint, TUE, policy=lapor_policy(), clock="answer")
