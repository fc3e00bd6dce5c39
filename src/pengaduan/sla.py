"""SLA clocks: start, pause, stop, cycles and deadlines as a pure function of history.

A `Clock` is an immutable definition: when it starts, stops, pauses, resumes and starts a new
cycle (conditions over the workflow's actions and states), its `Target` (working days, working
time, calendar days or calendar time) and the `WorkCalendar` it counts on. A `Policy` is a
named, versioned set of clocks for one workflow; constructing one runs the linter (`lint`),
which refuses contradictory clocks with a reason.

`evaluate` turns a complaint's history, a policy and an instant (``as_of``) into an
`Evaluation`: per clock a `ClockState` with its status, whether it is breached, and every
`Cycle` with its pauses, deadline, breach instant, elapsed time and percent of target. Nothing
is stored: the same history, policy (calendar included) and ``as_of`` always give the same
answer, and evaluating under another policy or calendar version is how a deadline is
recalculated (`what_if`, `diff`).

Precedence, for each event in recorded order (events at the same instant keep the order in
which they were recorded) and for each clock separately:

1. **Stop**: if a cycle is open (running or paused) and the event meets the stop condition, the
   cycle stops at the event's instant (an open pause ends there too). An event that meets the
   stop condition does nothing else to that clock: it never starts or restarts it.
2. **Reset**: if the event meets the reset (new cycle) condition, an open cycle ends (as
   *reset*: it counts for neither compliance nor breach statistics of stopped cycles) and a new
   cycle starts at the event's instant, even if the event also meets the start condition;
   with no cycle open, a reset starts one.
3. **Start**: if no cycle is open and the event meets the start condition, a new cycle starts.
   A start condition met while a cycle is open changes nothing (the cycle goes on).
4. **Pause and resume**: then, if a cycle is open, it is paused after the event exactly when a
   pause action occurred in this cycle with no resume action since, or the complaint's state
   after the event is one of the clock's pause states. A cycle may start paused.

An action condition is met by an event of that action; a state condition by an event that
moves the complaint into that state from another one. Events after ``as_of`` are ignored; an
event at ``as_of`` counts.

Targets (``T`` the target, pauses taken in order, each only if it began before the deadline
computed so far: a pause that begins after the deadline cannot undo a breach):

- working days: deadline ``calendar.add_working_days(start, n + k)`` where ``k`` is the sum of
  ``calendar.working_days_between(p0, p1)`` over those pauses;
- working time: the instant at which working time elapsed, paused intervals excluded, reaches
  ``T``: ``calendar.add_working_time(start, T + P)`` with ``P`` the paused working time;
- calendar days and calendar time: plain durations, ``start + T + P`` with ``P`` the paused
  actual time (a day is 24 hours).

A cycle stopped at an instant strictly before its deadline is met, otherwise missed. A cycle
still open is breached once ``as_of`` reaches its deadline. While a cycle is paused before its
deadline, its deadline is unknown (``None``): it depends on when it resumes.

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from pengaduan.model import Actor
>>> from pengaduan.presets import lapor_policy, lapor_workflow
>>> WIB = ZoneInfo("Asia/Jakarta")
>>> workflow = lapor_workflow()
>>> c = workflow.new("C-1")
>>> c = workflow.apply(c, "submit", Actor("w", "reporter"), datetime(2026, 3, 17, 9, tzinfo=WIB),
...                    {"title": "Jalan rusak", "body": "...", "channel": "web"})
>>> result = evaluate(c, policy=lapor_policy(), as_of=datetime(2026, 3, 20, 9, tzinfo=WIB))
>>> state = result["verification"]
>>> state.status, state.breached, state.deadline.isoformat()
(<ClockStatus.RUNNING: 'running'>, False, '2026-03-28T00:00:00+07:00')

```
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs

from pengaduan import _present
from pengaduan._labelled import LabelledEnum
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import DefinitionError, UnknownClockError
from pengaduan.model import Complaint, Event
from pengaduan.workflow import Workflow

__all__ = [
    "Clock",
    "ClockState",
    "ClockStatus",
    "Condition",
    "Cycle",
    "Difference",
    "Evaluation",
    "LintProblem",
    "Pause",
    "Policy",
    "Target",
    "TargetUnit",
    "Timeline",
    "TimelineEntry",
    "UnitShare",
    "diff",
    "evaluate",
    "evaluate_many",
    "expected_datetime",
    "explain",
    "lint",
    "what_if",
]

_ZERO = timedelta(0)


class TargetUnit(LabelledEnum):
    """How a clock's target is counted."""

    WORKING_DAYS = "working_days", "hari kerja"
    WORKING_TIME = "working_time", "jam kerja"
    CALENDAR_DAYS = "calendar_days", "hari kalender"
    CALENDAR_TIME = "calendar_time", "waktu kalender"


class ClockStatus(LabelledEnum):
    """Where a clock stands at an instant."""

    NOT_STARTED = "not_started", "Belum Dimulai"
    RUNNING = "running", "Berjalan"
    PAUSED = "paused", "Dijeda"
    STOPPED = "stopped", "Berhenti"


def _unit(value: object) -> TargetUnit:
    for unit in TargetUnit:
        if value is unit or value == unit.value:
            return unit
    known = ", ".join(u.value for u in TargetUnit)
    raise DefinitionError("Target", f"{value!r} is not a unit; the units are: {known}")


def _check_amount(instance: Target, _attribute: object, value: int | timedelta) -> None:
    if instance.unit in (TargetUnit.WORKING_DAYS, TargetUnit.CALENDAR_DAYS):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise DefinitionError(
                f"Target {instance.unit.value}", "a number of days must be an integer >= 1"
            )
    elif not isinstance(value, timedelta) or value <= _ZERO:
        raise DefinitionError(
            f"Target {instance.unit.value}", "a duration must be a positive timedelta"
        )


@attrs.frozen
class Target:
    """How long a clock may run: an amount in a unit.

    Build one with `working_days`, `working_time`, `calendar_days` or `calendar_time`.

    Attributes:
        unit: The unit.
        amount: A number of days (``int``) for the day units, a `timedelta` for the others.

    Raises:
        DefinitionError: If the unit is unknown, or the amount does not fit the unit or is not
            positive.
    """

    unit: TargetUnit = attrs.field(converter=_unit)
    amount: int | timedelta = attrs.field(validator=_check_amount)

    @classmethod
    def working_days(cls, n: int) -> Target:
        """``n`` working days: the deadline ends the n-th working day after the start's date."""
        return cls(TargetUnit.WORKING_DAYS, n)

    @classmethod
    def working_time(cls, delta: timedelta) -> Target:
        """A duration of working time (e.g. ``timedelta(hours=8)``)."""
        return cls(TargetUnit.WORKING_TIME, delta)

    @classmethod
    def calendar_days(cls, n: int) -> Target:
        """``n`` days of 24 hours, weekends and holidays included."""
        return cls(TargetUnit.CALENDAR_DAYS, n)

    @classmethod
    def calendar_time(cls, delta: timedelta) -> Target:
        """A plain duration, weekends and holidays included."""
        return cls(TargetUnit.CALENDAR_TIME, delta)

    @property
    def in_working_time(self) -> bool:
        """Whether elapsed time counts working time (the two working units)."""
        return self.unit in (TargetUnit.WORKING_DAYS, TargetUnit.WORKING_TIME)

    def __str__(self) -> str:
        if isinstance(self.amount, int):
            words = {"working_days": "working day", "calendar_days": "calendar day"}[self.unit]
            return f"{self.amount} {words}{'s' if self.amount != 1 else ''}"
        return f"{_format_delta(self.amount)} of {self.unit.value.replace('_', ' ')}"


def _format_delta(delta: timedelta) -> str:
    sign = "-" if delta < _ZERO else ""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return sign + " ".join(parts)


def _names(value: Iterable[str] | str) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if not isinstance(value, Iterable):
        raise DefinitionError(
            "Clock", f"expected a name or an iterable of names, not {type(value).__name__}"
        )
    return frozenset(str(item) for item in value)


@attrs.frozen
class Condition:
    """A condition met by an event: one of some actions, or entering one of some states.

    Attributes:
        actions: Met by an event of any of these actions.
        states: Met by an event that moves the complaint into one of these states from
            another state (needs the policy's workflow).
    """

    actions: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    states: frozenset[str] = attrs.field(default=frozenset(), converter=_names)

    def __bool__(self) -> bool:
        return bool(self.actions or self.states)

    def __str__(self) -> str:
        parts = [*(f"on {a}" for a in sorted(self.actions))]
        parts += [f"entering {s}" for s in sorted(self.states)]
        return " or ".join(parts) if parts else "never"


def _check_target(instance: Clock, _attribute: object, value: Any) -> None:
    if not isinstance(value, Target):
        raise DefinitionError(
            f"Clock {instance.name!r}",
            f"its target must be a Target (e.g. Target.working_days(3)), not {value!r}",
        )


def _check_calendar(instance: Clock, _attribute: object, value: Any) -> None:
    if not isinstance(value, WorkCalendar):
        raise DefinitionError(
            f"Clock {instance.name!r}",
            f"its calendar must be a WorkCalendar (e.g. id_gov_calendar()), not {value!r}",
        )


def _state_names(value: Condition | Iterable[str] | str) -> frozenset[str]:
    """Accept state names, or a `Condition` on states only (for ``pause_while``)."""
    if isinstance(value, Condition):
        if value.actions:
            raise DefinitionError(
                "Clock",
                "pause_while takes states; to pause on actions use pause_on and resume_on",
            )
        return value.states
    return _names(value)


def _condition(value: Condition | Iterable[str] | str) -> Condition:
    """Accept a `Condition`, or action names as a shorthand."""
    if isinstance(value, Condition):
        return value
    return Condition(actions=_names(value))


@attrs.frozen
class Clock:
    """The definition of one SLA clock.

    Conditions accept a `Condition` or, as a shorthand, action names
    (``start=("submit",)``). See the module docstring for their precedence.

    Attributes:
        name: The identifier, e.g. ``"verification"``.
        label: A Bahasa Indonesia label, e.g. ``"Verifikasi"``.
        target: How long a cycle may run.
        calendar: The calendar its working time and days are counted on (calendar targets use
            it for the working time they report and for presentation).
        start: Starts a new cycle when none is open.
        stop: Stops the open cycle.
        reset: Ends the open cycle, if any, and starts a new one ("a new cycle on ...").
        pause_while: States in which the clock is paused.
        pause_on: Actions that pause the clock until one of `resume_on`.
        resume_on: Actions that end a pause begun by `pause_on`.
        label_en: An English label.
        due_action: An action that falls due when a cycle runs out, e.g. an automatic
            ``close`` (carried out by the escalation engine, not here). A cycle that runs
            out and is then ended by this action has *expired*, not been missed.

    Raises:
        DefinitionError: If the target is not a `Target` or the calendar not a
            `WorkCalendar` (contradictory conditions are the linter's: see `lint`).
    """

    name: str
    label: str
    target: Target = attrs.field(validator=_check_target)
    calendar: WorkCalendar = attrs.field(validator=_check_calendar)
    start: Condition = attrs.field(default=Condition(), converter=_condition)
    stop: Condition = attrs.field(default=Condition(), converter=_condition)
    reset: Condition = attrs.field(default=Condition(), converter=_condition)
    pause_while: frozenset[str] = attrs.field(default=frozenset(), converter=_state_names)
    pause_on: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    resume_on: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    label_en: str = ""
    due_action: str | None = None

    def evolve(self, **changes: Any) -> Clock:
        """Return a copy with attributes changed, e.g. ``target=Target.working_days(5)``."""
        return attrs.evolve(self, **changes)

    def __repr__(self) -> str:
        due = f", due action {self.due_action!r}" if self.due_action else ""
        return (
            f"<Clock {self.name!r} ({_present.clip(self.label, 30)}): {self.target} on "
            f"calendar {_present.clip(self.calendar.name, 30)!r} "
            f"{self.calendar.fingerprint}{due}>"
        )

    def _row(self) -> tuple[str, ...]:
        def cond(c: Condition) -> str:
            return ", ".join([*sorted(c.actions), *(f"-> {s}" for s in sorted(c.states))])

        pause = ", ".join(
            [
                *sorted(self.pause_while),
                *(f"{a} .. {', '.join(sorted(self.resume_on))}" for a in sorted(self.pause_on)),
            ]
        )
        return (
            self.name,
            self.label,
            str(self.target),
            self.calendar.name,
            cond(self.start),
            cond(self.stop),
            cond(self.reset),
            pause,
        )

    def _repr_html_(self) -> str:
        """In a notebook: the clock as a one-row table."""
        body = _present.table(_CLOCK_HEADS, [self._row()])
        return _present.fragment(f"Clock {self.name}", body)


_CLOCK_HEADS = (
    "jam / clock",
    "label",
    "target",
    "kalender / calendar",
    "mulai / start",
    "berhenti / stop",
    "ulang / reset",
    "jeda / pause",
)


@attrs.frozen
class LintProblem:
    """A reason the linter refuses a clock.

    Attributes:
        clock: The clock's name.
        reason: What is contradictory or unknown.
    """

    clock: str
    reason: str

    def __str__(self) -> str:
        return f"clock {self.clock!r}: {self.reason}"


def lint(
    clocks: Clock | Iterable[Clock], workflow: Workflow | None = None
) -> tuple[LintProblem, ...]:
    """Check clock definitions; return every problem found (empty when they are sound).

    Without a workflow, it checks what the clocks say on their own: a clock that can never
    start, one that stops on its own start, a pause with no way out, an action that both
    pauses and resumes, a working-time target on a calendar without any working window, state
    conditions that need a workflow. With one, it also checks every action and state name,
    that a start can happen, that a stop or reset state can be entered and that a pause state
    can be left.

    Args:
        clocks: One clock or several (duplicate names are a problem too).
        workflow: The workflow whose actions and states the clocks refer to.
    """
    if isinstance(clocks, Clock):
        clocks = (clocks,)
    out: list[LintProblem] = []
    seen: set[str] = set()
    for clock in clocks:

        def problem(reason: str, name: str = clock.name) -> None:
            out.append(LintProblem(name, reason))

        if clock.name in seen:
            problem("is defined twice")
        seen.add(clock.name)
        if not clock.name or not clock.name.isidentifier():
            problem("its name must be an identifier")
        if not clock.start and not clock.reset:
            problem("can never start: it has no start and no reset condition")
        both = (clock.start.actions | clock.reset.actions) & clock.stop.actions
        if both:
            problem(f"stops on its own start: {', '.join(sorted(both))} both start and stop it")
        both = (clock.start.states | clock.reset.states) & clock.stop.states
        if both:
            problem(
                f"stops on its own start: entering {', '.join(sorted(both))} both starts and "
                "stops it"
            )
        if clock.pause_on and not clock.resume_on:
            problem(
                f"a pause with no way out: {', '.join(sorted(clock.pause_on))} pause it and no "
                "action resumes it"
            )
        both = clock.pause_on & clock.resume_on
        if both:
            problem(f"{', '.join(sorted(both))} both pause and resume it")
        if clock.resume_on and not clock.pause_on:
            problem("resume_on is set but no action pauses it (use pause_while for states)")
        if clock.target.in_working_time and not clock.calendar._has_windows():
            problem(
                f"counts {clock.target} on calendar {clock.calendar.name!r}, which has no "
                "working window: its deadline can never come"
            )
        uses_states = clock.start.states | clock.stop.states | clock.reset.states
        uses_states |= clock.pause_while
        if workflow is None:
            if uses_states:
                problem("has state conditions; they need the policy's workflow")
            continue
        out.extend(_lint_against(clock, workflow))
    return tuple(out)


def _lint_against(clock: Clock, workflow: Workflow) -> list[LintProblem]:
    out: list[LintProblem] = []
    actions = {a.name: a for a in workflow.actions}
    states = {s.name for s in workflow.states}
    for what, names in (
        ("start", clock.start.actions),
        ("stop", clock.stop.actions),
        ("reset", clock.reset.actions),
        ("pause_on", clock.pause_on),
        ("resume_on", clock.resume_on),
    ):
        unknown = sorted(names - actions.keys())
        if unknown:
            out.append(LintProblem(clock.name, f"{what}: unknown action(s) {', '.join(unknown)}"))
    if clock.due_action is not None and clock.due_action not in actions:
        out.append(LintProblem(clock.name, f"due_action: unknown action {clock.due_action!r}"))
    for what, names in (
        ("start", clock.start.states),
        ("stop", clock.stop.states),
        ("reset", clock.reset.states),
        ("pause_while", clock.pause_while),
    ):
        unknown = sorted(names - states)
        if unknown:
            out.append(LintProblem(clock.name, f"{what}: unknown state(s) {', '.join(unknown)}"))
    entered = {a.dest for a in workflow.actions if a.dest is not None}
    for what, names in (("stop", clock.stop.states), ("reset", clock.reset.states)):
        never = sorted((names & states) - entered)
        if never:
            out.append(
                LintProblem(
                    clock.name,
                    f"{what} can never be met: no action of the workflow enters {', '.join(never)}",
                )
            )
    starters = (clock.start.actions | clock.reset.actions) & actions.keys()
    start_states = (clock.start.states | clock.reset.states) & entered
    if (clock.start or clock.reset) and not starters and not start_states:
        out.append(
            LintProblem(
                clock.name, "can never start: no action of the workflow meets its start or reset"
            )
        )
    for name in sorted(starters):
        dest = actions[name].dest
        if dest is not None and dest in clock.stop.states:
            out.append(
                LintProblem(
                    clock.name,
                    f"stops on its own start: {name} starts it and leads to {dest}, which stops it",
                )
            )
    for name in sorted(clock.stop.actions & actions.keys()):
        dest = actions[name].dest
        if dest is not None and dest in clock.start.states | clock.reset.states:
            out.append(
                LintProblem(
                    clock.name,
                    f"stops on its own start: {name} stops it and leads to {dest}, which starts it",
                )
            )
    for state in sorted(clock.pause_while & states):
        leaving = [
            a.name
            for a in workflow.actions
            if state in a.sources and a.dest is not None and a.dest not in clock.pause_while
        ]
        stopping = [
            a for a in workflow.actions if state in a.sources and a.name in clock.stop.actions
        ]
        if not leaving and not stopping:
            out.append(
                LintProblem(
                    clock.name,
                    f"a pause with no way out: no action leaves {state!r} for an unpaused state "
                    "or stops the clock",
                )
            )
    return out


# A clock as its evaluation reads it: the actions that may affect it, whether entering a state
# may, then its start, stop and reset actions and states, and its pause and resume sets (in
# `_scan`'s order: one unpacking instead of a dozen attribute reads per complaint).
_Plan = tuple[
    frozenset[str],
    bool,
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
    frozenset[str],
]


def _plan(clock: Clock) -> _Plan:
    start, stop, reset = clock.start, clock.stop, clock.reset
    triggers = start.actions | stop.actions | reset.actions | clock.pause_on | clock.resume_on
    state_sensitive = bool(start.states | stop.states | reset.states | clock.pause_while)
    return (
        triggers,
        state_sensitive,
        start.actions,
        start.states,
        stop.actions,
        stop.states,
        reset.actions,
        reset.states,
        clock.pause_while,
        clock.pause_on,
        clock.resume_on,
    )


def _clocks(value: Iterable[Clock]) -> tuple[Clock, ...]:
    return tuple(value)


@attrs.frozen
class _Compiled:
    dest: dict[str, str | None]
    initial: str
    # Per clock: what its evaluation reads of it (see `_Plan`).
    plans: tuple[_Plan, ...]
    # Per clock: whether its target counts working time (`Target.in_working_time`).
    working: tuple[bool, ...]
    # The actions that give the complaint a unit (with the data field naming it), and those
    # that take it away.
    unit_from: dict[str, str] = attrs.field(factory=dict)
    clears_unit: frozenset[str] = frozenset()


@attrs.frozen
class Policy:
    """A named, versioned set of clocks for one workflow.

    Attributes:
        name: The policy's name, e.g. ``"sp4n-lapor"``.
        version: Its version; change it whenever a clock changes.
        clocks: The clocks, in presentation order.
        workflow: The workflow whose actions and states the clocks refer to; needed for state
            conditions (``pause_while``, ``Condition.states``) and to check names.

    Raises:
        DefinitionError: If `lint` finds any problem (every reason is in the message).
    """

    name: str
    version: str
    clocks: tuple[Clock, ...] = attrs.field(converter=_clocks)
    workflow: Workflow | None = None
    _compiled: _Compiled = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = lint(self.clocks, self.workflow)
        if problems:
            raise DefinitionError(
                f"{self.name} {self.version}", "; ".join(str(p) for p in problems)
            )
        plans = tuple(_plan(clock) for clock in self.clocks)
        working = tuple(clock.target.in_working_time for clock in self.clocks)
        if self.workflow is None:
            compiled = _Compiled({}, "", plans, working)
        else:
            actions = self.workflow.actions
            compiled = _Compiled(
                {a.name: a.dest for a in actions},
                self.workflow.initial,
                plans,
                working,
                {a.name: a.unit_from for a in actions if a.unit_from is not None},
                frozenset(a.name for a in actions if a.clears_unit),
            )
        object.__setattr__(self, "_compiled", compiled)

    @property
    def names(self) -> tuple[str, ...]:
        """The clocks' names, in order."""
        return tuple(c.name for c in self.clocks)

    @property
    def fingerprint(self) -> str:
        """A short digest of the clocks and the workflow (not the name or version).

        It changes whenever a clock, one of their calendars or the workflow changes.
        """
        return _present.fingerprint((self.clocks, self.workflow))

    def __repr__(self) -> str:
        workflow = (
            "no workflow"
            if self.workflow is None
            else f"workflow {_present.clip(self.workflow.name, 30)!r} "
            f"{_present.clip(self.workflow.version, 20)}"
        )
        return (
            f"<Policy {_present.clip(self.name, 40)!r} version "
            f"{_present.clip(self.version, 20)!r}: {len(self.clocks)} clocks "
            f"({_present.clip(_present.names(self.names, 5), 80)}), {workflow}, "
            f"fingerprint {self.fingerprint}>"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the clocks as a table."""
        body = _present.table(_CLOCK_HEADS, [c._row() for c in self.clocks])
        return _present.fragment(f"Policy {self.name} {self.version}", body)

    def clock(self, name: str) -> Clock:
        """Return the clock called `name`.

        Raises:
            UnknownClockError: If there is none.
        """
        for clock in self.clocks:
            if clock.name == name:
                return clock
        raise UnknownClockError(name, self.names, policy=self.name)

    def evolve(self, **changes: Any) -> Policy:
        """Return a copy with attributes changed (e.g. ``version``), checked again."""
        return attrs.evolve(self, **changes)

    def with_clock(self, clock: Clock) -> Policy:
        """Return a copy with `clock` added, or replacing the clock of the same name."""
        if clock.name in self.names:
            return attrs.evolve(
                self, clocks=[clock if c.name == clock.name else c for c in self.clocks]
            )
        return attrs.evolve(self, clocks=(*self.clocks, clock))

    def without_clock(self, name: str) -> Policy:
        """Return a copy without clock `name`.

        Raises:
            UnknownClockError: If there is none.
        """
        self.clock(name)
        return attrs.evolve(self, clocks=[c for c in self.clocks if c.name != name])

    def with_target(self, name: str, target: Target) -> Policy:
        """Return a copy in which clock `name` has another target.

        Args:
            name: The clock's name.
            target: Its new target.

        Raises:
            UnknownClockError: If there is no such clock.
        """
        return self.with_clock(self.clock(name).evolve(target=target))

    def with_calendar(self, calendar: WorkCalendar, *names: str) -> Policy:
        """Return a copy in which the clocks `names` (by default all) count on `calendar`.

        Use it to recalculate under a new calendar version, e.g. after a holiday is confirmed.

        Args:
            calendar: The calendar to count on.
            *names: The clocks to change; none means every clock.

        Raises:
            UnknownClockError: If a name is not a clock of the policy.
        """
        chosen = set(names) if names else set(self.names)
        for name in chosen:
            self.clock(name)
        return attrs.evolve(
            self,
            clocks=[c.evolve(calendar=calendar) if c.name in chosen else c for c in self.clocks],
        )


# -- results -------------------------------------------------------------------------------


@attrs.frozen
class Pause:
    """An interval during which a cycle was paused.

    Attributes:
        start: When it began.
        end: When it ended (a resume, leaving the pause state, or the cycle's end); ``None``
            while it lasts.
        cause: What paused it: the pause state's name (``pause_while``) or the action's
            (``pause_on``).
        reason: The pausing event's ``reason`` data, when it carries one.
        event_id: The pausing event's id.
        end_event: The id of the event that ended it, if it ended.
    """

    start: datetime
    end: datetime | None
    cause: str
    reason: str | None = None
    event_id: str | None = None
    end_event: str | None = None

    def duration(self, as_of: datetime | TimeSource) -> timedelta:
        """The actual time it lasted (up to `as_of`, an instant or a time source, while it lasts).

        Raises:
            NaiveDatetimeError: If `as_of` is naive (it would be read in the machine's zone).
        """
        instant = instant_of(as_of)
        end = self.end if self.end is not None else instant
        return end.astimezone(UTC) - self.start.astimezone(UTC)


@attrs.frozen
class UnitShare:
    """The stretch of a cycle during which one unit held the complaint, judged on its own.

    A complaint declined by one unit (*bukan wewenang*) and dispatched to another stays in
    one cycle of a clock that a decline does not stop (the reporter waits all along), but
    each unit is answerable only for its own stretch: its deadline is the clock's target
    counted from when it received the complaint, its own pauses accounted for.

    Attributes:
        unit: The unit (``None``: with no unit, e.g. with the admins before a dispatch).
        start: When it received the complaint (or when the cycle started).
        end: When it passed the complaint on or the cycle ended; ``None`` while it lasts.
        ended_by: ``"handover"`` (the unit changed: a forward, a decline, a new dispatch),
            else the cycle's own ``ended_by`` (``"stop"``, ``"reset"``, ``"expired"``, or
            ``None`` while open).
        deadline: The unit's own deadline; ``None`` while paused before it.
        breach_at: Its deadline, if that came before its end (or, while open, by
            ``as_of``).
        elapsed: The clock's measure it used, pauses excluded (working time for working
            targets, actual time for calendar targets).
    """

    unit: str | None
    start: datetime
    end: datetime | None
    ended_by: str | None
    deadline: datetime | None
    breach_at: datetime | None
    elapsed: timedelta

    @property
    def breached(self) -> bool:
        """Whether the unit's own deadline passed during its stretch."""
        return self.breach_at is not None

    @property
    def met(self) -> bool | None:
        """For a stretch that ended by a stop or a handover, whether it met its deadline."""
        if self.ended_by not in ("stop", "handover"):
            return None
        return self.breach_at is None


@attrs.frozen
class Cycle:
    """One cycle of a clock: from a start (or reset) to a stop, a reset, or ``as_of``.

    Measures are in the clock's own measure: working time for working-day and working-time
    targets, actual time for calendar targets. Everything is computed in UTC; the start, stop
    and pause instants are the events' own (as recorded), the deadline and breach instants are
    in the calendar's zone.

    Attributes:
        index: 1 for the first cycle, then 2, ...
        start: When it started.
        stop: When it ended; ``None`` while open.
        ended_by: ``"stop"``, ``"reset"``, ``"expired"`` (a clock with a ``due_action``
            whose cycle ran out and was ended by that action, e.g. the automatic close: not a
            breach, and not counted in compliance) or ``None`` while open.
        pauses: Its pauses, in order.
        deadline: When it runs out, pauses accounted for; ``None`` while paused before it.
        breach_at: The instant it was breached (its deadline), if that instant came before it
            stopped (or, while open, at or before ``as_of``); else ``None``.
        target: The clock's target.
        calendar: The calendar it counts on.
        elapsed_working: Working time elapsed, pauses excluded.
        elapsed_actual: Actual time elapsed, pauses excluded.
        budget: How much of the clock's measure the cycle gets before its deadline (the
            target for time units; for working days, the working time from start to deadline
            less paused working time; while paused, as if it resumed at ``as_of``).
        elapsed: How much of the measure it used (``elapsed_working`` or ``elapsed_actual``).
        estimated: Whether its deadline rests on an estimated holiday or dated rule.
        start_event: The id of the event that started it.
        stop_event: The id of the event that ended it, if any.
        shares: Who held the complaint during the cycle, one `UnitShare` per stretch with
            one unit (``None``: with no unit, e.g. before a dispatch or after a decline),
            each judged on its own time: the metrics by unit charge each unit its share only.
    """

    index: int
    start: datetime
    stop: datetime | None
    ended_by: str | None
    pauses: tuple[Pause, ...]
    deadline: datetime | None
    breach_at: datetime | None
    target: Target
    calendar: WorkCalendar = attrs.field(repr=False)
    elapsed_working: timedelta
    elapsed_actual: timedelta
    budget: timedelta
    elapsed: timedelta
    estimated: bool = False
    start_event: str | None = None
    stop_event: str | None = None
    _held: tuple[tuple[datetime, str | None], ...] = attrs.field(
        default=(), repr=False, alias="held"
    )
    _as_of: datetime | None = attrs.field(default=None, repr=False, eq=False, alias="as_of")
    _shares: tuple[UnitShare, ...] | None = attrs.field(
        default=None, init=False, repr=False, eq=False, hash=False
    )

    @property
    def units(self) -> tuple[str | None, ...]:
        """The units that held the complaint during the cycle, in order (``None``: no unit)."""
        return tuple(unit for _at, unit in self._held)

    @property
    def shares(self) -> tuple[UnitShare, ...]:
        """Who held the complaint during the cycle: one `UnitShare` per stretch, in order.

        Each stretch with one unit (``None``: with no unit, e.g. before a dispatch or after a
        decline) is judged on its own: its deadline is the clock's target counted from when
        the unit received the complaint, its pauses accounted for. The metrics by unit count
        these, so that no unit is charged for another's days. Computed on first use.
        """
        found = self._shares
        if found is None:
            found = _judge_shares(self)
            object.__setattr__(self, "_shares", found)  # a cache: the cycle stays as it was
        return found

    @property
    def open(self) -> bool:
        """Whether it has not ended."""
        return self.ended_by is None

    @property
    def paused(self) -> bool:
        """Whether it is paused now (open, with an open pause)."""
        return self.ended_by is None and bool(self.pauses) and self.pauses[-1].end is None

    @property
    def breached(self) -> bool:
        """Whether its deadline passed before it stopped (or, while open, by ``as_of``)."""
        return self.breach_at is not None

    def __repr__(self) -> str:
        return _cycle_repr(self)

    @property
    def met(self) -> bool | None:
        """For a stopped cycle, whether it stopped before its deadline; else ``None``."""
        if self.ended_by != "stop":
            return None
        return self.breach_at is None

    @property
    def percent(self) -> float:
        """Elapsed as a percentage of the budget (over 100 once breached)."""
        if self.budget <= _ZERO:
            return 100.0 if self.breached else 0.0
        return 100.0 * (self.elapsed / self.budget)

    @property
    def remaining(self) -> timedelta | None:
        """What is left of the budget (negative once breached); ``None`` once ended."""
        if self.ended_by is not None:
            return None
        return self.budget - self.elapsed


def _cycle_repr(cycle: Cycle) -> str:
    end = f"to {_present.when(cycle.stop)} ({cycle.ended_by})" if cycle.ended_by else "open"
    verdict = "breached" if cycle.breached else ("met" if cycle.met else "not breached")
    return (
        f"<Cycle {cycle.index} from {_present.when(cycle.start)} {end}: deadline "
        f"{_present.when(cycle.deadline)}, {verdict}, {len(cycle.pauses)} pauses>"
    )


@attrs.frozen
class ClockState:
    """One clock of one complaint, as of an instant.

    Attributes:
        clock: The clock's definition.
        status: Not started, running, paused or stopped.
        cycles: Every cycle, oldest first.
        as_of: The instant evaluated.
    """

    clock: Clock
    status: ClockStatus
    cycles: tuple[Cycle, ...]
    as_of: datetime

    @property
    def name(self) -> str:
        """The clock's name."""
        return self.clock.name

    @property
    def current(self) -> Cycle | None:
        """The last cycle (open or not), or ``None`` if it never started."""
        return self.cycles[-1] if self.cycles else None

    @property
    def breached(self) -> bool:
        """Whether the current (last) cycle is breached."""
        return bool(self.cycles) and self.cycles[-1].breached

    @property
    def deadline(self) -> datetime | None:
        """The current cycle's deadline; ``None`` if not started or paused before it."""
        return self.cycles[-1].deadline if self.cycles else None

    @property
    def remaining(self) -> timedelta | None:
        """What is left of the current cycle; ``None`` unless running or paused."""
        return self.cycles[-1].remaining if self.cycles else None

    @property
    def remaining_working(self) -> timedelta | None:
        """What is left of the current cycle in working time; ``None`` unless running or paused.

        For working targets it is `remaining`; for calendar targets, the working time between
        ``as_of`` and ``as_of + remaining`` (negative once breached).
        """
        remaining = self.remaining
        if remaining is None or self.clock.target.in_working_time:
            return remaining
        start = self.as_of.astimezone(UTC)
        return self.clock.calendar.working_time_between(start, start + remaining)

    @property
    def next_change_at(self) -> datetime | None:
        """The earliest instant after ``as_of`` at which this state changes with no new event.

        That is the deadline of a running, not yet breached cycle; ``None`` otherwise (a
        paused, stopped or not-started clock changes only with an event).
        """
        cycle = self.current
        if self.status is ClockStatus.RUNNING and cycle is not None and not cycle.breached:
            return cycle.deadline
        return None

    @property
    def stopped_cycles(self) -> tuple[Cycle, ...]:
        """The cycles ended by a stop (the ones compliance counts)."""
        return tuple(c for c in self.cycles if c.ended_by == "stop")

    @property
    def met_cycles(self) -> tuple[Cycle, ...]:
        """The stopped cycles that met their deadline."""
        return tuple(c for c in self.cycles if c.met)

    def __repr__(self) -> str:
        breached = ", breached" if self.breached else ""
        return (
            f"<ClockState {self.clock.name!r} {self.status.value} as of "
            f"{_present.when(self.as_of)}: {len(self.cycles)} cycles, deadline "
            f"{_present.when(self.deadline)}{breached}>"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the clock's status and its cycles as a table."""
        rows = [
            (
                c.index,
                _present.when(c.start),
                _present.when(c.stop),
                c.ended_by or "-",
                _present.when(c.deadline),
                "ya / yes" if c.breached else "tidak / no",
                len(c.pauses),
            )
            for c in self.cycles
        ]
        heads = (
            "siklus / cycle",
            "mulai / start",
            "berhenti / stop",
            "oleh / by",
            "tenggat / deadline",
            "terlampaui / breached",
            "jeda / pauses",
        )
        title = f"{self.clock.label or self.clock.name}: {self.status.value}"
        note = f'<p class="muted">as of {_present.esc(_present.when(self.as_of))}</p>'
        return _present.fragment(title, note + _present.table(heads, rows))

    def at_percent(self, percent: float) -> datetime | None:
        """The instant the current cycle reaches `percent` of its budget, if it is running.

        Useful to schedule warnings ("at 75%"). ``None`` unless the clock is running. The
        instant may lie before ``as_of`` (already reached).
        """
        cycle = self.current
        if self.status is not ClockStatus.RUNNING or cycle is None:
            return None
        amount = cycle.budget * (percent / 100.0)
        return _reach(self.clock, cycle.start, cycle.pauses, amount)


@attrs.frozen
class Evaluation:
    """Every clock of a policy for one complaint, as of an instant.

    Index it by clock name (``evaluation["verification"]``) or iterate over its clock states.
    In a notebook it shows as a timeline (`explain`).

    Attributes:
        complaint: The complaint's id.
        policy: The policy's name.
        version: The policy's version.
        as_of: The instant evaluated.
        clocks: One state per clock, in the policy's order.
    """

    complaint: str
    policy: str
    version: str
    as_of: datetime
    clocks: tuple[ClockState, ...]
    _events: tuple[Any, ...] = attrs.field(default=(), repr=False, eq=False)

    def __getitem__(self, name: str) -> ClockState:
        for state in self.clocks:
            if state.clock.name == name:
                return state
        raise UnknownClockError(name, [s.clock.name for s in self.clocks], policy=self.policy)

    def __iter__(self) -> Iterator[ClockState]:
        return iter(self.clocks)

    def __len__(self) -> int:
        return len(self.clocks)

    @property
    def next_change_at(self) -> datetime | None:
        """The earliest `ClockState.next_change_at` of its clocks, or ``None``."""
        instants = [s.next_change_at for s in self.clocks if s.next_change_at is not None]
        return min(instants, key=_utc) if instants else None

    def explain(self) -> Timeline:
        """The timeline of every clock (see `explain`)."""
        return explain(self)

    def __repr__(self) -> str:
        clocks = _present.names(
            (
                f"{s.clock.name} {s.status.value}{' breached' if s.breached else ''}"
                for s in self.clocks
            ),
            4,
        )
        return (
            f"<Evaluation of {_present.clip(self.complaint, 40)!r} under "
            f"{_present.clip(self.policy, 30)!r} {_present.clip(self.version, 20)} as of "
            f"{_present.when(self.as_of)}: {_present.clip(clocks, 120)}>"
        )

    def _repr_html_(self) -> str:
        return explain(self)._repr_html_()


# -- evaluation ------------------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _reach(clock: Clock, start: datetime, pauses: Iterable[Pause], amount: timedelta) -> datetime:
    """The instant at which the cycle's elapsed measure reaches `amount`, pauses excluded.

    Pauses are taken in order, each only if it began before the instant found so far.
    Assumes every pause that matters is closed.
    """
    cal = clock.calendar
    working = clock.target.in_working_time
    extra = _ZERO
    start = start.astimezone(UTC)
    at = cal.add_working_time(start, amount).astimezone(UTC) if working else start + amount
    for pause in pauses:
        if pause.end is None:
            break
        p0, p1 = pause.start.astimezone(UTC), pause.end.astimezone(UTC)
        if p0 >= at:
            break
        if working:
            extra += cal.working_time_between(p0, p1)
            at = cal.add_working_time(start, amount + extra).astimezone(UTC)
        else:
            extra += p1 - p0
            at = start + amount + extra
    return at.astimezone(cal.tz)


def _as_delta(target: Target) -> timedelta:
    amount = target.amount
    return timedelta(days=amount) if isinstance(amount, int) else amount


# A pause while its cycle is open: [start (UTC), end (UTC) or None, cause, reason, the event
# that began it, the event that ended it or None].
_OpenPause = list[Any]


class _Memo:
    """Calendar answers that depend only on local dates, kept for one evaluation batch.

    Working-day arithmetic and the "rests on an estimate" flag depend on dates, not times, so
    a batch of complaints asks the same few thousand questions again and again. Keys hold the
    calendar's ``id``: the policy keeps its calendars alive for the whole batch.
    """

    __slots__ = ("between", "days", "estimated")

    def __init__(self) -> None:
        self.days: dict[tuple[int, int, int], tuple[datetime, datetime]] = {}
        self.between: dict[tuple[int, int, int], int] = {}
        self.estimated: dict[tuple[int, int, int, bool], bool] = {}

    def add_working_days(
        self, cal: WorkCalendar, t: datetime, local_ordinal: int, n: int
    ) -> tuple[datetime, datetime]:
        """`cal.add_working_days(t, n)` in UTC and in the calendar's zone."""
        key = (id(cal), local_ordinal, n)
        found = self.days.get(key)
        if found is None:
            local = cal.add_working_days(t, n)
            found = self.days[key] = (local.astimezone(UTC), local)
        return found

    def working_days_between(self, cal: WorkCalendar, a: datetime, b: datetime) -> int:
        tz = cal.tz
        key = (id(cal), a.astimezone(tz).toordinal(), b.astimezone(tz).toordinal())
        found = self.between.get(key)
        if found is None:
            found = self.between[key] = cal.working_days_between(a, b)
        return found

    def depends_on_estimate(self, cal: WorkCalendar, first: int, last: int, hours: bool) -> bool:
        if last < first:  # pragma: no cover - a deadline never precedes its start
            first, last = last, first
        key = (id(cal), first, last, hours)
        found = self.estimated.get(key)
        if found is None:
            found = self.estimated[key] = cal.depends_on_estimate(
                date.fromordinal(first), date.fromordinal(last), hours=hours
            )
        return found


def _deadline(
    target: Target,
    cal: WorkCalendar,
    start: datetime,
    start_ordinal: int,
    pauses: list[_OpenPause],
    as_of: datetime,
    memo: _Memo,
) -> tuple[datetime | None, datetime, datetime]:
    """Return the deadline and the provisional deadline (UTC), and the latter locally.

    The provisional deadline counts an open pause as ending at `as_of`; the deadline is
    ``None`` while a pause that began before it lasts. "Locally": in the calendar's zone.
    """
    if target.unit is TargetUnit.WORKING_DAYS:
        n = target.amount
        assert isinstance(n, int)
        k = 0
        at, local = memo.add_working_days(cal, start, start_ordinal, n)
        for p0, p1, *_ in pauses:
            if p0 >= at:
                return at, at, local
            step = memo.working_days_between(cal, p0, p1 if p1 is not None else as_of)
            if step:
                k += step
                at, local = memo.add_working_days(cal, start, start_ordinal, n + k)
            if p1 is None:
                return None, at, local
        return at, at, local
    amount = _as_delta(target)
    if target.unit is TargetUnit.WORKING_TIME:
        extra = _ZERO
        local = cal.add_working_time(start, amount)
        at = local.astimezone(UTC)
        for p0, p1, *_ in pauses:
            if p0 >= at:
                return at, at, local
            extra += cal.working_time_between(p0, p1 if p1 is not None else as_of)
            local = cal.add_working_time(start, amount + extra)
            at = local.astimezone(UTC)
            if p1 is None:
                return None, at, local
        return at, at, local
    at = start + amount
    for p0, p1, *_ in pauses:
        if p0 >= at:
            break
        at += (p1 if p1 is not None else as_of) - p0
        if p1 is None:
            return None, at, at.astimezone(cal.tz)
    return at, at, at.astimezone(cal.tz)


def _verdict(
    clock: Clock,
    start: datetime,
    start_event: Event,
    stop: datetime | None,
    ended_by: str | None,
    stop_event: Event | None,
    pauses: list[_OpenPause],
    as_of: datetime,
    memo: _Memo,
) -> tuple[datetime | None, datetime, datetime, bool, str | None, int]:
    """A cycle's deadline and whether it was breached: the part of `_finish` a row shows.

    Returns:
        The deadline and the provisional one (UTC), the latter locally, whether the cycle is
        breached, how it ended (a stop by its due action is ``"expired"``), and the local
        ordinal of its start (0 for a calendar-time target).
    """
    cal = clock.calendar
    target = clock.target
    start_ordinal = start_event.at.astimezone(cal.tz).toordinal() if target.in_working_time else 0
    deadline, provisional, local = _deadline(target, cal, start, start_ordinal, pauses, as_of, memo)
    # Stopping at the deadline is too late, and an open cycle is breached once as_of reaches it.
    breached = deadline is not None and deadline <= (stop if stop is not None else as_of)
    if (
        breached
        and ended_by == "stop"
        and stop_event is not None
        and stop_event.action == clock.due_action
    ):
        # A window whose running out makes an action due (the automatic close of the reply
        # window) and that this very action ended has expired as designed: nobody missed it.
        ended_by = "expired"
        breached = False
    return deadline, provisional, local, breached, ended_by, start_ordinal


def _finish(
    clock: Clock,
    index: int,
    start: datetime,
    start_event: Event,
    stop: datetime | None,
    ended_by: str | None,
    stop_event: Event | None,
    pauses: list[_OpenPause],
    as_of: datetime,
    memo: _Memo,
    held: tuple[tuple[datetime, str | None], ...],
) -> Cycle:
    """Close the books of one cycle.

    Instants in are UTC; those out are as recorded (start, stop, pauses) or in the calendar's
    zone (deadline, breach).
    """
    cal = clock.calendar
    target = clock.target
    unit = target.unit
    end = stop if stop is not None else as_of
    by_days = unit is TargetUnit.WORKING_DAYS
    in_working_time = by_days or unit is TargetUnit.WORKING_TIME
    deadline, provisional, local, breached, ended_by, start_ordinal = _verdict(
        clock, start, start_event, stop, ended_by, stop_event, pauses, as_of, memo
    )
    paused_actual = _ZERO
    paused_working = _ZERO
    paused_before_deadline = _ZERO
    for p0, p1, *_ in pauses:
        if p1 is None:
            p1 = end
        if p1 == p0:
            continue
        paused_actual += p1 - p0
        worked = cal.working_time_between(p0, p1)
        paused_working += worked
        if by_days and p0 < provisional:
            if p1 <= provisional:
                paused_before_deadline += worked
            else:
                paused_before_deadline += cal.working_time_between(p0, provisional)
    worked_total = cal.working_time_between(start, end)
    elapsed_working = worked_total - paused_working
    elapsed_actual = end - start - paused_actual
    if by_days:
        if provisional >= end:
            budget = worked_total + cal.working_time_between(end, provisional)
        else:
            budget = cal.working_time_between(start, provisional)
        budget -= paused_before_deadline
    else:
        budget = _as_delta(target)
    estimated = False
    if by_days:
        # The deadline is the end (24:00) of the working day before its local date.
        estimated = memo.depends_on_estimate(cal, start_ordinal, local.toordinal() - 1, False)
    elif in_working_time:
        estimated = memo.depends_on_estimate(cal, start_ordinal, local.toordinal(), True)
    shown = local if deadline is not None else None
    return Cycle(
        index,
        start_event.at,
        None if stop_event is None else stop_event.at,
        ended_by,
        tuple(
            Pause(
                began.at,
                None if ended is None else ended.at,
                cause,
                reason,
                began.id,
                None if ended is None else ended.id,
            )
            for _p0, _p1, cause, reason, began, ended in pauses
        ),
        shown,
        shown if breached else None,
        target,
        cal,
        elapsed_working,
        elapsed_actual,
        budget,
        elapsed_working if in_working_time else elapsed_actual,
        estimated,
        start_event.id,
        None if stop_event is None else stop_event.id,
        held,
        None if stop is not None else as_of,
    )


def _judge_shares(cycle: Cycle) -> tuple[UnitShare, ...]:
    """Judge each unit's stretch of a cycle on its own (see `UnitShare`).

    A stretch's deadline is the clock's target counted from its start, with the cycle's pauses
    clipped to it; a stretch of no time at all (a dispatch and a forward at one instant) is
    left out unless it is the cycle's last.
    """
    held = cycle._held
    ended_by = cycle.ended_by
    if len(held) == 1:
        return (
            UnitShare(
                held[0][1],
                cycle.start,
                cycle.stop,
                ended_by,
                cycle.deadline,
                cycle.breach_at,
                cycle.elapsed,
            ),
        )
    target, cal = cycle.target, cycle.calendar
    in_working_time = target.in_working_time
    as_of = cycle._as_of
    stop = cycle.stop
    end = (stop if stop is not None else as_of or cycle.start).astimezone(UTC)
    still_open = ended_by is None
    pauses = [
        (p.start.astimezone(UTC), None if p.end is None else p.end.astimezone(UTC))
        for p in cycle.pauses
    ]
    memo = _Memo()
    out: list[UnitShare] = []
    last = len(held) - 1
    for k, (began, unit) in enumerate(held):
        s0 = began.astimezone(UTC)
        is_last = k == last
        s1 = end if is_last else held[k + 1][0].astimezone(UTC)
        if s1 <= s0 and not is_last:
            continue
        clipped: list[_OpenPause] = []
        paused = _ZERO
        for p0, p1 in pauses:
            q1 = p1 if p1 is not None else (None if is_last and still_open else end)
            if q1 is not None and q1 <= s0:
                continue
            if p0 >= s1 and not (is_last and still_open):
                break
            q0 = max(p0, s0)
            if q1 is not None and not is_last:
                q1 = min(q1, s1)
            clipped.append([q0, q1])
            upto = q1 if q1 is not None else s1
            if upto > q0:
                paused += cal.working_time_between(q0, upto) if in_working_time else upto - q0
        ordinal = began.astimezone(cal.tz).toordinal() if in_working_time else 0
        deadline, _provisional, local = _deadline(
            target, cal, s0, ordinal, clipped, end if still_open else s1, memo
        )
        how = ended_by if is_last else "handover"
        breached = deadline is not None and deadline <= s1 and how != "expired"
        worked = cal.working_time_between(s0, s1) if in_working_time else s1 - s0
        shown = local if deadline is not None else None
        out.append(
            UnitShare(
                unit,
                began,
                stop if is_last else held[k + 1][0],
                how,
                shown,
                shown if breached else None,
                worked - paused,
            )
        )
    return tuple(out)


def _reason(data: Mapping[str, Any]) -> str | None:
    reason = data.get("reason")
    return reason if isinstance(reason, str) else None


# One step of a history: (event, action, state entered or None, state after, instant in UTC).
_Step = tuple[Event, str, str | None, str, datetime]


@attrs.frozen
class _History:
    """The steps of a history, and who held the complaint after each one.

    Attributes:
        steps: The events up to ``as_of``, with the states they entered.
        units: The complaint's unit after each step (``None``: no unit).
        changes: The indexes of the steps that changed the unit, in order.
    """

    steps: list[_Step]
    units: list[str | None]
    changes: list[int]


def _steps(policy: Policy, complaint: Complaint, as_of: datetime) -> _History:
    """The events up to `as_of` (UTC), each with the state it moved the complaint into.

    Instants are taken in UTC: Python compares and subtracts datetimes of one zone by wall
    time, which is ambiguous at a daylight-saving fall-back.
    """
    compiled = policy._compiled
    dests, unit_from, clears_unit = compiled.dest, compiled.unit_from, compiled.clears_unit
    state = compiled.initial
    unit: str | None = None
    out: list[_Step] = []
    units: list[str | None] = []
    changes: list[int] = []
    for event in complaint.events:
        at = event.at.astimezone(UTC)
        if at > as_of:
            break
        action = event.action
        dest = dests.get(action)
        if dest is not None and dest != state:
            state = dest
            out.append((event, action, dest, state, at))
        else:
            out.append((event, action, None, state, at))
        field = unit_from.get(action)
        before = unit
        if field is not None:
            value = event.data.get(field)
            unit = value if isinstance(value, str) else unit
        elif action in clears_unit:
            unit = None
        if unit != before:
            changes.append(len(units))
        units.append(unit)
    return _History(out, units, changes)


def _held(history: _History, first: int, last: int) -> tuple[tuple[datetime, str | None], ...]:
    """Who held the complaint from step `first` to `last` (excluded), and from when.

    The first pair is step `first`'s instant (as recorded) with the unit after it; each later
    one a change of unit.
    """
    steps, units, changes = history.steps, history.units, history.changes
    k = bisect_right(changes, first)
    if k == len(changes) or changes[k] >= last:  # the common case: one unit throughout
        return ((steps[first][0].at, units[first]),)
    out = [(steps[first][0].at, units[first])]
    for index in changes[k:]:
        if index >= last:
            break
        out.append((steps[index][0].at, units[index]))
    return tuple(out)


# One cycle as the scan of a history finds it: its start (UTC) and event, its stop (UTC; None
# while open), how it ended, the event that ended it, its pauses, and the steps it spans.
_RawCycle = tuple[
    datetime, Event, datetime | None, str | None, Event | None, list[_OpenPause], int, int
]


def _scan(plan: _Plan, history: _History) -> list[_RawCycle]:
    """The cycles of one clock over the steps, oldest first, before their books are closed.

    Only the last may be open (its stop ``None``); a cycle's pauses are final once it stops.
    """
    (
        triggers,
        state_sensitive,
        start_actions,
        start_states,
        stop_actions,
        stop_states,
        reset_actions,
        reset_states,
        pause_while,
        pause_on,
        resume_on,
    ) = plan
    cycles: list[_RawCycle] = []
    # The open cycle: its start (UTC) and event, its pauses, whether a pause action holds it.
    started: datetime | None = None
    started_by: Event | None = None
    started_step = 0
    pauses: list[_OpenPause] = []
    manual = False
    steps = history.steps
    for index, (event, action, entered, state, at) in enumerate(steps):
        if action not in triggers and (entered is None or not state_sensitive):
            continue
        stops = action in stop_actions or (entered is not None and entered in stop_states)
        resets = not stops and (
            action in reset_actions or (entered is not None and entered in reset_states)
        )
        if (stops or resets) and started is not None:
            assert started_by is not None
            if pauses and pauses[-1][1] is None:
                pauses[-1][1] = at
                pauses[-1][5] = event
            how = "stop" if stops else "reset"
            cycles.append((started, started_by, at, how, event, pauses, started_step, index))
            started, started_by, pauses, manual = None, None, [], False
        if stops:
            continue
        if resets or (
            started is None
            and (action in start_actions or (entered is not None and entered in start_states))
        ):
            started, started_by, pauses, manual = at, event, [], False
            started_step = index
        if started is None:
            continue
        if action in pause_on:
            manual = True
        elif action in resume_on:
            manual = False
        by_state = state in pause_while
        paused = bool(pauses) and pauses[-1][1] is None
        if (manual or by_state) and not paused:
            cause = state if by_state and action not in pause_on else action
            pauses.append([at, None, cause, _reason(event.data), event, None])
        elif paused and not (manual or by_state):
            pauses[-1][1] = at
            pauses[-1][5] = event
    if started is not None:
        assert started_by is not None
        cycles.append((started, started_by, None, None, None, pauses, started_step, len(steps)))
    return cycles


def _clock_state(
    clock: Clock,
    plan: _Plan,
    history: _History,
    as_of: datetime,
    memo: _Memo,
    scanned: list[_RawCycle] | None = None,
) -> ClockState:
    """Evaluate one clock over the steps; `as_of` is the caller's, taken in UTC inside.

    `scanned` is ``_scan(plan, history)`` if the caller has it already.
    """
    utc = as_of.astimezone(UTC)
    if scanned is None:
        scanned = _scan(plan, history)
    cycles = tuple(
        _finish(
            clock,
            number,
            start,
            start_event,
            stop,
            ended_by,
            stop_event,
            pauses,
            utc,
            memo,
            _held(history, first, last),
        )
        for number, (start, start_event, stop, ended_by, stop_event, pauses, first, last) in (
            enumerate(scanned, 1)
        )
    )
    if cycles and cycles[-1].ended_by is None:
        status = ClockStatus.PAUSED if cycles[-1].paused else ClockStatus.RUNNING
    elif cycles:
        status = ClockStatus.STOPPED
    else:
        status = ClockStatus.NOT_STARTED
    return ClockState(clock, status, cycles, as_of)


def _ended(
    clock: Clock, plan: _Plan, history: _History, memo: _Memo
) -> tuple[list[_RawCycle], tuple[int, datetime | None, bool] | None]:
    """The clock's scanned cycles, and what a row shows of it if it stopped or never started.

    That is its number of cycles, the last one's deadline (in the calendar's zone) and whether
    it was breached: `_clock_state`'s, with only the last cycle's deadline worked out (a
    stopped cycle's books do not depend on ``as_of``); ``None`` if a cycle is open (then the
    cycles are for `_clock_state`, which need not scan them again).
    """
    cycles = _scan(plan, history)
    if not cycles:
        return cycles, (0, None, False)
    start, start_event, stop, ended_by, stop_event, pauses, _first, _last = cycles[-1]
    if stop is None:
        return cycles, None
    verdict = _verdict(clock, start, start_event, stop, ended_by, stop_event, pauses, stop, memo)
    return cycles, (len(cycles), verdict[2], verdict[3])


def _evaluate(complaint: Complaint, policy: Policy, as_of: datetime, memo: _Memo) -> Evaluation:
    history = _steps(policy, complaint, as_of.astimezone(UTC))
    states = tuple(
        _clock_state(clock, plan, history, as_of, memo)
        for clock, plan in zip(policy.clocks, policy._compiled.plans, strict=True)
    )
    return Evaluation(complaint.id, policy.name, policy.version, as_of, states, complaint.events)


def evaluate(complaint: Complaint, as_of: datetime | TimeSource, *, policy: Policy) -> Evaluation:
    """Evaluate every clock of `policy` for `complaint`, as of an instant.

    Pure and deterministic: the result depends only on the complaint's events, the policy
    (calendars included) and `as_of`. Events after `as_of` are ignored.

    Args:
        complaint: The complaint, with its events in recorded order.
        as_of: The instant to evaluate at, timezone-aware, or a `TimeSource` to ask once.
        policy: The clocks to evaluate.

    Returns:
        One `ClockState` per clock, in the policy's order.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    as_of = instant_of(as_of)
    return _evaluate(complaint, policy, as_of, _Memo())


def evaluate_many(
    complaints: Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    policy: Policy,
) -> dict[str, Evaluation]:
    """Evaluate many complaints (e.g. the result of `Workflow.replay`) as of one instant.

    Args:
        complaints: Complaints, or a mapping of them by id.
        as_of: The instant to evaluate at, timezone-aware, or a `TimeSource` to ask once.
        policy: The clocks to evaluate.

    Returns:
        The evaluations by complaint id, in the order given.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    as_of = instant_of(as_of)
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    memo = _Memo()
    return {c.id: _evaluate(c, policy, as_of, memo) for c in complaints}


def expected_datetime(
    complaint: Complaint, as_of: datetime | TimeSource, *, policy: Policy, clock: str
) -> datetime | None:
    """The Open311 GeoReport v2 ``expected_datetime`` of a complaint: a clock's deadline.

    It is the current deadline of the chosen clock, ``None`` when that clock has not started,
    is paused before its deadline, or has stopped (nothing is expected any more). Format it
    with ``.isoformat()`` for the wire.

    Args:
        complaint: The complaint.
        as_of: The instant to evaluate at, or a `TimeSource` to ask once.
        policy: The policy holding the clock.
        clock: The clock's name, e.g. ``"resolution"``.

    Raises:
        UnknownClockError: If the policy has no such clock.
        NaiveDatetimeError: If `as_of` is naive.
    """
    as_of = instant_of(as_of)
    definition = policy.clock(clock)
    plan = policy._compiled.plans[policy.clocks.index(definition)]
    history = _steps(policy, complaint, as_of.astimezone(UTC))
    state = _clock_state(definition, plan, history, as_of, _Memo())
    if state.status is ClockStatus.STOPPED:
        return None
    return state.deadline


# -- what-if and recalculation ---------------------------------------------------------------


@attrs.frozen
class Difference:
    """One way two evaluations of the same complaint differ (see `diff`).

    Attributes:
        complaint: The complaint's id.
        clock: The clock's name.
        cycle: The cycle's index, or ``None`` for a difference of the whole clock.
        kind: ``"deadline_moved"``, ``"breach_appeared"``, ``"breach_disappeared"``,
            ``"status_changed"``, ``"cycles_changed"``, ``"clock_added"`` or
            ``"clock_removed"``.
        before: The value before (a datetime, status, count or ``None``).
        after: The value after.
    """

    complaint: str
    clock: str
    cycle: int | None
    kind: str
    before: Any
    after: Any

    @property
    def shift(self) -> timedelta | None:
        """For a moved deadline, how far it moved (positive: later)."""
        if isinstance(self.before, datetime) and isinstance(self.after, datetime):
            return _utc(self.after) - _utc(self.before)
        return None

    def __str__(self) -> str:
        where = f"{self.complaint} {self.clock}" + (
            f" cycle {self.cycle}" if self.cycle is not None else ""
        )

        def show(value: Any) -> str:
            return value.isoformat() if isinstance(value, datetime) else str(value)

        return f"{where}: {self.kind.replace('_', ' ')}: {show(self.before)} -> {show(self.after)}"


def diff(before: Evaluation, after: Evaluation) -> tuple[Difference, ...]:
    """List how two evaluations of one complaint differ: deadlines, breaches, statuses.

    Clocks are matched by name and cycles by index.

    Args:
        before: The evaluation under the old definitions.
        after: The evaluation of the same complaint under the new ones.

    Returns:
        Every difference: removed clocks first (in ``before``'s order), then clock by clock
        in ``after``'s order.
    """
    out: list[Difference] = []
    cid = before.complaint
    old = {s.clock.name: s for s in before.clocks}
    new = {s.clock.name: s for s in after.clocks}
    for gone in before.clocks:  # in order: a set difference would vary between runs
        if gone.clock.name not in new:
            out.append(Difference(cid, gone.clock.name, None, "clock_removed", gone.status, None))
    for state_after in after.clocks:
        name = state_after.clock.name
        state_before = old.get(name)
        if state_before is None:
            out.append(Difference(cid, name, None, "clock_added", None, state_after.status))
            continue
        if state_before.status != state_after.status:
            out.append(
                Difference(
                    cid, name, None, "status_changed", state_before.status, state_after.status
                )
            )
        if len(state_before.cycles) != len(state_after.cycles):
            out.append(
                Difference(
                    cid,
                    name,
                    None,
                    "cycles_changed",
                    len(state_before.cycles),
                    len(state_after.cycles),
                )
            )
        for a, b in zip(state_before.cycles, state_after.cycles, strict=False):
            if (a.deadline and _utc(a.deadline)) != (b.deadline and _utc(b.deadline)):
                out.append(Difference(cid, name, b.index, "deadline_moved", a.deadline, b.deadline))
            if a.breach_at is None and b.breach_at is not None:
                out.append(Difference(cid, name, b.index, "breach_appeared", None, b.breach_at))
            elif a.breach_at is not None and b.breach_at is None:
                out.append(Difference(cid, name, b.index, "breach_disappeared", a.breach_at, None))
    return tuple(out)


def what_if(
    complaints: Iterable[Complaint] | Mapping[str, Complaint] | Complaint,
    as_of: datetime | TimeSource,
    *,
    before: Policy,
    after: Policy,
) -> tuple[Difference, ...]:
    """Evaluate the same histories under two policies and list every difference.

    Pass two versions of a policy (a changed target, or ``policy.with_calendar(new)`` after a
    holiday is confirmed or moved) to see which deadlines move and which breaches appear or
    disappear. Nothing is rewritten: both answers derive from the same history.

    Args:
        complaints: One complaint, several, or a mapping of them by id.
        as_of: The instant to evaluate both at; timezone-aware (or a `TimeSource`).
        before: The policy as it was.
        after: The policy as it is (or might be).

    Returns:
        The differences of every complaint (see `diff`), complaint by complaint.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    if isinstance(complaints, Complaint):
        complaints = (complaints,)
    elif isinstance(complaints, Mapping):
        complaints = complaints.values()
    complaints = tuple(complaints)
    a = evaluate_many(complaints, as_of, policy=before)
    b = evaluate_many(complaints, as_of, policy=after)
    out: list[Difference] = []
    for cid, evaluation in a.items():
        out.extend(diff(evaluation, b[cid]))
    return tuple(out)


# -- explain ---------------------------------------------------------------------------------


@attrs.frozen
class TimelineEntry:
    """One line of a clock timeline.

    Attributes:
        at: When.
        clock: The clock's name.
        cycle: The cycle's index.
        kind: ``"started"``, ``"paused"``, ``"resumed"``, ``"stopped"``, ``"reset"``,
            ``"breached"``, or ``"due"`` (the deadline ahead of a running cycle).
        text: A sentence saying what happened and why.
    """

    at: datetime
    clock: str
    cycle: int
    kind: str
    text: str


@attrs.frozen
class Timeline:
    """Every clock of one complaint in time order: `str` for a terminal, HTML for a notebook.

    Attributes:
        complaint: The complaint's id.
        as_of: The instant evaluated.
        entries: The entries, in time order.
        summary: One line per clock: name, status, deadline, remaining.
    """

    complaint: str
    as_of: datetime
    entries: tuple[TimelineEntry, ...]
    summary: tuple[tuple[str, str, str, str, str], ...]

    def __repr__(self) -> str:
        return (
            f"<Timeline of {_present.clip(self.complaint, 40)!r} as of "
            f"{_present.when(self.as_of)}: {len(self.entries)} entries, "
            f"{len(self.summary)} clocks>"
        )

    def __str__(self) -> str:
        from pengaduan._sla_explain import render_text

        return render_text(self)

    def _repr_html_(self) -> str:
        from pengaduan._sla_explain import render_html

        return render_html(self)


def explain(evaluation: Evaluation) -> Timeline:
    """The timeline of every clock of an evaluation.

    It lists when each cycle started, paused (and why), resumed, stopped, was breached, and
    the deadline ahead of a running one. Instants are shown in each clock's calendar zone.
    """
    from pengaduan._sla_explain import build_timeline

    return build_timeline(evaluation)
