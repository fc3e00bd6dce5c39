"""Differential, stateful: the in-memory and SQLite stores answer every sequence alike."""

from __future__ import annotations

import tempfile
from pathlib import Path

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from store_helpers import ADMIN, comment, event, lifecycle

from pengaduan.exceptions import PengaduanError
from pengaduan.model import Event
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, InMemoryStore, SQLiteStore

COMPLAINTS = ("A", "B", "C")


class StoresAgree(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.TemporaryDirectory()
        self.stores: list[EventStore] = [
            InMemoryStore(workflow=lapor_workflow()),
            SQLiteStore(Path(self.directory.name) / "events.db", workflow=lapor_workflow()),
        ]
        self.sent: list[Event] = []
        self.acknowledged: set[str] = set()

    def outcome(self, complaint: str, events: list[Event], expected: int | None) -> object:
        answers = []
        for store in self.stores:
            try:
                result = store.append(complaint, events, expected_version=expected)
            except PengaduanError as error:
                answers.append(type(error).__name__)
            else:
                answers.append(
                    (
                        [e.id for e in result.new],
                        [e.id for e in result.duplicates],
                        result.complaint.state,
                        result.position,
                    )
                )
        assert answers[0] == answers[1], answers
        if not isinstance(answers[0], str):
            self.acknowledged.update(e.id for e in events)
        return answers[0]

    def next_events(self, complaint: str, hours: float) -> list[Event]:
        version = self.stores[0].load(complaint).version
        steps = lifecycle(complaint, 0)
        if version < len(steps):
            return [attrs.evolve(steps[version], at=steps[version].at + hours_delta(hours))]
        return [comment(complaint, version + 1, 10 + hours)]

    @rule(
        complaint=st.sampled_from(COMPLAINTS),
        hours=st.floats(0, 50, allow_nan=False),
        stale=st.sampled_from([None, 0, -1, 1]),
        count=st.integers(1, 2),
    )
    def append_next(self, complaint: str, hours: float, stale: int | None, count: int) -> None:
        version = self.stores[0].load(complaint).version
        expected = None if stale is None else version + stale
        events = self.next_events(complaint, hours)
        if count == 2:
            events = events + events  # a duplicate inside the batch
        self.sent.extend(events)
        self.outcome(complaint, events, expected)

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def resend(self, data: st.DataObject) -> None:
        event_ = data.draw(st.sampled_from(self.sent))
        change = data.draw(st.sampled_from(["same", "other-data", "other-complaint"]))
        if change == "other-data":
            event_ = attrs.evolve(event_, data={**event_.data, "x": 1})
        target = event_.complaint
        if change == "other-complaint":
            target = data.draw(st.sampled_from(COMPLAINTS))
            event_ = attrs.evolve(event_, complaint=target)
        self.outcome(target, [event_], None)

    @rule(complaint=st.sampled_from(COMPLAINTS), action=st.sampled_from(["close", "teleport"]))
    def refused(self, complaint: str, action: str) -> None:
        version = self.stores[0].load(complaint).version
        self.outcome(complaint, [event(complaint, version + 1, action, ADMIN, {}, 60)], None)

    @invariant()
    def same_history(self) -> None:
        logs = [list(store.events()) for store in self.stores]
        assert logs[0] == logs[1]
        assert [c.state for c in self.stores[0].complaints()] == [
            c.state for c in self.stores[1].complaints()
        ]

    @invariant()
    def nothing_acknowledged_is_lost_and_nothing_doubled(self) -> None:
        ids = [e.id for _p, e in self.stores[1].events()]
        assert len(ids) == len(set(ids))
        assert self.acknowledged <= set(ids)

    def teardown(self) -> None:
        for store in self.stores:
            store.close()
        self.directory.cleanup()


def hours_delta(hours: float):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    return timedelta(hours=hours)


TestStoresAgree = StoresAgree.TestCase
TestStoresAgree.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
