"""The desk's scheduler: tick records what is due through the append path, once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from desk_helpers import (
    ADMIN,
    OPERATOR,
    START,
    WIB,
    Interrupting,
    dispatched,
    open_desk,
    open_store,
)

from pengaduan.desk import Desk
from pengaduan.escalation import RecordingNotifier, due, next_due_at
from pengaduan.exceptions import NaiveDatetimeError
from pengaduan.testing import ManualClock

WORKER = Path(__file__).parent / "desk_worker.py"
# Dispatched on Monday 8 June 2026: the follow-up deadline day is 15 June; 16 June is a holiday.
LATE = datetime(2026, 6, 17, 8, tzinfo=WIB)


def _escalations(desk: Desk, complaint_id: str = "C-1") -> list[str]:
    return [e.id for e in desk.store.load(complaint_id).events if e.action == "escalate"]


def test_tick_records_what_is_due_and_the_same_instant_twice_adds_nothing(desk: Desk) -> None:
    dispatched(desk)
    expected = [a.key for a in due(desk.store.load("C-1"), LATE, ladder=desk.ladder)]
    report = desk.tick(LATE)
    assert [e.id for e in report.events] == expected == _escalations(desk)
    assert [a.key for a in report.actions] == expected
    assert report.as_of == LATE
    assert report.retried == 0
    assert report.gave_up == ()
    again = desk.tick(LATE)
    assert again.events == ()
    assert again.actions == ()
    assert _escalations(desk) == expected


def test_tick_uses_the_time_source_when_no_instant_is_given(desk: Desk, clock: ManualClock) -> None:
    dispatched(desk)
    assert desk.tick().events == ()  # nothing is due yet
    clock.set(LATE)
    assert [e.at for e in desk.tick().events] == [LATE, LATE]


def test_tick_refuses_a_naive_instant(desk: Desk) -> None:
    with pytest.raises(NaiveDatetimeError):
        desk.tick(LATE.replace(tzinfo=None))


def test_each_recorded_action_is_notified_once(spec: str, clock: ManualClock) -> None:
    notifier = RecordingNotifier()
    desk = open_desk(spec, clock, notifier=notifier)
    dispatched(desk)
    desk.tick(LATE)
    desk.tick(LATE)
    desk.tick(LATE + timedelta(minutes=5))
    assert notifier.keys == _escalations(desk)
    assert len(notifier.keys) == 2
    desk.store.close()


def test_the_automatic_close_is_recorded_as_system(desk: Desk) -> None:
    dispatched(desk)
    desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah ditambal"})
    report = desk.tick(START + timedelta(days=60))
    closed = desk.store.load("C-1")
    assert closed.state == "closed"
    assert closed.events[-1].actor.role == "system"
    assert report.events[-1].action == "close"


def test_next_wakeup_is_the_earliest_instant_anything_can_fall_due(desk: Desk) -> None:
    assert desk.next_wakeup() is None
    dispatched(desk, "C-1")
    dispatched(desk, "C-2", START + timedelta(days=1))
    first = next_due_at(desk.store.load("C-1"), ladder=desk.ladder)
    assert first is not None
    assert desk.next_wakeup() == first
    assert desk.tick(first).events  # something falls due at the wake-up instant
    later = desk.next_wakeup()
    assert later is not None
    assert later > first


def test_a_user_action_between_read_and_append_is_retried_on_the_fresh_state(
    desk: Desk,
) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    scheduler = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    store.before_append.append(lambda: desk.act("C-1", "comment", ADMIN, {"message": "cek"}))
    report = scheduler.tick(LATE)
    assert report.retried == 1
    assert len(report.events) == 2
    assert [e.action for e in desk.store.load("C-1").events][-3:] == [
        "comment",
        "escalate",
        "escalate",
    ]


def test_a_follow_up_between_read_and_append_leaves_nothing_due(desk: Desk) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    scheduler = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    store.before_append.append(
        lambda: desk.act("C-1", "follow_up", OPERATOR, {"response": "Sudah"}, at=LATE)
    )
    report = scheduler.tick(LATE)
    assert report.retried == 1
    assert report.events == ()
    assert _escalations(desk) == []


@pytest.mark.parametrize("shift", [timedelta(0), timedelta(minutes=-1)])
def test_a_second_scheduler_records_nothing_twice(desk: Desk, shift: timedelta) -> None:
    dispatched(desk)
    store = Interrupting(desk.store)
    notifier = RecordingNotifier()
    second = Desk(store, clock=desk.clock, notifier=notifier)  # type: ignore[arg-type]
    # The first scheduler (maybe at another instant) records everything between our read
    # and our append.
    store.before_append.append(lambda: desk.tick(LATE + shift))
    report = second.tick(LATE)
    assert report.events == ()
    assert notifier.keys == []
    assert len(_escalations(desk)) == 2


def _run_schedulers(spec: str, instants: list[datetime]) -> list[dict[str, list[str]]]:
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), spec, at.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for at in instants
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        out = []
        for proc in procs:
            stdout, _ = proc.communicate(timeout=300)
            assert proc.returncode == 0
            out.append(json.loads(stdout))
        return out
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


@pytest.mark.parametrize("same_instant", [True, False])
def test_several_scheduler_processes_record_no_action_twice(
    spec: str, clock: ManualClock, same_instant: bool
) -> None:
    if spec.startswith("memory:"):
        pytest.skip("an in-memory store is not shared between processes")
    desk = open_desk(spec, clock)
    for n in range(12):
        dispatched(desk, f"C-{n}", START + timedelta(hours=n % 3))
    desk.store.close()
    instants = [LATE + (timedelta(0) if same_instant else timedelta(minutes=k)) for k in range(3)]
    results = _run_schedulers(spec, instants)
    store = open_store(spec)
    try:
        recorded = [e.id for c in store.complaints() for e in c.events if e.action == "escalate"]
    finally:
        store.close()
    assert len(recorded) == 24  # two levels due for each of the 12 complaints
    assert Counter(recorded) == Counter(set(recorded))  # no key twice
    appended = [key for r in results for key in r["events"]]
    notified = [key for r in results for key in r["notified"]]
    assert sorted(appended) == sorted(recorded)  # each recorded by exactly one process
    assert sorted(notified) == sorted(recorded)  # and notified by that one only
    assert all(r["gave_up"] == [] for r in results)


class _OneUnreadable(Interrupting):
    """A store proxy that reports one complaint it cannot read, then lists the others."""

    def complaints(self, since: int = 0, *, on_error=None):  # type: ignore[no-untyped-def]
        from pengaduan.exceptions import EventFormatError

        assert on_error is not None, "the desk must not let one bad history stop a tick"
        on_error("C-bad", EventFormatError("not JSON", line=1))
        return self._store.complaints(since, on_error=on_error)

    # With read-model rows the desk loads what is due, a page at a time: C-bad is due and
    # unreadable.
    def due_ids(self, as_of, *, limit=None):  # type: ignore[no-untyped-def]
        return ["C-bad", *self._store.due_ids(as_of, limit=limit)]

    def load_many(self, complaint_ids, *, on_error=None):  # type: ignore[no-untyped-def]
        from pengaduan.exceptions import EventFormatError

        assert on_error is not None, "the desk must not let one bad history stop a tick"
        for complaint_id in complaint_ids:
            if complaint_id == "C-bad":
                on_error(complaint_id, EventFormatError("not JSON", line=1))
            else:
                yield self._store.load(complaint_id)


def test_a_complaint_whose_history_cannot_be_read_is_skipped_and_logged(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    dispatched(desk)
    scheduler = Desk(_OneUnreadable(desk.store), clock=desk.clock)  # type: ignore[arg-type]
    with caplog.at_level("WARNING", logger="pengaduan.desk"):
        report = scheduler.tick(LATE)
    assert len(report.events) == 2
    (record,) = [r for r in caplog.records if getattr(r, "outcome", None) == "unreadable"]
    assert record.__dict__["complaint_id"] == "C-bad"


def test_ticking_yields_each_complaint_as_it_is_recorded_and_adds_up_to_tick(
    spec: str, clock: ManualClock
) -> None:
    desk = open_desk(spec, clock)
    try:
        for n in range(4):
            dispatched(desk, f"C-{n}")
        preview = desk.tick(LATE, dry_run=True)
        assert desk.due(LATE)  # a dry run records nothing
        parts = list(desk.ticking(LATE))
        assert sorted(p.events[0].complaint for p in parts) == [f"C-{n}" for n in range(4)]
        assert all({e.complaint for e in p.events} == {p.events[0].complaint} for p in parts)
        recorded = [e.id for p in parts for e in p.events]
        assert sorted(recorded) == sorted(e.id for e in preview.events)
        assert desk.due(LATE) == ()
        assert list(desk.ticking(LATE)) == []  # the same instant again: nothing
    finally:
        desk.store.close()
