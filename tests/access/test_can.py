"""Acting: can() answers with a reason, and the workflow enforces exactly the same rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import (
    ActionNotAllowedError,
    Actor,
    Complaint,
    DefinitionError,
    GuardRefusedError,
    InvalidDataError,
    NotOwnComplaintError,
    OutsideUnitError,
    RefusedError,
    RoleNotPermittedError,
    UnknownActionError,
    UnknownComplaintError,
)
from pengaduan.access import Decision, can
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Action, State, Workflow

from .conftest import (
    ACCOUNT,
    ADMIN,
    OPERATOR,
    OTHER_OPERATOR,
    OTHER_REPORTER,
    REGENT,
    REPORTER,
    SYSTEM,
    at,
    build,
)

WORKFLOW = lapor_workflow()

# Data that satisfies every action's fields, so that apply refuses only for who/when reasons
# (and guards, which can() does not judge).
VALID_DATA: dict[str, dict[str, Any]] = {
    "submit": {"title": "t", "body": "b", "channel": "web"},
    "hold": {"reason": "r"},
    "resume": {},
    "verify": {"classification": "pengaduan"},
    "archive": {"reason": "r"},
    "dispatch": {"unit": "dinas-pu"},
    "forward": {"unit": "dinas-lain"},
    "decline": {"reason": "r"},
    "follow_up": {"response": "r"},
    "reply": {"message": "m"},
    "close": {},
    "reopen": {"reason": "r"},
    "comment": {"message": "m"},
    "escalate": {"level": 1, "to": "unit_head"},
}

AUTH_ERRORS = (
    UnknownActionError,
    UnknownComplaintError,
    ActionNotAllowedError,
    RoleNotPermittedError,
    OutsideUnitError,
    NotOwnComplaintError,
)


def test_the_data_table_covers_every_action_of_the_preset() -> None:
    assert set(VALID_DATA) == {a.name for a in WORKFLOW.actions}


def test_an_allowed_decision_is_truthy_and_says_who_may_do_what() -> None:
    decision = can(OPERATOR, "follow_up", build(stage="dispatched"), workflow=lapor_workflow())
    assert decision
    assert decision.allowed
    assert decision.error is None
    assert decision.refusal is None
    assert decision.reason == (
        "role 'unit_operator' of unit 'dinas-pu' may 'follow_up' complaint 'C-1' in state "
        "'dispatched'"
    )
    decision.require()  # does nothing


@pytest.mark.parametrize(
    ("actor", "action", "stage", "error"),
    [
        (ADMIN, "approve", "submitted", UnknownActionError),
        (ADMIN, "follow_up", "submitted", ActionNotAllowedError),
        (REPORTER, "verify", "submitted", RoleNotPermittedError),
        (OTHER_OPERATOR, "follow_up", "dispatched", OutsideUnitError),
        (Actor("op-x", "unit_operator"), "comment", "dispatched", OutsideUnitError),
        (OTHER_REPORTER, "reply", "followed_up", NotOwnComplaintError),
        (OTHER_REPORTER, "comment", "submitted", NotOwnComplaintError),
    ],
)
def test_each_refusal_is_the_specific_error_apply_raises(
    actor: Actor, action: str, stage: str, error: type[RefusedError]
) -> None:
    complaint = build(stage=stage)
    decision = can(actor, action, complaint, workflow=lapor_workflow())
    assert not decision
    assert decision.error is error
    assert isinstance(decision.refusal, error)
    assert decision.reason == str(decision.refusal)
    with pytest.raises(error):
        decision.require()
    with pytest.raises(error) as info:
        WORKFLOW.apply(complaint, action, actor, at(100), VALID_DATA.get(action, {}))
    assert str(info.value) == decision.reason


def test_a_complaint_not_yet_submitted_can_only_be_submitted() -> None:
    fresh = WORKFLOW.new("C-9")
    assert can(REPORTER, "submit", fresh, workflow=lapor_workflow())
    assert can(ADMIN, "submit", fresh, workflow=lapor_workflow()), (
        "staff enter complaints on a reporter's behalf"
    )
    assert can(ADMIN, "verify", fresh, workflow=lapor_workflow()).error is UnknownComplaintError


def test_decisions_are_values() -> None:
    complaint = build(stage="dispatched")
    one = can(OTHER_OPERATOR, "follow_up", complaint, workflow=lapor_workflow())
    two = can(OTHER_OPERATOR, "follow_up", complaint, workflow=lapor_workflow())
    assert one == two
    assert hash(one) == hash(two)
    assert "refusal" not in repr(one)
    assert Decision(True, "ok")
    assert not Decision(False, "no")


ROLES = [*sorted(WORKFLOW.roles), "auditor"]
STAGES = ("submitted", "verified", "dispatched", "followed_up", "closed")


@st.composite
def situations(draw: st.DrawFn) -> tuple[Complaint, Actor, str]:
    by_staff = draw(st.booleans())
    complaint = build(stage=draw(st.sampled_from(STAGES)), by_staff=by_staff)
    role = draw(st.sampled_from(ROLES))
    unit = draw(st.sampled_from([None, "dinas-pu", "dinas-kesehatan"]))
    owner = ACCOUNT if by_staff else REPORTER.id
    actor_id = draw(st.sampled_from([owner, "warga-99", "admin-1"]))
    action = draw(st.sampled_from([*VALID_DATA, "approve"]))
    return complaint, Actor(actor_id, role, unit), action


@given(situations())
def test_can_agrees_with_apply_on_every_actor_action_and_state(
    situation: tuple[Complaint, Actor, str],
) -> None:
    complaint, actor, action = situation
    decision = can(actor, action, complaint, workflow=lapor_workflow())
    outcome: type[Exception] | None = None
    try:
        WORKFLOW.apply(complaint, action, actor, at(100), VALID_DATA.get(action, {}))
    except RefusedError as error:
        outcome = type(error)
    if outcome in AUTH_ERRORS:
        assert not decision
        assert decision.error is outcome
    else:
        # Only guards and data remain once can() said yes (forward to the same unit, ...).
        assert outcome in (None, GuardRefusedError, InvalidDataError)
        assert decision, decision.reason
    assert (action in WORKFLOW.allowed_actions(complaint, actor)) is bool(decision)


# -- the reporter acts only on their own complaints ---------------------------------------


def test_a_reporter_acts_on_a_complaint_staff_entered_with_their_account() -> None:
    complaint = build(by_staff=True, stage="followed_up")
    owner = Actor(ACCOUNT, "reporter")
    assert WORKFLOW.owner(complaint) == ACCOUNT
    assert set(WORKFLOW.allowed_actions(complaint, owner)) == {"reply", "close", "comment"}
    replied = WORKFLOW.apply(complaint, "reply", owner, at(100), {"message": "Belum"})
    assert replied.state == "dispatched"


@pytest.mark.parametrize("action", ["reply", "close", "comment"])
def test_another_reporter_is_refused_on_a_staff_entered_complaint(action: str) -> None:
    complaint = build(by_staff=True, stage="followed_up")
    with pytest.raises(NotOwnComplaintError) as info:
        WORKFLOW.apply(complaint, action, OTHER_REPORTER, at(100), VALID_DATA[action])
    error = info.value
    assert isinstance(error, GuardRefusedError | PermissionError)
    assert (error.role, error.actor_id, error.guard) == ("reporter", "warga-99", "own_complaint")
    assert "warga-99" not in str(error)
    assert ACCOUNT not in str(error)
    assert "they submitted themselves" in error.reason
    assert action not in WORKFLOW.allowed_actions(complaint, OTHER_REPORTER)


def test_a_complaint_staff_entered_without_an_account_belongs_to_no_reporter() -> None:
    complaint = build(stage="submitted")
    walk_in = WORKFLOW.apply(
        WORKFLOW.new("C-2"),
        "submit",
        ADMIN,
        at(0),
        {"title": "t", "body": "b", "channel": "walk_in"},
    )
    assert WORKFLOW.owner(walk_in) is None
    assert WORKFLOW.owner(complaint) == REPORTER.id
    for reporter in (REPORTER, OTHER_REPORTER, Actor("admin-1", "reporter")):
        assert (
            can(reporter, "comment", walk_in, workflow=lapor_workflow()).error
            is NotOwnComplaintError
        )


def test_a_reporter_may_not_submit_in_someone_elses_name() -> None:
    with pytest.raises(InvalidDataError) as info:
        WORKFLOW.apply(
            WORKFLOW.new("C-3"),
            "submit",
            REPORTER,
            at(0),
            {"title": "t", "body": "b", "channel": "web", "reporter_account": "warga-99"},
        )
    assert info.value.field == "reporter_account"
    assert "warga-99" not in str(info.value)
    own = WORKFLOW.apply(
        WORKFLOW.new("C-3"),
        "submit",
        REPORTER,
        at(0),
        {"title": "t", "body": "b", "channel": "web", "reporter_account": REPORTER.id},
    )
    assert WORKFLOW.owner(own) == REPORTER.id


def test_staff_entering_a_complaint_must_name_a_real_account() -> None:
    with pytest.raises(InvalidDataError) as info:
        WORKFLOW.apply(
            WORKFLOW.new("C-4"),
            "submit",
            ADMIN,
            at(0),
            {"title": "t", "body": "b", "channel": "walk_in", "reporter_account": ""},
        )
    assert info.value.field == "reporter_account"


def test_other_roles_are_not_bound_by_ownership() -> None:
    complaint = build(stage="followed_up")
    for actor, action in ((ADMIN, "reply"), (SYSTEM, "close"), (REGENT, "escalate")):
        assert can(actor, action, complaint, workflow=lapor_workflow()), (actor, action)


def test_the_preset_guard_function_applies_the_same_rule() -> None:
    from pengaduan.model import Event
    from pengaduan.presets._lapor import reporter_acts_on_own_complaint

    complaint = build(by_staff=True, stage="followed_up")

    def event(actor: Actor) -> Event:
        return Event("x", "C-1", "reply", at(100), actor, {"message": "m"})

    assert reporter_acts_on_own_complaint(complaint, event(Actor(ACCOUNT, "reporter"))) is None
    assert reporter_acts_on_own_complaint(complaint, event(OTHER_REPORTER)) is not None
    assert reporter_acts_on_own_complaint(complaint, event(ADMIN)) is None


def test_owner_roles_must_be_roles_of_the_workflow_and_not_unit_roles() -> None:
    states = (State("new", "Baru"), State("open", "Terbuka"))
    actions = (Action("submit", ("new",), "open", {"reporter", "clerk"}),)
    assert Workflow("w", "1", states, actions, owner_roles={"reporter"}).owner_roles == {"reporter"}
    with pytest.raises(DefinitionError, match="owner role"):
        Workflow("w", "1", states, actions, owner_roles={"citizen"})
    with pytest.raises(DefinitionError, match="both a unit role and an owner role"):
        Workflow("w", "1", states, actions, unit_roles={"clerk"}, owner_roles={"clerk"})


def test_a_custom_workflow_with_an_owner_role_enforces_ownership_on_every_action() -> None:
    states = (State("new", "Baru"), State("open", "Terbuka"))
    actions = (
        Action("submit", ("new",), "open", {"citizen"}),
        Action("note", ("open",), None, {"citizen", "clerk"}),
    )
    workflow = Workflow("w", "1", states, actions, owner_roles={"citizen"})
    complaint = workflow.apply(workflow.new("K-1"), "submit", Actor("c1", "citizen"), at(0))
    assert can(Actor("c1", "citizen"), "note", complaint, workflow=workflow)
    assert (
        can(Actor("c2", "citizen"), "note", complaint, workflow=workflow).error
        is NotOwnComplaintError
    )
    assert can(Actor("k", "clerk"), "note", complaint, workflow=workflow)
    without = Workflow("w", "1", states, actions)
    assert can(Actor("c2", "citizen"), "note", complaint, workflow=without), (
        "no owner roles, no rule"
    )
