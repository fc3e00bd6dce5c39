"""Assertion helpers: they pass when the domain says so, and fail with useful messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pengaduan import UnknownClockError
from pengaduan.escalation import tick
from pengaduan.presets import lapor_ladder, lapor_policy
from pengaduan.sla import Target
from pengaduan.testing import (
    ManualClock,
    a_complaint,
    assert_breached,
    assert_deadline,
    assert_escalated,
    assert_escalation_due,
    assert_no_escalation_due,
    assert_not_breached,
    assert_not_escalated,
    assert_state,
    describe,
)

WIB = ZoneInfo("Asia/Jakarta")
FRIDAY = datetime(2026, 3, 13, 10, 0, tzinfo=WIB)  # the Friday before Idul Fitri 1447 H


def _dispatched_on_friday():  # type: ignore[no-untyped-def]
    return (
        a_complaint("C-1")
        .submitted(at=FRIDAY - timedelta(days=1), reporter={"name": "Siti Aminah"})
        .verified()
        .dispatched(at=FRIDAY, to="dinas-pu")
    )


def test_assert_state_passes_on_the_state_and_unit() -> None:
    c = _dispatched_on_friday().complaint
    assert_state(c, "dispatched")
    assert_state(c, "dispatched", unit="dinas-pu")


def test_assert_state_failure_names_states_with_labels_allowed_actions_and_history() -> None:
    c = _dispatched_on_friday().complaint
    with pytest.raises(AssertionError) as raised:
        assert_state(c, "followed_up")
    message = str(raised.value)
    assert "complaint 'C-1' is in state 'dispatched' (Terdisposisi)" in message
    assert "expected 'followed_up' (Ditindaklanjuti)" in message
    assert "Actions allowed now: forward, decline, follow_up, comment, escalate." in message
    assert "3. Fri 13 Mar 2026 10:00 (2026-03-13T10:00:00+07:00)  dispatch by admin_agency" in (
        message
    )
    assert "-> unit 'dinas-pu'" in message


def test_assert_state_failure_on_the_unit_and_on_an_unknown_state() -> None:
    c = _dispatched_on_friday().complaint
    with pytest.raises(AssertionError, match="is with unit 'dinas-pu', expected unit 'dinsos'"):
        assert_state(c, "dispatched", unit="dinsos")
    with pytest.raises(AssertionError, match=r"'selesai' \(not a state of workflow 'sp4n-lapor'"):
        assert_state(c, "selesai")


def test_failure_messages_carry_no_personal_data() -> None:
    c = _dispatched_on_friday().complaint
    messages = []
    for check in (
        lambda: assert_state(c, "closed"),
        lambda: assert_deadline(c, "follow_up", date(2026, 3, 20)),
        lambda: assert_breached(c, "follow_up", as_of=FRIDAY),
        lambda: assert_escalated(c, to="unit_head"),
    ):
        with pytest.raises(AssertionError) as raised:
            check()
        messages.append(str(raised.value))
    for message in messages:
        assert "Siti" not in message
        assert "pelapor-1" not in message  # actor ids may be phone numbers: roles only
        assert "Jalan berlubang" not in message


def test_assert_deadline_takes_the_day_a_working_day_limit_ends_or_the_exact_instant() -> None:
    c = _dispatched_on_friday().complaint
    # 5 working days from Fri 13 March: Mon 16, Tue 17, Wed 25, Thu 26, Fri 27 (18-24 off).
    assert_deadline(c, "follow_up", date(2026, 3, 27))
    assert_deadline(c, "follow_up", datetime(2026, 3, 28, 0, 0, tzinfo=WIB))
    assert_deadline(c, "follow_up", datetime(2026, 3, 27, 17, 0, tzinfo=ZoneInfo("UTC")))


def test_assert_deadline_failure_shows_the_clock_its_cycles_and_the_history() -> None:
    c = _dispatched_on_friday().complaint
    with pytest.raises(AssertionError) as raised:
        assert_deadline(c, "follow_up", date(2026, 3, 20))
    message = str(raised.value)
    assert (
        "complaint 'C-1': clock 'follow_up' has deadline end of Fri 27 Mar 2026 "
        "(2026-03-28T00:00:00+07:00), expected end of Fri 20 Mar 2026 (Asia/Jakarta)"
    ) in message
    assert "clock 'follow_up' (Tindak Lanjut, 5 working days on calendar 'id-gov-wib')" in message
    assert "cycle 1: started Fri 13 Mar 2026 10:00" in message
    assert "dispatch by admin_agency" in message


def test_assert_deadline_fails_for_a_clock_that_has_not_started_or_is_paused() -> None:
    c = a_complaint("C-2").submitted(at=FRIDAY).complaint
    with pytest.raises(AssertionError, match="clock 'follow_up' has no deadline") as raised:
        assert_deadline(c, "follow_up", date(2026, 3, 27))
    assert "never started" in str(raised.value)
    held = a_complaint("C-3").submitted(at=FRIDAY).held(at=FRIDAY + timedelta(hours=1))
    with pytest.raises(AssertionError, match="deadline unknown while paused"):
        assert_deadline(held.complaint, "verification", date(2026, 3, 25))


def test_assert_deadline_refuses_an_unknown_clock() -> None:
    with pytest.raises(UnknownClockError, match="'tindak_lanjut'"):
        assert_deadline(_dispatched_on_friday().complaint, "tindak_lanjut", date(2026, 3, 27))


def test_assert_deadline_under_another_policy() -> None:
    policy = lapor_policy().with_target("follow_up", Target.working_days(2))
    assert_deadline(
        _dispatched_on_friday().complaint, "follow_up", date(2026, 3, 17), policy=policy
    )


def test_breach_is_asserted_as_of_an_instant_or_a_clock() -> None:
    c = _dispatched_on_friday().complaint
    end_of_friday_27 = datetime(2026, 3, 28, 0, 0, tzinfo=WIB)
    assert_not_breached(c, "follow_up", as_of=end_of_friday_27 - timedelta(seconds=1))
    assert_breached(c, "follow_up", as_of=end_of_friday_27)
    clock = ManualClock(datetime(2026, 3, 30, 8, 0, tzinfo=WIB))
    assert_breached(c, "follow_up", as_of=clock)


def test_breach_assertions_fail_with_the_clock_and_the_instant() -> None:
    c = _dispatched_on_friday().complaint
    with pytest.raises(AssertionError) as raised:
        assert_breached(c, "follow_up", as_of=datetime(2026, 3, 27, 15, tzinfo=WIB))
    assert "clock 'follow_up' is not breached as of Fri 27 Mar 2026 15:00" in str(raised.value)
    assert "expected it breached" in str(raised.value)
    with pytest.raises(AssertionError, match="is breached as of Mon 30 Mar 2026") as raised:
        assert_not_breached(c, "follow_up", as_of=datetime(2026, 3, 30, 9, tzinfo=WIB))
    assert "BREACHED" in str(raised.value)


def test_escalations_recorded_in_the_history_are_asserted_by_role_level_and_day() -> None:
    b = _dispatched_on_friday()
    assert_not_escalated(b.complaint)
    c = b.escalated(at=datetime(2026, 3, 30, 7, 30, tzinfo=WIB), to="unit_head").complaint
    assert_escalated(c)
    assert_escalated(c, to="unit_head", level=1, on=date(2026, 3, 30), tz=WIB)
    assert_not_escalated(c, to="regional_head")
    with pytest.raises(AssertionError, match="was not escalated to 'unit_head' on Tue 31 Mar"):
        assert_escalated(c, to="unit_head", on=date(2026, 3, 31), tz=WIB)
    with pytest.raises(AssertionError, match="not escalated to 'regional_head' at level 2"):
        assert_escalated(c, to="regional_head", level=2)
    with pytest.raises(AssertionError, match="escalated to 'unit_head' 1 time"):
        assert_not_escalated(c, to="unit_head")


def test_the_escalation_day_is_taken_in_the_zone_asked_for() -> None:
    late_evening_utc = datetime(2026, 3, 29, 23, 30, tzinfo=ZoneInfo("UTC"))  # Mon 06:30 WIB
    c = _dispatched_on_friday().escalated(at=late_evening_utc, to="unit_head").complaint
    assert_escalated(c, on=date(2026, 3, 30), tz=WIB)
    with pytest.raises(AssertionError):
        assert_escalated(c, on=date(2026, 3, 30))


def test_describe_lists_instants_actions_roles_and_units() -> None:
    text = describe(_dispatched_on_friday().complaint, tz=ZoneInfo("UTC"))
    assert text.splitlines() == [
        "complaint 'C-1', state 'dispatched', unit 'dinas-pu', 3 events:",
        "  1. Thu 12 Mar 2026 03:00 (2026-03-12T03:00:00+00:00)  submit by reporter",
        "  2. Thu 12 Mar 2026 03:00 (2026-03-12T03:00:00+00:00)  verify by admin_agency",
        "  3. Fri 13 Mar 2026 03:00 (2026-03-13T03:00:00+00:00)  dispatch by admin_agency"
        " -> unit 'dinas-pu'",
    ]


def test_escalation_due_is_asserted_against_the_ladder_as_of_an_instant() -> None:
    c = _dispatched_on_friday().complaint
    thursday = datetime(2026, 3, 26, 12, tzinfo=WIB)
    friday = datetime(2026, 3, 27, 7, 30, tzinfo=WIB)
    monday = datetime(2026, 3, 30, 7, 30, tzinfo=WIB)
    assert_no_escalation_due(c, as_of=thursday)
    assert_escalation_due(c, as_of=friday, to="unit_operator", level=1, action="remind")
    assert_no_escalation_due(c, as_of=friday, to="unit_head")
    assert_escalation_due(c, as_of=ManualClock(monday), to="unit_head", action="escalate")


def test_escalation_due_failures_list_what_is_due_and_what_comes_next() -> None:
    c = _dispatched_on_friday().complaint
    with pytest.raises(AssertionError) as raised:
        assert_escalation_due(c, as_of=datetime(2026, 3, 27, 9, tzinfo=WIB), to="unit_head")
    message = str(raised.value)
    assert "complaint 'C-1': nothing to 'unit_head' is due as of Fri 27 Mar 2026 09:00" in message
    assert "C-1/follow_up/1/follow_up.1/0: level 1 remind to unit_operator@dinas-pu" in message
    assert "Next due (ignoring what is due now): Fri 27 Mar 2026 07:30" in message
    with pytest.raises(AssertionError) as raised:
        assert_no_escalation_due(c, as_of=datetime(2026, 3, 30, 9, tzinfo=WIB))
    message = str(raised.value)
    assert "2 action(s) are due as of Mon 30 Mar 2026 09:00" in message
    assert "level 2 escalate to unit_head@dinas-pu, due Mon 30 Mar 2026 07:30" in message


def test_an_escalation_recorded_is_no_longer_due() -> None:
    b = _dispatched_on_friday()
    monday = datetime(2026, 3, 30, 9, tzinfo=WIB)
    recorded = tick(b.complaint, monday, ladder=lapor_ladder()).complaints["C-1"]
    assert_no_escalation_due(recorded, as_of=monday)
    assert_escalated(recorded, to="unit_head", unit="dinas-pu", kind="escalate", level=2)
    assert_escalated(recorded, kind="remind", to="unit_operator")
    with pytest.raises(AssertionError, match=r"not escalated \(escalate\) to 'unit_head' of unit"):
        assert_escalated(recorded, to="unit_head", unit="dinsos", kind="escalate")
