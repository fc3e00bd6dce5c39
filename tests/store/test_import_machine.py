"""`import_events` reads a plain machine's moves off its table, and fires what hosts register."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import lifecycle
from transitions.core import Condition

from pengaduan.model import Event
from pengaduan.presets import lapor_workflow
from pengaduan.store import SQLiteStore
from pengaduan.workflow import Workflow


def interleaved(count: int) -> list[Event]:
    events = [e for n in range(count) for e in lifecycle(f"C-{n}", hours=n * 0.25)]
    return sorted(events, key=lambda e: (e.at, e.id))


def own_workflow() -> Workflow:
    """A workflow of its own (the preset's machine is shared: a test must not touch it)."""
    return lapor_workflow().evolve(version="machine-test")


def stored(
    path: Path, workflow: Workflow, events: list[Event], calls: list[None], batch_size: int
) -> tuple[int, object]:
    """How often the hooks fired during the import, and what it stored."""
    with SQLiteStore(path, workflow) as store:
        store.import_events(events, batch_size=batch_size)
        fired = len(calls)
        return fired, ([(c.id, c.state, c.version) for c in store.complaints()], store.rows())


def test_a_plain_machines_moves_are_its_transitions_table() -> None:
    workflow = own_workflow()
    expected = {
        action.name: {source: action.dest or source for source in action.sources}
        for action in workflow.actions
    }
    assert workflow._plain_moves() == expected


def on_machine(hook: str) -> Callable[[Workflow, Callable[[], None]], None]:
    def register(workflow: Workflow, callback: Callable[[], None]) -> None:
        getattr(workflow.machine, hook).append(callback)

    return register


def on_states(workflow: Workflow, callback: Callable[[], None]) -> None:
    for state in workflow.machine.states.values():
        state.add_callback("enter", callback)


def on_transitions(kind: str) -> Callable[[Workflow, Callable[[], None]], None]:
    def register(workflow: Workflow, callback: Callable[[], object]) -> None:
        for event in workflow.machine.events.values():
            for transition in [t for ts in event.transitions.values() for t in ts]:
                if kind == "conditions":
                    transition.conditions.append(Condition(lambda: callback() or True))
                else:
                    transition.add_callback(kind, callback)

    return register


HOOKS = {
    "before_state_change": on_machine("before_state_change"),
    "after_state_change": on_machine("after_state_change"),
    "prepare_event": on_machine("prepare_event"),
    "finalize_event": on_machine("finalize_event"),
    "state on_enter": on_states,
    "transition prepare": on_transitions("prepare"),
    "transition before": on_transitions("before"),
    "transition after": on_transitions("after"),
    "transition condition": on_transitions("conditions"),
}


@pytest.mark.parametrize("hook", HOOKS)
def test_a_callback_a_host_registers_fires_for_every_imported_event(
    hook: str, tmp_path: Path
) -> None:
    events = interleaved(3)
    _none, plain = stored(tmp_path / "plain.db", own_workflow(), events, [], 5)
    workflow = own_workflow()
    calls: list[None] = []
    HOOKS[hook](workflow, lambda: calls.append(None))
    assert workflow._plain_moves() is None
    fired, hooked = stored(tmp_path / "hooked.db", workflow, events, calls, 5)
    # Every event of the lifecycle moves its complaint, so each fires the hook once.
    assert fired == len(events)
    assert hooked == plain


def test_a_condition_that_holds_a_move_back_is_honoured(tmp_path: Path) -> None:
    workflow = own_workflow()
    for transition in workflow.machine.events["verify"].transitions["submitted"]:
        transition.conditions.append(Condition(lambda: False))
    with SQLiteStore(tmp_path / "s.db", workflow) as store:
        store.import_events(lifecycle("C-0")[:2])
        # As `apply` would: the event is recorded, transitions kept the state.
        assert (store.load("C-0").state, store.load("C-0").version) == ("submitted", 2)


def test_a_callback_registered_between_batches_fires_from_the_next_batch(
    tmp_path: Path,
) -> None:
    workflow = own_workflow()
    calls: list[None] = []

    def register_after_the_first(result: object) -> None:
        if not workflow.machine.after_state_change:
            workflow.machine.after_state_change.append(lambda: calls.append(None))

    events = interleaved(3)
    with SQLiteStore(tmp_path / "s.db", workflow) as store:
        store.import_events(events, batch_size=4, progress=register_after_the_first)
        assert len(calls) == len(events) - 4


def test_a_stored_history_the_import_replays_fires_what_a_host_registered(
    tmp_path: Path,
) -> None:
    workflow = own_workflow()
    events = lifecycle("C-0")
    calls: list[None] = []
    with SQLiteStore(tmp_path / "s.db", workflow) as store:
        store.append("C-0", events[:2])
        workflow.machine.after_state_change.append(lambda: calls.append(None))
        store.import_events(events[2:])
        # Two stored events replayed to validate against, two imported.
        assert len(calls) == 4
        assert store.load("C-0").state == "followed_up"
