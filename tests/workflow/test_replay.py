"""Replay: a history rebuilds exactly the complaints that applying it built, idempotently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan import Actor, Complaint, Event, RefusedError
from pengaduan.presets import lapor_workflow

from .conftest import ADMIN, HEAD, NATIONAL, OPERATOR, OTHER_OPERATOR, REGENT, REPORTER, SYSTEM, T0

WORKFLOW = lapor_workflow()
ACTORS = [REPORTER, ADMIN, NATIONAL, OPERATOR, OTHER_OPERATOR, HEAD, SYSTEM, REGENT]
DATA = {
    "submit": {"title": "t", "body": "b", "channel": "sms"},
    "hold": {"reason": "r"},
    "verify": {"classification": "aspirasi"},
    "archive": {"reason": "r"},
    "dispatch": {"unit": "dinas-pu"},
    "forward": {"unit": "dinas-kesehatan"},
    "decline": {"reason": "r"},
    "follow_up": {"response": "r"},
    "reply": {"message": "m"},
    "reopen": {"reason": "r"},
    "comment": {"message": "m"},
    "escalate": {"level": 1, "to": "unit_head"},
}
ACTIONS = [*sorted(a.name for a in WORKFLOW.actions), "approve"]

steps = st.lists(
    st.tuples(
        st.sampled_from(["C-1", "C-2", "C-3"]),
        st.sampled_from(ACTIONS),
        st.sampled_from(ACTORS),
        st.integers(min_value=-2, max_value=48),
    ),
    max_size=60,
)


def record(history: list[tuple[str, str, Actor, int]]) -> tuple[list[Event], dict[str, Complaint]]:
    """Apply random steps one by one; keep the accepted events and the complaints."""
    complaints: dict[str, Complaint] = {}
    accepted: list[Event] = []
    clock = {"C-1": 0, "C-2": 0, "C-3": 0}
    for number, (cid, action, actor, hours) in enumerate(history):
        clock[cid] += hours
        event = Event(
            f"e{number}", cid, action, T0 + timedelta(hours=clock[cid]), actor, DATA.get(action, {})
        )
        before = complaints.get(cid, WORKFLOW.new(cid))
        try:
            complaints[cid] = WORKFLOW.apply_event(before, event)
        except RefusedError:
            assert complaints.get(cid, WORKFLOW.new(cid)) == before
            continue
        accepted.append(event)
    return accepted, complaints


@settings(max_examples=200)
@given(steps)
def test_replaying_the_accepted_events_rebuilds_the_same_complaints(history) -> None:
    accepted, complaints = record(history)
    assert WORKFLOW.replay(accepted) == complaints


@given(steps)
def test_replay_is_idempotent_over_repeated_events(history) -> None:
    accepted, complaints = record(history)
    assert WORKFLOW.replay(accepted + accepted) == complaints


@given(steps)
def test_replay_with_refusals_reports_each_and_keeps_the_rest(history) -> None:
    accepted, complaints = record(history)
    everything = []
    clock = {"C-1": 0, "C-2": 0, "C-3": 0}
    for number, (cid, action, actor, hours) in enumerate(history):
        clock[cid] += hours
        everything.append(
            Event(
                f"e{number}",
                cid,
                action,
                T0 + timedelta(hours=clock[cid]),
                actor,
                DATA.get(action, {}),
            )
        )
    refusals: list[tuple[Event, RefusedError]] = []
    rebuilt = WORKFLOW.replay(everything, on_refused=lambda e, err: refusals.append((e, err)))
    assert rebuilt == complaints
    assert len(refusals) == len(everything) - len(accepted)
    assert all(err.complaint_id == e.complaint for e, err in refusals)


@given(steps)
def test_state_is_always_one_the_workflow_defines(history) -> None:
    _, complaints = record(history)
    for complaint in complaints.values():
        assert complaint.state in {s.name for s in WORKFLOW.states}
        assert complaint.events, "a complaint exists only once something was accepted"
        assert complaint.events[0].action == "submit"
        assert all(
            a.at <= b.at for a, b in zip(complaint.events, complaint.events[1:], strict=False)
        )


def test_replay_without_handler_raises_the_first_refusal() -> None:
    events = [Event("e1", "C-1", "verify", T0, ADMIN, DATA["verify"])]
    with pytest.raises(RefusedError) as info:
        WORKFLOW.replay(events)
    assert info.value.event_id == "e1"


def test_replay_refuses_an_id_reused_across_complaints() -> None:
    first = Event("e1", "C-1", "submit", T0, REPORTER, DATA["submit"])
    clash = Event("e1", "C-2", "submit", T0, REPORTER, DATA["submit"])
    refusals = []
    complaints = WORKFLOW.replay([first, clash], on_refused=lambda e, err: refusals.append(err))
    assert list(complaints) == ["C-1"]
    assert type(refusals[0]).__name__ == "DuplicateEventError"
