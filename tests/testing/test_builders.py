"""Builders and the complaint factory: histories that read like the domain."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pengaduan import (
    ActionNotAllowedError,
    Actor,
    GuardRefusedError,
    NaiveDatetimeError,
    OutsideUnitError,
)
from pengaduan.presets import lapor_workflow
from pengaduan.testing import ComplaintFactory, ManualClock, a_complaint
from pengaduan.workflow import Action, Field, FieldKind, State, Workflow

WIB = ZoneInfo("Asia/Jakarta")
T = datetime(2026, 3, 13, 9, 0, tzinfo=WIB)


def test_the_domain_steps_build_the_preset_history_with_the_usual_actors() -> None:
    c = (
        a_complaint("C-1")
        .submitted(at=T)
        .verified()
        .dispatched(to="dinas-pu")
        .followed_up()
        .closed()
        .complaint
    )
    assert c.state == "closed"
    assert [(e.action, e.actor.role, e.actor.unit) for e in c.events] == [
        ("submit", "reporter", None),
        ("verify", "admin_agency", None),
        ("dispatch", "admin_agency", None),
        ("follow_up", "unit_operator", "dinas-pu"),
        ("close", "system", None),
    ]
    assert c.facts is not None
    assert c.facts.classification == "pengaduan"


def test_every_step_of_the_preset_has_a_domain_method() -> None:
    b = a_complaint("C-2").submitted(at=T).held().resumed().verified().dispatched(to="dinas-pu")
    b = b.forwarded(to="dinas-pupr").commented().escalated(to="unit_head", level=2)
    b = b.declined().dispatched(to="dinas-pu").followed_up().replied().followed_up().closed()
    b = b.reopened()
    assert [e.action for e in b.complaint.events] == [
        "submit", "hold", "resume", "verify", "dispatch", "forward", "comment", "escalate",
        "decline", "dispatch", "follow_up", "reply", "follow_up", "close", "reopen",
    ]  # fmt: skip
    assert b.state == "dispatched"
    assert a_complaint("C-3").submitted(at=T).archived().state == "archived"


def test_the_reporter_owns_what_they_submit_and_may_reply() -> None:
    reporter = Actor("warga-9", "reporter")
    b = a_complaint("C-1", reporter=reporter).submitted(at=T).verified().dispatched()
    b = b.followed_up().replied()
    assert b.complaint.events[-1].actor == reporter
    assert lapor_workflow().owner(b.complaint) == "warga-9"


def test_a_step_without_an_instant_happens_when_the_previous_one_did() -> None:
    c = a_complaint().submitted(at=T).verified(at=T + timedelta(hours=3)).dispatched().complaint
    assert [e.at for e in c.events] == [T, T + timedelta(hours=3), T + timedelta(hours=3)]


def test_with_a_clock_each_step_happens_at_the_clocks_now() -> None:
    clock = ManualClock(T)
    b = a_complaint(clock=clock).submitted()
    clock.advance(hours=5)
    b = b.verified()
    assert [e.at for e in b.complaint.events] == [T, T + timedelta(hours=5)]


def test_the_first_step_needs_an_instant_and_says_how_to_give_one() -> None:
    with pytest.raises(TypeError, match=r"'C-1' \('submit'\) needs an instant: pass at="):
        a_complaint("C-1").submitted()
    with pytest.raises(NaiveDatetimeError):
        a_complaint("C-1").submitted(at=datetime(2026, 3, 13, 9))


def test_a_step_the_workflow_refuses_fails_on_its_line_and_changes_nothing() -> None:
    submitted = a_complaint("C-1").submitted(at=T)
    with pytest.raises(ActionNotAllowedError, match="submitted"):
        submitted.followed_up()
    dispatched = submitted.verified().dispatched(to="dinas-pu")
    with pytest.raises(GuardRefusedError, match="already dispatched"):
        dispatched.forwarded(to="dinas-pu")
    assert submitted.state == "submitted"
    assert dispatched.complaint.version == 3


def test_builders_are_values_that_branch() -> None:
    dispatched = a_complaint("C-1").submitted(at=T).verified().dispatched(to="dinas-pu")
    followed = dispatched.followed_up()
    declined = dispatched.declined()
    assert (dispatched.state, followed.state, declined.state) == (
        "dispatched",
        "followed_up",
        "verified",
    )
    assert declined.complaint.unit is None


def test_by_takes_a_role_or_an_actor() -> None:
    b = a_complaint().submitted(at=T, by="unit_operator").verified(by="admin_national")
    assert b.complaint.events[0].actor.role == "unit_operator"
    assert b.complaint.events[1].actor.role == "admin_national"
    head = Actor("kadis", "unit_head", "dinas-pu")
    b = b.dispatched(to="dinas-pu").followed_up(by=head)
    assert b.complaint.events[-1].actor == head
    elsewhere = a_complaint("C-9").submitted(at=T).verified().dispatched(to="dinsos")
    with pytest.raises(OutsideUnitError):
        elsewhere.followed_up(by=head)


def test_privacy_flags_and_extra_submission_data_reach_the_facts() -> None:
    c = a_complaint().submitted(at=T, anonymous=True, channel="sms", category="jalan").complaint
    assert c.facts is not None
    assert c.facts.privacy.anonymous
    assert not c.facts.privacy.confidential
    assert c.facts.channel == "sms"
    assert c.facts.category == "jalan"


def _custom_workflow() -> Workflow:
    return Workflow(
        "jakrespons-like",
        "1",
        (
            State("new", "Baru"),
            State("waiting", "Menunggu"),
            State("coordinating", "Koordinasi"),
            State("done", "Selesai", terminal=True),
        ),
        (
            Action(
                "open",
                ("new",),
                "waiting",
                {"citizen"},
                (Field("title"), Field("body"), Field("channel", FieldKind.CHANNEL)),
                updates_facts=True,
            ),
            Action(
                "assign",
                ("waiting",),
                "coordinating",
                {"coordinator"},
                (Field("unit", FieldKind.UNIT), Field("priority", FieldKind.LEVEL)),
                unit_from="unit",
            ),
            Action("finish", ("coordinating",), "done", {"officer"}, (Field("note"),)),
        ),
        "new",
        unit_roles={"officer"},
        owner_roles={"citizen"},
    )


def test_then_takes_any_action_of_a_custom_workflow_with_placeholder_data() -> None:
    wf = _custom_workflow()
    b = a_complaint("J-1", workflow=wf).then("open", T).then("assign").then("finish")
    c = b.complaint
    assert c.state == "done"
    assert c.unit == "dinas-pu"
    assert c.events[1].data == {"unit": "dinas-pu", "priority": 1}
    assert c.events[2].actor == Actor("officer@dinas-pu", "officer", "dinas-pu")
    assert c.events[2].data == {"note": "note (test)"}
    with pytest.raises(KeyError, match="no action 'dispatch'"):
        b.dispatched()


def test_the_factory_reaches_every_state_of_the_preset_by_its_shortest_path() -> None:
    factory = ComplaintFactory(clock=ManualClock(T))
    paths = {
        state.name: [e.action for e in factory(state.name).events]
        for state in lapor_workflow().states
        if state.name != "new"
    }
    assert paths == {
        "submitted": ["submit"],
        "on_hold": ["submit", "hold"],
        "verified": ["submit", "verify"],
        "dispatched": ["submit", "verify", "dispatch"],
        "followed_up": ["submit", "verify", "dispatch", "follow_up"],
        "closed": ["submit", "verify", "dispatch", "follow_up", "close"],
        "archived": ["submit", "archive"],
    }


def test_the_factory_numbers_its_complaints_and_puts_them_where_asked() -> None:
    factory = ComplaintFactory(clock=ManualClock(T), prefix="LAPOR-")
    first = factory()
    second = factory("dispatched", unit="dinsos", at=T + timedelta(days=1), channel="sms")
    named = factory("verified", complaint_id="X-9")
    assert (first.id, first.state) == ("LAPOR-1", "submitted")
    assert (second.id, second.unit) == ("LAPOR-2", "dinsos")
    assert second.facts is not None
    assert second.facts.channel == "sms"
    assert {e.at for e in second.events} == {T + timedelta(days=1)}
    assert named.id == "X-9"
    assert factory().id == "LAPOR-3"


def test_the_factory_refuses_an_unknown_state_and_a_missing_instant() -> None:
    factory = ComplaintFactory(clock=ManualClock(T))
    with pytest.raises(KeyError, match="no state 'selesai'; its states: new, submitted"):
        factory("selesai")
    with pytest.raises(TypeError, match="needs an instant"):
        ComplaintFactory()("submitted")


def test_the_factory_works_on_a_custom_workflow() -> None:
    factory = ComplaintFactory(_custom_workflow(), ManualClock(T), prefix="J-")
    c = factory("done", unit="suku-dinas")
    assert (c.id, c.state, c.unit) == ("J-1", "done", "suku-dinas")
    assert factory().state == "waiting"
    assert factory.builder().complaint.id == "J-3"
