"""tick: records what is due exactly once, applies automatic actions, notifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from escalation_support import ADMIN, Lapor, wib

from pengaduan import Actor
from pengaduan.escalation import (
    AUTOMATIC_ACTOR,
    Ladder,
    Notifier,
    Offset,
    RecordingNotifier,
    Rule,
    due,
    next_due_at,
    tick,
)
from pengaduan.exceptions import ActionNotAllowedError, DefinitionError, OutOfOrderEventError
from pengaduan.presets import lapor_ladder, lapor_workflow
from pengaduan.sla import Policy


def _late() -> Lapor:
    """Dispatched Mon 8 June 2026: the follow-up deadline day is Mon 15 June."""
    return Lapor().routed(wib(2026, 6, 8, 9))


def test_tick_records_each_due_message_as_an_escalate_event_keyed_by_its_key() -> None:
    c = _late().complaint
    expected = due([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    result = tick([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    assert [a.key for a in result.actions] == [a.key for a in expected]
    assert [e.id for e in result.events] == [a.key for a in expected]
    first = result.events[0]
    assert first.action == "escalate"
    assert first.at == wib(2026, 6, 17, 8)
    assert first.actor == AUTOMATIC_ACTOR
    assert dict(first.data) == {
        "level": 1,
        "to": "unit_operator",
        "kind": "remind",
        "recipients": ["unit_operator@dinas-pu"],
        "key": "C-1/follow_up/1/follow_up.1/0",
        "clock": "follow_up",
        "cycle": 1,
        "rule": "follow_up.1",
        "repeat": 0,
        "due_at": "2026-06-15T07:30:00+07:00",
    }
    assert result.complaints["C-1"].events[-2:] == result.events


def test_a_second_tick_at_the_same_instant_does_nothing() -> None:
    c = _late().complaint
    first = tick([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    again = tick(first.complaints, wib(2026, 6, 17, 8), ladder=lapor_ladder())
    assert (again.events, again.actions) == ((), ())
    assert again.complaints == first.complaints


def test_recorded_keys_make_the_events_replayable_to_the_same_answer() -> None:
    c = _late().complaint
    result = tick([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    replayed = lapor_workflow().replay(result.complaints["C-1"].events)
    assert replayed["C-1"] == result.complaints["C-1"]
    assert due(replayed, wib(2026, 6, 17, 8), ladder=lapor_ladder()) == ()


def test_the_notifier_gets_each_action_once_after_it_is_recorded() -> None:
    notifier = RecordingNotifier()
    assert isinstance(notifier, Notifier)
    c = _late().complaint
    result = tick([c], wib(2026, 6, 17, 8), notifier=notifier, ladder=lapor_ladder())
    assert notifier.sent == list(result.actions)
    tick(result.complaints, wib(2026, 6, 18, 8), notifier=notifier, ladder=lapor_ladder())
    assert notifier.keys == [a.key for a in result.actions]
    notifier.clear()
    assert notifier.sent == []


def test_an_unpersisted_tick_is_found_due_again() -> None:
    # The host lost the events of a tick: the next tick re-records and re-notifies them.
    c = _late().complaint
    first = tick([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    second = tick([c], wib(2026, 6, 17, 9), ladder=lapor_ladder())
    assert [a.key for a in second.actions] == [a.key for a in first.actions]


def test_the_automatic_close_stops_the_clocks_so_nothing_else_fires() -> None:
    # Followed up Tue 9 June 10:00; closure runs out at Thu 25 June 00:00.
    lapor = _late().follow_up(wib(2026, 6, 9, 10))
    notifier = RecordingNotifier()
    result = tick([lapor.complaint], wib(2026, 9, 1, 9), notifier=notifier, ladder=lapor_ladder())
    c = result.complaints["C-1"]
    assert c.state == "closed"
    assert [a.rule for a in result.actions] == ["closure.close"]
    assert notifier.keys == ["C-1/closure/1/closure.close/0"]
    # Resolution (60 calendar days from verify) would have been due by 1 Sep; it stopped.
    assert next_due_at(c, ladder=lapor_ladder()) is None
    assert due([c], wib(2026, 12, 1, 9), ladder=lapor_ladder()) == ()


def test_an_action_the_workflow_refuses_is_reported_and_nothing_is_recorded() -> None:
    # A ladder that closes a complaint still waiting for its follow-up: not allowed.
    ladder = lapor_ladder().with_rule(
        Rule("follow_up.close", "follow_up", 9, (), "close", offset=Offset.at_deadline())
    )
    c = _late().complaint
    result = tick([c], wib(2026, 6, 17, 8), ladder=ladder)
    ((action, error),) = result.refused
    assert action.rule == "follow_up.close"
    assert isinstance(error, ActionNotAllowedError)
    assert [a.rule for a in result.actions] == ["follow_up.1", "follow_up.2"]
    assert all(e.action == "escalate" for e in result.events)


def test_a_tick_earlier_than_the_last_event_is_refused_per_action() -> None:
    c = _late().do("comment", wib(2026, 6, 20, 8), ADMIN, message="cek").complaint
    result = tick([c], wib(2026, 6, 17, 8), ladder=lapor_ladder())
    assert result.events == ()
    assert {type(error) for _, error in result.refused} == {OutOfOrderEventError}


def test_tick_records_as_the_actor_given() -> None:
    robot = Actor("cron-1", "system")
    result = tick([_late().complaint], wib(2026, 6, 15, 8), actor=robot, ladder=lapor_ladder())
    assert {e.actor for e in result.events} == {robot}


def test_tick_needs_a_workflow() -> None:
    policy = Policy("bare", "1", ())
    ladder = Ladder("bare", "1", policy, ())
    with pytest.raises(DefinitionError, match="needs a workflow"):
        tick([], wib(2026, 6, 15, 8), ladder=ladder)


def test_tick_accepts_a_mapping_and_returns_every_complaint() -> None:
    one = _late().complaint
    two = Lapor("C-2").submit(wib(2026, 6, 8, 9)).complaint
    result = tick({"C-1": one, "C-2": two}, wib(2026, 6, 8, 10), ladder=lapor_ladder())
    assert set(result.complaints) == {"C-1", "C-2"}
    assert result.events == ()


def test_english_messages_on_request() -> None:
    result = tick([_late().complaint], wib(2026, 6, 15, 8), language="en", ladder=lapor_ladder())
    assert result.actions[0].message.startswith("[Reminder level 1] Complaint C-1")


def test_later_ticks_carry_on_the_ladder_with_time() -> None:
    c = _late().complaint
    keys: list[str] = []
    at = wib(2026, 6, 8, 9)
    while at < wib(2026, 7, 1):
        result = tick([c], at, ladder=lapor_ladder())
        c = result.complaints["C-1"]
        keys += [a.key for a in result.actions]
        at += timedelta(hours=7)
    assert len(keys) == len(set(keys)) == 4


def test_tick_and_due_ask_a_time_source_once() -> None:
    from pengaduan.exceptions import NaiveDatetimeError
    from pengaduan.testing import ManualClock

    clock = ManualClock(wib(2026, 6, 17, 8))
    c = _late().complaint
    assert due([c], clock, ladder=lapor_ladder()) == due(
        [c], wib(2026, 6, 17, 8), ladder=lapor_ladder()
    )
    result = tick([c], clock, ladder=lapor_ladder())
    assert {e.at for e in result.events} == {wib(2026, 6, 17, 8)}

    class Naive:
        def now(self):  # type: ignore[no-untyped-def]
            from datetime import datetime

            return datetime(2026, 6, 17, 8)

    with pytest.raises(NaiveDatetimeError):
        tick([c], Naive(), ladder=lapor_ladder())
