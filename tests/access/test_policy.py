"""The redaction policy: personal fields by path, extended by a workflow or by the app."""

from __future__ import annotations

import json

import pytest

from pengaduan import Actor, Channel, Event, Facts, Location, Reporter
from pengaduan.access import (
    DEFAULT_POLICY,
    PrivacyPolicy,
    Standing,
    Viewer,
    json_feed,
    personal_paths,
    standing,
    summary,
    view,
    visible,
)
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Action, Field, FieldKind, State, Workflow

from .conftest import NAME, PHONE, at, build

HANDLER = Viewer.staff("unit_operator", "dinas-pu")


def test_the_default_personal_fields_are_the_reporter_their_account_and_the_address() -> None:
    expected = {"reporter", "reporter_account", "location.address"}
    assert DEFAULT_POLICY.personal_fields == expected
    assert personal_paths(lapor_workflow()) == expected


def test_an_app_marks_a_nested_field_personal_and_only_that_part_goes() -> None:
    policy = DEFAULT_POLICY.with_personal_fields("location.village")
    complaint = build(
        anonymous=True,
        stage="dispatched",
        extra_submit={"location": {"address": "Jl. Mawar 3", "district": "Lawang Kidul"}},
    )
    seen = view(complaint, HANDLER, privacy=policy, workflow=lapor_workflow())
    assert seen.facts is not None
    assert seen.facts.location == Location(district="Lawang Kidul")
    assert seen.events[0].data["location"] == {"district": "Lawang Kidul"}
    assert (
        view(complaint, Viewer.staff("admin_agency"), privacy=policy, workflow=lapor_workflow())
        == complaint
    )
    # The address is personal by default; an app may make it plain data again.
    assert view(complaint, HANDLER, workflow=lapor_workflow()).facts.location.address is None  # type: ignore[union-attr]
    plain = PrivacyPolicy(personal_fields={"reporter", "reporter_account"})
    assert (
        view(complaint, HANDLER, privacy=plain, workflow=lapor_workflow()).facts.location.address
        == "Jl. Mawar 3"
    )  # type: ignore[union-attr]


def test_a_whole_path_wins_over_a_nested_one() -> None:
    policy = PrivacyPolicy(personal_fields={"location", "location.address", "reporter"})
    complaint = build(
        anonymous=True, stage="dispatched", extra_submit={"location": {"district": "X"}}
    )
    seen = view(complaint, HANDLER, privacy=policy, workflow=lapor_workflow())
    assert seen.facts is not None
    assert seen.facts.location is None
    assert "location" not in seen.events[0].data


@pytest.mark.parametrize("path", ["", "reporter.", ".name", "a..b"])
def test_a_malformed_path_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="dotted path"):
        PrivacyPolicy(personal_fields={path})


def _custom_workflow() -> Workflow:
    states = (State("new", "Baru"), State("open", "Terbuka"), State("done", "Selesai"))
    actions = (
        Action(
            "submit",
            ("new",),
            "open",
            {"citizen", "clerk"},
            (
                Field("title"),
                Field("body"),
                Field("channel", FieldKind.CHANNEL),
                Field("privacy", FieldKind.PRIVACY, required=False),
                Field("reporter", FieldKind.REPORTER, required=False),
                Field("home_address", required=False, personal=True),
            ),
            updates_facts=True,
            unit_scoped=False,
        ),
        Action("note", ("open",), None, {"citizen", "clerk"}, (Field("witness", personal=True),)),
        Action("finish", ("open",), "done", {"clerk"}),
    )
    return Workflow("desa", "1", states, actions, owner_roles={"citizen"})


def test_a_custom_workflow_extends_the_policy_by_marking_fields_personal() -> None:
    workflow = _custom_workflow()
    assert personal_paths(workflow) == {
        "reporter",
        "reporter_account",
        "location.address",
        "home_address",
        "witness",
    }
    citizen = Actor("c-1", "citizen")
    complaint = workflow.apply(
        workflow.new("K-1"),
        "submit",
        citizen,
        at(0),
        {
            "title": "Banjir",
            "body": "Saluran tersumbat",
            "channel": "web",
            "privacy": {"anonymous": True},
            "reporter": {"name": NAME},
            "home_address": "Jl. Melati 9",
        },
    )
    complaint = workflow.apply(complaint, "note", citizen, at(1), {"witness": "Pak Darto"})
    policy = PrivacyPolicy(public_states={"open", "done"})
    clerk = Viewer.staff("clerk")
    assert standing(complaint, clerk, workflow=workflow, privacy=policy) is Standing.STAFF
    for viewer in (clerk, Viewer.public()):
        text = json.dumps(json_feed([complaint], viewer, workflow=workflow, privacy=policy))
        for secret in (NAME, "Jl. Melati 9", "Pak Darto", "c-1"):
            assert secret not in text, (viewer, secret)
        assert "Saluran tersumbat" in text
    owner = Viewer.reporter("c-1", role="citizen")
    assert view(complaint, owner, workflow=workflow, privacy=policy) == complaint
    wrong_role = Viewer.reporter("c-1")  # "reporter" is no role of this workflow
    assert standing(complaint, wrong_role, workflow=workflow) is Standing.PUBLIC


def test_public_states_none_publishes_every_submitted_complaint() -> None:
    complaint = build(stage="submitted")
    assert not visible(complaint, workflow=lapor_workflow())
    assert visible(complaint, privacy=PrivacyPolicy(public_states=None), workflow=lapor_workflow())


def test_a_policy_may_trust_other_roles_or_let_them_see_confidential_complaints() -> None:
    complaint = build(anonymous=True, confidential=True)
    regent = Viewer.staff("regional_head")
    assert not visible(complaint, regent, workflow=lapor_workflow())
    sees = PrivacyPolicy(confidential_roles={"regional_head"})
    seen = view(complaint, regent, privacy=sees, workflow=lapor_workflow())
    assert seen.facts is not None
    assert seen.facts.reporter is None, "confidential access does not reveal the anonymous"
    trusted = PrivacyPolicy(trusted_roles={"regional_head"})
    assert view(complaint, regent, privacy=trusted, workflow=lapor_workflow()) == complaint
    assert not visible(
        complaint, Viewer.staff("admin_agency"), privacy=trusted, workflow=lapor_workflow()
    )
    # The default lets the Ombudsman read rahasia complaints (the preset ladder copies it),
    # and a policy may take that away.
    ombudsman = Viewer.staff("ombudsman")
    assert view(complaint, ombudsman, workflow=lapor_workflow()).facts.reporter is None
    assert not visible(
        complaint,
        ombudsman,
        privacy=PrivacyPolicy(confidential_roles=()),
        workflow=lapor_workflow(),
    )


def test_a_summary_for_a_message_keeps_what_the_recipient_may_see() -> None:
    complaint = build(anonymous=True, stage="dispatched")
    for_unit = summary(complaint, HANDLER, workflow=lapor_workflow())
    assert for_unit["reporter"] is None
    assert for_unit["title"] == "Pungutan liar di kantor desa"
    assert (for_unit["unit"], for_unit["anonymous"], for_unit["hidden"]) == (
        "dinas-pu",
        True,
        False,
    )
    assert (
        summary(complaint, Viewer.staff("admin_national"), workflow=lapor_workflow())["reporter"][
            "phone"
        ]
        == PHONE
    )
    hidden = summary(
        build(confidential=True), Viewer.staff("regional_head"), workflow=lapor_workflow()
    )
    assert hidden == {"id": "C-1", "state": "followed_up", "hidden": True}


def test_viewers_describe_themselves_without_their_account() -> None:
    assert Viewer.public().describe() == "the public"
    assert Viewer.public().is_public
    assert Viewer.staff("unit_head", "dinas-pu").describe() == "role 'unit_head' of unit 'dinas-pu'"
    reporter = Viewer.reporter("0812345678")
    assert "0812345678" not in reporter.describe()
    assert "0812345678" not in repr(reporter)
    assert Viewer.of(Actor("op", "unit_operator", "x")) == Viewer(
        role="unit_operator", unit="x", account="op"
    )


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        # An Actor passed for a staff role by its role and unit, and failed for a reporter on
        # the missing `account` with an AttributeError.
        (Actor("warga-17", "reporter"), "not Actor: Viewer.of(actor) is the viewer an actor is"),
        (Actor("op", "unit_operator", "dinas-pu"), "not Actor: Viewer.of(actor)"),
        ("public", "not str: build one with Viewer.public()"),
        (None, "not NoneType: build one with"),
    ],
    ids=["reporter-actor", "staff-actor", "text", "none"],
)
def test_something_other_than_a_viewer_is_refused_saying_what_to_pass(
    given: object, hint: str
) -> None:
    complaint = build(stage="dispatched")
    for look in (standing, view, summary, visible):
        with pytest.raises(TypeError) as caught:
            look(complaint, given, workflow=lapor_workflow())  # type: ignore[arg-type]
        assert "a viewer must be a pengaduan.access.Viewer" in str(caught.value)
        assert hint in str(caught.value)
        assert "warga-17" not in str(caught.value)


def test_records_print_no_personal_values() -> None:
    reporter = Reporter(name=NAME, phone=PHONE, email="a@b.id", nik="1603014502900001")
    facts = Facts("Judul rahasia", "Isi yang panjang", Channel.SMS, reporter=reporter)
    event = Event("e1", "C-1", "submit", at(0), Actor("warga", "reporter"), {"reporter": {}})
    location = Location(address="Jl. Mawar 3", district="Lawang Kidul")
    assert repr(reporter) == (
        "Reporter(name=<hidden>, phone=<hidden>, email=<hidden>, nik=<hidden>)"
    )
    assert (
        repr(Reporter(phone=PHONE)) == "Reporter(name=None, phone=<hidden>, email=None, nik=None)"
    )
    assert "title=<13 chars>, body=<16 chars>" in repr(facts)
    assert "Judul" not in repr(facts)
    assert "data={'reporter': ...}" in repr(event)
    assert "Mawar" not in repr(location)
    assert "Lawang Kidul" in repr(location)


def test_the_preset_marks_the_reporter_and_account_fields_personal() -> None:
    submit = lapor_workflow().action("submit")
    marked = {field.name for field in submit.fields if field.personal}
    assert marked == {"reporter", "reporter_account"}


def test_a_reporters_actor_id_is_not_in_the_repr_an_officials_is() -> None:
    assert repr(Actor(PHONE, "reporter")) == "Actor(id=<hidden>, role='reporter', unit=None)"
    assert PHONE not in repr(Event("e1", "C-1", "comment", at(0), Actor(PHONE, "reporter")))
    assert repr(Actor("op-pu", "unit_operator", "dinas-pu")) == (
        "Actor(id='op-pu', role='unit_operator', unit='dinas-pu')"
    )


def test_restricted_free_text_is_withheld_from_the_public_and_other_units_not_the_handler() -> None:
    policy = DEFAULT_POLICY.restrict("body", "response")
    complaint = build(stage="followed_up")
    body = complaint.facts.body  # type: ignore[union-attr]
    for viewer in (Viewer.public(), Viewer.staff("unit_operator", "dinas-kesehatan")):
        seen = view(complaint, viewer, privacy=policy, workflow=lapor_workflow())
        assert seen.facts.body is None  # type: ignore[union-attr]
        assert all("response" not in e.data and "body" not in e.data for e in seen.events)
        assert body not in str(
            json_feed([complaint], viewer, privacy=policy, workflow=lapor_workflow())
        )
    for viewer in (HANDLER, Viewer.staff("admin_agency"), Viewer.reporter("warga-17")):
        seen = view(complaint, viewer, privacy=policy, workflow=lapor_workflow())
        assert seen.facts.body == body  # type: ignore[union-attr]
        assert [e.data.get("response") for e in seen.events] == [
            e.data.get("response") for e in complaint.events
        ]
    # Without the restriction the body is plain data, as before.
    assert view(complaint, workflow=lapor_workflow()).facts.body == body  # type: ignore[union-attr]
