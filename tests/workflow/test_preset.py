"""The SP4N-LAPOR! preset holds exactly the vocabulary of issue 2."""

from __future__ import annotations

import pytest

from pengaduan.workflow import Workflow

OPEN = {"submitted", "on_hold", "verified", "dispatched", "followed_up"}
ADMINS = {"admin_national", "admin_agency"}
UNIT = {"unit_operator", "unit_head"}
ALL_ROLES = {
    "reporter",
    "admin_national",
    "admin_agency",
    "unit_operator",
    "unit_head",
    "regional_head",
    "ombudsman",
    "system",
}

# action: (sources, destination or None, roles, required fields)
SPEC = {
    "submit": (
        {"new"},
        "submitted",
        {"reporter", *ADMINS, "unit_operator"},
        {"title", "body", "channel"},
    ),
    "hold": ({"submitted"}, "on_hold", ADMINS, {"reason"}),
    "resume": ({"on_hold"}, "submitted", {"reporter", *ADMINS}, set()),
    "verify": ({"submitted"}, "verified", ADMINS, {"classification"}),
    "archive": ({"submitted", "on_hold", "verified"}, "archived", ADMINS, {"reason"}),
    "dispatch": ({"verified"}, "dispatched", ADMINS, {"unit"}),
    "forward": ({"dispatched"}, None, {"admin_agency", *UNIT}, {"unit"}),
    "decline": ({"dispatched"}, "verified", UNIT, {"reason"}),
    "follow_up": ({"dispatched"}, "followed_up", UNIT, {"response"}),
    "reply": ({"followed_up"}, "dispatched", {"reporter", *ADMINS}, {"message"}),
    "close": ({"followed_up"}, "closed", {"system", *ADMINS, "reporter"}, set()),
    "reopen": ({"closed"}, "dispatched", ADMINS, {"reason"}),
    "comment": (OPEN, None, ALL_ROLES, {"message"}),
    "escalate": (OPEN, None, {"system", *ADMINS, "regional_head"}, {"level", "to"}),
}

STATES = {
    "submitted": ("Belum Terverifikasi", False),
    "on_hold": ("Ditunda", False),
    "verified": ("Terverifikasi", False),
    "dispatched": ("Terdisposisi", False),
    "followed_up": ("Ditindaklanjuti", False),
    "closed": ("Selesai", True),
    "archived": ("Diarsipkan", True),
}


@pytest.mark.parametrize("name", sorted(STATES))
def test_preset_states_have_the_official_labels(workflow: Workflow, name: str) -> None:
    label, terminal = STATES[name]
    state = workflow.state(name)
    assert (state.label, state.terminal) == (label, terminal)


def test_preset_has_no_other_states_than_new_and_the_listed_ones(workflow: Workflow) -> None:
    assert {s.name for s in workflow.states} == {"new", *STATES}
    assert workflow.initial == "new"


@pytest.mark.parametrize("name", sorted(SPEC))
def test_preset_action_matches_the_specification(workflow: Workflow, name: str) -> None:
    sources, dest, roles, required = SPEC[name]
    action = workflow.action(name)
    assert set(action.sources) == sources
    assert action.dest == dest
    assert action.roles == roles
    assert {f.name for f in action.fields if f.required} == required
    assert action.label
    assert action.label_en


def test_preset_has_exactly_the_specified_actions(workflow: Workflow) -> None:
    assert {a.name for a in workflow.actions} == set(SPEC)


def test_preset_scopes_unit_roles_to_their_unit(workflow: Workflow) -> None:
    assert workflow.unit_roles == UNIT
    assert workflow.roles == ALL_ROLES


def test_preset_is_built_once_and_equal_to_itself(workflow: Workflow) -> None:
    from pengaduan.presets import lapor_workflow

    assert lapor_workflow() is workflow
    assert workflow == workflow.evolve()
    assert hash(workflow) == hash(workflow.evolve())


def test_mermaid_diagram_names_every_transition_and_label(workflow: Workflow) -> None:
    diagram = workflow.to_mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    assert "    [*] --> new" in diagram
    assert "    submitted --> on_hold: hold" in diagram
    assert "forward" not in diagram
    assert "    dispatched --> dispatched: forward" in workflow.to_mermaid(loops=True)
    assert "Belum Terverifikasi" in diagram
    assert "    closed --> [*]" in diagram
    assert "Belum" not in workflow.to_mermaid(labels=False)


def test_the_lifecycle_page_shows_the_current_diagram_and_actions(workflow: Workflow) -> None:
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow.to_mermaid()}```" in page
    for action in workflow.actions:
        sources = ", ".join(f"`{s}`" for s in action.sources)
        dest = f"`{action.dest}`" if action.dest else "(unchanged)"
        roles = ", ".join(f"`{r}`" for r in sorted(action.roles))
        required = ", ".join(f"`{f.name}`" for f in action.fields if f.required) or "-"
        optional = ", ".join(f"`{f.name}`" for f in action.fields if not f.required) or "-"
        cells = (f"`{action.name}`", action.label, sources, dest, roles, required, optional)
        row = "| " + " | ".join(cells) + " |"
        assert row in page, f"docs/lifecycle.md is stale for {action.name!r}"
