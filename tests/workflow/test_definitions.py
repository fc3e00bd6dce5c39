"""Deriving workflows from the preset, and refusing inconsistent definitions."""

from __future__ import annotations

import pytest

from pengaduan import Actor, DefinitionError, RoleNotPermittedError
from pengaduan.exceptions import PengaduanError, UnknownNameError
from pengaduan.workflow import Action, Field, FieldKind, State, Workflow

from .conftest import ADMIN, REPORTER, SUBMIT, Story, at


def test_a_custom_workflow_adds_a_state_and_actions_without_editing_the_library(
    workflow: Workflow,
) -> None:
    custom = workflow.extend(
        states=[State("field_check", "Cek Lapangan", "Field check")],
        actions=[
            Action("inspect", ["dispatched"], "field_check", {"unit_head"}, [Field("note")]),
            Action("inspected", ["field_check"], "dispatched", {"unit_head"}, [Field("note")]),
        ],
    ).evolve(name="muara-enim", version="1")
    story = Story(custom).dispatched()
    head = Actor("kadis", "unit_head", "dinas-pu")
    assert story.do("inspect", head, {"note": "Survei"}).state == "field_check"
    assert story.do("inspected", head, {"note": "Selesai"}).state == "dispatched"
    assert workflow.allowed_actions(story.complaint) != custom.allowed_actions(story.complaint)
    assert custom != workflow


def test_changing_an_actions_roles_takes_effect(workflow: Workflow) -> None:
    strict = workflow.replace_action("verify", roles={"admin_national"})
    story = Story(strict).submitted()
    with pytest.raises(RoleNotPermittedError):
        story.do("verify", ADMIN, {"classification": "aspirasi"})
    assert Story(workflow).submitted().do("verify", ADMIN, {"classification": "aspirasi"})


def test_removing_an_action_makes_it_unknown(workflow: Workflow) -> None:
    lean = workflow.without_action("comment").with_action(
        Action("comment", ["submitted"], None, {"reporter"}, [Field("message")])
    )
    assert lean.action("comment").sources == ("submitted",)
    with pytest.raises(KeyError, match="has no action 'nope'"):
        lean.without_action("nope")


def test_derivation_never_changes_the_preset(workflow: Workflow) -> None:
    workflow.replace_action("close", roles={"system"})
    assert "reporter" in workflow.action("close").roles


def minimal(**changes) -> Workflow:
    states = [
        State("new", "Baru"),
        State("open", "Terbuka"),
        State("done", "Selesai", terminal=True),
    ]
    actions = [
        Action("submit", ["new"], "open", {"reporter"}, [Field("title")], unit_scoped=False),
        Action("finish", ["open"], "done", {"admin"}),
    ]
    kwargs = {"name": "mini", "version": "1", "states": states, "actions": actions}
    kwargs.update(changes)
    return Workflow(**kwargs)


def test_a_minimal_workflow_works_with_custom_roles() -> None:
    wf = minimal()
    c = wf.apply(wf.new("m"), "submit", REPORTER, at(0), {"title": "x"})
    c = wf.apply(c, "finish", Actor("a", "admin"), at(1))
    assert c.state == "done"
    assert c.facts is None, "no fact-setting action, no facts"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"initial": "start"}, "initial state 'start' is not among the states"),
        ({"states": [State("new", "a"), State("new", "b")]}, "state 'new' is defined twice"),
        (
            {"actions": [Action("submit", ["new"], "nowhere", {"r"})]},
            "names unknown state 'nowhere'",
        ),
        (
            {"actions": [Action("go", ["open"], "done", {"r"})]},
            "no action leaves the initial state 'new'",
        ),
        (
            {"actions": [Action("submit", ["new"], "open", {"r"})]},
            "no action leads to state(s) done",
        ),
        (
            {
                "actions": [
                    Action("submit", ["new"], "open", {"r"}),
                    Action("submit", ["open"], "done", {"r"}),
                ]
            },
            "action 'submit' is defined twice",
        ),
        ({"actions": [Action("sub mit", ["new"], "open", {"r"})]}, "is not an identifier"),
        ({"actions": [Action("submit", ["new"], "open", set())]}, "no role may take"),
        ({"unit_roles": {"ghost"}}, "unit role(s) ghost take no action"),
        (
            {
                "actions": [
                    Action("submit", ["new"], "open", {"r"}, [Field("unit")], unit_from="place"),
                    Action("finish", ["open"], "done", {"r"}),
                ]
            },
            "takes its unit from 'place'",
        ),
        (
            {
                "actions": [
                    Action(
                        "submit", ["new"], "open", {"r"}, [Field("channel")], updates_facts=True
                    ),
                    Action("finish", ["open"], "done", {"r"}),
                ]
            },
            "fact field 'channel' of action 'submit' must be of kind 'channel'",
        ),
    ],
)
def test_inconsistent_definitions_are_refused_with_a_reason(changes, reason: str) -> None:
    with pytest.raises(DefinitionError) as info:
        minimal(**changes)
    assert reason in str(info.value)
    assert info.value.definition == "mini 1"


def test_a_fact_setting_action_needs_title_body_and_channel_to_create_facts() -> None:
    wf = minimal(
        actions=[
            Action(
                "submit",
                ["new"],
                "open",
                {"reporter"},
                [Field("title"), Field("channel", FieldKind.CHANNEL, required=False)],
                updates_facts=True,
                unit_scoped=False,
            ),
            Action("finish", ["open"], "done", {"admin"}),
        ]
    )
    from pengaduan import InvalidDataError

    with pytest.raises(InvalidDataError) as info:
        wf.apply(wf.new("m"), "submit", REPORTER, at(0), {"title": "x"})
    assert info.value.field == "body"


def test_state_lookup_of_an_unknown_name_lists_the_states(workflow: Workflow) -> None:
    with pytest.raises(KeyError, match="its states: new, submitted"):
        workflow.state("draft")


@pytest.mark.parametrize("kind", ["state", "action"])
def test_an_unknown_state_or_action_is_a_library_error_naming_what_exists(
    workflow: Workflow, kind: str
) -> None:
    with pytest.raises(UnknownNameError) as info:
        getattr(workflow, kind)("draft")
    error = info.value
    assert isinstance(error, PengaduanError)
    assert isinstance(error, KeyError)
    assert (error.workflow, error.kind, error.name) == (workflow.name, kind, "draft")
    known = workflow.states if kind == "state" else workflow.actions
    assert set(error.known) == {item.name for item in known}
    assert str(error).startswith(f"workflow {workflow.name!r} has no {kind} 'draft'; its {kind}s:")


def test_submit_fixture_is_valid(workflow: Workflow) -> None:
    assert (
        workflow.apply(workflow.new("ok"), "submit", REPORTER, at(0), SUBMIT).state == "submitted"
    )
