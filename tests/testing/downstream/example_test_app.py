"""Tests of a regency's complaint app, written with pengaduan's pytest plugin.

This file is a downstream project's test module: pengaduan's own suite copies it into a
fresh project and runs pytest on it (tests/testing/test_plugin.py), and the "Testing your
app" page shows it as it is.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from pengaduan.testing import assert_escalation_due, assert_no_escalation_due, assert_state


@pytest.mark.pengaduan_now("2026-03-13T10:00+07:00")  # Friday before Idul Fitri 1447 H
def test_a_complaint_dispatched_before_idul_fitri_escalates_to_the_head_of_dinas_pu(
    pengaduan_scenario,
):
    s = pengaduan_scenario
    s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")

    # 5 working days: Mon 16, Tue 17, then Nyepi, Idul Fitri and cuti bersama (18-24 March),
    # then Wed 25, Thu 26, Fri 27.
    s.assert_deadline("C-1", "follow_up", date(2026, 3, 27))

    s.advance(working_days=5)  # Friday 27 March, 10:00: late today, not yet breached
    s.assert_not_breached("C-1", "follow_up")
    s.assert_escalated("C-1", kind="remind", to="unit_operator", on=date(2026, 3, 27))
    s.assert_not_escalated("C-1", to="unit_head")

    s.advance(working_days=1)  # Monday 30 March
    s.assert_breached("C-1", "follow_up")
    s.assert_escalated("C-1", to="unit_head", unit="dinas-pu", level=2, on=date(2026, 3, 30))


def test_a_follow_up_closes_the_complaint_after_ten_quiet_working_days(pengaduan_scenario):
    s = pengaduan_scenario  # starts Monday 2 March 2026, 09:00 WIB
    s.complaint("C-2").submitted().verified().dispatched(to="dinas-pu").followed_up()
    s.advance(working_days=10)  # Monday 16 March, 09:00: the 10th working day is not over
    assert_state(s["C-2"], "followed_up")
    s.advance(working_days=1)
    assert_state(s["C-2"], "closed")
    assert s["C-2"].updated_at == datetime(2026, 3, 17, 0, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_the_factory_makes_complaints_in_any_state(complaint_factory, pengaduan_clock):
    complaint = complaint_factory("dispatched", unit="dinas-pu")
    assert_state(complaint, "dispatched", unit="dinas-pu")
    assert complaint.submitted_at == pengaduan_clock.now()


def test_the_app_stores_what_it_builds(pengaduan_store, complaint_factory):
    complaint = complaint_factory("followed_up")
    pengaduan_store.append(complaint.id, complaint.events, expected_version=0)
    assert_state(pengaduan_store.load(complaint.id), "followed_up")


def test_the_unit_is_reminded_on_its_deadline_day(complaint_factory, pengaduan_clock):
    complaint = complaint_factory("dispatched")  # Monday 2 March: due by the end of Monday 9
    pengaduan_clock.advance_working_days(4)
    assert_no_escalation_due(complaint, as_of=pengaduan_clock)
    pengaduan_clock.advance_working_days(1)
    assert_escalation_due(complaint, as_of=pengaduan_clock, to="unit_operator", action="remind")
