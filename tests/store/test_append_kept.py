"""Appends validated against the complaint a store keeps, not a replay of its history.

A store keeps the complaints it last appended to or loaded, with the version and position they
were stored at; an append or a load whose complaint is stored unchanged starts from it. These
tests check that this fast path accepts and refuses exactly what a replay of the stored
history does (same errors, same resulting complaint) on every store, and that a write by
another store object (another process) is never missed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import ADMIN, OPERATOR, REPORTER, START, comment, lifecycle, open_spec, submit

from pengaduan import ConflictError, Event, PengaduanError
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, InMemoryStore, SQLiteStore

ACTORS = [REPORTER, ADMIN, OPERATOR]
DATA = {
    "submit": {"title": "t", "body": "b", "channel": "sms"},
    "hold": {"reason": "r"},
    "resume": {},
    "verify": {"classification": "aspirasi"},
    "dispatch": {"unit": "dinas-pu"},
    "follow_up": {"response": "r"},
    "reply": {"message": "m"},
    "comment": {"message": "m"},
    "close": {},
    "reopen": {"reason": "r"},
}

# The lifecycle most steps follow (so that most appends are accepted); a step may instead
# take a random action by a random actor, repeat an earlier event or reuse an earlier id.
PATH = [
    ("submit", REPORTER),
    ("comment", ADMIN),
    ("verify", ADMIN),
    ("dispatch", ADMIN),
    ("comment", OPERATOR),
    ("follow_up", OPERATOR),
    ("reply", REPORTER),
    ("comment", ADMIN),
]

steps = st.tuples(
    st.sampled_from(["next"] * 6 + ["random", "repeat", "reuse id"]),
    st.sampled_from(sorted(DATA)),
    st.sampled_from(ACTORS),
    st.integers(-1, 30),
)
batches = st.lists(
    st.tuples(
        st.sampled_from(["C-1", "C-2"]),
        st.lists(steps, min_size=1, max_size=3),
        st.one_of(st.none(), st.integers(0, 6)),  # expected version
    ),
    max_size=25,
)


def outcome(store: EventStore, complaint_id: str, events: list[Event], expected: int | None):
    try:
        result = store.append(complaint_id, events, expected_version=expected)
    except PengaduanError as error:
        return "refused", type(error), str(error)
    return "appended", result.complaint, result.new, result.duplicates


def run(store: EventStore, plan, *, forget: bool) -> list[object]:
    outcomes: list[object] = []
    hours = {"C-1": 0, "C-2": 0}
    made: dict[str, list[Event]] = {"C-1": [], "C-2": []}
    for complaint_id, batch, expected in plan:
        events = []
        for kind, action, actor, step in batch:
            hours[complaint_id] += step
            at = START + timedelta(hours=hours[complaint_id])
            earlier = made[complaint_id]
            number = len(earlier)
            if kind == "next":
                action, actor = PATH[min(number, len(PATH) - 1)]
            if kind == "repeat" and earlier:
                events.append(earlier[step % len(earlier)])
                continue
            if kind == "reuse id" and earlier:
                number = step % len(earlier)
            new = Event(f"{complaint_id}-{number}", complaint_id, action, at, actor, DATA[action])
            earlier.append(new)
            events.append(new)
        if forget:
            store._forget()  # every append replays the stored history, as before
        outcomes.append(outcome(store, complaint_id, events, expected))
    if forget:
        store._forget()
    outcomes.append([store.load(c) for c in ("C-1", "C-2")])
    return outcomes


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(batches)
def test_the_kept_complaint_accepts_and_refuses_exactly_what_a_replay_does(plan) -> None:
    for make in (
        lambda: InMemoryStore(lapor_workflow()),
        lambda: SQLiteStore(":memory:", workflow=lapor_workflow()),
    ):
        fast, slow = make(), make()
        try:
            assert run(fast, plan, forget=False) == run(slow, plan, forget=True)
        finally:
            fast.close()
            slow.close()


def test_a_long_history_appends_to_what_a_fresh_store_replays(spec: str) -> None:
    store = open_spec(spec)
    try:
        store.append("C-1", lifecycle("C-1")[:1])
        for number in range(2, 602):
            result = store.append("C-1", [comment("C-1", number, number / 60)])
            assert result.complaint.version == number
        retried = store.append("C-1", [comment("C-1", 300, 300 / 60)])  # an old retry
        assert retried.new == ()
        assert len(retried.duplicates) == 1
        kept = store.load("C-1")
        assert kept is result.complaint or kept == result.complaint
    finally:
        store.close()
    if spec.startswith("memory"):
        return
    reopened = open_spec(spec)
    try:
        assert reopened.load("C-1") == kept
        assert reopened.load("C-1").events == kept.events
    finally:
        reopened.close()


def test_another_writer_is_never_missed(durable_spec: str) -> None:
    one, two = open_spec(durable_spec), open_spec(durable_spec)
    try:
        one.append("C-1", [submit("C-1")])
        assert one.load("C-1").version == 1  # kept by `one`
        two.append("C-1", [comment("C-1", 2, 1)])
        # `one` keeps version 1, but the store holds 2: it reads the history again.
        assert one.load("C-1").version == 2
        with pytest.raises(ConflictError):
            one.append("C-1", [comment("C-1", 3, 2)], expected_version=1)
        two.append("C-1", [comment("C-1", 3, 2)])
        result = one.append("C-1", [comment("C-1", 4, 3)])
        assert [e.id for e in result.complaint.events] == [f"C-1#{n}" for n in range(1, 5)]
        assert result.complaint == two.load("C-1")
    finally:
        one.close()
        two.close()


def test_a_refused_append_leaves_the_kept_complaint_as_stored(store: EventStore) -> None:
    store.append("C-1", lifecycle("C-1"))
    before = store.load("C-1")
    bad = Event("C-1#9", "C-1", "verify", START + timedelta(hours=9), ADMIN, DATA["verify"])
    with pytest.raises(PengaduanError):
        store.append("C-1", [comment("C-1", 5, 8), bad])  # all or nothing
    assert store.load("C-1") == before
    result = store.append("C-1", [comment("C-1", 5, 8)])
    assert result.complaint.version == before.version + 1


def test_a_store_path_on_disk_keeps_nothing_between_objects(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    with SQLiteStore(path, workflow=lapor_workflow()) as first:
        first.append("C-1", lifecycle("C-1"))
    with SQLiteStore(path, workflow=lapor_workflow()) as second:
        assert second._recent is None
        assert second.load("C-1").version == 4


def test_a_complaint_read_with_another_workflow_version_is_not_kept(tmp_path: Path) -> None:
    from pengaduan.presets import lapor_workflow

    new = lapor_workflow()
    old = new.evolve(version="old")
    path = tmp_path / "events.db"
    with SQLiteStore(path, workflow=old) as first:
        first.append("C-1", lifecycle("C-1"))
    with SQLiteStore(path, workflow=new, workflows=[old]) as second:
        assert second.load("C-1").version == 4  # replayed by the version that wrote it
        assert second._recent is None  # ...so an append (by `new`) may not start from it
        result = second.append("C-1", [comment("C-1", 5, 9)])
        assert second.load("C-1") is result.complaint
