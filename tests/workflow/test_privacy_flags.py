"""Privacy flags change only as an action says: updates merge, clearing needs the right role."""

from __future__ import annotations

from typing import Any

import pytest

from pengaduan import Actor, InvalidDataError, Privacy
from pengaduan.exceptions import PrivacyFlagClearError
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Action, Field, FieldKind

from .conftest import at

WORKFLOW = lapor_workflow()
REPORTER = Actor("warga-17", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
SUBMIT = {"title": "Jalan rusak", "body": "Berlubang.", "channel": "web"}


def submitted(**privacy: bool) -> Any:
    return WORKFLOW.apply(
        WORKFLOW.new("C-1"), "submit", REPORTER, at(0), {**SUBMIT, "privacy": privacy}
    )


def test_a_partial_update_keeps_the_flag_it_leaves_out() -> None:
    c = WORKFLOW.apply(
        submitted(anonymous=True),
        "verify",
        ADMIN,
        at(1),
        {"classification": "pengaduan", "privacy": {"confidential": True}},
    )
    assert c.facts.privacy == Privacy(anonymous=True, confidential=True)


def test_the_reverse_partial_update_keeps_confidential() -> None:
    c = WORKFLOW.apply(
        submitted(confidential=True),
        "verify",
        ADMIN,
        at(1),
        {"classification": "pengaduan", "privacy": {"anonymous": True}},
    )
    assert c.facts.privacy == Privacy(anonymous=True, confidential=True)


def test_an_admin_clears_a_flag_with_an_explicit_false_and_the_event_records_it() -> None:
    c = WORKFLOW.apply(
        submitted(anonymous=True, confidential=True),
        "verify",
        ADMIN,
        at(1),
        {"classification": "pengaduan", "privacy": {"confidential": False}},
    )
    assert c.facts.privacy == Privacy(anonymous=True, confidential=False)
    assert c.events[-1].data["privacy"] == {"confidential": False}
    assert WORKFLOW.replay(c.events)["C-1"].facts.privacy == c.facts.privacy


def test_a_role_the_action_does_not_allow_may_not_clear_a_flag() -> None:
    workflow = WORKFLOW.replace_action("verify", clears_privacy={"admin_national"})
    before = workflow.apply(
        workflow.new("C-1"), "submit", REPORTER, at(0), {**SUBMIT, "privacy": {"anonymous": True}}
    )
    with pytest.raises(PrivacyFlagClearError) as info:
        workflow.apply(
            before,
            "verify",
            ADMIN,
            at(1),
            {"classification": "pengaduan", "privacy": {"anonymous": False}},
        )
    error = info.value
    assert (error.flag, error.role, error.roles) == (
        "anonymous",
        "admin_agency",
        ("admin_national",),
    )
    assert "'anonymous' flag" in str(error)
    assert "admin_national" in str(error)
    assert "admin-1" not in str(error)
    # Setting a flag, or repeating one already set, stays open to the action's roles.
    after = workflow.apply(
        before,
        "verify",
        ADMIN,
        at(1),
        {"classification": "pengaduan", "privacy": {"anonymous": True, "confidential": True}},
    )
    assert after.facts.privacy == Privacy(anonymous=True, confidential=True)


def test_clearing_a_flag_that_is_not_set_is_no_refusal() -> None:
    workflow = WORKFLOW.replace_action("verify", clears_privacy=())
    c = workflow.apply(
        workflow.apply(workflow.new("C-1"), "submit", REPORTER, at(0), SUBMIT),
        "verify",
        ADMIN,
        at(1),
        {"classification": "pengaduan", "privacy": {"anonymous": False}},
    )
    assert c.facts.privacy == Privacy()


def test_a_custom_action_declares_who_may_clear_flags() -> None:
    mark = Action(
        "mark",
        ("submitted",),
        None,
        {"reporter", "admin_agency", "unit_operator"},
        (Field("privacy", FieldKind.PRIVACY),),
        updates_facts=True,
        clears_privacy={"reporter", "admin_agency"},
    )
    workflow = WORKFLOW.with_action(mark)
    c = workflow.apply(
        workflow.new("C-1"), "submit", REPORTER, at(0), {**SUBMIT, "privacy": {"anonymous": True}}
    )
    cleared = workflow.apply(c, "mark", REPORTER, at(1), {"privacy": {"anonymous": False}})
    assert cleared.facts.privacy == Privacy()


def test_a_reporter_may_not_give_external_ids_and_the_value_is_not_echoed() -> None:
    with pytest.raises(InvalidDataError) as info:
        WORKFLOW.apply(
            WORKFLOW.new("C-1"),
            "submit",
            REPORTER,
            at(0),
            {**SUBMIT, "external_ids": {"lapor": "1916449"}},
        )
    assert info.value.field == "external_ids"
    assert "1916449" not in str(info.value)
    staff = WORKFLOW.apply(
        WORKFLOW.new("C-1"), "submit", ADMIN, at(0), {**SUBMIT, "external_ids": {"lapor": "19"}}
    )
    assert staff.facts.external_ids == {"lapor": "19"}


def test_an_unknown_key_is_named_by_position_not_echoed() -> None:
    with pytest.raises(InvalidDataError) as info:
        WORKFLOW.apply(
            WORKFLOW.new("C-1"),
            "submit",
            REPORTER,
            at(0),
            {**SUBMIT, "reporter": {"name": "x", "Siti 0812555": "y"}},
        )
    assert "Siti" not in str(info.value)
    assert "unknown key (key 2)" in str(info.value)


def test_unknown_roles_units_and_actions_are_not_echoed() -> None:
    from pengaduan import OutsideUnitError, RoleNotPermittedError, UnknownActionError

    c = WORKFLOW.apply(WORKFLOW.new("C-1"), "submit", REPORTER, at(0), SUBMIT)
    secret = "Siti 0812555"
    for actor, action, error in (
        (Actor("x", secret), "comment", RoleNotPermittedError),
        (Actor("x", "admin_agency"), secret, UnknownActionError),
        (Actor("x", "unit_operator", secret), "comment", OutsideUnitError),
    ):
        with pytest.raises(error) as info:
            WORKFLOW.apply(c, action, actor, at(1), {"message": "m"})
        assert secret not in str(info.value)


def test_a_hidden_complaint_does_not_echo_the_viewers_unit_or_unknown_role() -> None:
    from pengaduan import NotVisibleError
    from pengaduan.access import Viewer, view

    c = submitted(confidential=True)
    for viewer in (Viewer.staff("Siti 0812555"), Viewer.staff("unit_head", "Siti 0812555")):
        with pytest.raises(NotVisibleError) as info:
            view(c, viewer, workflow=lapor_workflow())
        assert "Siti" not in str(info.value)
