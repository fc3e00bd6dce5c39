"""Metrics: the figures a regency reports, derived from the event history as of an instant.

`measure` turns complaints (as replayed by a workflow or loaded from a store), an instant
(``as_of``) and, optionally, an SLA policy into `Metrics`: counts, rates, durations and clock
compliance, for all complaints received in a period and per group (unit, classification,
channel, month or year). Nothing is stored: the same history and ``as_of`` always give the
same figures, and events after ``as_of`` are ignored.

Definitions (the milestones are action names, configurable with `Milestones`):

- **received**: complaints submitted in the period (at or before ``as_of``);
- **archived**, **verified**, **dispatched**, **followed up**: complaints with at least one
  such event; **closed**: complaints whose state is ``closed`` at ``as_of`` (a reopened one
  is not); **open**: complaints not in a terminal state (the backlog, with its ages);
- **follow-up rate** = followed up / dispatched; **settlement rate** = closed / (received -
  archived); **compliance** of a clock = share of its stopped cycles that met their deadline
  (`pengaduan.sla.Cycle.met`);
- **durations**: dispatch to first follow-up, submission to first verification, submission
  to close (the first close after submission); each in calendar days (fractional) and in
  working days (`WorkCalendar.working_days_between`), with mean, median and 90th percentile
  (linear interpolation, as pandas and numpy compute it).

Groups by month and year use the calendar's zone (WIB for the preset). A complaint never
dispatched has no unit: it is grouped under ``None`` (shown as ``-``).

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from pengaduan.model import Actor
>>> from pengaduan.presets import lapor_policy, lapor_workflow
>>> WIB = ZoneInfo("Asia/Jakarta")
>>> wf, admin = lapor_workflow(), Actor("adm", "admin_agency")
>>> c = wf.apply(wf.new("C-1"), "submit", Actor("w", "reporter"),
...              datetime(2026, 3, 2, 9, tzinfo=WIB),
...              {"title": "Jalan rusak", "body": "...", "channel": "web"})
>>> c = wf.apply(c, "verify", admin, datetime(2026, 3, 2, 10, tzinfo=WIB),
...              {"classification": "pengaduan"})
>>> c = wf.apply(c, "dispatch", admin, datetime(2026, 3, 2, 11, tzinfo=WIB), {"unit": "pu"})
>>> c = wf.apply(c, "follow_up", Actor("op", "unit_operator", "pu"),
...              datetime(2026, 3, 5, 11, tzinfo=WIB), {"response": "Ditambal"})
>>> m = measure([c], as_of=datetime(2026, 4, 1, tzinfo=WIB), policy=lapor_policy())
>>> m.total.received, m.total.followed_up, m.total.follow_up_rate
(1, 1, 1.0)
>>> m.total.follow_up_time.mean_days, m.total.follow_up_time.mean_working_days
(3.0, 3.0)
>>> m.total.compliance["follow_up"].rate
1.0

```
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from pengaduan._labelled import LabelledEnum
from pengaduan._time import require_aware
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import (
    InvalidPeriodError,
    MissingDefinitionError,
    MissingExtraError,
    UnknownGroupingError,
)
from pengaduan.model import Complaint
from pengaduan.sla import ClockStatus, Policy, evaluate
from pengaduan.workflow import Workflow

__all__ = [
    "ComplaintSummary",
    "Compliance",
    "Duration",
    "GroupBy",
    "GroupMetrics",
    "Metrics",
    "Milestones",
    "Overdue",
    "UnitHold",
    "measure",
    "quantile",
    "summarize",
    "unit_views",
]

_DAY = 86_400.0


class GroupBy(LabelledEnum):
    """What metrics can be grouped by."""

    UNIT = "unit", "Unit Kerja"
    CLASSIFICATION = "classification", "Klasifikasi"
    CHANNEL = "channel", "Kanal"
    MONTH = "month", "Bulan"
    YEAR = "year", "Tahun"

    @classmethod
    def parse(cls, value: GroupBy | str) -> GroupBy:
        """Return the grouping named `value`.

        Raises:
            UnknownGroupingError: If there is no such grouping.
        """
        try:
            return cls(value)
        except ValueError:
            raise UnknownGroupingError(str(value), [g.value for g in cls]) from None


@attrs.frozen
class Milestones:
    """The action names that mark the milestones metrics count (the SP4N-LAPOR! ones by default).

    Attributes:
        submit: Submission (received).
        verify: Verification.
        dispatch: Disposition to a unit.
        follow_up: A unit's follow-up (*tindak lanjut*).
        close: Closure (*selesai*).
        archive: Archiving.
        reminder: A reminder or escalation (counted as a reminder sent, unless its ``kind``
            is ``"skipped"``: a step of the ladder skipped because its recipient may not see
            the complaint).
        closed_state: The state a closed complaint is in.
    """

    submit: str = "submit"
    verify: str = "verify"
    dispatch: str = "dispatch"
    follow_up: str = "follow_up"
    close: str = "close"
    archive: str = "archive"
    reminder: str = "escalate"
    closed_state: str = "closed"


@attrs.frozen
class Overdue:
    """A clock of a complaint that is running past its deadline as of the instant measured.

    Attributes:
        complaint: The complaint's id.
        clock: The clock's name.
        deadline: When it ran out.
        overdue_days: How long ago, in calendar days (fractional).
        overdue_working_days: How long ago, in working days.
        unit: The unit the complaint is dispatched to, if any.
        state: The complaint's state.
    """

    complaint: str
    clock: str
    deadline: datetime
    overdue_days: float
    overdue_working_days: int
    unit: str | None
    state: str


class UnitHold(NamedTuple):
    """One stretch during which a unit held a complaint (from a dispatch or forward to it).

    Attributes:
        unit: The unit.
        received_at: When it was dispatched or forwarded to the unit.
        followed_up_at: The unit's first follow-up in this stretch, if any.
    """

    unit: str
    received_at: datetime
    followed_up_at: datetime | None = None


class ComplaintSummary(NamedTuple):
    """One complaint reduced to what metrics need, as of an instant (a row of a flat table).

    An immutable named tuple rather than an attrs class: `measure` builds one per complaint,
    and a tuple is built about ten times faster than a frozen attrs instance.

    Attributes:
        complaint: The complaint's id.
        state: Its state at ``as_of``.
        unit: The unit it is dispatched to at ``as_of`` (``None`` if none).
        classification: Its classification, if known.
        channel: How it was received.
        submitted_at: When it was submitted.
        verified_at: Its first verification.
        dispatched_at: Its first disposition.
        followed_up_at: Its first follow-up after its first disposition.
        closed_at: Its first close.
        archived: Whether it was archived.
        closed: Whether it is closed at ``as_of``.
        open: Whether it is not in a terminal state at ``as_of``.
        reminders: How many reminders (escalations) it received.
        clocks: Per clock name, ``(stopped cycles, met cycles)``.
        overdue: Its clocks running past their deadline (not counting clocks with a
            ``due_action``: their end makes an action due, e.g. an automatic close, rather
            than a breach by anyone).
        holds: The units that held it, one `UnitHold` per stretch, in order.
        unit_clocks: Per unit (``None``: no unit) and clock name, ``(stretches judged,
            stretches met)`` of its `pengaduan.sla.UnitShare` s: what the metrics by unit
            count, so that no unit is charged for another's days.
    """

    complaint: str
    state: str
    unit: str | None
    classification: str | None
    channel: str | None
    submitted_at: datetime
    verified_at: datetime | None = None
    dispatched_at: datetime | None = None
    followed_up_at: datetime | None = None
    closed_at: datetime | None = None
    archived: bool = False
    closed: bool = False
    open: bool = True
    reminders: int = 0
    clocks: Mapping[str, tuple[int, int]] = MappingProxyType({})
    overdue: tuple[Overdue, ...] = ()
    holds: tuple[UnitHold, ...] = ()
    unit_clocks: Mapping[str | None, Mapping[str, tuple[int, int]]] = MappingProxyType({})


def summarize(
    complaint: Complaint,
    as_of: datetime | TimeSource,
    *,
    policy: Policy | None = None,
    workflow: Workflow | None = None,
    milestones: Milestones | None = None,
    calendar: WorkCalendar | None = None,
) -> ComplaintSummary | None:
    """Reduce one complaint to a `ComplaintSummary` as of an instant.

    Args:
        complaint: The complaint.
        as_of: The instant (timezone-aware), or a `TimeSource` to ask once; later events are
            ignored.
        policy: The SLA policy whose clocks to evaluate (none: no compliance or overdue).
        workflow: The workflow whose states and actions the history uses (by default the
            policy's; one of the two must have one).
        milestones: The milestone actions (SP4N-LAPOR! by default).
        calendar: The calendar for working days (by default the policy's first clock's;
            needed when there is no policy).

    Returns:
        The summary, or ``None`` if the complaint was not submitted by ``as_of``.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    instant = instant_of(as_of)
    context = _Context.build(instant, policy, workflow, milestones, calendar, "summarize")
    return context.summarize(complaint)


@attrs.frozen
class _Context:
    as_of: datetime
    policy: Policy | None
    milestones: Milestones
    calendar: WorkCalendar
    dest: Mapping[str, str | None]
    unit_from: Mapping[str, str]
    clears_unit: frozenset[str]
    terminal: frozenset[str]
    initial: str

    @classmethod
    def build(
        cls,
        as_of: datetime,
        policy: Policy | None,
        workflow: Workflow | None,
        milestones: Milestones | None,
        calendar: WorkCalendar | None,
        function: str,
    ) -> _Context:
        if workflow is None:
            workflow = policy.workflow if policy is not None else None
        if workflow is None:
            raise MissingDefinitionError(function, "workflow", "a policy that has one")
        if calendar is None:
            if policy is None or not policy.clocks:
                raise MissingDefinitionError(function, "calendar", "a policy with clocks")
            calendar = policy.clocks[0].calendar
        return cls(
            as_of=as_of,
            policy=policy,
            milestones=Milestones() if milestones is None else milestones,
            calendar=calendar,
            dest={a.name: a.dest for a in workflow.actions},
            unit_from={a.name: a.unit_from for a in workflow.actions if a.unit_from},
            clears_unit=frozenset(a.name for a in workflow.actions if a.clears_unit),
            terminal=frozenset(s.name for s in workflow.states if s.terminal),
            initial=workflow.initial,
        )

    def summarize(self, complaint: Complaint) -> ComplaintSummary | None:
        as_of = self.as_of
        events = complaint.events
        if not events or events[0].at > as_of:
            return None
        m = self.milestones
        dest, unit_from, clears_unit = self.dest, self.unit_from, self.clears_unit
        state = self.initial
        unit: str | None = None
        classification: str | None = None
        channel: str | None = None
        verified_at = dispatched_at = followed_up_at = closed_at = None
        archived = False
        reminders = 0
        holds: list[UnitHold] = []
        holding = False  # whether the last hold is the complaint's current one
        for event in events:
            at = event.at
            if at > as_of:
                break
            action = event.action
            data = event.data
            target = dest.get(action)
            if target is not None:
                state = target
            field = unit_from.get(action)
            if field is not None:
                value = data.get(field)
                if isinstance(value, str) and not (holding and value == unit):
                    holds.append(UnitHold(value, at))
                    holding = True
                unit = value if isinstance(value, str) else unit
            elif action in clears_unit:
                unit = None
                holding = False
            if "classification" in data:
                value = data["classification"]
                classification = value if isinstance(value, str) else None
            if "channel" in data and channel is None:
                value = data["channel"]
                channel = value if isinstance(value, str) else None
            # Independent tests: one action may mark several milestones.
            if action == m.verify and verified_at is None:
                verified_at = at
            if action == m.follow_up and followed_up_at is None and dispatched_at is not None:
                followed_up_at = at
            if action == m.follow_up and holding and holds[-1].followed_up_at is None:
                holds[-1] = holds[-1]._replace(followed_up_at=at)
            if action == m.dispatch and dispatched_at is None:
                dispatched_at = at
            if action == m.close and closed_at is None:
                closed_at = at
            if action == m.archive:
                archived = True
            if action == m.reminder and data.get("kind") != "skipped":
                reminders += 1
        clocks: dict[str, tuple[int, int]] = {}
        unit_clocks: dict[str | None, dict[str, tuple[int, int]]] = {}
        overdue: list[Overdue] = []
        if self.policy is not None:
            for clock_state in evaluate(complaint, as_of, policy=self.policy):
                name = clock_state.clock.name
                stopped = met = 0
                for cycle in clock_state.cycles:
                    if cycle.ended_by == "stop":
                        stopped += 1
                        if cycle.breach_at is None:
                            met += 1
                    units = cycle.units
                    if len(units) == 1:  # one unit held it throughout: the cycle's verdict
                        verdicts: Iterable[tuple[str | None, bool | None]] = (
                            (units[0], cycle.met),
                        )
                    else:
                        verdicts = ((share.unit, share.met) for share in cycle.shares)
                    for holder, verdict in verdicts:
                        if verdict is not None:
                            tally = unit_clocks.setdefault(holder, {})
                            judged, kept = tally.get(name, (0, 0))
                            tally[name] = (judged + 1, kept + verdict)
                clocks[name] = (stopped, met)
                current = clock_state.current
                if (
                    clock_state.clock.due_action is None
                    and clock_state.status is ClockStatus.RUNNING
                    and current is not None
                    and current.breach_at is not None
                ):
                    overdue.append(
                        Overdue(
                            complaint=complaint.id,
                            clock=clock_state.clock.name,
                            deadline=current.breach_at,
                            overdue_days=(as_of - current.breach_at).total_seconds() / _DAY,
                            overdue_working_days=self.calendar.working_days_between(
                                current.breach_at, as_of
                            ),
                            unit=unit,
                            state=state,
                        )
                    )
        return ComplaintSummary(
            complaint=complaint.id,
            state=state,
            unit=unit,
            classification=classification,
            channel=channel,
            submitted_at=events[0].at,
            verified_at=verified_at,
            dispatched_at=dispatched_at,
            followed_up_at=followed_up_at,
            closed_at=closed_at,
            archived=archived,
            closed=state == m.closed_state,
            open=state not in self.terminal,
            reminders=reminders,
            clocks=clocks,
            overdue=tuple(overdue),
            holds=tuple(holds),
            unit_clocks=unit_clocks,
        )


def quantile(values: Sequence[float], q: float) -> float | None:
    """The `q`-quantile of `values` by linear interpolation (numpy's and pandas' default).

    Args:
        values: The values, sorted ascending.
        q: Between 0 and 1.

    Returns:
        The quantile, or ``None`` for no values.

    Raises:
        ValueError: If `q` is not between 0 and 1 (NaN included), as numpy's.

    ```pycon
    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.9)
    3.7

    ```
    """
    # Outside [0, 1] the index wraps (q = -0.1 gave a value between the last two) or overflows.
    if not 0 <= q <= 1:
        raise ValueError(f"q must be between 0 and 1, got {q!r}")
    if not values:
        return None
    position = (len(values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    fraction = position - low
    return values[low] + (values[high] - values[low]) * fraction


@attrs.frozen
class Duration:
    """The distribution of one duration over a group of complaints.

    Attributes:
        name: ``"follow_up"`` (dispatch to first follow-up), ``"verification"`` (submission to
            verification), ``"closure"`` (submission to close) or ``"backlog_age"`` (submission
            to ``as_of`` of open complaints).
        count: How many complaints have it.
        mean_days: Mean in calendar days (fractional).
        median_days: Median in calendar days.
        p90_days: 90th percentile in calendar days.
        mean_working_days: Mean in working days.
        median_working_days: Median in working days.
        p90_working_days: 90th percentile in working days.
        max_days: The longest, in calendar days.
    """

    name: str
    count: int = 0
    mean_days: float | None = None
    median_days: float | None = None
    p90_days: float | None = None
    mean_working_days: float | None = None
    median_working_days: float | None = None
    p90_working_days: float | None = None
    max_days: float | None = None

    @classmethod
    def of(cls, name: str, days: list[float], working_days: list[int]) -> Duration:
        """Summarise paired samples (each complaint's duration in both measures)."""
        if not days:
            return cls(name)
        days = sorted(days)
        working = sorted(float(w) for w in working_days)
        n = len(days)
        return cls(
            name=name,
            count=n,
            mean_days=math.fsum(days) / n,
            median_days=quantile(days, 0.5),
            p90_days=quantile(days, 0.9),
            mean_working_days=math.fsum(working) / n,
            median_working_days=quantile(working, 0.5),
            p90_working_days=quantile(working, 0.9),
            max_days=days[-1],
        )


@attrs.frozen
class Compliance:
    """How a clock's stopped cycles fared.

    Attributes:
        clock: The clock's name.
        stopped: Cycles ended by a stop.
        met: Of those, the ones stopped before their deadline.
    """

    clock: str
    stopped: int
    met: int

    @property
    def rate(self) -> float | None:
        """``met / stopped``, or ``None`` when no cycle stopped."""
        return self.met / self.stopped if self.stopped else None


def _ratio(a: int, b: int) -> float | None:
    return a / b if b > 0 else None


@attrs.frozen
class GroupMetrics:
    """The figures of one group of complaints (or of all of them).

    Attributes:
        key: The group's key (a unit, a classification, ``"2026-03"``, ...); ``None`` for
            complaints without one and for the total.
        received: Complaints received.
        archived: Of those, archived.
        verified: Verified at least once.
        dispatched: Dispatched at least once.
        followed_up: Followed up at least once (after a disposition).
        closed: Closed as of the instant.
        open: Not in a terminal state (the backlog).
        reminders: Reminders (escalations) sent.
        follow_up_time: Dispatch to first follow-up.
        verification_time: Submission to first verification.
        closure_time: Submission to first close.
        backlog_age: Age of the open complaints.
        compliance: Per clock name, how its stopped cycles fared.
    """

    key: str | None
    received: int
    archived: int
    verified: int
    dispatched: int
    followed_up: int
    closed: int
    open: int
    reminders: int
    follow_up_time: Duration
    verification_time: Duration
    closure_time: Duration
    backlog_age: Duration
    compliance: Mapping[str, Compliance] = attrs.field(factory=dict, hash=False)

    @property
    def follow_up_rate(self) -> float | None:
        """Followed up / dispatched (``None`` when nothing was dispatched)."""
        return _ratio(self.followed_up, self.dispatched)

    @property
    def settlement_rate(self) -> float | None:
        """Closed / (received - archived) (``None`` when that is zero)."""
        return _ratio(self.closed, self.received - self.archived)

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON-compatible values: `row` without its ``key``.

        The names are those of `row`, of `Metrics.to_frame`'s columns and of the report's
        columns: one name per figure.
        """
        row = self.row()
        del row["key"]
        return row

    def row(self) -> dict[str, Any]:
        """One flat row (no nesting): counts, rates, every duration statistic, compliance.

        Durations are named ``<duration>_<statistic>_<unit>_days``, the unit ``calendar`` or
        ``working`` (e.g. ``follow_up_mean_calendar_days``, ``follow_up_mean_working_days``);
        each clock gives ``compliance_<clock>`` (a share, met / stopped) with
        ``<clock>_met`` and ``<clock>_stopped`` (the names of `Metrics.complaint_rows`).
        """
        row: dict[str, Any] = {
            "key": self.key,
            "received": self.received,
            "archived": self.archived,
            "verified": self.verified,
            "dispatched": self.dispatched,
            "followed_up": self.followed_up,
            "closed": self.closed,
            "open": self.open,
            "reminders": self.reminders,
            "follow_up_rate": self.follow_up_rate,
            "settlement_rate": self.settlement_rate,
        }
        for duration in (
            self.follow_up_time,
            self.verification_time,
            self.closure_time,
            self.backlog_age,
        ):
            for stat in ("mean", "median", "p90"):
                row[f"{duration.name}_{stat}_calendar_days"] = getattr(duration, f"{stat}_days")
                row[f"{duration.name}_{stat}_working_days"] = getattr(
                    duration, f"{stat}_working_days"
                )
            row[f"{duration.name}_max_calendar_days"] = duration.max_days
        for name, compliance in self.compliance.items():
            row[f"compliance_{name}"] = compliance.rate
            row[f"{name}_met"] = compliance.met
            row[f"{name}_stopped"] = compliance.stopped
        return row


@attrs.frozen
class Metrics:
    """Metrics over complaints as of an instant: the total, and groups if asked for.

    Attributes:
        as_of: The instant measured.
        since: The period's start (submissions at or after it), if any.
        until: The period's end (submissions before it), if any.
        by: The grouping, if any.
        total: The figures of every complaint received in the period.
        groups: The figures per group, ordered by key (``None`` last).
        summaries: The complaints measured, one summary each (the flat table).
        clocks: The names of the clocks evaluated, in the policy's order.
        calendar: The calendar working days, months and years were counted on.
    """

    as_of: datetime
    since: datetime | None
    until: datetime | None
    by: GroupBy | None
    total: GroupMetrics
    groups: tuple[GroupMetrics, ...]
    summaries: tuple[ComplaintSummary, ...] = attrs.field(repr=False)
    clocks: tuple[str, ...] = ()
    calendar: WorkCalendar | None = attrs.field(default=None, repr=False, eq=False)

    def group_by(self, by: GroupBy | str | None) -> Metrics:
        """The same complaints grouped another way (no clock is evaluated again).

        Args:
            by: ``"unit"``, ``"classification"``, ``"channel"``, ``"month"``, ``"year"`` (or a
                `GroupBy`); ``None`` for no groups.

        Returns:
            The same metrics with these groups.

        Raises:
            UnknownGroupingError: If `by` is not a known grouping.
        """
        grouping = None if by is None else GroupBy.parse(by)
        cal = self.calendar
        if cal is None:  # pragma: no cover - measure always sets it
            raise MissingDefinitionError("Metrics.grouped", "calendar")
        groups = _groups(grouping, self.summaries, self.as_of, cal, self.clocks)
        return attrs.evolve(self, by=grouping, groups=groups)

    def __repr__(self) -> str:
        by = "ungrouped" if self.by is None else f"by {self.by.value}: {len(self.groups)} groups"
        return (
            f"<Metrics as of {self.as_of.isoformat(timespec='minutes')}: "
            f"{len(self.summaries)} complaints, {by}, {len(self.clocks)} clocks>"
        )

    def __str__(self) -> str:
        from pengaduan._present_metrics import render_metrics_text

        return render_metrics_text(self)

    def _repr_html_(self) -> str:
        from pengaduan._present_metrics import render_metrics_html

        return render_metrics_html(self)

    def __iter__(self) -> Iterator[GroupMetrics]:
        return iter(self.groups)

    def __getitem__(self, key: str | None) -> GroupMetrics:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: one flat dict per group (or one for the total when ungrouped).

        The group's key is under the grouping's name (``"unit"``, ``"month"``, ...).
        """
        if self.by is None:
            row = self.total.row()
            del row["key"]
            return [row]
        out = []
        for group in self.groups:
            row = group.row()
            row[self.by.value] = row.pop("key")
            out.append({self.by.value: row[self.by.value], **row})
        return out

    def complaint_rows(self) -> list[dict[str, Any]]:
        """One flat dict per complaint measured: its milestones and state."""
        out = []
        for s in self.summaries:
            row: dict[str, Any] = {
                "complaint": s.complaint,
                "state": s.state,
                "unit": s.unit,
                "classification": s.classification,
                "channel": s.channel,
                "submitted_at": s.submitted_at,
                "verified_at": s.verified_at,
                "dispatched_at": s.dispatched_at,
                "followed_up_at": s.followed_up_at,
                "closed_at": s.closed_at,
                "archived": s.archived,
                "closed": s.closed,
                "open": s.open,
                "reminders": s.reminders,
            }
            for name in self.clocks:
                stopped, met = s.clocks.get(name, (0, 0))
                row[f"{name}_stopped"] = stopped
                row[f"{name}_met"] = met
            out.append(row)
        return out

    def to_frame(self) -> Any:
        """The tidy rows as a pandas DataFrame (needs the ``pandas`` extra).

        Raises:
            MissingExtraError: If pandas is not installed.
        """
        pd = _pandas("Metrics.to_frame")
        frame = pd.DataFrame(self.rows())
        if self.by is not None:
            frame = frame.set_index(self.by.value)
        return frame

    def complaints_frame(self) -> Any:
        """`complaint_rows` as a pandas DataFrame indexed by complaint (``pandas`` extra).

        Raises:
            MissingExtraError: If pandas is not installed.
        """
        pd = _pandas("Metrics.complaints_frame")
        return pd.DataFrame(self.complaint_rows()).set_index("complaint")

    def most_overdue(self, limit: int = 10) -> tuple[Overdue, ...]:
        """The clocks furthest past their deadline at ``as_of``, longest overdue first.

        Args:
            limit: How many at most.

        Returns:
            The overdue clocks (a complaint may appear once per clock).
        """
        every = [o for s in self.summaries for o in s.overdue]
        every.sort(key=lambda o: (o.deadline, o.complaint, o.clock))
        return tuple(every[:limit])

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible figures: the total's keys, plus ``"groups"`` when grouped."""
        out: dict[str, Any] = {"as_of": self.as_of.isoformat(), **self.total.to_dict()}
        if self.by is not None:
            out["by"] = self.by.value
            out["groups"] = [{self.by.value: g.key, **g.to_dict()} for g in self.groups]
        return out


def _pandas(feature: str) -> Any:
    """Import pandas lazily (by name, so that no stubs are needed to type-check)."""
    import importlib

    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise MissingExtraError(feature, "pandas") from None


def _key_function(by: GroupBy, calendar: WorkCalendar) -> Callable[[ComplaintSummary], str | None]:
    tz = calendar.tz
    if by is GroupBy.UNIT:
        return lambda s: s.unit
    if by is GroupBy.CLASSIFICATION:
        return lambda s: s.classification
    if by is GroupBy.CHANNEL:
        return lambda s: s.channel
    if by is GroupBy.MONTH:
        return lambda s: s.submitted_at.astimezone(tz).strftime("%Y-%m")
    return lambda s: s.submitted_at.astimezone(tz).strftime("%Y")


def _days(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / _DAY


def _group(
    key: str | None,
    summaries: Sequence[ComplaintSummary],
    as_of: datetime,
    calendar: WorkCalendar,
    clocks: Sequence[str],
    tallies: Sequence[Mapping[str, tuple[int, int]]] | None = None,
) -> GroupMetrics:
    """The figures of one group; `tallies`, when given, replace the summaries' compliance."""
    wd = calendar.working_days_between
    archived = verified = dispatched = followed_up = closed = open_ = reminders = 0
    fu_d: list[float] = []
    fu_w: list[int] = []
    ver_d: list[float] = []
    ver_w: list[int] = []
    clo_d: list[float] = []
    clo_w: list[int] = []
    age_d: list[float] = []
    age_w: list[int] = []
    stopped = dict.fromkeys(clocks, 0)
    met = dict.fromkeys(clocks, 0)
    for s in summaries:
        submitted = s.submitted_at
        archived += s.archived
        closed += s.closed
        reminders += s.reminders
        if s.verified_at is not None:
            verified += 1
            ver_d.append(_days(submitted, s.verified_at))
            ver_w.append(wd(submitted, s.verified_at))
        if s.dispatched_at is not None:
            dispatched += 1
            if s.followed_up_at is not None:
                followed_up += 1
                fu_d.append(_days(s.dispatched_at, s.followed_up_at))
                fu_w.append(wd(s.dispatched_at, s.followed_up_at))
        if s.closed_at is not None:
            clo_d.append(_days(submitted, s.closed_at))
            clo_w.append(wd(submitted, s.closed_at))
        if s.open:
            open_ += 1
            age_d.append(_days(submitted, as_of))
            age_w.append(wd(submitted, as_of))
        if tallies is None:
            for name, (a, b) in s.clocks.items():
                if name in stopped:
                    stopped[name] += a
                    met[name] += b
    for tally in tallies or ():
        for name, (a, b) in tally.items():
            if name in stopped:
                stopped[name] += a
                met[name] += b
    return GroupMetrics(
        key=key,
        received=len(summaries),
        archived=archived,
        verified=verified,
        dispatched=dispatched,
        followed_up=followed_up,
        closed=closed,
        open=open_,
        reminders=reminders,
        follow_up_time=Duration.of("follow_up", fu_d, fu_w),
        verification_time=Duration.of("verification", ver_d, ver_w),
        closure_time=Duration.of("closure", clo_d, clo_w),
        backlog_age=Duration.of("backlog_age", age_d, age_w),
        compliance={name: Compliance(name, stopped[name], met[name]) for name in clocks},
    )


def measure(
    complaints: Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    policy: Policy | None = None,
    by: GroupBy | str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    workflow: Workflow | None = None,
    milestones: Milestones | None = None,
    calendar: WorkCalendar | None = None,
) -> Metrics:
    """Measure complaints as of an instant.

    Args:
        complaints: Complaints (e.g. ``workflow.replay(events)`` or ``store.complaints()``),
            or a mapping of them by id. Complaints submitted after `as_of` are left out.
        as_of: The instant, timezone-aware, or a `TimeSource` to ask once; later events are
            ignored.
        policy: The SLA policy whose clocks give compliance and overdue complaints; without
            one, ``compliance`` is empty.
        by: Group by ``"unit"``, ``"classification"``, ``"channel"``, ``"month"`` or
            ``"year"`` (month and year of submission, in the calendar's zone).
        since: Count complaints submitted at or after this instant.
        until: Count complaints submitted before this instant.
        workflow: The workflow of the history (by default the policy's; one of the two must
            have one).
        milestones: The milestone actions (SP4N-LAPOR! by default).
        calendar: The calendar for working days and for months and years (by default the
            policy's first clock's; needed when there is no policy).

    Returns:
        The metrics.

    Raises:
        NaiveDatetimeError: If `as_of`, `since` or `until` is naive.
        MissingDefinitionError: If neither `workflow` nor `policy` gives a workflow, or neither
            `calendar` nor a clock of `policy` gives a calendar.
        InvalidPeriodError: If `until` is not after `since`.
        UnknownGroupingError: If `by` is not a known grouping.
    """
    as_of = instant_of(as_of)
    if since is not None:
        require_aware(since, "since")
    if until is not None:
        require_aware(until, "until")
    if since is not None and until is not None and until <= since:
        raise InvalidPeriodError(since.isoformat(), until.isoformat())
    grouping = None if by is None else GroupBy.parse(by)
    context = _Context.build(as_of, policy, workflow, milestones, calendar, "measure")
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    summaries: list[ComplaintSummary] = []
    for complaint in complaints:
        summary = context.summarize(complaint)
        if summary is None:
            continue
        if since is not None and summary.submitted_at < since:
            continue
        if until is not None and summary.submitted_at >= until:
            continue
        summaries.append(summary)
    clocks = policy.names if policy is not None else ()
    cal = context.calendar
    total = _group(None, summaries, as_of, cal, clocks)
    return Metrics(
        as_of=as_of,
        since=since,
        until=until,
        by=grouping,
        total=total,
        groups=_groups(grouping, summaries, as_of, cal, clocks),
        summaries=tuple(summaries),
        clocks=clocks,
        calendar=cal,
    )


def _groups(
    grouping: GroupBy | None,
    summaries: Sequence[ComplaintSummary],
    as_of: datetime,
    cal: WorkCalendar,
    clocks: Sequence[str],
) -> tuple[GroupMetrics, ...]:
    if grouping is None:
        return ()
    if grouping is GroupBy.UNIT:
        return _unit_groups(summaries, as_of, cal, clocks)
    key_of = _key_function(grouping, cal)
    buckets: dict[str | None, list[ComplaintSummary]] = {}
    for summary in summaries:
        buckets.setdefault(key_of(summary), []).append(summary)
    keys = sorted(buckets, key=lambda k: (k is None, k or ""))
    return tuple(_group(k, buckets[k], as_of, cal, clocks) for k in keys)


def unit_views(summary: ComplaintSummary) -> Iterator[ComplaintSummary]:
    """The complaint as each unit that held it is measured (the members of the unit groups).

    Each unit that held the complaint gets a view of it: its disposition is when that unit
    received it and its follow-up that unit's own (from the stretch in which it first
    followed up, else its first stretch), so that a unit is not charged for the days the
    complaint spent with another before a decline or forward. Only the unit holding it at
    ``as_of`` (or ``None``, if none holds it) keeps what describes the complaint as a whole:
    its closing, archiving, backlog, reminders and overdue clocks. A complaint never
    dispatched is one view under ``None``, as it is.

    Args:
        summary: A complaint's summary.

    Yields:
        One summary per unit, in the order they first held it (then ``None``, if no unit
        holds it now). Their ``clocks`` are empty: compliance by unit counts each unit's
        `pengaduan.sla.UnitShare` s (``unit_clocks``), not whole cycles.
    """
    if not summary.holds:
        yield summary._replace(clocks=MappingProxyType({}))
        return
    seen: dict[str, UnitHold] = {}
    for hold in summary.holds:
        first = seen.get(hold.unit)
        if first is None or (first.followed_up_at is None and hold.followed_up_at is not None):
            seen[hold.unit] = hold if first is None or hold.followed_up_at else first
    for unit, hold in seen.items():
        view = summary._replace(
            unit=unit,
            dispatched_at=hold.received_at,
            followed_up_at=hold.followed_up_at,
            clocks=MappingProxyType({}),
        )
        if unit != summary.unit:
            view = view._replace(
                closed_at=None,
                archived=False,
                closed=False,
                open=False,
                reminders=0,
                overdue=(),
            )
        yield view
    if summary.unit is None:
        yield summary._replace(dispatched_at=None, followed_up_at=None, clocks=MappingProxyType({}))


def _unit_groups(
    summaries: Sequence[ComplaintSummary],
    as_of: datetime,
    cal: WorkCalendar,
    clocks: Sequence[str],
) -> tuple[GroupMetrics, ...]:
    """Groups by unit: every unit that held a complaint, charged with its own share only."""
    buckets: dict[str | None, list[ComplaintSummary]] = {}
    tallies: dict[str | None, list[Mapping[str, tuple[int, int]]]] = {}
    for summary in summaries:
        for view in unit_views(summary):
            buckets.setdefault(view.unit, []).append(view)
        for unit, tally in summary.unit_clocks.items():
            tallies.setdefault(unit, []).append(tally)
            buckets.setdefault(unit, [])
    keys = sorted(buckets, key=lambda k: (k is None, k or ""))
    return tuple(_group(k, buckets[k], as_of, cal, clocks, tallies.get(k, [])) for k in keys)
