"""Test helpers for apps built on `pengaduan`: a manual clock, builders, scenarios, assertions.

Everything here is meant for your test suite (the pytest plugin, installed with the package,
offers the same as fixtures; see the "Testing your app" page):

- `ManualClock`: a `pengaduan.clock.TimeSource` that moves only when the test moves it, by
  calendar time or by working days and working time on a `WorkCalendar`.
- `a_complaint` / `ComplaintBuilder`: histories that read like the domain,
  ``a_complaint("C-1").submitted(at=t).verified().dispatched(to="dinas-pu")``; each step goes
  through the workflow, so a step the workflow would refuse fails where it is written.
- `ComplaintFactory`: "a complaint in state X", reached by the shortest path of the workflow.
- `Scenario`: a clock, a calendar, a policy and the complaints of a story; advancing its time
  in working days re-evaluates the clocks.
- ``assert_*`` helpers for state, deadlines and breaches whose failure messages show the
  complaint's history and clocks (roles and instants only, never personal data).

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> WIB = ZoneInfo("Asia/Jakarta")
>>> c = (
...     a_complaint("C-1")
...     .submitted(at=datetime(2026, 3, 12, 9, tzinfo=WIB))
...     .verified()
...     .dispatched(to="dinas-pu", at=datetime(2026, 3, 13, 10, tzinfo=WIB))
...     .complaint
... )
>>> c.state, c.unit
('dispatched', 'dinas-pu')
>>> assert_state(c, "dispatched", unit="dinas-pu")

```
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from pengaduan._time import require_aware
from pengaduan.clock import TimeSource, now_of
from pengaduan.exceptions import DefinitionError
from pengaduan.model import Actor, Channel, Classification, Complaint, Event, Role
from pengaduan.workflow import FieldKind, Workflow

if TYPE_CHECKING:  # pragma: no cover
    from pengaduan.calendar import WorkCalendar
    from pengaduan.escalation import DueAction, Ladder, TickResult
    from pengaduan.sla import ClockState, Evaluation, Policy
    from pengaduan.store import EventStore

__all__ = [
    "DEFAULT_START",
    "DEFAULT_UNIT",
    "ComplaintBuilder",
    "ComplaintFactory",
    "ManualClock",
    "Scenario",
    "a_complaint",
    "assert_breached",
    "assert_deadline",
    "assert_escalated",
    "assert_escalation_due",
    "assert_no_escalation_due",
    "assert_not_breached",
    "assert_not_escalated",
    "assert_state",
    "describe",
]

#: The instant a `ManualClock` starts at when none is given: Monday 2 March 2026, 09:00 WIB,
#: a working morning of the Indonesian government calendar (in Ramadan 1447 H, so on Ramadan
#: hours, which start at 08:00).
DEFAULT_START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

#: The unit complaints are dispatched to when a test does not say.
DEFAULT_UNIT = "dinas-pu"

_REPORTER = Actor("pelapor-1", "reporter")


def _default_workflow() -> Workflow:
    from pengaduan.presets import lapor_workflow

    return lapor_workflow()


def _default_calendar() -> WorkCalendar:
    from pengaduan.presets import id_gov_calendar

    return id_gov_calendar()


# -- the clock ---------------------------------------------------------------------------


class ManualClock:
    """A clock that moves only when told to: the "now" of a test.

    It satisfies `pengaduan.clock.TimeSource`, so it can be handed to anything that asks a
    time source for the current instant. It answers in the time zone of its start (or of the
    calendar, when it has one).

    Args:
        start: The first instant; timezone-aware. By default `DEFAULT_START`.
        calendar: The calendar for `advance_working_days` and `advance_working_time`, when
            they are not given one.

    Raises:
        NaiveDatetimeError: If `start` is naive.

    Example:
        ```pycon
        >>> from pengaduan.presets import id_gov_calendar
        >>> clock = ManualClock(datetime.fromisoformat("2026-03-13T09:00+07:00"),
        ...                     calendar=id_gov_calendar())
        >>> clock.advance_working_days(3).isoformat()  # Idul Fitri 2026 lies in between
        '2026-03-25T09:00:00+07:00'

        ```
    """

    def __init__(
        self, start: datetime | None = None, *, calendar: WorkCalendar | None = None
    ) -> None:
        start = DEFAULT_START if start is None else require_aware(start, "ManualClock start")
        self.calendar = calendar
        self._now = start.astimezone(calendar.tz) if calendar is not None else start

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"

    def now(self) -> datetime:
        """The current instant."""
        return self._now

    def set(self, t: datetime) -> datetime:
        """Move to the instant `t` (forwards or backwards) and return it.

        Raises:
            NaiveDatetimeError: If `t` is naive.
        """
        self._now = require_aware(t, "ManualClock.set(t)").astimezone(self._now.tzinfo)
        return self._now

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> datetime:
        """Move forward by actual (calendar) time and return the new instant.

        Example: ``clock.advance(hours=2)`` or ``clock.advance(timedelta(days=1))``. A day
        is 24 hours: across a daylight-saving change the wall-clock time shifts.
        """
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if delta is not None:
            step += delta
        self._now = (self._now + step).astimezone(self._now.tzinfo)
        return self._now

    def _calendar(self, calendar: WorkCalendar | None, what: str) -> WorkCalendar:
        chosen = calendar if calendar is not None else self.calendar
        if chosen is None:
            raise TypeError(
                f"ManualClock.{what} needs a calendar: pass calendar=..., or create the clock "
                "with ManualClock(start, calendar=...)"
            )
        return chosen

    def advance_working_days(self, n: int, *, calendar: WorkCalendar | None = None) -> datetime:
        """Move to the same local time of day on the n-th working day after today.

        Day 1 is the first working day strictly after the current local date (as in
        `WorkCalendar.add_working_days`); the time of day stays. ``n = 0`` stays today if
        it is a working day, else moves to the next one; a negative `n` moves back. To land
        exactly on a deadline, use `set` with the deadline instead.

        Raises:
            TypeError: If neither the clock nor the call has a calendar.
        """
        cal = self._calendar(calendar, "advance_working_days")
        local = self._now.astimezone(cal.tz)
        day = cal.add_working_days_to_date(local.date(), n)
        moved = datetime.combine(day, local.time(), tzinfo=cal.tz)
        # Normalise a wall-clock time that does not exist on that day (a DST gap).
        self._now = moved.astimezone(UTC).astimezone(cal.tz)
        return self._now

    def advance_working_time(
        self, delta: timedelta, *, calendar: WorkCalendar | None = None
    ) -> datetime:
        """Move forward until `delta` of working time has passed (`add_working_time`).

        Raises:
            TypeError: If neither the clock nor the call has a calendar.
        """
        cal = self._calendar(calendar, "advance_working_time")
        self._now = cal.add_working_time(self._now, delta)
        return self._now

    def to_next_working(self, *, calendar: WorkCalendar | None = None) -> datetime:
        """Stay if now is working time, else move to the start of the next working window."""
        cal = self._calendar(calendar, "to_next_working")
        self._now = cal.next_working(self._now)
        return self._now


# -- builders ----------------------------------------------------------------------------

# Who takes an action when the test does not say: the role of the usual actor, if the action
# allows it (the SP4N-LAPOR! preset's reading; custom workflows fall back to a general rule).
_USUAL_ROLE: dict[str, str] = {
    "submit": Role.REPORTER,
    "resume": Role.REPORTER,
    "reply": Role.REPORTER,
    "hold": Role.ADMIN_AGENCY,
    "verify": Role.ADMIN_AGENCY,
    "archive": Role.ADMIN_AGENCY,
    "dispatch": Role.ADMIN_AGENCY,
    "reopen": Role.ADMIN_AGENCY,
    "forward": Role.ADMIN_AGENCY,
    "follow_up": Role.UNIT_OPERATOR,
    "decline": Role.UNIT_OPERATOR,
    "close": Role.SYSTEM,
    "escalate": Role.SYSTEM,
    "comment": Role.ADMIN_AGENCY,
}

_PLACEHOLDER: dict[FieldKind, Any] = {
    FieldKind.LEVEL: 1,
    FieldKind.CHANNEL: Channel.WEB.value,
    FieldKind.CLASSIFICATION: Classification.COMPLAINT.value,
    FieldKind.PRIVACY: {},
    FieldKind.REPORTER: {},
    FieldKind.LOCATION: {},
    FieldKind.EXTERNAL_IDS: {},
    FieldKind.ANY: None,
}


def _actor_for(role: str, builder: ComplaintBuilder, unit: str | None) -> Actor:
    role = str(role)  # a plain string, as roles read back from an event file or a store
    workflow = builder.workflow
    if role in workflow.owner_roles:
        reporter = builder.reporter
        return reporter if reporter.role == role else Actor(reporter.id, role)
    if role in workflow.unit_roles:
        return Actor(f"{role}@{unit}", role, unit)
    if role == Role.SYSTEM:
        return Actor("system", role)
    return Actor(f"{role}-1", role)


def _default_role(workflow: Workflow, complaint: Complaint, action: str) -> str:
    roles = workflow.action(action).roles
    usual = _USUAL_ROLE.get(action)
    if usual is not None and usual in roles:
        return usual
    owners = sorted(roles & workflow.owner_roles)
    if not complaint.events and owners:
        return owners[0]
    others = sorted(roles - workflow.owner_roles)
    return (others or owners)[0]


@attrs.frozen
class ComplaintBuilder:
    """An immutable builder of a complaint's history, one domain step at a time.

    Each step applies one event through the workflow and returns a new builder, so a step the
    workflow refuses raises its `RefusedError` on the very line that asks for it, and a builder
    can be branched (``dispatched = ...; dispatched.followed_up()`` and
    ``dispatched.declined()``).

    When a step is not given ``at=``, it happens at the builder's clock's current instant if it
    has a clock, else at the instant of the previous event (the first step needs one or the
    other). When a step is not given ``by=``, the usual actor takes it: the reporter submits,
    replies and resumes; an agency admin verifies, holds, archives, dispatches and reopens; an
    operator of the complaint's unit follows up or declines; the system closes and escalates.
    ``by=`` takes an `Actor` or a role's name. Required data not given gets a placeholder.

    Attributes:
        complaint: The complaint built so far.
        workflow: The workflow that applies each step.
        clock: Where a step's default instant comes from, if anywhere.
        reporter: The reporter (the complaint's owner when they submit it).
        on_step: Called with the complaint after each step (a `Scenario` records it).
    """

    complaint: Complaint
    workflow: Workflow = attrs.field(factory=_default_workflow, repr=False)
    clock: TimeSource | None = attrs.field(default=None, repr=False)
    reporter: Actor = _REPORTER
    on_step: Callable[[Complaint], object] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def state(self) -> str:
        """The complaint's current state."""
        return self.complaint.state

    def _instant(self, at: datetime | None, action: str) -> datetime:
        if at is not None:
            return require_aware(at, f"{action} at")
        if self.clock is not None:
            return now_of(self.clock)
        last = self.complaint.last_event
        if last is None:
            raise TypeError(
                f"the first step of complaint {self.complaint.id!r} ({action!r}) needs an "
                "instant: pass at=..., or give the builder a clock"
            )
        return last.at

    def then(
        self,
        action: str,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        **data: Any,
    ) -> ComplaintBuilder:
        """Take any action of the workflow (the domain steps are shortcuts for this one).

        Args:
            action: The action's name.
            at: When; by default as described in the class docstring.
            by: An `Actor`, or a role's name for the usual actor in that role.
            **data: The event's data; required fields left out get placeholders.

        Raises:
            RefusedError: A subclass, if the workflow refuses the step.
            KeyError: If the workflow has no such action.
        """
        workflow = self.workflow
        definition = workflow.action(action)
        when = self._instant(at, action)
        values = dict(data)
        for field in definition.fields:
            if field.required and field.name not in values:
                if field.kind is FieldKind.UNIT:
                    values[field.name] = self.complaint.unit or DEFAULT_UNIT
                elif field.kind is FieldKind.ROLE:
                    values[field.name] = sorted(workflow.roles)[0]
                elif field.kind in _PLACEHOLDER:
                    values[field.name] = _PLACEHOLDER[field.kind]
                else:
                    values[field.name] = f"{field.name} (test)"
        if isinstance(by, Actor):
            actor = by
        else:
            role = by if by is not None else _default_role(workflow, self.complaint, action)
            actor = _actor_for(role, self, self.complaint.unit)
        complaint = workflow.apply(self.complaint, action, actor, when, values)
        if self.on_step is not None:
            self.on_step(complaint)
        return attrs.evolve(self, complaint=complaint)

    # -- the SP4N-LAPOR! steps, as they read -------------------------------------------------

    def submitted(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        title: str = "Jalan berlubang",
        body: str = "Jalan di depan pasar berlubang dan membahayakan pengendara.",
        channel: Channel | str = Channel.WEB,
        anonymous: bool = False,
        confidential: bool = False,
        **data: Any,
    ) -> ComplaintBuilder:
        """The reporter submits it (*Sampaikan Laporan*), by default on the web."""
        if anonymous or confidential:
            data.setdefault("privacy", {"anonymous": anonymous, "confidential": confidential})
        return self.then("submit", at, by=by, title=title, body=body, channel=str(channel), **data)

    def held(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        reason: str = "data pelapor belum lengkap",
    ) -> ComplaintBuilder:
        """An admin puts it on hold (*A2 Tunda*), e.g. waiting for the reporter's data."""
        return self.then("hold", at, by=by, reason=reason)

    def resumed(
        self, at: datetime | None = None, *, by: Actor | str | None = None
    ) -> ComplaintBuilder:
        """The reporter (or an admin) resumes it after a hold (*Lanjutkan*)."""
        return self.then("resume", at, by=by)

    def verified(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        classification: Classification | str = Classification.COMPLAINT,
        **data: Any,
    ) -> ComplaintBuilder:
        """An admin verifies it (*A1 Verifikasi*), as a *pengaduan* unless told otherwise."""
        return self.then("verify", at, by=by, classification=str(classification), **data)

    def archived(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        reason: str = "bukan kinerja pemerintah",
    ) -> ComplaintBuilder:
        """An admin archives it (*A4 Arsipkan*)."""
        return self.then("archive", at, by=by, reason=reason)

    def dispatched(
        self, at: datetime | None = None, *, to: str = DEFAULT_UNIT, by: Actor | str | None = None
    ) -> ComplaintBuilder:
        """An admin dispatches it to a unit (*Disposisi*), e.g. ``to="dinas-pu"``."""
        return self.then("dispatch", at, by=by, unit=to)

    def forwarded(
        self, at: datetime | None = None, *, to: str, by: Actor | str | None = None
    ) -> ComplaintBuilder:
        """It is forwarded to another unit (*Teruskan*)."""
        return self.then("forward", at, by=by, unit=to)

    def declined(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        reason: str = "bukan wewenang unit ini",
    ) -> ComplaintBuilder:
        """The unit declines it as not its remit (*A3 Bukan Wewenang*); back to verified."""
        return self.then("decline", at, by=by, reason=reason)

    def followed_up(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        response: str = "Sudah ditindaklanjuti oleh petugas lapangan.",
    ) -> ComplaintBuilder:
        """The unit posts its follow-up (*Tindak Lanjut*)."""
        return self.then("follow_up", at, by=by, response=response)

    def replied(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        message: str = "Belum ada perbaikan.",
    ) -> ComplaintBuilder:
        """The reporter replies to the follow-up (*Tanggapi*), which reopens the work."""
        return self.then("reply", at, by=by, message=message)

    def closed(
        self, at: datetime | None = None, *, by: Actor | str | None = None
    ) -> ComplaintBuilder:
        """It is closed (*Selesai*), by default by the system after the reply window."""
        return self.then("close", at, by=by)

    def reopened(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        reason: str = "pelapor menyampaikan keberatan",
    ) -> ComplaintBuilder:
        """An admin reopens a closed complaint (*Buka Kembali*)."""
        return self.then("reopen", at, by=by, reason=reason)

    def commented(
        self,
        at: datetime | None = None,
        *,
        by: Actor | str | None = None,
        message: str = "Mohon segera ditindaklanjuti.",
    ) -> ComplaintBuilder:
        """Someone comments (*Komentar*); the state does not change."""
        return self.then("comment", at, by=by, message=message)

    def escalated(
        self,
        at: datetime | None = None,
        *,
        to: str,
        level: int = 1,
        by: Actor | str | None = None,
    ) -> ComplaintBuilder:
        """It is escalated to a role (*Eskalasi*), e.g. ``to="unit_head"``."""
        return self.then("escalate", at, by=by, level=level, to=str(to))


def a_complaint(
    complaint_id: str = "C-1",
    *,
    workflow: Workflow | None = None,
    clock: TimeSource | None = None,
    reporter: Actor | None = None,
) -> ComplaintBuilder:
    """Start building a complaint that has no events yet.

    Args:
        complaint_id: Its id.
        workflow: Its workflow (by default the SP4N-LAPOR! preset).
        clock: Where each step's default instant comes from (e.g. a `ManualClock`).
        reporter: The reporter (by default ``Actor("pelapor-1", "reporter")``).

    Example:
        ```pycon
        >>> t = datetime.fromisoformat("2026-03-02T09:00+07:00")
        >>> a_complaint("C-7").submitted(at=t).held().complaint.state
        'on_hold'

        ```
    """
    wf = _default_workflow() if workflow is None else workflow
    return ComplaintBuilder(
        wf.new(complaint_id),
        wf,
        clock,
        _REPORTER if reporter is None else reporter,
    )


def _path_to(workflow: Workflow, state: str) -> tuple[str, ...]:
    """The names of the fewest actions leading from the initial state to `state`."""
    workflow.state(state)
    previous: dict[str, tuple[str, str] | None] = {workflow.initial: None}
    queue = deque([workflow.initial])
    while queue:
        current = queue.popleft()
        if current == state:
            break
        for action in workflow.actions:
            dest = action.dest
            if current in action.sources and dest is not None and dest not in previous:
                previous[dest] = (current, action.name)
                queue.append(dest)
    if state not in previous:  # pragma: no cover - a Workflow refuses unreachable states
        raise DefinitionError(
            workflow.name, f"no sequence of actions leads from {workflow.initial!r} to {state!r}"
        )
    path: list[str] = []
    step = previous[state]
    while step is not None:
        path.append(step[1])
        step = previous[step[0]]
    return tuple(reversed(path))


class ComplaintFactory:
    """Complaints in a given state, numbered ``C-1``, ``C-2``, ... (the `complaint_factory`).

    A complaint is brought to the state by the fewest actions of the workflow, each taken by
    its usual actor at the same instant (by default the clock's now), so that the history is
    valid and the last step happened at `at`. For a particular history, use `builder`.

    Args:
        workflow: The workflow (by default the SP4N-LAPOR! preset).
        clock: The default instant (by default the complaints need ``at=``).
        prefix: The ids' prefix.

    Example:
        ```pycon
        >>> factory = ComplaintFactory(clock=ManualClock())
        >>> c = factory("followed_up", unit="dinsos")
        >>> c.id, c.state, c.unit, [e.action for e in c.events]
        ('C-1', 'followed_up', 'dinsos', ['submit', 'verify', 'dispatch', 'follow_up'])

        ```
    """

    def __init__(
        self,
        workflow: Workflow | None = None,
        clock: TimeSource | None = None,
        *,
        prefix: str = "C-",
    ) -> None:
        self.workflow = _default_workflow() if workflow is None else workflow
        self.clock = clock
        self.prefix = prefix
        self._count = 0

    def __repr__(self) -> str:
        return f"ComplaintFactory(workflow={self.workflow.name!r}, made={self._count})"

    def _next_id(self) -> str:
        self._count += 1
        return f"{self.prefix}{self._count}"

    def builder(self, complaint_id: str | None = None, **kwargs: Any) -> ComplaintBuilder:
        """A `ComplaintBuilder` for a new complaint (the next id unless one is given)."""
        return a_complaint(
            complaint_id or self._next_id(), workflow=self.workflow, clock=self.clock, **kwargs
        )

    def __call__(
        self,
        state: str | None = None,
        *,
        at: datetime | None = None,
        unit: str = DEFAULT_UNIT,
        complaint_id: str | None = None,
        **submit: Any,
    ) -> Complaint:
        """A complaint in `state` (by default just submitted).

        Args:
            state: The state to reach, e.g. ``"dispatched"``.
            at: When every step happens (by default the clock's now).
            unit: The unit it is dispatched to, if the path dispatches it.
            complaint_id: Its id (by default the next number).
            **submit: Data for the creating action, e.g. ``channel="sms"``.

        Raises:
            KeyError: If the workflow has no such state.
            DefinitionError: If no sequence of actions reaches it.
        """
        workflow = self.workflow
        path = _path_to(workflow, state or self._first_state())
        builder = self.builder(complaint_id)
        if at is None and self.clock is None:
            raise TypeError("ComplaintFactory needs an instant: pass at=..., or give it a clock")
        creating = True
        for action in path:
            data: dict[str, Any] = {}
            if creating:
                data = {**_submit_defaults(workflow, action), **submit}
                creating = False
            for field in workflow.action(action).fields:
                if field.kind is FieldKind.UNIT and field.required:
                    data.setdefault(field.name, unit)
            builder = builder.then(action, at, **data)
        return builder.complaint

    def _first_state(self) -> str:
        workflow = self.workflow
        for action in workflow.actions:
            if workflow.initial in action.sources and action.dest is not None:
                return action.dest
        # A Workflow refuses a definition without a creating action: this cannot happen.
        raise DefinitionError(
            workflow.name, "no action leaves the initial state"
        )  # pragma: no cover


def _submit_defaults(workflow: Workflow, action: str) -> dict[str, Any]:
    names = {f.name for f in workflow.action(action).fields}
    defaults = {
        "title": "Jalan berlubang",
        "body": "Jalan di depan pasar berlubang dan membahayakan pengendara.",
        "channel": Channel.WEB.value,
    }
    return {k: v for k, v in defaults.items() if k in names}


# -- describing a complaint for a failure message ------------------------------------------


def _when(t: datetime, tz: Any = None) -> str:
    local = t.astimezone(tz) if tz is not None else t
    return f"{local:%a %d %b %Y %H:%M} ({local.isoformat()})"


def _day_end(t: datetime, tz: Any = None) -> str:
    local = t.astimezone(tz) if tz is not None else t
    if local.time() == time(0):
        last = local - timedelta(microseconds=1)
        return f"end of {last:%a %d %b %Y} ({local.isoformat()})"
    return _when(local)


def describe(complaint: Complaint, *, tz: Any = None) -> str:
    """The complaint's history, one line per event: instant, action, role, unit.

    No actor ids and no data values appear (they may be personal).

    Example:
        ```pycon
        >>> t = datetime.fromisoformat("2026-03-02T09:00+07:00")
        >>> print(describe(a_complaint("C-2").submitted(at=t).verified().complaint))
        complaint 'C-2', state 'verified', unit None, 2 events:
          1. Mon 02 Mar 2026 09:00 (2026-03-02T09:00:00+07:00)  submit by reporter
          2. Mon 02 Mar 2026 09:00 (2026-03-02T09:00:00+07:00)  verify by admin_agency

        ```
    """
    lines = [
        f"complaint {complaint.id!r}, state {complaint.state!r}, unit {complaint.unit!r}, "
        f"{len(complaint.events)} event{'s' if len(complaint.events) != 1 else ''}:"
    ]
    for number, event in enumerate(complaint.events, 1):
        extra = ""
        if "unit" in event.data:
            extra = f" -> unit {event.data['unit']!r}"
        elif event.action == "escalate":
            kind = event.data.get("kind")
            extra = f" -> level {event.data.get('level')!r}, to {event.data.get('to')!r}" + (
                f" ({kind})" if kind else ""
            )
        lines.append(
            f"  {number}. {_when(event.at, tz)}  {event.action} by {event.actor.role}{extra}"
        )
    return "\n".join(lines)


def _fail(message: str) -> AssertionError:
    return AssertionError(message)


# -- assertions --------------------------------------------------------------------------


def assert_state(
    complaint: Complaint,
    state: str,
    *,
    unit: str | None = None,
    workflow: Workflow | None = None,
) -> None:
    """Assert that the complaint is in `state` (and, if given, dispatched to `unit`).

    The failure message names both states with their labels and shows the history.

    Raises:
        AssertionError: If it is not.
    """
    __tracebackhide__ = True
    wf = _default_workflow() if workflow is None else workflow
    wrong_state = complaint.state != state
    wrong_unit = unit is not None and complaint.unit != unit
    if not (wrong_state or wrong_unit):
        return
    parts = []
    if wrong_state:
        parts.append(
            f"is in state {_state_text(wf, complaint.state)}, expected {_state_text(wf, state)}"
        )
    if wrong_unit:
        parts.append(f"is with unit {complaint.unit!r}, expected unit {unit!r}")
    allowed = (
        wf.allowed_actions(complaint) if complaint.state in {s.name for s in wf.states} else ()
    )
    raise _fail(
        f"complaint {complaint.id!r} {'; and '.join(parts)}.\n"
        f"Actions allowed now: {', '.join(allowed) or 'none'}.\n{describe(complaint)}"
    )


def _state_text(workflow: Workflow, name: str) -> str:
    for state in workflow.states:
        if state.name == name:
            return f"{name!r} ({state.label})"
    return f"{name!r} (not a state of workflow {workflow.name!r})"


def _clock_text(state: ClockState) -> str:
    clock = state.clock
    lines = [
        f"clock {clock.name!r} ({clock.label}, {clock.target} on calendar "
        f"{clock.calendar.name!r}): {state.status.value}"
    ]
    tz = clock.calendar.tz
    for cycle in state.cycles:
        line = f"  cycle {cycle.index}: started {_when(cycle.start, tz)}"
        if cycle.stop is not None:
            line += f", {cycle.ended_by} {_when(cycle.stop, tz)}"
        if cycle.deadline is not None:
            line += f", deadline {_day_end(cycle.deadline, tz)}"
        elif cycle.open:
            line += ", deadline unknown while paused"
        if cycle.breached:
            line += ", BREACHED"
        if cycle.estimated:
            line += " (rests on an estimated holiday)"
        lines.append(line)
        for pause in cycle.pauses:
            end = _when(pause.end, tz) if pause.end is not None else "still paused"
            lines.append(f"    paused {_when(pause.start, tz)} .. {end} ({pause.cause})")
    if not state.cycles:
        lines.append("  never started")
    return "\n".join(lines)


def _evaluate(complaint: Complaint, policy: Policy | None, as_of: datetime | None) -> Evaluation:
    from pengaduan.sla import evaluate

    if policy is None:
        from pengaduan.presets import lapor_policy

        policy = lapor_policy()
    if as_of is None:
        last = complaint.updated_at
        if last is None:
            raise TypeError(f"complaint {complaint.id!r} has no events: pass as_of=...")
        as_of = last
    return evaluate(complaint, as_of, policy=policy)


def assert_deadline(
    complaint: Complaint,
    clock: str,
    expected: datetime | date,
    *,
    policy: Policy | None = None,
    as_of: datetime | TimeSource | None = None,
) -> None:
    """Assert when the current cycle of an SLA clock runs out.

    Args:
        complaint: The complaint.
        clock: The clock's name in the policy, e.g. ``"follow_up"``.
        expected: The deadline instant, or a local date (in the clock's calendar) on which it
            falls. A limit in working days ends at 24:00 of its last day, and that day is the
            date to give: ``date(2026, 3, 27)`` for a deadline at 2026-03-28T00:00+07:00.
        policy: The SLA policy (by default the SP4N-LAPOR! preset).
        as_of: When to evaluate (an instant or a clock; by default the last event).

    Raises:
        AssertionError: If the deadline differs, or the clock has none (not started, paused).
        UnknownClockError: If the policy has no such clock.
    """
    __tracebackhide__ = True
    state = _evaluate(complaint, policy, _as_of(as_of))[clock]
    tz = state.clock.calendar.tz
    deadline = state.deadline
    if deadline is not None:
        if isinstance(expected, datetime):
            if deadline == expected:
                return
        elif (deadline - timedelta(microseconds=1)).astimezone(tz).date() == expected:
            return
    want = (
        _when(expected, tz)
        if isinstance(expected, datetime)
        else f"end of {expected:%a %d %b %Y} ({tz.key if hasattr(tz, 'key') else tz})"
    )
    got = "no deadline" if deadline is None else f"deadline {_day_end(deadline, tz)}"
    raise _fail(
        f"complaint {complaint.id!r}: clock {clock!r} has {got}, expected {want}.\n"
        f"{_clock_text(state)}\n{describe(complaint, tz=tz)}"
    )


def _as_of(value: datetime | TimeSource | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return now_of(value)


def _breach_check(
    complaint: Complaint,
    clock: str,
    as_of: datetime | TimeSource,
    policy: Policy | None,
    expected: bool,
) -> None:
    __tracebackhide__ = True
    when = _as_of(as_of)
    assert when is not None
    state = _evaluate(complaint, policy, when)[clock]
    if state.breached == expected:
        return
    tz = state.clock.calendar.tz
    verb = "is not breached" if expected else "is breached"
    raise _fail(
        f"complaint {complaint.id!r}: clock {clock!r} {verb} as of {_when(when, tz)}, "
        f"expected it {'breached' if expected else 'not breached'}.\n"
        f"{_clock_text(state)}\n{describe(complaint, tz=tz)}"
    )


def assert_breached(
    complaint: Complaint,
    clock: str,
    *,
    as_of: datetime | TimeSource,
    policy: Policy | None = None,
) -> None:
    """Assert that the current cycle of an SLA clock is breached as of an instant.

    Args:
        complaint: The complaint.
        clock: The clock's name, e.g. ``"verification"``.
        as_of: The instant, or a clock (e.g. the `ManualClock` of the test).
        policy: The SLA policy (by default the SP4N-LAPOR! preset).

    Raises:
        AssertionError: If it is not breached; the message shows the clock's cycles.
    """
    __tracebackhide__ = True
    _breach_check(complaint, clock, as_of, policy, True)


def assert_not_breached(
    complaint: Complaint,
    clock: str,
    *,
    as_of: datetime | TimeSource,
    policy: Policy | None = None,
) -> None:
    """Assert that the current cycle of an SLA clock is not breached as of an instant.

    Raises:
        AssertionError: If it is breached.
    """
    __tracebackhide__ = True
    _breach_check(complaint, clock, as_of, policy, False)


def _escalations(complaint: Complaint) -> list[Event]:
    return [e for e in complaint.events if e.action == "escalate"]


def _reaches(event: Event, to: str | None, unit: str | None, complaint: Complaint) -> bool:
    if to is not None and event.data.get("to") != str(to):
        recipients = event.data.get("recipients") or ()
        if not any(str(r).split("@")[0] == str(to) for r in recipients):
            return False
    if unit is None:
        return True
    recipients = event.data.get("recipients")
    if recipients:
        return any(
            str(r) == f"{to}@{unit}" if to is not None else str(r).endswith(f"@{unit}")
            for r in recipients
        )
    return complaint.unit == unit


def assert_escalated(
    complaint: Complaint,
    *,
    to: str | None = None,
    unit: str | None = None,
    level: int | None = None,
    kind: str | None = None,
    on: date | None = None,
    tz: Any = None,
) -> None:
    """Assert that the history records an escalation (an ``escalate`` event) as described.

    `Scenario.advance` and `pengaduan.escalation.tick` record what a ladder makes due as
    ``escalate`` events (reminders too, with ``kind="remind"``); a builder records one with
    `ComplaintBuilder.escalated`.

    Args:
        complaint: The complaint.
        to: The role escalated to, e.g. ``"unit_head"``.
        unit: The unit of the recipients (``to="unit_head", unit="dinas-pu"``: the head of
            Dinas PU); for an event without recipients, the complaint's current unit.
        level: The escalation level.
        kind: ``"escalate"`` or ``"remind"`` (events recorded by a ladder carry it).
        on: The local date it happened on (in `tz`, by default each event's own zone).
        tz: The zone for `on`, e.g. ``ZoneInfo("Asia/Jakarta")``.

    Raises:
        AssertionError: If no escalation matches; the message lists the history.
    """
    __tracebackhide__ = True
    for event in _escalations(complaint):
        if (
            _reaches(event, to, unit, complaint)
            and (level is None or event.data.get("level") == level)
            and (kind is None or event.data.get("kind", "escalate") == kind)
            and (on is None or event.at.astimezone(tz).date() == on)
        ):
            return
    wanted = " ".join(
        part
        for part in (
            f"({kind})" if kind is not None else "",
            f"to {to!r}" if to is not None else "",
            f"of unit {unit!r}" if unit is not None else "",
            f"at level {level}" if level is not None else "",
            f"on {on:%a %d %b %Y}" if on is not None else "",
        )
        if part
    )
    raise _fail(
        f"complaint {complaint.id!r} was not escalated {wanted or 'at all'}.\n"
        f"{describe(complaint, tz=tz)}"
    )


def assert_not_escalated(
    complaint: Complaint, *, to: str | None = None, kind: str | None = None
) -> None:
    """Assert that the history records no escalation (to `to`, of `kind`, if given).

    Raises:
        AssertionError: If one is recorded.
    """
    __tracebackhide__ = True
    found = [
        e
        for e in _escalations(complaint)
        if _reaches(e, to, None, complaint)
        and (kind is None or e.data.get("kind", "escalate") == kind)
    ]
    if found:
        raise _fail(
            f"complaint {complaint.id!r} was escalated{f' to {to!r}' if to else ''} "
            f"{len(found)} time(s), expected none.\n{describe(complaint)}"
        )


def _due_text(actions: Iterable[DueAction], tz: Any) -> str:
    lines = [
        f"  {a.key}: level {a.level} {a.action} to {', '.join(map(str, a.to)) or '-'}, "
        f"due {_when(a.due_at, tz)}"
        for a in actions
    ]
    return "\n".join(lines) if lines else "  nothing"


def _due_check(
    complaint: Complaint,
    as_of: datetime | TimeSource,
    ladder: Ladder | None,
    filters: tuple[str | None, int | None, str | None],
    expected: bool,
) -> None:
    __tracebackhide__ = True
    from pengaduan.escalation import due, next_due_at
    from pengaduan.presets import lapor_ladder

    if ladder is None:
        ladder = lapor_ladder()
    when = _as_of(as_of)
    assert when is not None
    found = due(complaint, when, ladder=ladder)
    to, level, action = filters
    matching = [
        a
        for a in found
        if (to is None or any(r.role == str(to) for r in a.to))
        and (level is None or a.level == level)
        and (action is None or a.action == action)
    ]
    if bool(matching) == expected:
        return
    tz = when.tzinfo
    wanted = " ".join(
        part
        for part in (
            action or "",
            f"to {to!r}" if to is not None else "",
            f"at level {level}" if level is not None else "",
        )
        if part
    )
    following = next_due_at(complaint, ladder=ladder, as_of=when)
    next_text = "none" if following is None else _when(following, tz)
    head = (
        f"nothing {wanted + ' ' if wanted else ''}is due"
        if expected
        else f"{len(matching)} action(s) {wanted + ' ' if wanted else ''}are due"
    )
    raise _fail(
        f"complaint {complaint.id!r}: {head} as of {_when(when, tz)}, expected "
        f"{'some' if expected else 'none'}.\nDue:\n{_due_text(found, tz)}\n"
        f"Next due (ignoring what is due now): {next_text}\n{describe(complaint, tz=tz)}"
    )


def assert_escalation_due(
    complaint: Complaint,
    *,
    as_of: datetime | TimeSource,
    to: str | None = None,
    level: int | None = None,
    action: str | None = None,
    ladder: Ladder | None = None,
) -> None:
    """Assert that an escalation ladder has something due and not yet recorded.

    Args:
        complaint: The complaint.
        as_of: The instant, or a clock.
        to: A recipient role the due action goes to.
        level: Its level.
        action: ``"remind"``, ``"escalate"`` or an automatic action such as ``"close"``.
        ladder: The ladder (by default the SP4N-LAPOR! preset).

    Raises:
        AssertionError: If nothing matching is due; the message lists what is, and when the
            next action falls due.
    """
    __tracebackhide__ = True
    _due_check(complaint, as_of, ladder, (to, level, action), True)


def assert_no_escalation_due(
    complaint: Complaint,
    *,
    as_of: datetime | TimeSource,
    to: str | None = None,
    level: int | None = None,
    action: str | None = None,
    ladder: Ladder | None = None,
) -> None:
    """Assert that nothing (matching) is due on an escalation ladder as of an instant.

    Raises:
        AssertionError: If something is due; the message lists it.
    """
    __tracebackhide__ = True
    _due_check(complaint, as_of, ladder, (to, level, action), False)


# -- scenarios ---------------------------------------------------------------------------


class Scenario:
    """A story told in a test: a clock, a calendar, SLA clocks, a ladder and complaints.

    Steps are taken through `complaint`, which returns a `ComplaintBuilder` whose steps happen
    at the scenario's now and are recorded. `advance` moves the clock (in working days on the
    scenario's calendar, or in actual time) the way a well-behaved host would live through
    that time: it wakes up at each instant at which the ladder has something due
    (`pengaduan.escalation.next_due_at`) and ticks (`pengaduan.escalation.tick`), so
    escalations and automatic actions are recorded at the instants they fall due, and their
    notifications land in `notifier`.

    Args:
        start: The first instant, or a `ManualClock` to share.
        workflow: The workflow (by default the SP4N-LAPOR! preset).
        calendar: The calendar for working days (by default the ``id-gov`` WIB preset).
        policy: The SLA policy (by default `lapor_policy` on `calendar`).
        ladder: The escalation ladder (by default `lapor_ladder` on `policy`; none for a
            workflow of your own given without a policy: then time moves, nothing is ticked).
        store: An event store to which every recorded event is appended as well.

    Attributes:
        complaints: The complaints by id, as they stand now.
        notifier: A `RecordingNotifier` holding every due action carried out.

    Example:
        ```pycon
        >>> s = Scenario(datetime.fromisoformat("2026-03-13T09:00+07:00"))
        >>> _ = s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
        >>> s.advance(working_days=5).isoformat()
        '2026-03-27T09:00:00+07:00'
        >>> s.evaluate("C-1")["follow_up"].breached
        False

        ```
    """

    def __init__(
        self,
        start: datetime | ManualClock | None = None,
        *,
        workflow: Workflow | None = None,
        calendar: WorkCalendar | None = None,
        policy: Policy | None = None,
        ladder: Ladder | None = None,
        store: EventStore | None = None,
    ) -> None:
        from pengaduan.escalation import RecordingNotifier

        self.workflow = _default_workflow() if workflow is None else workflow
        self.calendar = _default_calendar() if calendar is None else calendar
        if isinstance(start, ManualClock):
            self.clock = start
        else:
            self.clock = ManualClock(start, calendar=self.calendar)
        self._policy = policy
        self._ladder = ladder
        self.store = store
        self.complaints: dict[str, Complaint] = {}
        self.notifier = RecordingNotifier()

    def __repr__(self) -> str:
        return f"Scenario(now={self.clock.now().isoformat()}, complaints={len(self.complaints)})"

    @property
    def policy(self) -> Policy:
        """The SLA policy (built on first use)."""
        if self._policy is None:
            from pengaduan.presets import lapor_policy, lapor_workflow

            if self.workflow != lapor_workflow():
                raise TypeError(
                    f"the scenario's workflow {self.workflow.name!r} is not the SP4N-LAPOR! "
                    "preset, so it has no default SLA policy: pass Scenario(..., policy=...)"
                )
            self._policy = lapor_policy(calendar=self.calendar)
        return self._policy

    @property
    def ladder(self) -> Ladder | None:
        """The escalation ladder (built on first use), if any.

        ``None`` for a workflow of your own given without a policy or a ladder: then nothing
        is ticked.
        """
        if self._ladder is None:
            if self._policy is None and self.workflow != _default_workflow():
                return None
            from pengaduan.presets import lapor_ladder

            self._ladder = lapor_ladder(self.policy)
        return self._ladder

    def now(self) -> datetime:
        """The scenario's current instant."""
        return self.clock.now()

    def __getitem__(self, complaint_id: str) -> Complaint:
        """The complaint as it stands now."""
        try:
            return self.complaints[complaint_id]
        except KeyError:
            raise KeyError(
                f"the scenario has no complaint {complaint_id!r}; it has: "
                f"{', '.join(self.complaints) or 'none'}"
            ) from None

    def _record(self, complaint: Complaint) -> None:
        before = self.complaints.get(complaint.id)
        self.complaints[complaint.id] = complaint
        if self.store is not None:
            new = complaint.events[before.version if before is not None else 0 :]
            self.store.append(complaint.id, new)

    def complaint(self, complaint_id: str, *, reporter: Actor | None = None) -> ComplaintBuilder:
        """A builder for the complaint (new, or as it stands), stepping at the scenario's now."""
        current = self.complaints.get(complaint_id)
        builder = a_complaint(
            complaint_id, workflow=self.workflow, clock=self.clock, reporter=reporter
        )
        if current is not None:
            builder = attrs.evolve(builder, complaint=current)
        return attrs.evolve(builder, on_step=self._record)

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        working_days: int | None = None,
        working_time: timedelta | None = None,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        to: datetime | None = None,
    ) -> datetime:
        """Live through time up to a later instant, ticking whenever something falls due.

        Give one of: `working_days` (the same time of day, n working days on), `working_time`,
        `to` (an instant), or an actual duration (`delta`, `days`, `hours`, `minutes`).

        Returns:
            The new instant.

        Raises:
            TypeError: Unless exactly one way of moving is given.
            ValueError: If the target instant is before now (time does not run backwards in
                a scenario; use a new one).
        """
        modes = [to is not None, working_days is not None, working_time is not None]
        modes.append(delta is not None or bool(days or hours or minutes))
        if sum(modes) != 1:
            raise TypeError(
                "Scenario.advance takes exactly one of: working_days=, working_time=, to=, "
                "or an actual duration (delta, days=, hours=, minutes=)"
            )
        probe = ManualClock(self.clock.now(), calendar=self.calendar)
        if to is not None:
            target = probe.set(to)
        elif working_days is not None:
            target = probe.advance_working_days(working_days)
        elif working_time is not None:
            target = probe.advance_working_time(working_time)
        else:
            target = probe.advance(delta, days=days, hours=hours, minutes=minutes)
        now = self.clock.now()
        if target < now:
            raise ValueError(
                f"a scenario only moves forward: now is {now.isoformat()}, "
                f"asked to go to {target.isoformat()}"
            )
        from pengaduan.escalation import next_due_at

        ladder = self.ladder
        if ladder is None:
            self.clock.set(target)
            return target
        self.tick()
        while True:
            now = self.clock.now()
            upcoming = [
                t
                for c in self.complaints.values()
                if (t := next_due_at(c, ladder=ladder, as_of=now)) is not None and now < t <= target
            ]
            if not upcoming:
                break
            self.clock.set(min(upcoming))
            self.tick()
        self.clock.set(target)
        self.tick()
        return self.clock.now()

    def tick(self) -> TickResult:
        """Carry out, as of now, whatever the ladder has due (`pengaduan.escalation.tick`)."""
        from pengaduan.escalation import TickResult, tick

        ladder = self.ladder
        if ladder is None:
            return TickResult(dict(self.complaints), (), ())
        result = tick(
            self.complaints,
            self.clock.now(),
            ladder=ladder,
            notifier=self.notifier,
            workflow=self.workflow,
        )
        for complaint in result.complaints.values():
            if complaint is not self.complaints.get(complaint.id):
                self._record(complaint)
        return result

    def evaluate(self, complaint_id: str) -> Evaluation:
        """The SLA clocks of a complaint as of now."""
        from pengaduan.sla import evaluate

        return evaluate(self[complaint_id], self.clock.now(), policy=self.policy)

    def assert_deadline(self, complaint_id: str, clock: str, expected: datetime | date) -> None:
        """`assert_deadline` on a complaint of the scenario, as of now, under its policy."""
        __tracebackhide__ = True
        assert_deadline(self[complaint_id], clock, expected, policy=self.policy, as_of=self.clock)

    def assert_breached(self, complaint_id: str, clock: str) -> None:
        """`assert_breached` on a complaint of the scenario, as of now, under its policy."""
        __tracebackhide__ = True
        assert_breached(self[complaint_id], clock, as_of=self.clock, policy=self.policy)

    def assert_not_breached(self, complaint_id: str, clock: str) -> None:
        """`assert_not_breached` on a complaint of the scenario, as of now, under its policy."""
        __tracebackhide__ = True
        assert_not_breached(self[complaint_id], clock, as_of=self.clock, policy=self.policy)

    def assert_escalated(self, complaint_id: str, **expected: Any) -> None:
        """`assert_escalated` on a complaint of the scenario (dates in the calendar's zone)."""
        __tracebackhide__ = True
        expected.setdefault("tz", self.calendar.tz)
        assert_escalated(self[complaint_id], **expected)

    def assert_not_escalated(self, complaint_id: str, **expected: Any) -> None:
        """`assert_not_escalated` on a complaint of the scenario."""
        __tracebackhide__ = True
        assert_not_escalated(self[complaint_id], **expected)
