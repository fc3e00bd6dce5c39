"""Applying events: the paths, and every refusal (which must change nothing)."""

from __future__ import annotations

from datetime import datetime

import pytest

from pengaduan import (
    ActionNotAllowedError,
    Actor,
    Channel,
    Classification,
    ComplaintMismatchError,
    DuplicateEventError,
    Event,
    GuardRefusedError,
    InvalidDataError,
    NaiveDatetimeError,
    OutOfOrderEventError,
    OutsideUnitError,
    PengaduanError,
    Privacy,
    RefusedError,
    Reporter,
    RoleNotPermittedError,
    UnknownActionError,
    UnknownComplaintError,
)
from pengaduan.workflow import Workflow

from .conftest import (
    ADMIN,
    HEAD,
    NATIONAL,
    OPERATOR,
    OTHER_OPERATOR,
    REGENT,
    REPORTER,
    SUBMIT,
    SYSTEM,
    Story,
    at,
)


def test_a_complaint_lives_from_submission_to_closure(story: Story) -> None:
    c = story.do(
        "submit",
        REPORTER,
        {
            **SUBMIT,
            "privacy": {"anonymous": True},
            "reporter": {"name": "Siti", "phone": "0812"},
            "location": {"district": "Lawang Kidul", "latitude": -3.7, "longitude": 103.8},
        },
    )
    assert c.state == "submitted"
    assert c.facts is not None
    assert c.facts.channel is Channel.WEB
    assert c.facts.privacy == Privacy(anonymous=True)
    assert c.facts.reporter == Reporter(name="Siti", phone="0812")
    assert c.facts.external_ids == {}
    story.do("hold", ADMIN, {"reason": "Lokasi kurang jelas"})
    story.do("resume", REPORTER)
    c = story.do("verify", ADMIN, {"classification": "pengaduan", "title": "Jalan rusak parah"})
    assert (c.state, c.facts.classification, c.facts.title) == (
        "verified",
        Classification.COMPLAINT,
        "Jalan rusak parah",
    )
    assert c.facts.privacy == Privacy(anonymous=True), "verify without privacy keeps it"
    c = story.do("dispatch", NATIONAL, {"unit": "dinas-kesehatan"})
    assert (c.state, c.unit) == ("dispatched", "dinas-kesehatan")
    c = story.do("decline", OTHER_OPERATOR, {"reason": "Bukan wewenang"})
    assert (c.state, c.unit) == ("verified", None)
    story.do("dispatch", ADMIN, {"unit": "dinas-pu"})
    c = story.do("comment", HEAD, {"message": "Segera ditinjau"})
    assert c.state == "dispatched"
    story.do("escalate", REGENT, {"level": 2, "to": "unit_head"})
    story.do("follow_up", OPERATOR, {"response": "Ditambal"})
    c = story.do("reply", REPORTER, {"message": "Belum selesai"})
    assert c.state == "dispatched"
    story.do("follow_up", HEAD, {"response": "Diaspal ulang"})
    c = story.do("close", SYSTEM)
    assert c.state == "closed"
    c = story.do("reopen", ADMIN, {"reason": "Rusak lagi"})
    assert (c.state, c.unit) == ("dispatched", "dinas-pu")
    assert [e.action for e in c.events][:3] == ["submit", "hold", "resume"]
    assert c.version == len(c.events) == 14


def test_apply_returns_a_new_complaint_and_leaves_the_old_one_alone(story: Story) -> None:
    before = story.submitted().complaint
    after = story.do("verify", ADMIN, {"classification": "aspirasi"})
    assert before.state == "submitted"
    assert len(before.events) == 1
    assert after.events[:1] == before.events


def test_default_event_ids_number_the_complaints_events(story: Story) -> None:
    c = story.dispatched().complaint
    assert [e.id for e in c.events] == ["C-1#1", "C-1#2", "C-1#3"]


def test_forward_moves_the_complaint_to_another_unit_and_keeps_the_state(story: Story) -> None:
    c = story.dispatched().do("forward", OPERATOR, {"unit": "upt-jalan"})
    assert (c.state, c.unit) == ("dispatched", "upt-jalan")


def test_archive_ends_the_complaint(story: Story, workflow: Workflow) -> None:
    c = story.submitted().do("archive", ADMIN, {"reason": "Tidak dapat dipahami"})
    assert c.state == "archived"
    assert workflow.is_terminal(c)
    assert workflow.allowed_actions(c) == ()


def test_staff_submit_walk_in_complaints_for_reporters(workflow: Workflow) -> None:
    c = workflow.apply(
        workflow.new("W-1"), "submit", OPERATOR, at(0), {**SUBMIT, "channel": "walk_in"}
    )
    assert c.facts is not None
    assert c.facts.channel is Channel.WALK_IN


def test_allowed_actions_follow_state_role_and_unit(story: Story, workflow: Workflow) -> None:
    c = story.dispatched().complaint
    assert workflow.allowed_actions(c) == (
        "forward",
        "decline",
        "follow_up",
        "comment",
        "escalate",
    )
    assert workflow.allowed_actions(c, OPERATOR) == ("forward", "decline", "follow_up", "comment")
    assert workflow.allowed_actions(c, OTHER_OPERATOR) == ()
    assert workflow.allowed_actions(c, REPORTER) == ("comment",)
    assert workflow.allowed_actions(workflow.new("X"), REPORTER) == ("submit",)


def test_the_shared_machine_never_binds_a_complaint(story: Story, workflow: Workflow) -> None:
    story.followed_up()
    assert workflow.machine.models == []


# -- refusals ---------------------------------------------------------------------------


def refused(story: Story, error: type[RefusedError], action: str, actor: Actor, data=None):
    before = story.complaint
    with pytest.raises(error) as info:
        story.workflow.apply(before, action, actor, at(story.hour + 1), data)
    assert story.complaint is before
    assert info.value.complaint_id == before.id
    assert info.value.state == before.state
    assert info.value.action == action
    return info.value


def test_unknown_action_is_refused_with_the_known_ones(story: Story) -> None:
    error = refused(story.submitted(), UnknownActionError, "approve", ADMIN)
    assert isinstance(error, LookupError)
    assert "unknown action for complaint 'C-1'" in str(error)
    assert "approve" not in str(error), "an unknown name is input: not echoed"
    assert "verify" in error.allowed


def test_action_not_allowed_names_complaint_state_label_and_allowed(story: Story) -> None:
    error = refused(story.submitted(), ActionNotAllowedError, "follow_up", OPERATOR, {})
    assert str(error) == (
        "cannot 'follow_up': complaint 'C-1' is 'submitted' (Belum Terverifikasi); "
        "allowed there: hold, verify, archive, comment, escalate"
    )
    assert error.allowed == ("hold", "verify", "archive", "comment", "escalate")


def test_role_not_permitted_names_the_roles_that_may(story: Story) -> None:
    error = refused(story.submitted(), RoleNotPermittedError, "verify", REPORTER, {})
    assert isinstance(error, PermissionError)
    assert error.role == "reporter"
    assert error.roles == ("admin_agency", "admin_national")
    assert "roles that may: admin_agency, admin_national" in str(error)
    assert "this actor may: resume" not in str(error)
    assert error.allowed == ("comment",)


def test_unit_roles_may_not_act_outside_their_unit(story: Story) -> None:
    error = refused(
        story.dispatched("dinas-pu"),
        OutsideUnitError,
        "follow_up",
        OTHER_OPERATOR,
        {"response": "x"},
    )
    assert (error.actor_unit, error.complaint_unit) == ("dinas-kesehatan", "dinas-pu")
    assert "dispatched to unit 'dinas-pu'" in str(error)


def test_unit_roles_may_not_comment_before_dispatch(story: Story) -> None:
    error = refused(story.submitted(), OutsideUnitError, "comment", OPERATOR, {"message": "hi"})
    assert "not dispatched to any unit" in str(error)


@pytest.mark.parametrize(
    ("action", "data", "field", "reason"),
    [
        ("verify", {}, "classification", "is missing"),
        ("verify", {"classification": "keluhan"}, "classification", "must be one of"),
        ("verify", {"classification": "pengaduan", "title": " "}, "title", "non-empty"),
        (
            "verify",
            {"classification": "pengaduan", "privacy": {"anonim": True}},
            "privacy",
            "unknown key",
        ),
        (
            "verify",
            {"classification": "pengaduan", "privacy": {"anonymous": "yes"}},
            "privacy",
            "wrong type",
        ),
        ("hold", {"reason": 3}, "reason", "non-empty string"),
        ("escalate", {"level": 0, "to": "unit_head"}, "level", "at least 1"),
        ("escalate", {"level": True, "to": "unit_head"}, "level", "integer"),
        ("escalate", {"level": 1, "to": "bupati"}, "to", "workflow's roles"),
    ],
)
def test_missing_or_invalid_data_names_the_field(
    story: Story, action: str, data: dict[str, object], field: str, reason: str
) -> None:
    error = refused(story.submitted(), InvalidDataError, action, NATIONAL, data)
    assert error.field == field
    assert reason in error.reason
    assert f"data field {field!r}" in str(error)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "x", "channel": "web"}, "title"),
        ({**SUBMIT, "channel": "fax"}, "channel"),
        ({**SUBMIT, "reporter": {"name": 7}}, "reporter"),
        ({**SUBMIT, "location": {"latitude": 91.0}}, "location"),
        ({**SUBMIT, "location": {"longitude": float("nan")}}, "location"),
        ({**SUBMIT, "external_ids": {"lapor": ""}}, "external_ids"),
    ],
)
def test_submit_data_is_validated(workflow: Workflow, data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidDataError) as info:
        workflow.apply(workflow.new("C-9"), "submit", REPORTER, at(0), data)
    assert info.value.field == field


@pytest.mark.parametrize("data", [["message"], "message", 5], ids=["list", "str", "int"])
def test_data_that_is_not_a_mapping_is_a_type_error_naming_the_action(
    story: Story, workflow: Workflow, data: object
) -> None:
    # A list had the action's checks index it: "list indices must be integers or slices".
    complaint = story.submitted().complaint
    with pytest.raises(TypeError, match="the data of 'comment' must be a mapping of its fields"):
        workflow.apply(complaint, "comment", ADMIN, at(2), data)  # type: ignore[arg-type]
    event = Event("e-9", complaint.id, "comment", at(2), ADMIN, data)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=f"got {type(data).__name__}$"):
        workflow.apply_event(complaint, event)


def test_guard_refusal_gives_its_reason(story: Story) -> None:
    error = refused(
        story.dispatched("dinas-pu"), GuardRefusedError, "forward", OPERATOR, {"unit": "dinas-pu"}
    )
    assert error.guard == "to_another_unit"
    assert "already dispatched to unit 'dinas-pu'" in str(error)


def test_reporter_may_not_act_on_someone_elses_complaint(story: Story) -> None:
    story.followed_up()
    error = refused(
        story, GuardRefusedError, "reply", Actor("warga-99", "reporter"), {"message": "x"}
    )
    assert "they submitted themselves" in error.reason


def test_an_event_earlier_than_the_last_one_is_refused(story: Story, workflow: Workflow) -> None:
    c = story.submitted().complaint
    with pytest.raises(OutOfOrderEventError) as info:
        workflow.apply(c, "verify", ADMIN, at(0), {"classification": "aspirasi"})
    assert "earlier than its last event" in str(info.value)


def test_an_event_at_the_same_instant_as_the_last_one_is_accepted(
    story: Story, workflow: Workflow
) -> None:
    c = story.submitted().complaint
    same = workflow.apply(c, "verify", ADMIN, c.events[-1].at, {"classification": "aspirasi"})
    assert same.state == "verified"


def test_a_non_submit_event_for_an_unknown_complaint_is_refused(workflow: Workflow) -> None:
    with pytest.raises(UnknownComplaintError) as info:
        workflow.apply(
            workflow.new("C-404"), "verify", ADMIN, at(0), {"classification": "aspirasi"}
        )
    assert info.value.allowed == ("submit",)
    assert "no such complaint has been submitted" in str(info.value)


def test_recording_the_same_event_twice_is_a_no_op(story: Story, workflow: Workflow) -> None:
    c = story.dispatched().complaint
    assert workflow.apply_event(c, c.events[1]) is c


def test_reusing_an_event_id_for_other_content_is_refused(story: Story, workflow: Workflow) -> None:
    c = story.dispatched().complaint
    clash = Event("C-1#2", "C-1", "comment", at(10), ADMIN, {"message": "x"})
    with pytest.raises(DuplicateEventError) as info:
        workflow.apply_event(c, clash)
    assert info.value.event_id == "C-1#2"
    assert "already recorded with different content" in str(info.value)


def test_an_event_for_another_complaint_is_refused(story: Story, workflow: Workflow) -> None:
    c = story.submitted().complaint
    stray = Event("x", "C-2", "verify", at(5), ADMIN, {"classification": "aspirasi"})
    with pytest.raises(ComplaintMismatchError):
        workflow.apply_event(c, stray)


def test_a_naive_instant_is_refused_before_anything_else(story: Story, workflow: Workflow) -> None:
    with pytest.raises(NaiveDatetimeError):
        workflow.apply(
            story.submitted().complaint, "hold", ADMIN, datetime(2026, 3, 18), {"reason": "x"}
        )


def test_every_refusal_is_a_pengaduan_error_and_a_builtin() -> None:
    for error in (
        UnknownActionError,
        UnknownComplaintError,
        ActionNotAllowedError,
        RoleNotPermittedError,
        OutsideUnitError,
        InvalidDataError,
        GuardRefusedError,
        OutOfOrderEventError,
        DuplicateEventError,
        ComplaintMismatchError,
    ):
        assert issubclass(error, RefusedError)
        assert issubclass(error, PengaduanError)
        assert issubclass(error, ValueError | LookupError | PermissionError)
