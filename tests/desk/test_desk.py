"""The desk's writes: load, judge, append at the version read, retry; request ids; reads."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from desk_helpers import ADMIN, OPERATOR, REPORTER, START, SUBMISSION, Interrupting, dispatched

import pengaduan
from pengaduan.access import Viewer
from pengaduan.desk import AsyncDesk, Desk, Outcome
from pengaduan.exceptions import (
    ActionNotAllowedError,
    ConflictError,
    NaiveDatetimeError,
    NotVisibleError,
    RequestReusedError,
    RetriesExhaustedError,
    RoleNotPermittedError,
    UnknownComplaintError,
)
from pengaduan.model import Actor
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.sla import ClockStatus
from pengaduan.store import InMemoryStore
from pengaduan.testing import ManualClock


def test_the_desk_is_importable_from_the_package_root_and_binds_the_presets() -> None:
    desk = pengaduan.Desk(InMemoryStore(workflow=lapor_workflow()))
    assert pengaduan.Desk is Desk
    assert pengaduan.AsyncDesk is AsyncDesk
    assert desk.workflow == lapor_workflow()
    assert desk.policy == lapor_policy()
    assert desk.ladder == lapor_ladder()
    assert desk.now().utcoffset() == timedelta(0)  # SystemClock, in UTC


def test_submit_appends_and_returns_the_complaint_with_its_clocks(desk: Desk) -> None:
    done = desk.submit(REPORTER, SUBMISSION, complaint_id="C-1")
    assert (done.complaint_id, done.state, done.version, done.appended, done.attempts) == (
        "C-1",
        "submitted",
        1,
        True,
        1,
    )
    assert done.complaint is not None
    assert done.complaint.facts is not None
    assert done.complaint.facts.title == "Jalan rusak"
    assert done.clocks is not None
    assert done.clocks["verification"].status is ClockStatus.RUNNING
    assert done.clocks.as_of == START
    assert desk.store.load("C-1").version == 1


def test_the_outcome_is_a_frozen_value(desk: Desk) -> None:
    done = desk.submit(REPORTER, SUBMISSION, complaint_id="C-1")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        done.state = "closed"  # type: ignore[misc]
    assert "Jalan" not in repr(done)


def test_submit_without_an_id_makes_one(desk: Desk) -> None:
    first = desk.submit(REPORTER, SUBMISSION)
    second = desk.submit(REPORTER, SUBMISSION)
    assert first.complaint_id != second.complaint_id
    assert first.complaint_id.startswith("C-")


def test_act_uses_the_time_source_when_no_instant_is_given(desk: Desk, clock: ManualClock) -> None:
    desk.submit(REPORTER, SUBMISSION, complaint_id="C-1")
    clock.advance(timedelta(hours=2))
    done = desk.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
    assert desk.store.load("C-1").events[-1].at == START + timedelta(hours=2)
    assert done.state == "verified"


def test_a_naive_instant_is_refused_and_nothing_is_written(desk: Desk) -> None:
    with pytest.raises(NaiveDatetimeError):
        desk.submit(REPORTER, SUBMISSION, complaint_id="C-1", at=START.replace(tzinfo=None))
    assert desk.store.load("C-1").version == 0


def test_a_refused_action_raises_the_workflows_error_and_writes_nothing(desk: Desk) -> None:
    desk.submit(REPORTER, SUBMISSION, complaint_id="C-1")
    with pytest.raises(ActionNotAllowedError) as caught:
        desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"})
    assert caught.value.state == "submitted"
    with pytest.raises(RoleNotPermittedError):
        desk.act("C-1", "verify", REPORTER, {"classification": "pengaduan"})
    assert desk.store.load("C-1").version == 1


def test_a_conflict_is_retried_on_the_fresh_state(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    # Between our read and our append, an admin comments: our append meets a conflict.
    store.before_append.append(lambda: desk.act("C-1", "comment", ADMIN, {"message": "cek"}))
    done = racing.act("C-1", "follow_up", OPERATOR, {"response": "Sudah ditambal"})
    assert done.attempts == 2
    assert done.appended
    assert [e.action for e in desk.store.load("C-1").events][-2:] == ["comment", "follow_up"]


def test_after_a_conflict_the_action_is_judged_again_and_may_be_refused(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    # Another operator followed up first: a second follow-up is no longer allowed.
    store.before_append.append(
        lambda: desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"})
    )
    with pytest.raises(ActionNotAllowedError) as caught:
        racing.act("C-1", "follow_up", OPERATOR, {"response": "Sudah juga"})
    assert caught.value.state == "followed_up"
    assert [e.action for e in desk.store.load("C-1").events].count("follow_up") == 1


def test_retries_are_bounded_then_a_specific_error(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock, retries=2)  # type: ignore[arg-type]
    for n in range(3):
        store.before_append.append(
            lambda n=n: desk.act("C-1", "comment", ADMIN, {"message": f"catatan {n}"})
        )
    with pytest.raises(RetriesExhaustedError) as caught:
        racing.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"})
    error = caught.value
    assert isinstance(error, ConflictError)
    assert (error.attempts, error.action, error.complaint_id) == (3, "follow_up", "C-1")
    assert "3 attempts" in str(error)
    assert "follow_up" not in [e.action for e in desk.store.load("C-1").events]


def test_a_negative_retry_count_or_backoff_is_refused() -> None:
    with pytest.raises(ValueError, match="retries"):
        Desk(InMemoryStore(workflow=lapor_workflow()), retries=-1)
    with pytest.raises(ValueError, match="backoff"):
        Desk(InMemoryStore(workflow=lapor_workflow()), backoff=-0.1)


def test_the_same_request_again_appends_nothing_and_returns_the_same_outcome(
    desk: Desk, clock: ManualClock
) -> None:
    dispatched(desk)
    first = desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"}, request_id="r-9")
    desk.act("C-1", "comment", ADMIN, {"message": "cek"})
    clock.advance(timedelta(hours=1))
    again = desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"}, request_id="r-9")
    assert again.appended is False
    assert first.appended is True
    assert attrs.evolve(again, appended=True) == first
    assert [e.action for e in desk.store.load("C-1").events].count("follow_up") == 1


def test_a_retried_submission_without_a_complaint_id_finds_its_complaint(desk: Desk) -> None:
    first = desk.submit(REPORTER, SUBMISSION, request_id="form-1")
    again = desk.submit(REPORTER, SUBMISSION, request_id="form-1")
    assert again.complaint_id == first.complaint_id
    assert not again.appended
    assert sum(1 for _ in desk.store.complaints()) == 1


def test_another_request_under_a_recorded_request_id_is_refused(desk: Desk) -> None:
    dispatched(desk)
    desk.act("C-1", "comment", ADMIN, {"message": "satu"}, request_id="r-1")
    with pytest.raises(RequestReusedError) as caught:
        desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"}, request_id="r-1")
    assert caught.value.recorded_action == "comment"
    assert "action" in caught.value.reason
    with pytest.raises(RequestReusedError, match="data"):
        desk.act("C-1", "comment", ADMIN, {"message": "dua"}, request_id="r-1")
    assert "satu" not in str(caught.value)


def test_a_request_id_recorded_on_another_complaint_is_refused(desk: Desk) -> None:
    dispatched(desk, "C-1")
    dispatched(desk, "C-2")
    desk.act("C-1", "comment", ADMIN, {"message": "x"}, request_id="r-1")
    with pytest.raises(RequestReusedError, match="another complaint"):
        desk.act("C-2", "comment", ADMIN, {"message": "x"}, request_id="r-1")
    assert desk.store.load("C-2").version == 3


def test_a_concurrent_retry_of_the_same_request_is_answered_once(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    first: list[Outcome] = []
    # The same request, retried by the client, lands between our read and our append.
    store.before_append.append(
        lambda: first.append(desk.act("C-1", "comment", ADMIN, {"message": "x"}, request_id="r-1"))
    )
    racing.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    late = racing.act("C-1", "comment", ADMIN, {"message": "x"}, request_id="r-1")
    assert late.appended is False
    assert late.event_id == first[0].event_id
    assert [e.action for e in desk.store.load("C-1").events].count("comment") == 1


def test_reads_are_for_a_viewer_and_never_show_what_it_may_not_see(desk: Desk) -> None:
    data = {
        **SUBMISSION,
        "privacy": {"anonymous": True},
        "reporter": {"name": "Siti Aminah", "phone": "081234567890"},
    }
    desk.submit(REPORTER, data, complaint_id="C-1")
    with pytest.raises(NotVisibleError):  # not yet published
        desk.get("C-1", Viewer.public())
    with pytest.raises(NotVisibleError):
        desk.history("C-1", Viewer.public())
    with pytest.raises(NotVisibleError):
        desk.clocks("C-1", Viewer.public())
    with pytest.raises(NotVisibleError):
        desk.explain("C-1", Viewer.public())
    own = desk.get("C-1", Viewer.reporter("warga-17"))
    assert own.facts is not None
    assert own.facts.reporter is not None
    desk.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
    desk.act("C-1", "dispatch", ADMIN, {"unit": "dinas-pu"})
    seen = desk.get("C-1", Viewer.staff("unit_operator", "dinas-pu"))
    assert seen.facts is not None
    assert seen.facts.reporter is None
    events = desk.history("C-1", Viewer.public())
    assert "Siti" not in repr(events)
    assert "0812" not in repr(events)
    assert "reporter" not in events[0].data


def test_reading_a_complaint_never_submitted_is_an_unknown_complaint(desk: Desk) -> None:
    with pytest.raises(UnknownComplaintError):
        desk.get("C-404", Viewer.staff("admin_agency"))


def test_clocks_and_explain_answer_as_of_an_instant(desk: Desk, clock: ManualClock) -> None:
    dispatched(desk)
    admin = Viewer.staff("admin_agency")
    later = START + timedelta(days=14)
    clocks = desk.clocks("C-1", admin, as_of=later)
    assert clocks.as_of == later
    assert clocks["follow_up"].breached
    assert desk.clocks("C-1", admin).as_of == clock.now()
    assert "follow_up" in str(desk.explain("C-1", admin, as_of=later))


def test_overdue_lists_the_complaints_with_an_open_breached_clock(desk: Desk) -> None:
    dispatched(desk, "C-1")
    dispatched(desk, "C-2")
    desk.act("C-2", "follow_up", OPERATOR, {"response": "Sudah"})
    desk.submit(REPORTER, SUBMISSION, complaint_id="C-3")
    later = START + timedelta(days=8)
    admin = Viewer.staff("admin_agency")
    assert [s.id for s in desk.overdue(admin, as_of=later)] == ["C-1", "C-3"]
    assert [s.id for s in desk.overdue(admin, as_of=later, clock="follow_up")] == ["C-1"]
    assert [s.id for s in desk.overdue(admin, as_of=later, unit="dinas-pu")] == ["C-1"]
    assert desk.overdue(admin, as_of=START) == ()
    # The public does not see the unverified C-3.
    assert [s.id for s in desk.overdue(Viewer.public(), as_of=later)] == ["C-1"]


def test_the_outcome_shows_the_complaint_as_the_actor_may_see_it(desk: Desk) -> None:
    data = {
        **SUBMISSION,
        "privacy": {"anonymous": True, "confidential": True},
        "reporter": {"name": "Siti"},
    }
    desk.submit(REPORTER, data, complaint_id="C-1")
    desk.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
    desk.act("C-1", "dispatch", ADMIN, {"unit": "dinas-pu"})
    done = desk.act("C-1", "comment", OPERATOR, {"message": "Kami cek"})
    assert done.complaint is not None
    assert done.complaint.facts is not None
    assert done.complaint.facts.reporter is None  # anonymous: not for the unit
    outsider = Actor("op-x", "unit_operator", "dinas-lain")
    with pytest.raises(NotVisibleError):  # rahasia: only for those handling it
        desk.get("C-1", Viewer.of(outsider))


def test_an_actor_who_may_not_see_the_complaint_gets_no_copy_of_it(desk: Desk) -> None:
    data = {**SUBMISSION, "privacy": {"confidential": True}, "reporter": {"name": "Siti"}}
    desk.submit(REPORTER, data, complaint_id="C-1")
    # The regent does not see rahasia complaints (the Ombudsman, a confidential role, does).
    done = desk.act("C-1", "comment", Actor("bupati", "regional_head"), {"message": "Dipantau"})
    assert (done.state, done.version, done.appended) == ("submitted", 2, True)
    assert done.complaint is None
    assert done.clocks is None


def test_a_concurrent_identical_retry_at_the_same_instant_is_answered_once(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    request = ("C-1", "comment", ADMIN, {"message": "x"})
    # The very same event (same instant) is recorded between our read and our append: the
    # store skips ours as a duplicate, and the desk answers with the recorded one.
    store.before_append.append(lambda: desk.act(*request, at=START, request_id="r-1"))
    late = racing.act(*request, at=START, request_id="r-1")
    assert late.appended is False
    assert late.attempts == 2
    assert [e.action for e in desk.store.load("C-1").events].count("comment") == 1
