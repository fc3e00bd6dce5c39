"""Escalation ladders: reminders, escalations and automatic actions on SLA clocks.

A `Ladder` is an immutable, versioned set of rules (`Rule`) on the clocks of a `Policy`. A rule is
due at a percentage of a cycle's budget or at an `Offset` from its deadline (working days,
working time or plain time; before or after); it has a level, recipients by role and an action:
``"remind"``, ``"escalate"``, or a workflow action (such as ``"close"``) carried out
automatically by the ``system``. It may repeat at an interval until the clock stops.

What is due derives from the history, like everything else:

- `due` lists every action due at or before ``as_of`` and not yet recorded, each with a stable
  idempotency key ``complaint/clock/cycle/rule/repeat``;
- `next_due_at` gives the earliest instant at which anything can become due for a complaint,
  so a host wakes up when something can change instead of scanning everything;
- `tick` records what is due (an ``escalate`` event carrying the key, or the automatic action
  applied through `Workflow.apply` as ``system``) and hands each action to a `Notifier`. The
  key is the event's id and is in its data, so a second tick finds it and does nothing.

The rules of firing:

1. Only the current cycle of a **running** clock fires. A paused clock fires nothing until it
   resumes (its deadline is not even known); a stopped clock never fires again, even for a rule
   that fell due before it stopped but was not yet recorded (it is too late to be useful).
2. **Quiet hours**: a rule's due instant is moved to the next working instant of the clock's
   calendar (or the ladder's `Ladder.quiet_calendar`), so nobody is messaged at midnight or on
   a holiday. A rule with ``quiet=False`` (an automatic action) keeps its exact instant.
3. A working-day offset ``k`` from a deadline whose last day is ``D`` falls on the first working
   instant of the working day ``k`` working days after ``D`` (``k = 0``: ``D`` itself;
   negative: before it). An instant before the cycle's start is moved to the start.
4. **Catching up**: after a gap (a host that was down), every level that fell due fires once;
   a repeating rule fires only its latest repeat: missed repeats are not sent one by one.
5. **Exactly once** per key: a key recorded in the history (at or before ``as_of``) is never due
   again. A repeat is due only if no later repeat of the same rule and cycle is recorded.

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from pengaduan.model import Actor
>>> from pengaduan.presets import lapor_ladder, lapor_workflow
>>> WIB = ZoneInfo("Asia/Jakarta")
>>> wf, ladder = lapor_workflow(), lapor_ladder()
>>> admin = Actor("adm", "admin_agency")
>>> def at(day: int, hour: int) -> datetime:
...     return datetime(2026, 6, day, hour, tzinfo=WIB)
>>> c = wf.apply(wf.new("C-1"), "submit", Actor("w", "reporter"), at(8, 9),
...              {"title": "Jalan rusak", "body": "...", "channel": "web"})
>>> c = wf.apply(c, "verify", admin, at(8, 10), {"classification": "pengaduan"})
>>> c = wf.apply(c, "dispatch", admin, at(8, 11), {"unit": "dinas-pu"})
>>> next_due_at(c, ladder=ladder).isoformat()  # the follow-up deadline (5 working days): 07:30
'2026-06-15T07:30:00+07:00'
>>> for action in due([c], at(17, 8), ladder=ladder):  # 16 June is a holiday
...     print(action.key, action.due_at.isoformat())
C-1/follow_up/1/follow_up.1/0 2026-06-15T07:30:00+07:00
C-1/follow_up/1/follow_up.2/0 2026-06-17T07:30:00+07:00
>>> result = tick([c], at(17, 8), ladder=ladder)
>>> for event in result.events:
...     print(event.action, event.data["level"], event.data["to"], event.at.isoformat())
escalate 1 unit_operator 2026-06-17T08:00:00+07:00
escalate 2 unit_head 2026-06-17T08:00:00+07:00
>>> tick(result.complaints, at(17, 8), ladder=ladder).events  # idempotent
()

```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from pengaduan import _escalation_messages as _messages
from pengaduan import _present
from pengaduan._labelled import LabelledEnum
from pengaduan.access import Viewer, summary, visible
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import (
    DefinitionError,
    NotVisibleError,
    RefusedError,
    UnknownLanguageError,
    UnknownRuleError,
)
from pengaduan.model import Actor, Complaint, Event, Role
from pengaduan.sla import ClockState, ClockStatus, Cycle, Evaluation, Policy, TargetUnit, evaluate
from pengaduan.workflow import Workflow

if TYPE_CHECKING:  # pragma: no cover
    from pengaduan._escalation_messages import Language

__all__ = [
    "AUTOMATIC_ACTOR",
    "MESSAGE_ACTIONS",
    "DueAction",
    "Ladder",
    "Notifier",
    "Offset",
    "OffsetUnit",
    "Recipient",
    "RecordingNotifier",
    "Rule",
    "TickResult",
    "due",
    "next_due_at",
    "tick",
]

MESSAGE_ACTIONS = frozenset({"remind", "escalate"})
"""The rule actions that are messages; any other action is a workflow action done by ``system``."""

AUTOMATIC_ACTOR = Actor("pengaduan-escalation", Role.SYSTEM.value)
"""The actor `tick` records events as, unless given another."""

_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)
_RULE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_DATA_KEYS = ("key", "clock", "cycle", "rule", "repeat")


class OffsetUnit(LabelledEnum):
    """How an `Offset` is counted."""

    WORKING_DAYS = "working_days", "hari kerja"
    WORKING_TIME = "working_time", "jam kerja"
    CALENDAR_TIME = "calendar_time", "waktu kalender"


def _check_offset(instance: Offset, _attribute: object, value: int | timedelta) -> None:
    if instance.unit is OffsetUnit.WORKING_DAYS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise DefinitionError("Offset working_days", "a number of working days is an int")
    elif not isinstance(value, timedelta):
        raise DefinitionError(f"Offset {instance.unit.value}", "a duration is a timedelta")


@attrs.frozen
class Offset:
    """A signed distance in time: working days, working time or plain time.

    Negative amounts count back (before a deadline). Build one with `working_days`,
    `working_time`, `calendar_time` or `at_deadline`.

    Attributes:
        unit: How it is counted.
        amount: An ``int`` of working days, or a `timedelta`.

    Raises:
        DefinitionError: If the amount does not fit the unit.
    """

    unit: OffsetUnit = attrs.field(converter=OffsetUnit)
    amount: int | timedelta = attrs.field(validator=_check_offset)

    @classmethod
    def working_days(cls, k: int) -> Offset:
        """``k`` working days (see the module docstring for where they land)."""
        return cls(OffsetUnit.WORKING_DAYS, k)

    @classmethod
    def working_time(cls, delta: timedelta) -> Offset:
        """A duration of working time on the clock's calendar."""
        return cls(OffsetUnit.WORKING_TIME, delta)

    @classmethod
    def calendar_time(cls, delta: timedelta) -> Offset:
        """A plain duration, nights and holidays included."""
        return cls(OffsetUnit.CALENDAR_TIME, delta)

    @classmethod
    def at_deadline(cls) -> Offset:
        """The deadline instant itself (the moment of breach)."""
        return cls(OffsetUnit.CALENDAR_TIME, _ZERO)

    @property
    def positive(self) -> bool:
        """Whether it points forward (strictly)."""
        if isinstance(self.amount, int):
            return self.amount > 0
        return self.amount > _ZERO

    def __str__(self) -> str:
        if isinstance(self.amount, int):
            return f"{self.amount:+d} working day{'s' if abs(self.amount) != 1 else ''}"
        sign = "-" if self.amount < _ZERO else "+"
        return f"{sign}{abs(self.amount)} of {self.unit.value.replace('_', ' ')}"


def _roles(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (str(value),)
    return tuple(str(role) for role in value)


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


@attrs.frozen
class Rule:
    """One rung of a ladder: when it is due, at which level, to whom, doing what.

    Exactly one of `percent` and `offset` says when it is due.

    Attributes:
        name: Its identifier in the ladder (letters, digits, ``_``, ``.``, ``-``); part of the
            idempotency key, so keep it when you change anything else about the rule.
        clock: The name of the clock it watches.
        level: The escalation level (1 is the first).
        to: The roles it goes to (a unit role means that role in the complaint's unit).
        action: ``"remind"``, ``"escalate"``, or a workflow action done by ``system`` (e.g.
            ``"close"``).
        percent: Due when the cycle has used this percentage of its budget (100: at the
            breach; more is after it).
        offset: Due at this offset from the cycle's deadline.
        repeat: Repeat at this positive interval from the first due instant until the clock
            stops. A working-day interval lands, like a working-day offset, on the first
            working instant of the day (repeat ``n`` of a rule first due on day ``F`` is due
            at the opening of the working day ``n`` working days after ``F``).
        repeats: With `repeat`, how many times it repeats at most (``None``: no limit).
        quiet: Move the due instant to the next working instant (quiet hours). Default true;
            automatic actions usually want false.

    Raises:
        DefinitionError: If the rule is inconsistent.
    """

    name: str
    clock: str
    level: int
    to: tuple[str, ...] = attrs.field(converter=_roles)
    action: str = "remind"
    percent: float | None = attrs.field(default=None, converter=_optional_float)
    offset: Offset | None = None
    repeat: Offset | None = None
    repeats: int | None = None
    quiet: bool = True

    def __attrs_post_init__(self) -> None:
        def fail(reason: str) -> DefinitionError:
            return DefinitionError(f"rule {self.name!r}", reason)

        if not _RULE_NAME.fullmatch(self.name):
            raise fail("its name may hold only letters, digits, '_', '.' and '-'")
        if isinstance(self.level, bool) or not isinstance(self.level, int) or self.level < 1:
            raise fail("its level must be an integer of at least 1")
        if (self.percent is None) == (self.offset is None):
            raise fail("give exactly one of percent and offset")
        if self.percent is not None and not self.percent >= 0:
            raise fail("its percent must be at least 0")
        if self.action in MESSAGE_ACTIONS and not self.to:
            raise fail(f"a {self.action!r} rule needs at least one recipient role")
        if not self.action:
            raise fail("its action must be 'remind', 'escalate' or a workflow action")
        if self.repeat is not None and not self.repeat.positive:
            raise fail("its repeat interval must be positive")
        if self.repeats is not None:
            if self.repeat is None:
                raise fail("repeats is set but it has no repeat interval")
            if isinstance(self.repeats, bool) or not isinstance(self.repeats, int):
                raise fail("repeats must be an integer")
            if self.repeats < 0:
                raise fail("repeats must be at least 0")
        if self.repeat is not None and self.action not in MESSAGE_ACTIONS:
            raise fail("an automatic action cannot repeat")

    @property
    def automatic(self) -> bool:
        """Whether it carries out a workflow action rather than sending a message."""
        return self.action not in MESSAGE_ACTIONS

    def evolve(self, **changes: Any) -> Rule:
        """Return a copy with attributes changed, checked again."""
        return attrs.evolve(self, **changes)

    def __str__(self) -> str:
        when = f"at {self.percent:g}%" if self.percent is not None else f"at deadline {self.offset}"
        to = ", ".join(self.to) or "-"
        every = f", every {self.repeat}" if self.repeat is not None else ""
        return f"{self.name}: {self.clock} level {self.level} {self.action} to {to} {when}{every}"

    def __repr__(self) -> str:
        return f"<Rule {_present.clip(str(self), 240)}>"

    def _row(self) -> tuple[object, ...]:
        when = f"{self.percent:g}%" if self.percent is not None else f"deadline {self.offset}"
        every = "-" if self.repeat is None else f"{self.repeat}"
        if self.repeat is not None and self.repeats is not None:
            every += f" (max {self.repeats})"
        return (
            self.name,
            self.clock,
            self.level,
            self.action,
            ", ".join(self.to) or "-",
            when,
            every,
            "ya / yes" if self.quiet else "tidak / no",
        )


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return tuple(value)


@attrs.frozen
class _Compiled:
    by_clock: dict[str, tuple[Rule, ...]]
    unit_roles: frozenset[str]


@attrs.frozen
class Ladder:
    """A named, versioned set of escalation rules on the clocks of a policy.

    Attributes:
        name: The ladder's name, e.g. ``"sp4n-lapor"``.
        version: Its version; change it whenever a rule changes.
        policy: The SLA policy whose clocks the rules watch (and whose workflow carries out
            automatic actions).
        rules: The rules, in presentation order.
        record_action: The workflow action `tick` records messages as (``"escalate"``).
        quiet_calendar: The calendar whose working time quiet hours follow; by default each
            clock's own calendar.

    Raises:
        DefinitionError: If a rule names an unknown clock, action or role, or two rules share
            a name (every problem is in the message).
    """

    name: str
    version: str
    policy: Policy
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)
    record_action: str = "escalate"
    quiet_calendar: WorkCalendar | None = None
    _compiled: _Compiled = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise DefinitionError(f"ladder {self.name} {self.version}", "; ".join(problems))
        by_clock: dict[str, list[Rule]] = {}
        for rule in self.rules:
            by_clock.setdefault(rule.clock, []).append(rule)
        workflow = self.policy.workflow
        unit_roles = workflow.unit_roles if workflow is not None else frozenset()
        compiled = _Compiled({k: tuple(v) for k, v in by_clock.items()}, unit_roles)
        object.__setattr__(self, "_compiled", compiled)

    def _problems(self) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        clocks = set(self.policy.names)
        workflow = self.policy.workflow
        actions = {a.name for a in workflow.actions} if workflow is not None else None
        roles = {r for a in workflow.actions for r in a.roles} if workflow is not None else None
        for rule in self.rules:
            where = f"rule {rule.name!r}"
            if rule.name in seen:
                out.append(f"{where} is defined twice")
            seen.add(rule.name)
            if rule.clock not in clocks:
                out.append(
                    f"{where}: unknown clock {rule.clock!r}; the policy's clocks: "
                    f"{', '.join(self.policy.names)}"
                )
            if actions is not None and rule.automatic and rule.action not in actions:
                out.append(f"{where}: the workflow has no action {rule.action!r}")
            if roles is not None:
                unknown = sorted(set(rule.to) - roles)
                if unknown:
                    out.append(f"{where}: unknown role(s) {', '.join(unknown)}")
        if actions is not None and self.record_action not in actions:
            out.append(f"the workflow has no action {self.record_action!r} to record messages")
        return out

    def rule(self, name: str) -> Rule:
        """Return the rule called `name`.

        Raises:
            UnknownRuleError: If there is none.
        """
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise UnknownRuleError(name, [r.name for r in self.rules], ladder=self.name)

    @property
    def fingerprint(self) -> str:
        """A short digest of the rules, the policy and the calendars (not the name or version).

        It changes whenever a rule, a clock, a calendar or the workflow changes.
        """
        return _present.fingerprint(
            (self.policy, self.rules, self.record_action, self.quiet_calendar)
        )

    def __repr__(self) -> str:
        return (
            f"<Ladder {_present.clip(self.name, 40)!r} version "
            f"{_present.clip(self.version, 20)!r}: {len(self.rules)} rules on "
            f"{len(self._compiled.by_clock)} clocks of policy "
            f"{_present.clip(self.policy.name, 30)!r} {_present.clip(self.policy.version, 20)}, "
            f"fingerprint {self.fingerprint}>"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the rules as a table."""
        heads = (
            "aturan / rule",
            "jam / clock",
            "level",
            "aksi / action",
            "kepada / to",
            "kapan / when",
            "ulang / repeat",
            "jam kerja / quiet",
        )
        body = _present.table(heads, [r._row() for r in self.rules])
        return _present.fragment(f"Ladder {self.name} {self.version}", body)

    def rules_for(self, clock: str) -> tuple[Rule, ...]:
        """The rules watching clock `clock`, in order."""
        return self._compiled.by_clock.get(clock, ())

    def evolve(self, **changes: Any) -> Ladder:
        """Return a copy with attributes changed (e.g. ``version``), checked again."""
        return attrs.evolve(self, **changes)

    def with_rule(self, rule: Rule) -> Ladder:
        """Return a copy with `rule` added, or replacing the rule of the same name."""
        if any(r.name == rule.name for r in self.rules):
            return attrs.evolve(
                self, rules=[rule if r.name == rule.name else r for r in self.rules]
            )
        return attrs.evolve(self, rules=(*self.rules, rule))

    def without_rule(self, name: str) -> Ladder:
        """Return a copy without rule `name`.

        Raises:
            UnknownRuleError: If there is none.
        """
        self.rule(name)
        return attrs.evolve(self, rules=[r for r in self.rules if r.name != name])


@attrs.frozen
class Recipient:
    """Who a due action goes to: a role, in a unit for unit roles.

    Attributes:
        role: The role, e.g. ``"unit_head"``.
        unit: The unit (the complaint's current unit) for a unit role; else ``None``.
    """

    role: str
    unit: str | None = None

    def __str__(self) -> str:
        return self.role if self.unit is None else f"{self.role}@{self.unit}"


@attrs.frozen
class DueAction:
    """One action that is due: a message to send or an automatic action to carry out.

    Attributes:
        key: The idempotency key ``complaint/clock/cycle/rule/repeat``: stable across runs,
            recorded in the history once carried out.
        complaint: The complaint's id.
        clock: The clock's name.
        cycle: The cycle's index (1 is the first).
        rule: The rule's name.
        repeat: 0 for the first firing, then 1, 2, ...
        level: The rule's level.
        action: ``"remind"``, ``"escalate"`` or the automatic workflow action.
        to: The recipients, resolved against the complaint.
        due_at: When it fell due (quiet hours applied).
        deadline: The cycle's deadline.
        message: The notification text, in the language asked for ("" when skipped).
        withheld: The rule's recipients left out because they may not see the complaint
            (`pengaduan.access.visible` under the default privacy policy: e.g. a role
            without access to *rahasia* complaints); they are not in `to`.
        skip_reason: When every recipient was withheld, why: the step is skipped, and
            `tick` records the skip (an event of kind ``"skipped"`` with this reason) instead
            of sending anything. ``None`` otherwise.
    """

    key: str
    complaint: str
    clock: str
    cycle: int
    rule: str
    repeat: int
    level: int
    action: str
    to: tuple[Recipient, ...]
    due_at: datetime
    deadline: datetime | None
    # The text may carry the complaint's title: a log line shows its length only.
    message: str = attrs.field(repr=lambda text: f"<{len(text)} chars>")
    withheld: tuple[Recipient, ...] = ()
    skip_reason: str | None = None

    @property
    def automatic(self) -> bool:
        """Whether it is a workflow action rather than a message."""
        return self.action not in MESSAGE_ACTIONS

    @property
    def skipped(self) -> bool:
        """Whether the step is skipped: none of its recipients may see the complaint."""
        return self.skip_reason is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible object (the CLI's ``--json`` form)."""
        return {
            "complaint": self.complaint,
            "clock": self.clock,
            "cycle": self.cycle,
            "rule": self.rule,
            "repeat": self.repeat,
            "level": self.level,
            "action": self.action,
            "to": [{"role": r.role, "unit": r.unit} for r in self.to],
            "due_at": self.due_at.isoformat(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "key": self.key,
            "message": self.message,
            "withheld": [{"role": r.role, "unit": r.unit} for r in self.withheld],
            "skip_reason": self.skip_reason,
        }


@runtime_checkable
class Notifier(Protocol):
    """Sends due actions somewhere (WhatsApp, SMS, e-mail gateways): the host's job.

    `tick` calls `notify` once for each action it has just recorded, after recording it. If
    the host then fails to persist the new events, the next tick finds the actions due again
    and notifies again: delivery is at least once, recording exactly once. Gateways should use
    `DueAction.key` to drop a message they have already sent.

    Automatic workflow actions (the preset's ``close``) are notified too, with no recipients
    (``action.to == ()``) and an "[Otomatis]" message, so a host can tell the reporter or log
    it; a gateway that only sends reminders skips them.
    """

    def notify(self, action: DueAction) -> None:
        """Send (or queue) one due action."""


class RecordingNotifier:
    """A `Notifier` for tests: it keeps every action it is given, in order.

    ```pycon
    >>> notifier = RecordingNotifier()
    >>> notifier.sent, notifier.keys
    ([], [])

    ```
    """

    def __init__(self) -> None:
        self.sent: list[DueAction] = []

    def notify(self, action: DueAction) -> None:
        """Record `action`."""
        self.sent.append(action)

    @property
    def keys(self) -> list[str]:
        """The keys of every action sent, in order."""
        return [action.key for action in self.sent]

    def clear(self) -> None:
        """Forget what was sent."""
        self.sent.clear()


@attrs.frozen
class TickResult:
    """What one `tick` did.

    Attributes:
        complaints: Every complaint given, by id, with the new events applied.
        events: The new events, in the order recorded (append them to your store).
        actions: The due actions carried out (sent or applied), in the order recorded.
        refused: The due actions the workflow refused, with the refusal (e.g. an automatic
            action no longer allowed in the complaint's state); nothing was recorded for them.
        skipped: The due steps skipped because none of their recipients may see the
            complaint (`DueAction.skip_reason`); each is recorded in `events` (kind
            ``"skipped"``, with the reason) so that it is not due again, and nobody is
            notified.
    """

    complaints: dict[str, Complaint]
    events: tuple[Event, ...]
    actions: tuple[DueAction, ...]
    refused: tuple[tuple[DueAction, RefusedError], ...] = ()
    skipped: tuple[DueAction, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<TickResult: {len(self.complaints)} complaints, {len(self.events)} events "
            f"recorded, {len(self.actions)} actions done, {len(self.refused)} refused, "
            f"{len(self.skipped)} skipped>"
        )


# -- schedule ---------------------------------------------------------------------------------


def _key(complaint: str, clock: str, cycle: int, rule: str, repeat: int) -> str:
    return f"{complaint}/{clock}/{cycle}/{rule}/{repeat}"


def _recorded(complaint: Complaint, as_of: datetime) -> dict[tuple[str, int, str], int]:
    """The highest repeat recorded per (clock, cycle, rule), from the keyed events."""
    out: dict[tuple[str, int, str], int] = {}
    for event in complaint.events:
        if event.at > as_of:
            break
        data = event.data
        if "key" not in data:
            continue
        clock, cycle, rule, repeat = (data.get(k) for k in _DATA_KEYS[1:])
        if not (
            isinstance(clock, str)
            and isinstance(rule, str)
            and isinstance(cycle, int)
            and isinstance(repeat, int)
            and data["key"] == _key(complaint.id, clock, cycle, rule, repeat)
        ):
            continue
        slot = (clock, cycle, rule)
        if repeat > out.get(slot, -1):
            out[slot] = repeat
    return out


def _first_working_of(day: date, cal: WorkCalendar) -> datetime:
    midnight = datetime(day.year, day.month, day.day, tzinfo=cal.tz)
    return cal.next_working(midnight)


def _deadline_day(deadline: datetime, cal: WorkCalendar) -> date:
    """The local date of the deadline's last instant (its day ``D``)."""
    return (deadline - _TICK).astimezone(cal.tz).date()


class _Schedule:
    """The due instants of one rule on one running cycle: repeat n -> instant."""

    __slots__ = ("base", "cal", "quiet", "repeat", "rule", "start")

    def __init__(
        self, rule: Rule, state: ClockState, cycle: Cycle, quiet: WorkCalendar | None
    ) -> None:
        self.rule = rule
        self.cal = state.clock.calendar
        self.quiet = quiet if rule.quiet else None
        self.start = cycle.start
        self.repeat = rule.repeat
        base: datetime | None
        if rule.percent is not None:
            base = state.at_percent(rule.percent)
        else:
            base = self._offset_from_deadline(cycle.deadline)
        self.base = None if base is None else max(base, cycle.start)

    def _offset_from_deadline(self, deadline: datetime | None) -> datetime | None:
        offset = self.rule.offset
        if deadline is None or offset is None:
            return None
        cal = self.cal
        if isinstance(offset.amount, int):
            day = cal.add_working_days_to_date(_deadline_day(deadline, cal), offset.amount)
            return _first_working_of(day, cal)
        if offset.unit is OffsetUnit.WORKING_TIME:
            return cal.add_working_time(deadline, offset.amount)
        return deadline + offset.amount

    def _raw(self, n: int) -> datetime:
        assert self.base is not None
        if n == 0 or self.repeat is None:
            return self.base
        step = self.repeat.amount
        cal = self.cal
        if isinstance(step, int):
            day = cal.add_working_days_to_date(self.base.astimezone(cal.tz).date(), n * step)
            return _first_working_of(day, cal)
        if self.repeat.unit is OffsetUnit.WORKING_TIME:
            return cal.add_working_time(self.base, n * step)
        return self.base + n * step

    def at(self, n: int) -> datetime | None:
        """The due instant of repeat `n`, or ``None`` if the rule has no such repeat."""
        if self.base is None:
            return None
        if n > 0 and (
            self.repeat is None or (self.rule.repeats is not None and n > self.rule.repeats)
        ):
            return None
        raw = self._raw(n)
        return raw if self.quiet is None else self.quiet.next_working(raw)

    def latest(self, after: int, as_of: datetime) -> tuple[int, datetime] | None:
        """The latest repeat n > `after` due at or before `as_of`.

        Instants grow with n (quiet hours never reorder them), so a galloping search finds it
        in O(log n) steps however many repeats a long gap skipped.
        """

        def ok(n: int) -> datetime | None:
            at = self.at(n)
            return at if at is not None and at <= as_of else None

        good = after + 1
        found = ok(good)
        if found is None:
            return None
        step = 1
        bad = good + step
        while (at := ok(bad)) is not None:
            good, found = bad, at
            step *= 2
            bad = good + step
        while bad - good > 1:
            mid = (good + bad) // 2
            at = ok(mid)
            if at is None:
                bad = mid
            else:
                good, found = mid, at
        return good, found


def _schedules(
    complaint: Complaint, ladder: Ladder, as_of: datetime, evaluation: Evaluation | None = None
) -> list[tuple[ClockState, Cycle, _Schedule, int]]:
    """Each rule's schedule on the running clocks, with the highest repeat recorded.

    `evaluation`, if given, is the complaint's under ``ladder.policy`` as of `as_of`.
    """
    if evaluation is None:
        evaluation = evaluate(complaint, as_of, policy=ladder.policy)
    recorded: dict[tuple[str, int, str], int] | None = None
    out: list[tuple[ClockState, Cycle, _Schedule, int]] = []
    for state in evaluation.clocks:
        if state.status is not ClockStatus.RUNNING:
            continue
        rules = ladder.rules_for(state.clock.name)
        cycle = state.current
        if not rules or cycle is None:
            continue
        if recorded is None:
            recorded = _recorded(complaint, as_of)
        quiet = ladder.quiet_calendar or state.clock.calendar
        for rule in rules:
            schedule = _Schedule(rule, state, cycle, quiet)
            last = recorded.get((state.clock.name, cycle.index, rule.name), -1)
            out.append((state, cycle, schedule, last))
    return out


def _complaints(
    complaints: Complaint | Iterable[Complaint] | Mapping[str, Complaint],
) -> Iterable[Complaint]:
    if isinstance(complaints, Complaint):
        return (complaints,)
    if isinstance(complaints, Mapping):
        return complaints.values()
    return complaints


def _check_language(language: str) -> Language:
    for known in _messages.LANGUAGES:
        if language == known:
            return known
    raise UnknownLanguageError(language, _messages.LANGUAGES)


def _instant(as_of: datetime | TimeSource) -> datetime:
    return instant_of(as_of)


def _sort_key(action: DueAction) -> tuple[datetime, str, int, str]:
    return (action.due_at, action.complaint, action.level, action.rule)


def _up_to(complaint: Complaint, ladder: Ladder, as_of: datetime) -> Complaint:
    """The complaint as it was at `as_of` (its state, unit and facts then), for messages."""
    last = complaint.updated_at
    if last is None or last <= as_of:
        return complaint
    workflow = ladder.policy.workflow
    events = [e for e in complaint.events if e.at <= as_of]
    if workflow is None:
        return attrs.evolve(complaint, events=tuple(events))
    return workflow.replay(events).get(complaint.id, workflow.new(complaint.id))


def _due_for(
    complaint: Complaint,
    ladder: Ladder,
    as_of: datetime,
    language: Language,
    skip: frozenset[str] = frozenset(),
) -> list[DueAction]:
    out: list[DueAction] = []
    complaint = _up_to(complaint, ladder, as_of)
    for state, cycle, schedule, last in _schedules(complaint, ladder, as_of):
        found = schedule.latest(last, as_of)
        if found is None:
            continue
        n, at = found
        rule = schedule.rule
        key = _key(complaint.id, state.clock.name, cycle.index, rule.name, n)
        if key in skip:
            continue
        to = _recipients(rule, complaint, ladder)
        withheld: tuple[Recipient, ...] = ()
        skip_reason: str | None = None
        if not rule.automatic and to:
            to, withheld, skip_reason = _who_may_see(complaint, ladder, to)
        message = (
            ""
            if skip_reason is not None
            else _render(complaint, ladder, state, cycle, rule, to, as_of, language)
        )
        out.append(
            DueAction(
                key=key,
                complaint=complaint.id,
                clock=state.clock.name,
                cycle=cycle.index,
                rule=rule.name,
                repeat=n,
                level=rule.level,
                action=rule.action,
                to=to,
                due_at=at,
                deadline=cycle.deadline,
                message=message,
                withheld=withheld,
                skip_reason=skip_reason,
            )
        )
    out.sort(key=_sort_key)
    return out


def _who_may_see(
    complaint: Complaint, ladder: Ladder, to: tuple[Recipient, ...]
) -> tuple[tuple[Recipient, ...], tuple[Recipient, ...], str | None]:
    """Split recipients into those who may see the complaint and those who may not.

    Returns the first, the second, and when nobody is left, why the step is skipped.
    """
    workflow = ladder.policy.workflow
    if workflow is None:
        return to, (), None
    kept: list[Recipient] = []
    withheld: list[Recipient] = []
    reasons: list[str] = []
    for recipient in to:
        decision = visible(
            complaint, Viewer.staff(recipient.role, recipient.unit), workflow=workflow
        )
        if decision:
            kept.append(recipient)
        else:
            withheld.append(recipient)
            error = decision.refusal
            reasons.append(error.reason if isinstance(error, NotVisibleError) else decision.reason)
    if kept or not withheld:
        return tuple(kept), tuple(withheld), None
    who = ", ".join(repr(r.role) for r in withheld)
    return (), tuple(withheld), f"{who} may not see complaint {complaint.id!r}: {reasons[0]}"


def _recipients(rule: Rule, complaint: Complaint, ladder: Ladder) -> tuple[Recipient, ...]:
    unit_roles = ladder._compiled.unit_roles
    return tuple(
        Recipient(role, complaint.unit if role in unit_roles else None) for role in rule.to
    )


def _render(
    complaint: Complaint,
    ladder: Ladder,
    state: ClockState,
    cycle: Cycle,
    rule: Rule,
    to: tuple[Recipient, ...],
    as_of: datetime,
    language: Language,
) -> str:
    facts = _message_facts(complaint, ladder, state, cycle, rule, to, as_of)
    return _messages.render(facts, language)


def _message_facts(
    complaint: Complaint,
    ladder: Ladder,
    state: ClockState,
    cycle: Cycle,
    rule: Rule,
    to: tuple[Recipient, ...],
    as_of: datetime,
) -> _messages.MessageFacts:
    workflow = ladder.policy.workflow
    title: str | None = None
    confidential = False
    if complaint.facts is not None:
        if workflow is None:
            confidential = complaint.facts.privacy.confidential
            title = None if confidential else complaint.facts.title
        else:
            # What each recipient may see (`pengaduan.access.summary`): a complaint hidden
            # from any of them is named by id only; otherwise the title as they see it.
            viewers = [Viewer.staff(r.role, r.unit) for r in to] or [Viewer.staff(Role.SYSTEM)]
            seen = [summary(complaint, v, workflow=workflow) for v in viewers]
            confidential = any(record["hidden"] for record in seen)
            shown = seen[0].get("title")
            if not confidential and isinstance(shown, str):
                title = shown
    label = label_en = rule.action
    if rule.automatic and workflow is not None:
        found = workflow.action(rule.action)
        label, label_en = found.label or rule.action, found.label_en or rule.action
    clock = state.clock
    deadline = cycle.deadline
    return _messages.MessageFacts(
        complaint=complaint.id,
        title=title,
        confidential=confidential,
        unit=complaint.unit,
        clock_label=clock.label,
        clock_label_en=clock.label_en,
        action=rule.action,
        action_label=label,
        action_label_en=label_en,
        level=rule.level,
        recipients=[str(r) for r in to],
        deadline=deadline,
        deadline_day=None if deadline is None else _deadline_day(deadline, clock.calendar),
        target_unit=TargetUnit(clock.target.unit),
        calendar=clock.calendar,
        as_of=as_of,
    )


# -- public API -------------------------------------------------------------------------------


def due(
    complaints: Complaint | Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    ladder: Ladder,
    language: str = "id",
) -> tuple[DueAction, ...]:
    """Every action due at or before `as_of` and not yet recorded in the history.

    Pure: the answer depends only on the complaints' events (those at or before `as_of`), the
    ladder (policy and calendars included) and `as_of`.

    Args:
        complaints: One complaint, several, or a mapping of them by id.
        as_of: The instant, timezone-aware, or a `pengaduan.clock.TimeSource` to ask once.
        ladder: The ladder (policy and calendars included).
        language: ``"id"`` (Bahasa Indonesia, the default) or ``"en"`` for the messages.

    Returns:
        The due actions, ordered by due instant, complaint, level and rule.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
        UnknownLanguageError: If the language is not ``"id"`` or ``"en"``.
    """
    instant = _instant(as_of)
    lang = _check_language(language)
    chosen = ladder
    out: list[DueAction] = []
    for complaint in _complaints(complaints):
        out.extend(_due_for(complaint, chosen, instant, lang))
    out.sort(key=_sort_key)
    return tuple(out)


def next_due_at(
    complaint: Complaint,
    as_of: datetime | TimeSource | None = None,
    *,
    ladder: Ladder,
) -> datetime | None:
    """The earliest instant at which an action can be due for `complaint`, without new events.

    Store it with the complaint (it changes only when an event is recorded) and call `due` or
    `tick` when it comes: a complaint whose instant is later than ``as_of`` (or ``None``) has
    nothing due. An instant at or before ``as_of`` means something is due now.

    Args:
        complaint: The complaint.
        as_of: Ignore events after it; by default the complaint's last event (every event).
        ladder: The ladder.

    Returns:
        The instant, or ``None`` when nothing can fall due until an event happens (no running
        clock with a pending rule).

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    if as_of is None:
        as_of = complaint.updated_at
        if as_of is None:
            return None
    as_of = instant_of(as_of)
    return _next_due_at(complaint, ladder, as_of)


def _next_due_at(
    complaint: Complaint, ladder: Ladder, as_of: datetime, evaluation: Evaluation | None = None
) -> datetime | None:
    """`next_due_at`, reusing the complaint's `evaluation` under the ladder's policy if given."""
    best: datetime | None = None
    for _state, _cycle, schedule, last in _schedules(complaint, ladder, as_of, evaluation):
        at = schedule.at(last + 1)
        if at is not None and (best is None or at < best):
            best = at
    return best


def tick(
    complaints: Complaint | Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    ladder: Ladder,
    notifier: Notifier | None = None,
    actor: Actor = AUTOMATIC_ACTOR,
    language: str = "id",
    workflow: Workflow | None = None,
) -> TickResult:
    """Carry out everything due at `as_of`: record it in the history and notify.

    For each complaint, in due order: a message (``remind`` / ``escalate``) is recorded as the
    ladder's `Ladder.record_action` event (``escalate``, with ``level`` and ``to`` (the first
    recipient role), plus ``kind``, ``recipients``, ``due_at`` and the key fields); an automatic
    action is applied through `Workflow.apply` as `actor` (``system``). Every event is at
    `as_of`, its id is the action's key and its data carries the key, so a second tick at the
    same instant (or later) finds nothing due. After an automatic action, what is still due is
    worked out again: a clock it stopped fires nothing more. Then `notifier` gets the action.

    Nothing is written anywhere: append `TickResult.events` to your store (their ids make a
    retried append a no-op).

    Args:
        complaints: One complaint, several, or a mapping of them by id.
        as_of: The instant of the tick, timezone-aware, or a `pengaduan.clock.TimeSource` to
            ask once (a scheduler's "now").
        ladder: The ladder (policy and calendars included).
        notifier: Gets every action carried out.
        actor: Who the events are recorded as (a ``system`` actor).
        language: The messages' language, ``"id"`` or ``"en"``.
        workflow: The workflow to apply events with; by default the policy's.

    Returns:
        The updated complaints, the new events and the actions carried out or refused.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
        UnknownLanguageError: If the language is not ``"id"`` or ``"en"``.
        DefinitionError: If no workflow is given and the ladder's policy has none.
    """
    instant = _instant(as_of)
    lang = _check_language(language)
    chosen = ladder
    wf = workflow if workflow is not None else chosen.policy.workflow
    if wf is None:
        raise DefinitionError(
            f"ladder {chosen.name} {chosen.version}",
            "tick needs a workflow: give one, or a policy that has one",
        )
    out: dict[str, Complaint] = {}
    events: list[Event] = []
    done: list[DueAction] = []
    refused: list[tuple[DueAction, RefusedError]] = []
    skipped: list[DueAction] = []
    for complaint in _complaints(complaints):
        skip: set[str] = set()
        while True:
            pending = _due_for(complaint, chosen, instant, lang, frozenset(skip))
            if not pending:
                break
            again = False
            for action in pending:
                if action.skipped:
                    complaint, event = _carry_out(complaint, action, chosen, wf, actor, instant)
                    events.append(event)
                    skipped.append(action)
                    continue
                try:
                    complaint, event = _carry_out(complaint, action, chosen, wf, actor, instant)
                except RefusedError as error:
                    refused.append((action, error))
                    skip.add(action.key)
                    continue
                events.append(event)
                done.append(action)
                if notifier is not None:
                    notifier.notify(action)
                if action.automatic:
                    again = True
                    break
            if not again:
                break
        out[complaint.id] = complaint
    return TickResult(out, tuple(events), tuple(done), tuple(refused), tuple(skipped))


def _carry_out(
    complaint: Complaint,
    action: DueAction,
    ladder: Ladder,
    workflow: Workflow,
    actor: Actor,
    as_of: datetime,
) -> tuple[Complaint, Event]:
    data: dict[str, Any] = {
        "key": action.key,
        "clock": action.clock,
        "cycle": action.cycle,
        "rule": action.rule,
        "repeat": action.repeat,
        "due_at": action.due_at.isoformat(),
    }
    if action.skipped:  # recorded (kind "skipped", with its reason) so it is not due again
        name = ladder.record_action
        data = {
            "level": action.level,
            "to": action.withheld[0].role,
            "kind": "skipped",
            "skipped": action.skip_reason,
            "recipients": [],
            **data,
        }
    elif action.automatic:
        name = action.action
    else:
        name = ladder.record_action
        data = {
            "level": action.level,
            "to": action.to[0].role,
            "kind": action.action,
            "recipients": [str(r) for r in action.to],
            **data,
        }
    updated = workflow.apply(complaint, name, actor, as_of, data, event_id=action.key)
    assert updated.last_event is not None
    return updated, updated.last_event
