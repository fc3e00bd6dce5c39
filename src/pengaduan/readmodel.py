"""Read models: what a store keeps of each complaint so that lists and schedulers never replay.

History is the truth; a `ComplaintRow` is derived from it by the pure function `project` and
kept by every store, written in the same transaction as the events it reflects. A row holds
the complaint's state, unit, classification, channel, privacy flags, submission and last-event
instants and version, and per clock of the SLA policy its status, deadline, breach and
remaining time, all **as of the complaint's last event**, plus `next_due_at` (when the
escalation ladder may next have something due). A deadline changes only with an event, so a
row stays right until the next one; "overdue as of now" is a comparison with its deadlines.

A `ReadModel` names the definitions the rows are computed with; its `fingerprint` changes
whenever any of them does (a holiday confirmed, a target changed), and a store opened with
other definitions than its rows were computed with says so until it is rebuilt (see
``docs/storage.md``).

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan import Actor
>>> from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
>>> workflow = lapor_workflow()
>>> complaint = workflow.apply(
...     workflow.new("C-1"), "submit", Actor("warga-17", "reporter"),
...     datetime(2026, 3, 2, 8, tzinfo=timezone.utc),
...     {"title": "Jalan rusak", "body": "...", "channel": "web"},
... )
>>> row = project(complaint, ReadModel(policy=lapor_policy(), ladder=lapor_ladder()))
>>> row.state, row.channel, row.version
('submitted', 'web', 1)
>>> row.clock("verification").status.value
'running'
>>> sorted({clock["remaining_unit"] for clock in row_to_dict(row)["clocks"]})
['calendar', 'working']

```
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.escalation import Ladder, _next_due_at
from pengaduan.exceptions import UnknownClockError
from pengaduan.model import Complaint
from pengaduan.sla import (
    ClockState,
    ClockStatus,
    Evaluation,
    Policy,
    _clock_state,
    _ended,
    _Memo,
    _steps,
)
from pengaduan.workflow import Workflow

__all__ = [
    "ClockRow",
    "ComplaintRow",
    "FingerprintMismatch",
    "MovedDeadline",
    "Page",
    "ReadModel",
    "RebuildResult",
    "definitions_fingerprint",
    "moved_deadlines",
    "project",
    "row_from_dict",
    "row_to_dict",
]

# How remaining time is counted: in the calendar's working time, or in actual (calendar) time.
WORKING = "working"
CALENDAR = "calendar"


def _canonical(value: Any) -> Any:
    """A JSON-able, deterministic form of a definition (sets sorted, calendars by fingerprint)."""
    if isinstance(value, WorkCalendar):
        return {"calendar": value.fingerprint}
    if isinstance(value, Workflow):
        return {"workflow": [value.name, value.version]}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return {"seconds": value.total_seconds()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted((_canonical(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in sorted(value.items(), key=repr)}
    if attrs.has(type(value)):
        return {
            "type": type(value).__qualname__,
            **{
                field.name: _canonical(getattr(value, field.name))
                for field in attrs.fields(type(value))
                if field.init and not field.name.startswith("_")
            },
        }
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return repr(value)


def _digest(value: Any) -> str:
    text = json.dumps(_canonical(value), sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@attrs.frozen
class ReadModel:
    """The definitions a store computes its rows with.

    Without a policy the rows still hold the complaint-level columns (state, unit, ...), but
    no clocks; without a ladder they hold no `ComplaintRow.next_due_at`.

    Attributes:
        policy: The SLA policy whose clocks each row records (by default the ladder's).
        ladder: The escalation ladder that gives `ComplaintRow.next_due_at`.
        fingerprint: A short digest of the policy (its clocks, targets, conditions and
            calendars' rules) and the ladder (its rules); it changes whenever any of them does.
    """

    policy: Policy | None = None
    ladder: Ladder | None = None
    fingerprint: str = attrs.field(init=False)
    # Whether the ladder watches the very policy (its evaluation then serves both).
    _shared: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.policy is None and self.ladder is not None:
            object.__setattr__(self, "policy", self.ladder.policy)
        object.__setattr__(self, "fingerprint", _digest([self.policy, self.ladder]))
        shared = self.ladder is not None and (
            self.ladder.policy is self.policy or self.ladder.policy == self.policy
        )
        object.__setattr__(self, "_shared", shared)


def definitions_fingerprint(workflow: Workflow, read_model: ReadModel | None) -> str:
    """The fingerprint a store records with its rows: the workflow's and the read model's.

    Args:
        workflow: The store's writing workflow (its name and version count).
        read_model: The read model, or ``None`` (complaint-level columns only).
    """
    model = read_model.fingerprint if read_model is not None else "-"
    return f"{workflow.name}/{workflow.version}/{model}"


@attrs.frozen
class ClockRow:
    """One clock of a complaint, as of the complaint's last event.

    Attributes:
        clock: The clock's name.
        cycle: The current cycle's index (1, 2, ...), 0 if it never started.
        status: Not started, running, paused or stopped.
        deadline: The current cycle's deadline (``None`` if not started, or paused before it).
        breached: Whether the current cycle was breached by the last event.
        remaining_seconds: What was left of the current cycle at the last event, in seconds
            of `remaining_unit` (negative once breached); ``None`` once it ended.
        remaining_unit: ``"working"`` (working time of the clock's calendar) or
            ``"calendar"`` (actual time), after the clock's target.
    """

    clock: str
    cycle: int
    status: ClockStatus
    deadline: datetime | None
    breached: bool
    remaining_seconds: float | None
    remaining_unit: str

    @property
    def open(self) -> bool:
        """Whether the current cycle is running or paused."""
        return self.status in (ClockStatus.RUNNING, ClockStatus.PAUSED)


@attrs.frozen
class ComplaintRow:
    """What a store keeps of a complaint to answer lists and schedulers without replaying.

    It holds nothing personal and no text of the report: no title, no body, no reporter.

    Attributes:
        id: The complaint's id.
        state: Its state.
        unit: The unit it is dispatched to, if any.
        classification: Its classification's value (e.g. ``"pengaduan"``), once known.
        channel: Its channel's value (e.g. ``"web"``), once submitted.
        anonymous: Whether it is flagged *anonim*.
        confidential: Whether it is flagged *rahasia*.
        submitted_at: When it was submitted.
        updated_at: When its last event happened (the instant the clocks are evaluated at).
        version: The number of its events.
        next_due_at: When the ladder may next have an action due (`escalation.next_due_at`).
        clocks: One row per clock of the read model's policy, in the policy's order.
    """

    id: str
    state: str
    unit: str | None
    classification: str | None
    channel: str | None
    anonymous: bool
    confidential: bool
    submitted_at: datetime | None
    updated_at: datetime | None
    version: int
    next_due_at: datetime | None = None
    clocks: tuple[ClockRow, ...] = ()

    def clock(self, name: str) -> ClockRow:
        """The row of clock `name`.

        Raises:
            UnknownClockError: If the row holds no such clock.
        """
        for row in self.clocks:
            if row.clock == name:
                return row
        raise UnknownClockError(name, [row.clock for row in self.clocks])

    @property
    def earliest_deadline(self) -> datetime | None:
        """The earliest deadline of an open (running or paused) clock, if any."""
        deadlines = [row.deadline for row in self.clocks if row.open and row.deadline is not None]
        return min(deadlines) if deadlines else None

    def overdue(self, as_of: datetime | TimeSource) -> bool:
        """Whether an open clock's deadline has come at `as_of` (an instant or a time source)."""
        earliest = self.earliest_deadline
        return earliest is not None and earliest <= instant_of(as_of)


@attrs.frozen
class Page:
    """One page of rows, in complaint id order.

    Attributes:
        rows: The rows.
        next_after: Pass it as ``after=`` for the next page; ``None`` on the last page.
    """

    rows: tuple[ComplaintRow, ...]
    next_after: str | None = None


@attrs.frozen
class FingerprintMismatch:
    """A store's rows were computed with other definitions than those it was opened with.

    Attributes:
        stored: The fingerprint the rows were computed with (see `definitions_fingerprint`).
        expected: The fingerprint of the definitions the store was opened with.
    """

    stored: str
    expected: str


@attrs.frozen
class MovedDeadline:
    """A deadline that a rebuild moved.

    Attributes:
        complaint: The complaint's id.
        clock: The clock's name.
        old: The deadline the rows held before (``None`` if none).
        new: The deadline they hold now (``None`` if none).
    """

    complaint: str
    clock: str
    old: datetime | None
    new: datetime | None


@attrs.frozen
class RebuildResult:
    """What `rebuild` did.

    Attributes:
        complaints: How many complaints' rows were recomputed in this run.
        moved: Every deadline that moved, in complaint id order.
        skipped: The complaints this store cannot replay (their rows were left as they were).
        resumed_after: The complaint id an interrupted earlier rebuild had reached, if this
            run resumed it (the deadlines moved before it are not reported again).
    """

    complaints: int
    moved: tuple[MovedDeadline, ...] = ()
    skipped: tuple[str, ...] = ()
    resumed_after: str | None = None


def moved_deadlines(old: ComplaintRow | None, new: ComplaintRow) -> list[MovedDeadline]:
    """The clocks whose deadline differs between two rows of one complaint.

    A clock present in only one of the rows counts as moved from or to ``None``.
    """
    before = {c.clock: c.deadline for c in old.clocks} if old is not None else {}
    after = {c.clock: c.deadline for c in new.clocks}
    out = []
    for name in [*after, *(n for n in before if n not in after)]:
        was, now = before.get(name), after.get(name)
        if was != now:
            out.append(MovedDeadline(new.id, name, was, now))
    return out


def project(complaint: Complaint, read_model: ReadModel | None = None) -> ComplaintRow:
    """The row of a complaint: pure, from its events and the read model's definitions.

    The clocks are evaluated with `sla.evaluate` as of the complaint's last event, and
    `next_due_at` comes from `escalation.next_due_at`.

    Args:
        complaint: The complaint (e.g. as replayed or as an append left it).
        read_model: The definitions; ``None`` gives the complaint-level columns only.
    """
    return _project(complaint, read_model, _Memo())


def _project_many(
    complaints: Iterable[Complaint], read_model: ReadModel | None
) -> list[ComplaintRow]:
    """`project` of each complaint, in order, the calendar answers shared among them.

    The rows are `project`'s: an evaluation's calendar questions depend on local dates only
    (see `sla._Memo`), so the complaints of one batch ask them once, as `evaluate_many` does.
    """
    memo = _Memo()
    return [_project(complaint, read_model, memo) for complaint in complaints]


def _project(complaint: Complaint, read_model: ReadModel | None, memo: _Memo) -> ComplaintRow:
    as_of = complaint.updated_at
    clocks: tuple[ClockRow, ...] = ()
    due: datetime | None = None
    if read_model is not None and as_of is not None:
        # As `evaluate(complaint, as_of, policy=policy)`, the memo shared; only the clocks a
        # cycle of is still open are evaluated in full (a stopped clock's row is its last
        # cycle's deadline and verdict, see `sla._ended`).
        running: list[ClockState] = []
        policy = read_model.policy
        if policy is not None:
            history = _steps(policy, complaint, as_of.astimezone(UTC))
            rows = []
            compiled = policy._compiled
            for clock, plan, working in zip(
                policy.clocks, compiled.plans, compiled.working, strict=True
            ):
                unit = WORKING if working else CALENDAR
                cycles, ended = _ended(clock, plan, history, memo)
                if ended is not None:
                    number, deadline, breached = ended
                    status = ClockStatus.STOPPED if number else ClockStatus.NOT_STARTED
                    rows.append(
                        ClockRow(clock.name, number, status, deadline, breached, None, unit)
                    )
                    continue
                state = _clock_state(clock, plan, history, as_of, memo, cycles)
                running.append(state)
                cycle = state.cycles[-1]
                remaining = cycle.remaining
                rows.append(
                    ClockRow(
                        clock.name,
                        cycle.index,
                        state.status,
                        cycle.deadline,
                        cycle.breach_at is not None,
                        remaining.total_seconds() if remaining is not None else None,
                        unit,
                    )
                )
            clocks = tuple(rows)
        if read_model.ladder is not None:
            # As `escalation.next_due_at` as of the last event, the evaluation shared: a ladder
            # schedules running clocks only, so the evaluation given holds the open ones.
            shared = None
            if read_model._shared and policy is not None:
                shared = Evaluation(
                    complaint.id, policy.name, policy.version, as_of, tuple(running)
                )
            due = _next_due_at(complaint, read_model.ladder, as_of, shared)
    return _row(complaint, clocks, due)


def _row(complaint: Complaint, clocks: tuple[ClockRow, ...], due: datetime | None) -> ComplaintRow:
    """The row of a complaint with these clock rows and next due instant."""
    facts = complaint.facts
    return ComplaintRow(
        id=complaint.id,
        state=complaint.state,
        unit=complaint.unit,
        # `_value_`, not `value`: the same text, without the enum's descriptor.
        classification=(
            facts.classification._value_
            if facts is not None and facts.classification is not None
            else None
        ),
        channel=facts.channel._value_ if facts is not None else None,
        anonymous=facts.privacy.anonymous if facts is not None else False,
        confidential=facts.privacy.confidential if facts is not None else False,
        submitted_at=complaint.submitted_at,
        updated_at=complaint.updated_at,
        version=complaint.version,
        next_due_at=due,
        clocks=clocks,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def row_to_dict(row: ComplaintRow) -> dict[str, Any]:
    """The JSON form of a row: instants ISO 8601 with offset, durations in named seconds.

    Each clock's remaining time is ``remaining_seconds`` with ``remaining_unit``
    (``"working"`` or ``"calendar"``). `row_from_dict` reads it back.
    """
    return {
        "id": row.id,
        "state": row.state,
        "unit": row.unit,
        "classification": row.classification,
        "channel": row.channel,
        "anonymous": row.anonymous,
        "confidential": row.confidential,
        "submitted_at": _iso(row.submitted_at),
        "updated_at": _iso(row.updated_at),
        "version": row.version,
        "next_due_at": _iso(row.next_due_at),
        "clocks": [
            {
                "clock": clock.clock,
                "cycle": clock.cycle,
                "status": clock.status.value,
                "deadline": _iso(clock.deadline),
                "breached": clock.breached,
                "remaining_seconds": clock.remaining_seconds,
                "remaining_unit": clock.remaining_unit,
            }
            for clock in row.clocks
        ],
    }


def row_from_dict(record: Mapping[str, Any]) -> ComplaintRow:
    """Read a row back from its JSON form (`row_to_dict`).

    Raises:
        KeyError: If a key is missing.
        ValueError: If a value is not of its form.
    """
    return ComplaintRow(
        id=str(record["id"]),
        state=str(record["state"]),
        unit=record["unit"],
        classification=record["classification"],
        channel=record["channel"],
        anonymous=bool(record["anonymous"]),
        confidential=bool(record["confidential"]),
        submitted_at=_instant(record["submitted_at"]),
        updated_at=_instant(record["updated_at"]),
        version=int(record["version"]),
        next_due_at=_instant(record["next_due_at"]),
        clocks=tuple(
            ClockRow(
                clock=str(clock["clock"]),
                cycle=int(clock["cycle"]),
                status=ClockStatus(clock["status"]),
                deadline=_instant(clock["deadline"]),
                breached=bool(clock["breached"]),
                remaining_seconds=clock["remaining_seconds"],
                remaining_unit=str(clock["remaining_unit"]),
            )
            for clock in record["clocks"]
        ),
    )
