"""The shared event log behind `Complaint.events`: appends that copy nothing, same answers.

A complaint and those derived from it by `apply_event` share one append-only list; these
properties check that the fast path (shared list, id index) accepts and refuses exactly what
a complaint rebuilt from a plain tuple does, with the same errors and the same result, and
that complaints keep their value semantics.
"""

from __future__ import annotations

import pickle
import threading
from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan import Complaint, DuplicateEventError, Event, RefusedError
from pengaduan.presets import lapor_workflow

from .conftest import ADMIN, REPORTER, SUBMIT, T0
from .test_replay import ACTORS, DATA, steps

WORKFLOW = lapor_workflow()


def fresh(complaint: Complaint) -> Complaint:
    """The same complaint rebuilt from a plain tuple: its own list, no index, no sharing."""
    return Complaint(
        complaint.id, complaint.state, tuple(complaint.events), complaint.facts, complaint.unit
    )


def outcome(complaint: Complaint, event: Event) -> tuple[str, object]:
    try:
        return "accepted", WORKFLOW.apply_event(complaint, event)
    except RefusedError as error:
        return "refused", (type(error), str(error), error.event_id)


def events_of(history: list[tuple[str, str, object, int]]) -> list[Event]:
    clock = {"C-1": 0, "C-2": 0, "C-3": 0}
    made = []
    for number, (cid, action, actor, hours) in enumerate(history):
        clock[cid] += hours
        at = T0 + timedelta(hours=clock[cid])
        made.append(Event(f"e{number % 7}", cid, action, at, actor, DATA.get(action, {})))
    return made


@settings(max_examples=200)
@given(steps, st.randoms(use_true_random=False))
def test_shared_log_accepts_and_refuses_exactly_what_a_plain_tuple_does(history, rng) -> None:
    # Ids repeat (e0..e6), so duplicates, idempotent repeats and clashes all occur; events are
    # sometimes applied to an older complaint (a branch of the shared list).
    seen: dict[str, list[Complaint]] = {}
    for event in events_of(history):
        versions = seen.setdefault(event.complaint, [WORKFLOW.new(event.complaint)])
        base = versions[-1] if rng.random() < 0.7 else rng.choice(versions)
        fast = outcome(base, event)
        slow = outcome(fresh(base), event)
        assert fast[0] == slow[0]
        if fast[0] == "refused":
            assert fast[1] == slow[1]
            continue
        result = fast[1]
        assert isinstance(result, Complaint)
        assert result == slow[1]
        assert hash(result) == hash(slow[1])
        assert result.events == slow[1].events
        assert isinstance(result.events, tuple)
        assert result.version == len(result.events)
        versions.append(result)
    # Every complaint kept still holds exactly the events it held when it was made.
    for versions in seen.values():
        for complaint in versions:
            assert complaint.events == tuple(complaint.events[: complaint.version])
            assert complaint == fresh(complaint)


@given(st.lists(st.sampled_from(ACTORS), min_size=1, max_size=5), st.integers(0, 2999))
def test_recorded_ids_are_found_at_any_depth_of_a_long_history(actors, probe) -> None:
    complaint = WORKFLOW.apply_event(
        WORKFLOW.new("C-1"), Event("e0", "C-1", "submit", T0, REPORTER, SUBMIT)
    )
    for number in range(1, 3000):
        at = T0 + timedelta(minutes=number)
        event = Event(f"e{number}", "C-1", "comment", at, ADMIN, {"message": f"m{number}"})
        complaint = WORKFLOW.apply_event(complaint, event)
    recorded = complaint.events[probe]
    # The very same event again: a no-op returning the complaint itself.
    assert WORKFLOW.apply_event(complaint, recorded) is complaint
    # Its id for another event: refused, naming the recorded action.
    other = attrs.evolve(recorded, data={"message": "another"}, actor=actors[0])
    with pytest.raises(DuplicateEventError) as refused:
        WORKFLOW.apply_event(complaint, other)
    assert refused.value.event_id == recorded.id
    assert fresh(complaint) == complaint


def test_an_older_complaint_does_not_see_events_applied_to_a_newer_one() -> None:
    submitted = WORKFLOW.apply(WORKFLOW.new("C-1"), "submit", REPORTER, T0, SUBMIT)
    first = WORKFLOW.apply(submitted, "comment", ADMIN, T0 + timedelta(hours=1), {"message": "a"})
    second = WORKFLOW.apply(submitted, "comment", ADMIN, T0 + timedelta(hours=2), {"message": "b"})
    assert submitted.version == 1
    assert submitted.events == (submitted.last_event,)
    assert [e.data["message"] for e in first.events[1:]] == ["a"]
    assert [e.data["message"] for e in second.events[1:]] == ["b"]
    assert first != second
    # Each branch recorded its own event under the id "C-1#2": each finds its own.
    assert first.events[1].id == second.events[1].id == "C-1#2"
    assert WORKFLOW.apply_event(second, second.events[1]) is second
    assert WORKFLOW.apply_event(first, first.events[1]) is first
    with pytest.raises(DuplicateEventError):
        WORKFLOW.apply_event(second, first.events[1])
    with pytest.raises(DuplicateEventError):
        WORKFLOW.apply_event(first, second.events[1])
    # The older complaint still has no event of that id.
    assert WORKFLOW.apply_event(submitted, second.events[1]) == second


def test_complaints_keep_value_semantics() -> None:
    complaint = WORKFLOW.apply(WORKFLOW.new("C-1"), "submit", REPORTER, T0, SUBMIT)
    later = WORKFLOW.apply(complaint, "comment", ADMIN, T0 + timedelta(hours=1), {"message": "m"})
    same = Complaint("C-1", later.state, list(later.events), later.facts, later.unit)
    assert later == same
    assert hash(later) == hash(same)
    assert {later, same} == {later}
    assert pickle.loads(pickle.dumps(later)) == later
    assert attrs.evolve(later, events=later.events[:1]) == fresh(complaint)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        later.state = "closed"  # type: ignore[misc]
    assert repr(later).startswith("Complaint(id='C-1', state='submitted', events=<2 events>")
    assert later.events[-1] is later.last_event
    assert later.events[0].at == later.submitted_at


def test_threads_appending_to_one_complaint_each_get_their_own_history() -> None:
    base = WORKFLOW.apply(WORKFLOW.new("C-1"), "submit", REPORTER, T0, SUBMIT)
    results: dict[int, Complaint] = {}

    def work(number: int) -> None:
        complaint = base
        for step in range(200):
            at = T0 + timedelta(seconds=step + 1)
            event = Event(f"t{number}-{step}", "C-1", "comment", at, ADMIN, {"message": "m"})
            complaint = WORKFLOW.apply_event(complaint, event)
        results[number] = complaint

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert base.version == 1
    for number, complaint in results.items():
        assert [e.id for e in complaint.events[1:]] == [f"t{number}-{s}" for s in range(200)]
        assert complaint == fresh(complaint)


def test_replay_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    events = [Event("e1", "C-1", "submit", T0, REPORTER, SUBMIT)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert WORKFLOW.replay(events)["C-1"].version == 1
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    bad = [*events, Event("e2", "C-1", "close", T0, ADMIN, {})]
    with pytest.raises(RefusedError):
        WORKFLOW.replay(bad)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    # Objects the host froze stay frozen; a disabled collector stays disabled.
    gc.freeze()
    try:
        WORKFLOW.replay(events)
        # Still frozen (an unfreeze would leave none; the count itself may drop as frozen
        # objects die meanwhile).
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        WORKFLOW.replay(events)
        assert not gc.isenabled()
    finally:
        gc.enable()
