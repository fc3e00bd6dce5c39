"""Workflow definitions: the states a complaint goes through and the actions that move it.

A `Workflow` is an immutable, comparable value with a name and a version. On construction it
is checked and compiled once into a single model-less `transitions.Machine`, shared by every
complaint: complaints are never bound to a machine of their own (binding costs about a
millisecond and 10-25 KB per object; see the benchmarks).

Applying an event checks, in this order, and refuses with a specific `RefusedError`:

1. the action exists (`UnknownActionError`);
2. the event belongs to this complaint (`ComplaintMismatchError`), is not a reused id
   (`DuplicateEventError`; the very same event again is a no-op) and is not earlier than the
   complaint's last event (`OutOfOrderEventError`);
3. the complaint exists, unless the action creates one (`UnknownComplaintError`);
4. the current state allows the action (`ActionNotAllowedError`);
5. the actor's role may take it (`RoleNotPermittedError`); for a unit-scoped role, the
   complaint is dispatched to the actor's unit (`OutsideUnitError`); for an owner role (the
   reporter), the complaint is the actor's own (`NotOwnComplaintError`, see `Workflow.owner`);
6. the data has every required field, valid (`InvalidDataError`; an owner role may not give
   ``external_ids``), and clears no privacy flag its actor may not clear
   (`PrivacyFlagClearError`, see `Action.clears_privacy`);
7. every guard of the action agrees (`GuardRefusedError`, with the guard's reason).

Only then does the machine fire, and a new complaint with the event appended is returned. A
refused event changes nothing.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import attrs
from transitions import Event as MachineEvent
from transitions import Machine, Transition
from transitions import State as MachineState

from pengaduan import _present
from pengaduan.exceptions import (
    ActionNotAllowedError,
    ComplaintMismatchError,
    DefinitionError,
    DuplicateEventError,
    GuardRefusedError,
    InvalidDataError,
    NotOwnComplaintError,
    OutOfOrderEventError,
    OutsideUnitError,
    PrivacyFlagClearError,
    RefusedError,
    RoleNotPermittedError,
    UnknownActionError,
    UnknownComplaintError,
    UnknownNameError,
)
from pengaduan.model import (
    Actor,
    Channel,
    Classification,
    Complaint,
    Event,
    Facts,
    Location,
    Privacy,
    Reporter,
    _log,
)

__all__ = [
    "REPORTER_ACCOUNT",
    "Action",
    "Field",
    "FieldKind",
    "Guard",
    "State",
    "Workflow",
]

REPORTER_ACCOUNT = "reporter_account"
"""The data key of a creating event that names the reporter's account when staff enter a
complaint on the reporter's behalf (walk-in, paper, village visit); see `Workflow.owner`."""

Guard = Callable[[Complaint, Event], "str | None"]
"""A business rule on an action: given the complaint and the event, return ``None`` to agree or
a short reason to refuse. Guards must be pure; define them at module level so a workflow stays
importable and serialisable by reference."""


class FieldKind(StrEnum):
    """How a data field of an action is validated (and, for facts, converted)."""

    TEXT = "text"
    """A non-empty string."""
    UNIT = "unit"
    """A unit identifier: a non-empty string."""
    ROLE = "role"
    """One of the workflow's roles."""
    LEVEL = "level"
    """An integer of at least 1."""
    CHANNEL = "channel"
    """A `Channel` value."""
    CLASSIFICATION = "classification"
    """A `Classification` value."""
    PRIVACY = "privacy"
    """An object ``{"anonymous": bool, "confidential": bool}`` (either key optional). As a
    fact it merges into the complaint's flags: a flag left out is kept."""
    REPORTER = "reporter"
    """An object with optional string keys ``name``, ``phone``, ``email``, ``nik``."""
    LOCATION = "location"
    """An object with optional ``address``, ``village``, ``district`` strings and
    ``latitude``/``longitude`` numbers."""
    EXTERNAL_IDS = "external_ids"
    """An object mapping a system's name to this complaint's id there (strings)."""
    ANY = "any"
    """Any JSON value."""


@attrs.frozen
class Field:
    """A data field an action takes.

    Attributes:
        name: The key in the event's data.
        kind: How the value is validated.
        required: Whether the event must carry it.
        personal: Whether its value is personal data (e.g. the reporter's details): redacted
            views (`pengaduan.access.view`) withhold it from viewers who may not see the
            reporter's identity.
    """

    name: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    personal: bool = False


@attrs.frozen
class State:
    """A state of the lifecycle.

    Attributes:
        name: The identifier, e.g. ``"dispatched"``.
        label: The official Bahasa Indonesia label, e.g. ``"Terdisposisi"``.
        label_en: An English label.
        terminal: Whether a complaint here is finished (it may still be reopened if an action
            leaves the state).
    """

    name: str
    label: str
    label_en: str = ""
    terminal: bool = False


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _to_frozenset(value: Iterable[str]) -> frozenset[str]:
    # Plain strings, so that enum members (Role.REPORTER) and their values compare and print
    # alike.
    return frozenset(str(item) for item in value)


@attrs.frozen
class Action:
    """An action on a complaint: where it may start, where it leads, who may take it.

    Attributes:
        name: The identifier, e.g. ``"dispatch"``.
        sources: The states it may be taken from.
        dest: The state it leads to, or ``None`` for an action that keeps the state.
        roles: The roles that may take it.
        fields: The data it takes.
        guards: Business rules that may refuse it, each returning a reason.
        label: A Bahasa Indonesia label.
        label_en: An English label.
        unit_from: The data field whose value becomes the complaint's unit (dispatching).
        clears_unit: Whether it takes the complaint away from its unit.
        updates_facts: Whether the fact fields it declares (among title, body, channel,
            classification, category, privacy, reporter, location, external_ids) set the
            complaint's facts when present in the data.
        unit_scoped: Whether unit-scoped roles may take it only on a complaint dispatched to
            their own unit. ``False`` for actions that create a complaint.
        clears_privacy: The roles that may clear a privacy flag with it. A ``privacy`` update
            merges into the complaint's flags (a flag it leaves out is kept); setting a flag
            is open to whoever may take the action, but turning a set flag off takes an
            explicit ``false`` from one of these roles (`PrivacyFlagClearError` otherwise).
            None by default.
    """

    name: str
    sources: tuple[str, ...] = attrs.field(converter=_to_tuple)
    dest: str | None
    roles: frozenset[str] = attrs.field(converter=_to_frozenset)
    fields: tuple[Field, ...] = attrs.field(default=(), converter=_to_tuple)
    guards: tuple[Guard, ...] = attrs.field(default=(), converter=_to_tuple)
    label: str = ""
    label_en: str = ""
    unit_from: str | None = None
    clears_unit: bool = False
    updates_facts: bool = False
    unit_scoped: bool = True
    clears_privacy: frozenset[str] = attrs.field(default=frozenset(), converter=_to_frozenset)

    def __repr__(self) -> str:
        dest = "(stays)" if self.dest is None else self.dest
        return (
            f"<Action {self.name!r}: {_present.names(self.sources, 3)} -> {dest}; "
            f"roles {_present.names(sorted(self.roles), 3)}; {len(self.fields)} fields, "
            f"{len(self.guards)} guards>"
        )


def _check_text(value: object, _roles: frozenset[str]) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return "must be a non-empty string"


def _check_role(value: object, roles: frozenset[str]) -> str | None:
    if isinstance(value, str) and value in roles:
        return None
    return f"must be one of the workflow's roles: {', '.join(sorted(roles))}"


def _check_level(value: object, _roles: frozenset[str]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return None
    return "must be an integer of at least 1"


def _enum_checker(enum: type[StrEnum]) -> Callable[[object, frozenset[str]], str | None]:
    values = frozenset(member.value for member in enum)
    reason = f"must be one of: {', '.join(member.value for member in enum)}"

    def check(value: object, _roles: frozenset[str]) -> str | None:
        return None if isinstance(value, str) and value in values else reason

    return check


def _object_checker(
    keys: Mapping[str, tuple[type, ...]], what: str
) -> Callable[[object, frozenset[str]], str | None]:
    def check(value: object, _roles: frozenset[str]) -> str | None:
        if not isinstance(value, Mapping):
            return f"must be an object ({what})"
        for position, (key, item) in enumerate(value.items(), start=1):
            types = keys.get(key)
            if types is None:
                # The key itself is not echoed: a shifted column may put a name there.
                return f"has an unknown key (key {position}); allowed keys: {', '.join(keys)}"
            if item is not None and (not isinstance(item, types) or isinstance(item, bool)):
                if bool in types and isinstance(item, bool):
                    continue
                names = " or ".join(t.__name__ for t in types)
                return f"has {key!r} of the wrong type; expected {names} or null"
        return None

    return check


_check_privacy_keys = _object_checker(
    {"anonymous": (bool,), "confidential": (bool,)}, '{"anonymous": bool, "confidential": bool}'
)
_check_reporter = _object_checker(
    {"name": (str,), "phone": (str,), "email": (str,), "nik": (str,)},
    "optional strings name, phone, email, nik",
)
_check_location_keys = _object_checker(
    {
        "address": (str,),
        "village": (str,),
        "district": (str,),
        "latitude": (int, float),
        "longitude": (int, float),
    },
    "optional address, village, district, latitude, longitude",
)


def _check_privacy(value: object, roles: frozenset[str]) -> str | None:
    reason = _check_privacy_keys(value, roles)
    if reason is None and isinstance(value, Mapping) and None in value.values():
        return "has a null flag; flags are true or false"
    return reason


def _check_location(value: object, roles: frozenset[str]) -> str | None:
    reason = _check_location_keys(value, roles)
    if reason is None and isinstance(value, Mapping):
        for key, bound in (("latitude", 90.0), ("longitude", 180.0)):
            number = value.get(key)
            if number is not None and not (math.isfinite(number) and abs(number) <= bound):
                return f"has {key!r} out of range (at most {bound:g} degrees either way)"
    return reason


def _check_external_ids(value: object, _roles: frozenset[str]) -> str | None:
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
    ):
        return None
    return "must be an object mapping a system's name to a non-empty id string"


def _check_any(_value: object, _roles: frozenset[str]) -> str | None:
    return None


_CHECKS: dict[FieldKind, Callable[[object, frozenset[str]], str | None]] = {
    FieldKind.TEXT: _check_text,
    FieldKind.UNIT: _check_text,
    FieldKind.ROLE: _check_role,
    FieldKind.LEVEL: _check_level,
    FieldKind.CHANNEL: _enum_checker(Channel),
    FieldKind.CLASSIFICATION: _enum_checker(Classification),
    FieldKind.PRIVACY: _check_privacy,
    FieldKind.REPORTER: _check_reporter,
    FieldKind.LOCATION: _check_location,
    FieldKind.EXTERNAL_IDS: _check_external_ids,
    FieldKind.ANY: _check_any,
}

# Fact fields an event may set to null (to clear them).
_NULLABLE_FACTS = frozenset({"classification", "category", "reporter", "location"})

# The kind every fact field must have, whichever action carries it.
_FACT_KINDS: dict[str, FieldKind] = {
    "title": FieldKind.TEXT,
    "body": FieldKind.TEXT,
    "channel": FieldKind.CHANNEL,
    "classification": FieldKind.CLASSIFICATION,
    "category": FieldKind.TEXT,
    "privacy": FieldKind.PRIVACY,
    "reporter": FieldKind.REPORTER,
    "location": FieldKind.LOCATION,
    "external_ids": FieldKind.EXTERNAL_IDS,
}


def _data_not_a_mapping(data: object, action: str) -> TypeError:
    # A list or a str had the action's checks index it: "list indices must be integers".
    return TypeError(
        f"the data of {action!r} must be a mapping of its fields (e.g. a dict), "
        f"got {type(data).__name__}"
    )


def _updated_facts(
    facts: Facts | None, data: Mapping[str, Any], names: tuple[str, ...]
) -> Facts | None:
    """Return `facts` with the fact fields `names` present in `data` applied (validated)."""
    changes: dict[str, Any] = {}
    for key in names:
        if key not in data:
            continue
        value = data[key]
        if key == "channel":
            value = Channel(value)
        elif key == "classification":
            value = None if value is None else Classification(value)
        elif key == "privacy":
            # Merge: a flag the update leaves out keeps its current value.
            current = Privacy() if facts is None else facts.privacy
            value = attrs.evolve(current, **value)
        elif key == "reporter":
            value = None if value is None else Reporter(**value)
        elif key == "location":
            value = None if value is None else Location(**value)
        elif key == "external_ids":
            value = dict(value)
        changes[key] = value
    if not changes:
        return facts
    if facts is None:
        return Facts(**changes)
    return attrs.evolve(facts, **changes)


@contextmanager
def _collector_spared() -> Iterator[None]:
    """Spare the collector the objects that existed before a bulk job, during it.

    `gc.freeze` moves every object alive now out of the collector's generations, so the
    collections a long replay triggers walk only what it creates, not the whole heap (the
    history being replayed included); `gc.unfreeze` puts them back afterwards, whatever
    happens. The collector itself stays enabled throughout, and is left as it was found. If
    objects are already frozen (by the host, or by another bulk job), nothing is changed.
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Where the machine keeps callbacks a host may register: on the machine itself, on its
# transitions and on its states (see `Workflow._plain_moves`).
_MACHINE_HOOKS = (
    "prepare_event",
    "before_state_change",
    "after_state_change",
    "finalize_event",
    "on_exception",
    "on_final",
)
_TRANSITION_HOOKS = ("prepare", "conditions", "before", "after")
_STATE_HOOKS = ("on_enter", "on_exit")


def _plain_moves(machine: Machine) -> dict[str, dict[str, str]] | None:
    """The state each trigger of `machine` leads to from each source, if firing does nothing else.

    Firing a trigger of a machine that carries no callback and no condition (on the machine,
    on any transition or on any state) and whose parts are transitions' own classes only sets
    the model's state to the first transition's destination (the source itself for an internal
    transition). Then the move can be read off the machine's own table instead of fired, with
    the same outcome; otherwise ``None``: the trigger must fire.
    """
    if type(machine) is not Machine or any(getattr(machine, hook) for hook in _MACHINE_HOOKS):
        return None
    for state in machine.states.values():
        if type(state) is not MachineState or any(getattr(state, h) for h in _STATE_HOOKS):
            return None
    moves: dict[str, dict[str, str]] = {}
    for name, event in machine.events.items():
        if type(event) is not MachineEvent:
            return None
        table: dict[str, str] = {}
        for source, transitions in event.transitions.items():
            if not transitions:
                continue
            first = transitions[0]
            if type(first) is not Transition or any(
                getattr(first, hook) for hook in _TRANSITION_HOOKS
            ):
                return None
            table[source] = source if first.dest is None else first.dest
        moves[name] = table
    return moves


class _Cursor:
    """The scratch model the shared machine moves: it only holds a state name."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


@attrs.frozen
class _Compiled:
    machine: Machine
    states: dict[str, State]
    actions: dict[str, Action]
    by_state: dict[str, tuple[Action, ...]]
    creating: frozenset[str]
    roles: frozenset[str]
    # Fields to check per action: declared fields plus fact fields it may carry.
    checks: dict[str, tuple[tuple[str, bool, Callable[[object, frozenset[str]], str | None]], ...]]
    # The fact fields each fact-setting action declares.
    fact_fields: dict[str, tuple[str, ...]]


@attrs.frozen
class Workflow:
    """A complaint lifecycle: states, actions, and the rules for taking them.

    Construct one directly or derive one from a preset with `extend`, `with_state`,
    `with_action`, `replace_action` and `without_action`. Construction checks the definition
    and compiles it into one shared `transitions.Machine`.

    Attributes:
        name: The workflow's name, e.g. ``"sp4n-lapor"``.
        version: Its version; change it whenever you change the definition.
        states: Every state, the initial one included.
        actions: Every action.
        initial: The state a complaint is in before its first event.
        unit_roles: Roles that act only on complaints dispatched to their own unit.
        owner_roles: Roles that act only on their own complaints (the reporter): those they
            created, or that staff entered naming their account (`REPORTER_ACCOUNT`).

    Raises:
        DefinitionError: If the definition is inconsistent (duplicate or unknown names, no
            action from the initial state, states no action can reach, ...).
    """

    name: str
    version: str
    states: tuple[State, ...] = attrs.field(converter=_to_tuple)
    actions: tuple[Action, ...] = attrs.field(converter=_to_tuple)
    initial: str = "new"
    unit_roles: frozenset[str] = attrs.field(default=frozenset(), converter=_to_frozenset)
    owner_roles: frozenset[str] = attrs.field(default=frozenset(), converter=_to_frozenset)
    _compiled: _Compiled = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_compiled", self._compile())

    # -- definition ----------------------------------------------------------------------

    def _fail(self, reason: str) -> DefinitionError:
        return DefinitionError(f"{self.name} {self.version}", reason)

    def _compile(self) -> _Compiled:
        states: dict[str, State] = {}
        for state in self.states:
            if state.name in states:
                raise self._fail(f"state {state.name!r} is defined twice")
            states[state.name] = state
        if self.initial not in states:
            raise self._fail(f"the initial state {self.initial!r} is not among the states")
        actions: dict[str, Action] = {}
        for action in self.actions:
            if action.name in actions:
                raise self._fail(f"action {action.name!r} is defined twice")
            if not action.name.isidentifier():
                raise self._fail(f"action name {action.name!r} is not an identifier")
            if not action.sources:
                raise self._fail(f"action {action.name!r} has no source state")
            if not action.roles:
                raise self._fail(f"no role may take action {action.name!r}")
            for name in (*action.sources, action.dest):
                if name is not None and name not in states:
                    raise self._fail(f"action {action.name!r} names unknown state {name!r}")
            names = [field.name for field in action.fields]
            if len(set(names)) != len(names):
                raise self._fail(f"action {action.name!r} declares a data field twice")
            for field in action.fields:
                expected = _FACT_KINDS.get(field.name)
                if action.updates_facts and expected is not None and field.kind != expected:
                    raise self._fail(
                        f"fact field {field.name!r} of action {action.name!r} must be of kind "
                        f"{expected.value!r}"
                    )
            if action.unit_from is not None and action.unit_from not in names:
                raise self._fail(
                    f"action {action.name!r} takes its unit from {action.unit_from!r}, "
                    "which is not one of its fields"
                )
            actions[action.name] = action
        creating = frozenset(a.name for a in self.actions if self.initial in a.sources)
        if not creating:
            raise self._fail(f"no action leaves the initial state {self.initial!r}")
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            here = frontier.pop()
            for action in self.actions:
                if here in action.sources and action.dest and action.dest not in reachable:
                    reachable.add(action.dest)
                    frontier.append(action.dest)
        unreachable = [name for name in states if name not in reachable]
        if unreachable:
            raise self._fail(f"no action leads to state(s) {', '.join(unreachable)}")
        roles = frozenset(role for action in self.actions for role in action.roles)
        unknown_unit_roles = self.unit_roles - roles
        if unknown_unit_roles:
            raise self._fail(f"unit role(s) {', '.join(sorted(unknown_unit_roles))} take no action")
        unknown_owner_roles = self.owner_roles - roles
        if unknown_owner_roles:
            raise self._fail(
                f"owner role(s) {', '.join(sorted(unknown_owner_roles))} take no action"
            )
        if self.owner_roles & self.unit_roles:
            raise self._fail("a role cannot be both a unit role and an owner role")

        machine = Machine(
            model=None,
            states=list(states),
            initial=self.initial,
            auto_transitions=False,
            name=f"{self.name}-{self.version}",
        )
        for action in self.actions:
            machine.add_transition(action.name, list(action.sources), action.dest)

        by_state = {name: tuple(a for a in self.actions if name in a.sources) for name in states}
        checks = {
            action.name: tuple((f.name, f.required, _CHECKS[f.kind]) for f in action.fields)
            for action in self.actions
        }
        fact_fields = {
            action.name: tuple(f.name for f in action.fields if f.name in _FACT_KINDS)
            for action in self.actions
            if action.updates_facts
        }
        return _Compiled(machine, states, actions, by_state, creating, roles, checks, fact_fields)

    def state(self, name: str) -> State:
        """Return the state called `name`.

        Raises:
            UnknownNameError: If there is none (a `KeyError`).
        """
        try:
            return self._compiled.states[name]
        except KeyError:
            raise UnknownNameError(
                name, self._compiled.states, workflow=self.name, kind="state"
            ) from None

    def action(self, name: str) -> Action:
        """Return the action called `name`.

        Raises:
            UnknownNameError: If there is none (a `KeyError`).
        """
        try:
            return self._compiled.actions[name]
        except KeyError:
            raise UnknownNameError(
                name, self._compiled.actions, workflow=self.name, kind="action"
            ) from None

    @property
    def roles(self) -> frozenset[str]:
        """Every role that may take at least one action."""
        return self._compiled.roles

    @property
    def machine(self) -> Machine:
        """The compiled `transitions.Machine`, shared by every complaint. Do not modify it."""
        return self._compiled.machine

    def evolve(self, **changes: Any) -> Workflow:
        """Return a copy with attributes changed (e.g. ``name`` or ``version``), recompiled."""
        return attrs.evolve(self, **changes)

    def extend(self, *, states: Iterable[State] = (), actions: Iterable[Action] = ()) -> Workflow:
        """Return a copy with states and actions added (or replacing those of the same name).

        Use this to add a state together with the actions leading to and from it: the copy is
        checked once, as a whole.
        """
        new_states = {s.name: s for s in states}
        new_actions = {a.name: a for a in actions}
        merged_states = [new_states.pop(s.name, s) for s in self.states]
        merged_actions = [new_actions.pop(a.name, a) for a in self.actions]
        return attrs.evolve(
            self,
            states=[*merged_states, *new_states.values()],
            actions=[*merged_actions, *new_actions.values()],
        )

    def with_state(self, state: State) -> Workflow:
        """Return a copy with `state` added, or replacing the state of the same name."""
        kept = [s for s in self.states if s.name != state.name]
        if len(kept) == len(self.states):
            return attrs.evolve(self, states=(*self.states, state))
        return attrs.evolve(
            self, states=[state if s.name == state.name else s for s in self.states]
        )

    def with_action(self, action: Action) -> Workflow:
        """Return a copy with `action` added, or replacing the action of the same name."""
        return self.extend(actions=[action])

    def replace_action(self, name: str, **changes: Any) -> Workflow:
        """Return a copy in which action `name` has the given attributes changed.

        Example: ``workflow.replace_action("close", roles={"system"})``.
        """
        return self.with_action(attrs.evolve(self.action(name), **changes))

    def without_action(self, name: str) -> Workflow:
        """Return a copy without action `name`."""
        self.action(name)
        return attrs.evolve(self, actions=[a for a in self.actions if a.name != name])

    # -- complaints ----------------------------------------------------------------------

    def new(self, complaint_id: str) -> Complaint:
        """Return a complaint with no events yet, in the initial state."""
        return Complaint(complaint_id, self.initial)

    def is_terminal(self, complaint: Complaint) -> bool:
        """Whether the complaint is in a terminal state."""
        return self._compiled.states[complaint.state].terminal

    def allowed_actions(self, complaint: Complaint, actor: Actor | None = None) -> tuple[str, ...]:
        """The actions the complaint's state allows, in definition order.

        With an `actor`, only those the actor's role may take and, for a unit-scoped role,
        only if the complaint is dispatched to the actor's unit. Guards and data are not
        considered (they depend on the event).
        """
        candidates = self._compiled.by_state[complaint.state]
        if actor is None:
            return tuple(a.name for a in candidates)
        return tuple(a.name for a in candidates if self._permits(a, complaint, actor))

    def _permits(self, action: Action, complaint: Complaint, actor: Actor) -> bool:
        if actor.role not in action.roles:
            return False
        if action.unit_scoped and actor.role in self.unit_roles:
            return complaint.unit is not None and complaint.unit == actor.unit
        if complaint.version and actor.role in self.owner_roles:
            return self.owner(complaint) == actor.id
        return True

    def owner(self, complaint: Complaint) -> str | None:
        """The account id of the reporter a complaint belongs to, or ``None``.

        It is the `REPORTER_ACCOUNT` of the creating event's data when staff entered the
        complaint on the reporter's behalf, else the id of the actor who created it if they
        act in an owner role. A complaint entered by staff without an account has no owner:
        no reporter may act on it.
        """
        first = _log(complaint).first
        if first is None:
            return None
        account = first.data.get(REPORTER_ACCOUNT)
        if isinstance(account, str) and account:
            return account
        return first.actor.id if first.actor.role in self.owner_roles else None

    def refusal(self, complaint: Complaint, actor: Actor, action: str) -> RefusedError | None:
        """Why `apply` would refuse `actor` taking `action` on `complaint` now, or ``None``.

        Checks what depends on who acts and when: the action exists, the complaint exists
        unless the action creates one, the state allows the action, the role may take it,
        unit scope and ownership (steps 1, 3, 4 and 5 of `apply`). The event's data and the
        guards are checked only by `apply`, since they depend on the event.
        `pengaduan.access.can` wraps this in a `Decision`.
        """
        found = self._compiled.actions.get(action)
        if found is None:
            return UnknownActionError(
                complaint_id=complaint.id,
                state=complaint.state,
                action=action,
                known=self._compiled.actions,
            )
        return self._authorize(complaint, found, actor, None)

    def _authorize(
        self, complaint: Complaint, action: Action, actor: Actor, event_id: str | None
    ) -> RefusedError | None:
        compiled = self._compiled
        state = complaint.state
        if state not in action.sources:
            return self._state_refusal(complaint, action.name, event_id)
        if actor.role not in action.roles:
            return RoleNotPermittedError(
                complaint_id=complaint.id,
                state=state,
                action=action.name,
                role=actor.role,
                roles=sorted(action.roles),
                actor_id=actor.id,
                allowed=self.allowed_actions(complaint, actor),
                state_label=compiled.states[state].label,
                event_id=event_id,
                known_role=actor.role in compiled.roles,
            )
        if (
            action.unit_scoped
            and actor.role in self.unit_roles
            and (complaint.unit is None or complaint.unit != actor.unit)
        ):
            return OutsideUnitError(
                complaint_id=complaint.id,
                state=state,
                action=action.name,
                role=actor.role,
                actor_id=actor.id,
                actor_unit=actor.unit,
                complaint_unit=complaint.unit,
                state_label=compiled.states[state].label,
                event_id=event_id,
            )
        if (
            actor.role in self.owner_roles
            and complaint.version
            and self.owner(complaint) != actor.id
        ):
            return NotOwnComplaintError(
                complaint_id=complaint.id,
                state=state,
                action=action.name,
                role=actor.role,
                actor_id=actor.id,
                state_label=compiled.states[state].label,
                event_id=event_id,
            )
        return None

    def apply(
        self,
        complaint: Complaint,
        action: str,
        actor: Actor,
        at: Any,
        data: Mapping[str, Any] | None = None,
        *,
        event_id: str | None = None,
    ) -> Complaint:
        """Take `action` on `complaint` and return the complaint with the event appended.

        Args:
            complaint: The complaint as it is now (`new` for one not yet submitted).
            action: The action's name.
            actor: Who takes it.
            at: When; a timezone-aware datetime.
            data: The action's data.
            event_id: The event's id; by default ``"<complaint id>#<sequence number>"``.

        Returns:
            A new complaint; `complaint` itself is unchanged.

        Raises:
            RefusedError: A subclass saying why the action was refused.
            NaiveDatetimeError: If `at` is naive.
            TypeError: If `data` is not a mapping.
        """
        if event_id is None:
            event_id = f"{complaint.id}#{complaint.version + 1}"
        event = Event(event_id, complaint.id, action, at, actor, {} if data is None else data)
        return self.apply_event(complaint, event)

    def apply_event(self, complaint: Complaint, event: Event) -> Complaint:
        """Apply a recorded event to `complaint`; see `apply` for what is checked.

        Returns:
            The complaint with the event appended, or `complaint` itself if this very event is
            already recorded.

        Raises:
            RefusedError: A subclass saying why the event was refused.
            TypeError: If the event's data is not a mapping.
        """
        if not isinstance(event.data, Mapping):
            raise _data_not_a_mapping(event.data, event.action)
        return self._apply_event(complaint, event)

    def _apply_event(
        self,
        complaint: Complaint,
        event: Event,
        moves: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Complaint:
        """`apply_event`, the machine's moves given by a bulk job (see `_plain_moves`)."""
        recorded = _log(complaint).find(event.id)
        if recorded is not None:
            if recorded == event:
                return complaint
            raise DuplicateEventError(
                complaint_id=complaint.id,
                state=complaint.state,
                action=event.action,
                event_id=event.id,
                recorded_action=recorded.action,
            )
        return self._apply(complaint, event, moves)

    def _plain_moves(self) -> dict[str, dict[str, str]] | None:
        """The moves of the shared machine when firing it would do nothing more (a bulk job's).

        A bulk job (`import_events`) asks once per batch and gives the answer to `_apply` (and
        to the replays of the batch's stored histories), so that a callback or condition a host
        registers on `machine` between batches is honoured from the next one: the trigger then
        fires again for every event.
        """
        return _plain_moves(self._compiled.machine)

    def _apply(
        self,
        complaint: Complaint,
        event: Event,
        moves: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Complaint:
        compiled = self._compiled
        state = complaint.state
        action = compiled.actions.get(event.action)
        if action is None:
            raise UnknownActionError(
                complaint_id=complaint.id,
                state=state,
                action=event.action,
                known=compiled.actions,
                event_id=event.id,
            )
        if event.complaint != complaint.id:
            raise ComplaintMismatchError(
                complaint_id=complaint.id,
                state=state,
                action=event.action,
                event_complaint_id=event.complaint,
                event_id=event.id,
            )
        log = _log(complaint)
        count = log.length
        last = log.shelf.items[count - 1] if count else None  # `log.last`, without the call
        if last is not None and event.at < last.at:
            raise OutOfOrderEventError(
                complaint_id=complaint.id,
                state=state,
                action=event.action,
                at=event.at.isoformat(),
                last_at=last.at.isoformat(),
                event_id=event.id,
            )
        refusal = self._authorize(complaint, action, event.actor, event.id)
        if refusal is not None:
            raise refusal
        data = event.data
        actor = event.actor
        if (
            not count
            and actor.role in self.owner_roles
            and data.get(REPORTER_ACCOUNT, actor.id) != actor.id
        ):
            self._refuse_data(
                complaint, event, REPORTER_ACCOUNT, "must be the submitting reporter's own account"
            )
        for name, required, check in compiled.checks[action.name]:
            if name not in data:
                if required:
                    self._refuse_data(complaint, event, name, "is missing")
                continue
            value = data[name]
            if value is None and not required and name in _NULLABLE_FACTS:
                continue
            reason = check(value, compiled.roles)
            if reason is not None:
                self._refuse_data(complaint, event, name, reason)
        if (
            actor.role in self.owner_roles
            and "external_ids" in data
            and action.updates_facts
            and "external_ids" in compiled.fact_fields[action.name]
        ):
            self._refuse_data(
                complaint,
                event,
                "external_ids",
                f"may not be given by an owner role ({actor.role!r}): ids in other systems "
                "are set by staff or a sync bridge, never by the reporter",
            )
        if "privacy" in data:
            self._check_privacy_clearing(complaint, action, event)
        for guard in action.guards:
            reason = guard(complaint, event)
            if reason is not None:
                raise GuardRefusedError(
                    complaint_id=complaint.id,
                    state=state,
                    action=action.name,
                    guard=getattr(guard, "__name__", repr(guard)),
                    reason=reason,
                    state_label=compiled.states[state].label,
                    event_id=event.id,
                )

        move = moves.get(action.name) if moves is not None else None
        dest = move.get(state) if move is not None else None
        if dest is None:
            cursor = _Cursor(state)
            compiled.machine.events[action.name].trigger(cursor)
            dest = cursor.state
        # else the machine has nothing to run on this move: its outcome, from its table

        facts = complaint.facts
        if action.updates_facts:
            names = compiled.fact_fields[action.name]
            if facts is None and any(name in data for name in names):
                for name in ("title", "body", "channel"):
                    if name not in data:
                        self._refuse_data(
                            complaint, event, name, "is missing; a complaint's facts need it"
                        )
            facts = _updated_facts(facts, data, names)
        unit = complaint.unit
        if action.unit_from is not None:
            unit = data[action.unit_from]
        elif action.clears_unit:
            unit = None
        return Complaint(complaint.id, dest, log.appended(event), facts, unit)

    def _check_privacy_clearing(self, complaint: Complaint, action: Action, event: Event) -> None:
        """Refuse an event that would turn off a set privacy flag without the right role."""
        facts = complaint.facts
        update = event.data.get("privacy")
        if (
            facts is None
            or not isinstance(update, Mapping)
            or not action.updates_facts
            or "privacy" not in self._compiled.fact_fields[action.name]
        ):
            return
        for flag in ("anonymous", "confidential"):
            if (
                getattr(facts.privacy, flag)
                and update.get(flag) is False
                and event.actor.role not in action.clears_privacy
            ):
                raise PrivacyFlagClearError(
                    complaint_id=complaint.id,
                    state=complaint.state,
                    action=action.name,
                    flag=flag,
                    role=event.actor.role,
                    roles=sorted(action.clears_privacy),
                    actor_id=event.actor.id,
                    event_id=event.id,
                )

    def _state_refusal(
        self, complaint: Complaint, action: str, event_id: str | None
    ) -> RefusedError:
        compiled = self._compiled
        allowed = self.allowed_actions(complaint)
        if complaint.state == self.initial:
            return UnknownComplaintError(
                complaint_id=complaint.id,
                state=complaint.state,
                action=action,
                allowed=allowed,
                event_id=event_id,
            )
        return ActionNotAllowedError(
            complaint_id=complaint.id,
            state=complaint.state,
            action=action,
            allowed=allowed,
            state_label=compiled.states[complaint.state].label,
            event_id=event_id,
        )

    def _refuse_data(self, complaint: Complaint, event: Event, field: str, reason: str) -> None:
        raise InvalidDataError(
            complaint_id=complaint.id,
            state=complaint.state,
            action=event.action,
            field=field,
            reason=reason,
            event_id=event.id,
        )

    def replay(
        self,
        events: Iterable[Event],
        *,
        on_refused: Callable[[Event, RefusedError], object] | None = None,
    ) -> dict[str, Complaint]:
        """Rebuild complaints from a history of events, in the order given.

        An event whose id was already replayed with the same content is skipped (idempotent);
        with different content it is refused as a `DuplicateEventError`.

        The cost per event does not grow with the number of complaints or of events per
        complaint: while it runs, the objects that existed before it are kept out of the
        garbage collector's way (`gc.freeze`, undone when it returns or raises; skipped when
        the host has frozen objects itself), so collections do not walk the history being
        replayed, and each complaint's events are shared, never copied.

        Args:
            events: Events of any number of complaints, each complaint's in time order.
            on_refused: Called with each refused event and its error; the event is skipped and
                the replay goes on. Without it, the first refusal is raised.

        Returns:
            The complaints by id, in order of their first event.

        Raises:
            RefusedError: The first refused event's error, when `on_refused` is not given.
        """
        with _collector_spared():
            return self._replay(events, on_refused)

    def _replay(
        self, events: Iterable[Event], on_refused: Callable[[Event, RefusedError], object] | None
    ) -> dict[str, Complaint]:
        complaints: dict[str, Complaint] = {}
        seen: dict[str, Event] = {}
        apply = self._apply
        for event in events:
            earlier = seen.get(event.id)
            if earlier is not None:
                if earlier == event:
                    continue
                current = complaints.get(event.complaint)
                error: RefusedError = DuplicateEventError(
                    complaint_id=event.complaint,
                    state=current.state if current is not None else self.initial,
                    action=event.action,
                    event_id=event.id,
                    recorded_action=earlier.action,
                )
                if on_refused is None:
                    raise error
                on_refused(event, error)
                continue
            complaint = complaints.get(event.complaint)
            if complaint is None:
                complaint = Complaint(event.complaint, self.initial)
            try:
                complaints[event.complaint] = apply(complaint, event)
            except RefusedError as refused:
                if on_refused is None:
                    raise
                on_refused(event, refused)
                continue
            seen[event.id] = event
        return complaints

    # -- presentation --------------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """A short digest of the whole definition (not of its name or version).

        It changes whenever a state, an action, a field, a guard or a role changes.
        """
        return _present.fingerprint(
            (self.states, self.actions, self.initial, self.unit_roles, self.owner_roles)
        )

    def __repr__(self) -> str:
        return (
            f"<Workflow {self.name!r} version {self.version!r}: {len(self.states)} states, "
            f"{len(self.actions)} actions, fingerprint {self.fingerprint}>"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the state diagram (SVG) and the actions as a table."""
        rows = [
            (
                a.name,
                a.label,
                ", ".join(a.sources),
                "(tetap / stays)" if a.dest is None else a.dest,
                ", ".join(sorted(a.roles)),
            )
            for a in self.actions
        ]
        edges = [
            (a.name, source, a.dest)
            for a in self.actions
            if a.dest is not None
            for source in a.sources
        ]
        states = [(s.name, s.label, s.terminal) for s in self.states]
        heads = ("aksi / action", "label", "dari / from", "ke / to", "peran / roles")
        body = _present.workflow_svg(states, self.initial, edges) + _present.table(heads, rows)
        return _present.fragment(f"Workflow {self.name} {self.version}", body)

    def to_mermaid(self, *, labels: bool = True, loops: bool = False) -> str:
        """The workflow as a Mermaid ``stateDiagram-v2``.

        Hand-written rather than `transitions`' diagram extension, which needs a model bound to
        the machine and draws no Bahasa Indonesia labels.

        Args:
            labels: Show each state's label beside its name.
            loops: Also draw the actions that keep the state (``comment``, ``forward``, ...)
                as loops; they clutter the picture, so by default they are left out.
        """
        lines = ["stateDiagram-v2"]
        for state in self.states:
            if labels and state.label:
                lines.append(f'    state "{state.name}<br/>{state.label}" as {state.name}')
        lines.append(f"    [*] --> {self.initial}")
        for action in self.actions:
            if action.dest is None and not loops:
                continue
            for source in action.sources:
                dest = source if action.dest is None else action.dest
                lines.append(f"    {source} --> {dest}: {action.name}")
        for state in self.states:
            if state.terminal:
                lines.append(f"    {state.name} --> [*]")
        return "\n".join(lines) + "\n"
