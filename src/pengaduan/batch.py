"""Vectorised clock evaluation: every clock of a policy over a whole events table at once.

`evaluate_batch` takes the events of many complaints as columns (the events table of the
national-scale datasets: one row per event, a complaint's rows contiguous and in history
order) and evaluates a `Policy`'s clocks for all of them with numpy, giving one row per
(complaint, clock, cycle): the clock rows. It gives exactly what `pengaduan.sla.evaluate`
gives, to the microsecond (starts, stops, pauses, deadlines, statuses, breaches, elapsed
working and calendar time, budgets, the "rests on an estimate" flag): the same precedence of
stop, reset, start and pause, and the same calendar tables, searched with
`numpy.searchsorted` instead of `bisect`.

The primary input is a dict of numpy arrays with at least the columns ``complaint_id``,
``action`` and ``at`` (``datetime64[us]`` in UTC, or int64 microseconds since the epoch);
``seq`` is checked when present and ``year`` copied into the rows. A pandas DataFrame or a
pyarrow Table with those columns is accepted too (``pengaduan.columnar.events_table``'s
schema). Events after ``as_of`` are ignored exactly as `evaluate` ignores them: from the first
event of a complaint that lies after ``as_of``.

What the batch path does not do it hands to `evaluate`, and says so: the result's
`BatchEvaluation.fallbacks` lists each case with its reason and the complaints concerned, and
a ``WARNING`` record goes to the ``pengaduan.batch`` logger (clock names, reasons and counts;
no complaint ids). The cases are:

- a clock, target, condition or calendar of a subclass (its behaviour may differ from the
  definition's; only `evaluate` can honour it): that clock, for every complaint;
- a calendar zone whose clocks turn back across midnight (local dates go back): that clock,
  for every complaint;
- a complaint whose events go back in time (a history no workflow records, but a table may
  hold): that complaint, for every clock.

Clock rows (`ClockRow`, `clock_rows`) compare the two paths row for row:

```pycon
>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from pengaduan._batch_input import events_arrays
>>> from pengaduan.presets import lapor_policy
>>> from pengaduan.sla import evaluate_many
>>> from pengaduan.testing import a_complaint
>>> WIB = ZoneInfo("Asia/Jakarta")
>>> c = (
...     a_complaint("C-1")
...     .submitted(at=datetime(2026, 3, 12, 9, tzinfo=WIB))
...     .verified()
...     .dispatched(to="dinas-pu", at=datetime(2026, 3, 13, 10, tzinfo=WIB))
...     .complaint
... )
>>> policy, as_of = lapor_policy(), datetime(2026, 3, 30, 9, tzinfo=WIB)
>>> result = evaluate_batch(events_arrays([c], zone=WIB), as_of, policy=policy)
>>> for row in result.rows():
...     print(row.clock, row.status.value, row.deadline.isoformat(), row.breached)
verification stopped 2026-03-17T17:00:00+00:00 False
follow_up running 2026-03-27T17:00:00+00:00 True
resolution running 2026-05-11T02:00:00+00:00 False
>>> result.rows() == clock_rows(evaluate_many([c], as_of=as_of, policy=policy).values())
True

```
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from pengaduan import _present
from pengaduan._calendar_index import EPOCH, to_us
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import EventFormatError, MissingExtraError
from pengaduan.sla import (
    Clock,
    ClockStatus,
    Condition,
    Evaluation,
    Policy,
    Target,
    TargetUnit,
    evaluate,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from pengaduan._batch_calendar import CalendarArrays

__all__ = [
    "BatchEvaluation",
    "ClockRow",
    "Fallback",
    "clock_rows",
    "evaluate_batch",
]

log = logging.getLogger("pengaduan.batch")

#: About how many events are evaluated at once (whole complaints): it bounds the size of the
#: temporary arrays (1 MiB a column), whatever the size of the table, so that the work per
#: complaint stays that of a small table; only the result's arrays grow with it.
_CHUNK = 1 << 17

_STATUS = (ClockStatus.RUNNING, ClockStatus.PAUSED, ClockStatus.STOPPED)
_ENDED_BY = (None, "stop", "reset", "expired")
_NULL = -(2**63)
#: The columns of a clock row in a table (``pengaduan.columnar``'s clocks dataset).
_TABLE_COLUMNS = (
    "complaint_id",
    "clock",
    "cycle",
    "started",
    "stopped",
    "ended_by",
    "paused_seconds",
    "pauses",
    "deadline",
    "status",
    "breached",
    "elapsed_working_seconds",
    "elapsed_calendar_seconds",
    "policy_fingerprint",
    "calendar_fingerprint",
    "year",
)


@attrs.frozen
class ClockRow:
    """One cycle of one clock of one complaint: a row of the clock rows.

    Instants are UTC; durations are exact (the tables round them down to whole seconds).

    Attributes:
        complaint: The complaint's id.
        clock: The clock's name.
        cycle: The cycle's index, 0 for the first (`pengaduan.sla.Cycle.index` less one).
        started: When it started.
        stopped: When it ended; ``None`` while open.
        ended_by: ``"stop"``, ``"reset"``, ``"expired"`` or ``None`` while open.
        paused: The actual time it was paused (an open pause up to ``as_of``).
        pauses: How many pauses it had.
        deadline: Its deadline; ``None`` while paused before it.
        status: Running or paused while open, else stopped.
        breached: Whether its deadline passed before it stopped (or, while open, by
            ``as_of``).
        elapsed_working: Working time elapsed, pauses excluded.
        elapsed_calendar: Actual time elapsed, pauses excluded.
        budget: The cycle's budget in the clock's measure (`pengaduan.sla.Cycle.budget`).
        estimated: Whether its deadline rests on an estimated holiday or dated rule.
    """

    complaint: str
    clock: str
    cycle: int
    started: datetime
    stopped: datetime | None
    ended_by: str | None
    paused: timedelta
    pauses: int
    deadline: datetime | None
    status: ClockStatus
    breached: bool
    elapsed_working: timedelta
    elapsed_calendar: timedelta
    budget: timedelta
    estimated: bool


@attrs.frozen
class Fallback:
    """Complaints and clocks the batch path handed to `pengaduan.sla.evaluate`, and why.

    Attributes:
        clocks: The clocks' names.
        complaints: The complaints' ids.
        reason: Why the batch path could not evaluate them itself.
    """

    clocks: tuple[str, ...]
    complaints: tuple[str, ...] = attrs.field(repr=lambda ids: f"<{len(ids)} complaints>")
    reason: str


def clock_rows(evaluations: Evaluation | Iterable[Evaluation]) -> tuple[ClockRow, ...]:
    """The clock rows of evaluations by `pengaduan.sla.evaluate`, to compare with a batch's.

    Args:
        evaluations: One evaluation or several (e.g. ``evaluate_many(...).values()``).

    Returns:
        One row per cycle: complaint by complaint, clock by clock in the policy's order,
        cycle by cycle.
    """
    if isinstance(evaluations, Evaluation):
        evaluations = (evaluations,)
    out: list[ClockRow] = []
    for evaluation in evaluations:
        as_of = evaluation.as_of.astimezone(UTC)
        for state in evaluation.clocks:
            for cycle in state.cycles:
                end = cycle.stop if cycle.stop is not None else as_of
                paused = sum(
                    (
                        (p.end if p.end is not None else end).astimezone(UTC)
                        - p.start.astimezone(UTC)
                        for p in cycle.pauses
                    ),
                    timedelta(0),
                )
                status = (
                    ClockStatus.STOPPED
                    if not cycle.open
                    else ClockStatus.PAUSED
                    if cycle.paused
                    else ClockStatus.RUNNING
                )
                out.append(
                    ClockRow(
                        evaluation.complaint,
                        state.clock.name,
                        cycle.index - 1,
                        cycle.start.astimezone(UTC),
                        None if cycle.stop is None else cycle.stop.astimezone(UTC),
                        cycle.ended_by,
                        paused,
                        len(cycle.pauses),
                        None if cycle.deadline is None else cycle.deadline.astimezone(UTC),
                        status,
                        cycle.breached,
                        cycle.elapsed_working,
                        cycle.elapsed_actual,
                        cycle.budget,
                        cycle.estimated,
                    )
                )
    return tuple(out)


def _instant(us: int) -> datetime | None:
    return None if us == _NULL else EPOCH + timedelta(microseconds=us)


@attrs.frozen(eq=False)
class BatchEvaluation:
    """The clock rows of a batch evaluation, as numpy arrays (see `evaluate_batch`).

    Columns (one entry per row, ordered by complaint as in the input, then clock in the
    policy's order, then cycle): ``complaint_id``, ``clock`` (object arrays of str),
    ``cycle`` (int32, 0-based), ``started``, ``stopped``, ``deadline`` (int64 UTC
    microseconds; an absent instant is ``-2**63``), ``ended_by`` and ``status`` (int8 codes
    into `ENDED_BY` and `STATUSES`), ``paused``, ``elapsed_working``, ``elapsed_calendar``,
    ``budget`` (int64 microseconds), ``pauses`` (int32), ``breached``, ``estimated`` (bool),
    ``clock_no`` (the clock's position in the policy), ``group`` (the complaint's position in
    `complaints`) and ``year`` (int16).

    Attributes:
        as_of: The instant evaluated.
        policy: The policy evaluated.
        complaints: The complaints evaluated, in the input's order.
        fallbacks: What was handed to `pengaduan.sla.evaluate`, and why (empty when
            nothing was).
    """

    ENDED_BY = _ENDED_BY
    STATUSES = _STATUS

    as_of: datetime
    policy: Policy = attrs.field(repr=False)
    complaints: tuple[str, ...] = attrs.field(repr=lambda ids: f"<{len(ids)} complaints>")
    _columns: dict[str, Any] = attrs.field(repr=False, alias="columns")
    fallbacks: tuple[Fallback, ...] = ()

    def __len__(self) -> int:
        return int(self._columns["cycle"].size)

    def __repr__(self) -> str:
        fell = sum(len(f.complaints) for f in self.fallbacks)
        return (
            f"<BatchEvaluation under {_present.clip(self.policy.name, 30)!r} as of "
            f"{_present.when(self.as_of)}: {len(self.complaints)} complaints, {len(self)} clock "
            f"rows, {len(self.fallbacks)} fallbacks ({fell} complaint evaluations)>"
        )

    def column(self, name: str) -> np.ndarray[Any, Any]:
        """One column (see the class docstring), as a numpy array (do not modify it).

        Raises:
            KeyError: If there is no such column.
        """
        return self._columns[name]  # type: ignore[no-any-return]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The columns' names."""
        return tuple(self._columns)

    def rows(self) -> tuple[ClockRow, ...]:
        """Every row as a `ClockRow` (for comparison with `clock_rows`; slow on millions)."""
        c = self._columns
        out = []
        for i in range(len(self)):
            out.append(
                ClockRow(
                    str(c["complaint_id"][i]),
                    str(c["clock"][i]),
                    int(c["cycle"][i]),
                    EPOCH + timedelta(microseconds=int(c["started"][i])),
                    _instant(int(c["stopped"][i])),
                    _ENDED_BY[int(c["ended_by"][i])],
                    timedelta(microseconds=int(c["paused"][i])),
                    int(c["pauses"][i]),
                    _instant(int(c["deadline"][i])),
                    _STATUS[int(c["status"][i])],
                    bool(c["breached"][i]),
                    timedelta(microseconds=int(c["elapsed_working"][i])),
                    timedelta(microseconds=int(c["elapsed_calendar"][i])),
                    timedelta(microseconds=int(c["budget"][i])),
                    bool(c["estimated"][i]),
                )
            )
        return tuple(out)

    def status(self, complaint: str, clock: str) -> ClockStatus:
        """The status of one clock of one complaint (that of its last cycle).

        Raises:
            UnknownClockError: If the policy has no such clock.
        """
        import numpy as np

        self.policy.clock(clock)
        c = self._columns
        hits = np.flatnonzero((c["complaint_id"] == complaint) & (c["clock"] == clock))
        if not hits.size:
            return ClockStatus.NOT_STARTED
        return _STATUS[int(c["status"][hits[-1]])]

    def table_columns(self) -> dict[str, np.ndarray[Any, Any]]:
        """The clock rows in the clocks dataset's columns, as numpy arrays.

        Instants are ``datetime64[us]`` (UTC; ``NaT`` for none), durations whole seconds
        (rounded down), ``status`` the `ClockStatus` value.
        """
        import numpy as np

        c = self._columns
        second = 1_000_000

        def instants(name: str) -> np.ndarray[Any, Any]:
            values = c[name]
            return np.where(values == _NULL, np.iinfo(np.int64).min, values).view("datetime64[us]")

        status = np.asarray([s.value for s in _STATUS], dtype=object)
        ended_by = np.asarray(_ENDED_BY, dtype=object)
        fingerprints = np.asarray(
            [c.calendar.fingerprint for c in self.policy.clocks] or [""], dtype=object
        )
        return {
            "complaint_id": c["complaint_id"],
            "clock": c["clock"],
            "cycle": c["cycle"].astype(np.int32),
            "started": instants("started"),
            "stopped": instants("stopped"),
            "ended_by": ended_by[c["ended_by"]] if len(self) else ended_by[:0],
            "paused_seconds": c["paused"] // second,
            "pauses": c["pauses"].astype(np.int32),
            "deadline": instants("deadline"),
            "status": status[c["status"]] if len(self) else status[:0],
            "breached": c["breached"],
            "elapsed_working_seconds": c["elapsed_working"] // second,
            "elapsed_calendar_seconds": c["elapsed_calendar"] // second,
            "policy_fingerprint": np.full(len(self), self.policy.fingerprint, dtype=object),
            "calendar_fingerprint": fingerprints[c["clock_no"]] if len(self) else fingerprints[:0],
            "year": c["year"].astype(np.int16),
        }

    def to_arrow(self) -> Any:
        """The clock rows as a pyarrow Table in the clocks dataset's columns (needs pyarrow)."""
        pa = _optional("pyarrow", "BatchEvaluation.to_arrow", "parquet")
        cols = self.table_columns()
        ts = pa.timestamp("us", tz="UTC")
        types = {
            "complaint_id": pa.string(),
            "clock": pa.string(),
            "cycle": pa.int32(),
            "started": ts,
            "stopped": ts,
            "ended_by": pa.string(),
            "paused_seconds": pa.int64(),
            "pauses": pa.int32(),
            "deadline": ts,
            "status": pa.string(),
            "breached": pa.bool_(),
            "elapsed_working_seconds": pa.int64(),
            "elapsed_calendar_seconds": pa.int64(),
            "policy_fingerprint": pa.string(),
            "calendar_fingerprint": pa.string(),
            "year": pa.int16(),
        }
        arrays = []
        for name in _TABLE_COLUMNS:
            values = cols[name]
            if types[name] == ts:
                arrays.append(pa.array(values, type=ts, from_pandas=True))
            else:
                arrays.append(pa.array(values, type=types[name]))
        return pa.Table.from_arrays(arrays, names=list(_TABLE_COLUMNS))

    def to_pandas(self) -> Any:
        """The clock rows as a pandas DataFrame in the clocks dataset's columns (needs pandas).

        Instants are tz-aware (UTC) timestamps, ``NaT`` for none.
        """
        pd = _optional("pandas", "BatchEvaluation.to_pandas", "pandas")
        cols = self.table_columns()
        frame = pd.DataFrame({name: cols[name] for name in _TABLE_COLUMNS})
        for name in ("started", "stopped", "deadline"):
            frame[name] = frame[name].dt.tz_localize("UTC")
        return frame


def _optional(module: str, feature: str, extra: str) -> Any:
    """Import an optional dependency by name (no stubs needed to type-check)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(feature, extra) from None


def _definition_problem(clock: Clock) -> str | None:
    """Why the batch path cannot vouch for a clock's definition, or ``None``."""
    if type(clock) is not Clock:
        return f"its definition is a {type(clock).__name__}, a subclass of Clock"
    if type(clock.target) is not Target or clock.target.unit not in tuple(TargetUnit):
        return f"its target is a {type(clock.target).__name__}, not a plain Target"
    for condition in (clock.start, clock.stop, clock.reset):
        if type(condition) is not Condition:
            return f"a condition is a {type(condition).__name__}, a subclass of Condition"
    pending = [clock.calendar]
    while pending:
        cal = pending.pop()
        if type(cal) is not WorkCalendar:
            return f"its calendar is a {type(cal).__name__}, a subclass of WorkCalendar"
        if cal.combination is not None:
            pending.extend(cal.combination.calendars)
    return None


def _codes(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Integer codes of string values and the distinct values (pandas' hashing if present)."""
    import numpy as np

    try:
        pd = _optional("pandas", "", "pandas")
    except MissingExtraError:  # pragma: no cover - pandas is in the test extra
        uniques, codes = np.unique(values.astype(str), return_inverse=True)
        return codes.astype(np.int64), [str(u) for u in uniques]
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), [str(u) for u in uniques]


def _year_span(at: np.ndarray[Any, Any], as_of: int) -> tuple[int, int]:
    lo = min(int(at.min()), as_of) if at.size else as_of
    hi = max(int(at.max()), as_of) if at.size else as_of
    first = (EPOCH + timedelta(microseconds=lo)).year
    last = (EPOCH + timedelta(microseconds=hi)).year
    return first - 1, last + 1


def evaluate_batch(
    events: Any,
    as_of: datetime | TimeSource,
    *,
    policy: Policy,
    zone: str | ZoneInfo | None = None,
) -> BatchEvaluation:
    """Evaluate every clock of `policy` for every complaint of an events table, with numpy.

    The result is exactly `pengaduan.sla.evaluate`'s, cycle by cycle (`clock_rows` gives
    evaluate's rows to compare); what the batch path cannot do it hands to `evaluate` and
    lists in `BatchEvaluation.fallbacks` (see the module docstring).

    Args:
        events: The events table: a dict of numpy arrays (the primary form), a pandas
            DataFrame or a pyarrow Table with at least ``complaint_id``, ``action`` and
            ``at``, a complaint's rows contiguous and in history order.
        as_of: The instant to evaluate at, timezone-aware, or a `TimeSource` to ask once.
        policy: The clocks to evaluate.
        zone: The zone whose year of a complaint's first event fills the rows' ``year`` when
            the table has no ``year`` column (default: the first clock's calendar's).

    Returns:
        The clock rows, one per (complaint, clock, cycle).

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
        EventFormatError: If a column is missing, a complaint's rows are not contiguous, or
            ``seq`` does not number them 1, 2, ... in order.
        NoWorkingTimeError: Where `evaluate` would raise it (a deadline beyond the years a
            calendar covers).
    """
    _optional("numpy", "evaluate_batch", "numpy")
    import numpy as np

    from pengaduan._batch_input import columns_of

    as_of = instant_of(as_of)
    cols = columns_of(events)
    n = int(cols["at"].size)
    complaint_ids = np.asarray(cols["complaint_id"], dtype=object)
    run_starts = _run_starts(complaint_ids)
    ids = [str(c) for c in complaint_ids[run_starts].tolist()]
    if len(set(ids)) != len(ids):
        raise EventFormatError(
            "the rows of one complaint must be contiguous (one complaint appears in several "
            "runs of rows)",
            path="complaint_id",
        )
    fallback_clocks: dict[int, str] = {}
    for number, clock in enumerate(policy.clocks):
        problem = _definition_problem(clock)
        if problem is not None:
            fallback_clocks[number] = f"clock {clock.name!r}: {problem}"
    held: dict[int, CalendarArrays] = {}
    while True:
        run = _Run(policy, as_of, cols, run_starts, ids, zone, fallback_clocks, held)
        rows = _Rows(len(ids))
        backwards: list[int] = []
        try:
            for a, b, g0, g1 in _chunks(run_starts, n, _CHUNK):
                piece, back = run.chunk(a, b, g0, g1)
                rows.add(piece, g1)
                backwards.extend(back.tolist())
        except _ZoneFoundError as found:  # a clock's zone, in years a chunk added: evaluate's alone
            fallback_clocks[found.number] = found.reason
            continue
        break
    columns = rows.finish()
    year = columns.pop("year")
    columns["complaint_id"] = run.names[columns["group"]]
    columns["clock"] = np.asarray(policy.names or ("",), dtype=object)[columns["clock_no"]]
    columns["year"] = year
    # The fallbacks: whole complaints (their histories go back in time), whole clocks.
    fallbacks: list[Fallback] = []
    if backwards:
        reason = "its events go back in time (an instant earlier than the one before it)"
        fallbacks.append(Fallback(policy.names, tuple(ids[g] for g in backwards), reason))
    fallback_groups = set(backwards)
    for number, reason in sorted(fallback_clocks.items()):
        fallbacks.append(
            Fallback(
                (policy.clocks[number].name,),
                tuple(ids[g] for g in range(len(ids)) if g not in fallback_groups),
                reason,
            )
        )
    for fallback in fallbacks:
        log.warning(
            "batch evaluation of %s: %d complaint(s) of clock(s) %s go to evaluate: %s",
            policy.name,
            len(fallback.complaints),
            ", ".join(fallback.clocks),
            fallback.reason,
        )
    return BatchEvaluation(as_of, policy, tuple(ids), columns, tuple(fallbacks))


class _ZoneFoundError(Exception):
    """A clock's zone turns back across midnight in years a chunk needed (start again)."""

    def __init__(self, number: int, reason: str) -> None:
        super().__init__(reason)
        self.number, self.reason = number, reason


def _run_starts(complaint_ids: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The first row of each run of equal complaint ids."""
    import numpy as np

    new = np.ones(complaint_ids.size, dtype=bool)
    if complaint_ids.size > 1:
        np.not_equal(complaint_ids[1:], complaint_ids[:-1], out=new[1:])
    return np.flatnonzero(new)


def _chunks(run_starts: np.ndarray[Any, Any], n: int, size: int) -> list[tuple[int, int, int, int]]:
    """Chunks of whole complaints, about `size` rows each: (first row, end row, groups).

    A chunk begins at the first complaint that begins at or after a multiple of `size`, so
    that no complaint is split and a complaint longer than `size` is a chunk of its own.
    """
    import numpy as np

    if not n:
        return [(0, 0, 0, 0)]
    cuts = np.unique(np.searchsorted(run_starts, np.arange(0, n, max(size, 1))))
    groups = [*cuts[cuts < run_starts.size].tolist(), int(run_starts.size)]
    rows = [*run_starts[groups[:-1]].tolist(), n]
    return [(rows[k], rows[k + 1], groups[k], groups[k + 1]) for k in range(len(groups) - 1)]


class _Rows:
    """The result's columns, filled chunk by chunk into arrays allocated once.

    The first chunk's rows per complaint size the arrays for all the complaints; should a
    later chunk need more room they are enlarged (`numpy.ndarray.resize`, a ``realloc``),
    and at the end cut to size the same way. The whole result is written once, never
    gathered from copies of its parts.
    """

    def __init__(self, complaints: int) -> None:
        self.complaints = complaints
        self.columns: dict[str, np.ndarray[Any, Any]] = {}
        self.size = 0
        self.capacity = 0

    def add(self, piece: Mapping[str, np.ndarray[Any, Any]], done: int) -> None:
        """Append a chunk's rows; `done` complaints are in, this chunk's included."""
        import numpy as np

        rows = int(piece["cycle"].size)
        need = self.size + rows
        if need > self.capacity or not self.columns:
            # Room for the remaining complaints at the rate so far, and a twentieth more.
            capacity = max(need, -(-need * self.complaints * 21 // (max(done, 1) * 20)))
            if not self.columns:
                self.columns = {k: np.empty(capacity, dtype=v.dtype) for k, v in piece.items()}
            else:
                for column in self.columns.values():
                    column.resize(capacity, refcheck=False)
            self.capacity = capacity
        for key, values in piece.items():
            self.columns[key][self.size : need] = values
        self.size = need

    def finish(self) -> dict[str, np.ndarray[Any, Any]]:
        """The columns, cut to the rows written."""
        for column in self.columns.values():
            column.resize(self.size, refcheck=False)
        return self.columns


class _Run:
    """One evaluation, chunk by chunk: each chunk's complaints wholly, its rows ordered.

    Whatever the size of the table, the arrays of a chunk stay about `_CHUNK` events long,
    so the work per complaint does not grow with the table; only the result is whole.
    """

    def __init__(
        self,
        policy: Policy,
        as_of: datetime,
        cols: Mapping[str, Any],
        run_starts: np.ndarray[Any, Any],
        ids: list[str],
        zone: str | ZoneInfo | None,
        fallback_clocks: Mapping[int, str],
        held: dict[int, CalendarArrays],
    ) -> None:
        import numpy as np

        self.policy, self.as_of, self.as_of_us = policy, as_of, to_us(as_of)
        self.cols, self.run_starts, self.n = cols, run_starts, int(cols["at"].size)
        self.names = np.asarray(ids, dtype=object)
        self.fallback_clocks, self.held = fallback_clocks, held
        workflow = policy.workflow
        self.dest = {} if workflow is None else {a.name: a.dest for a in workflow.actions}
        self.initial = "" if workflow is None else workflow.initial
        if zone is None:
            self.tz = policy.clocks[0].calendar.tz if policy.clocks else ZoneInfo("UTC")
        else:
            self.tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)

    def chunk(self, a: int, b: int, g0: int, g1: int) -> tuple[dict[str, Any], Any]:
        """The ordered rows of complaints `g0` to `g1` (table rows `a` to `b`).

        Returns:
            The chunk's columns, and the positions of its complaints that go back in time.
        """
        import numpy as np

        from pengaduan import _batch_engine as engine

        cols, as_of_us, m = self.cols, self.as_of_us, b - a
        at = cols["at"][a:b]
        heads = self.run_starts[g0:g1] - a
        new = np.zeros(m, dtype=bool)
        new[heads] = True
        group = np.cumsum(new, dtype=np.int64) - 1
        first = heads[group]
        if "seq" in cols and m:
            position = np.arange(m, dtype=np.int64) - first
            seq = np.asarray(cols["seq"][a:b], dtype=np.int64)
            bad = np.flatnonzero(seq != position + 1)
            if bad.size:
                k = int(bad[0])
                raise EventFormatError(
                    f"row {a + k} has seq {int(seq[k])} where its complaint's rows number it "
                    f"{int(position[k]) + 1}: rows must be in history order",
                    path="seq",
                )
        # Events after as_of are ignored from the first one that lies after it (as evaluate
        # does).
        over = (at > as_of_us).astype(np.int64)
        seen_over = np.cumsum(over)
        keep = (seen_over - (seen_over[first] - over[first])) == 0
        # A history that goes back in time is evaluate's alone.
        back = np.zeros(m, dtype=bool)
        if m:
            back[1:] = (at[1:] < at[:-1]) & ~new[1:]
        back &= keep
        backwards = np.unique(group[back])
        if backwards.size:
            keep &= ~np.isin(group, backwards)
        kept = np.flatnonzero(keep)
        action_codes, actions = _codes(np.asarray(cols["action"][a:b], dtype=object)[kept])
        at_kept = at[kept]
        ev = engine.Events(
            at_kept,
            action_codes,
            group[kept],
            np.searchsorted(kept, first[kept]),  # the first kept row of each one's complaint
            actions,
            self.dest,
            self.initial,
        )
        first_year, last_year = _year_span(at_kept, as_of_us)
        parts: list[dict[str, Any]] = []
        for number, clock in enumerate(self.policy.clocks):
            if number in self.fallback_clocks:
                continue
            arrays = self._arrays(number, clock, first_year, last_year)
            part, arrays = engine.retrying(clock, ev, as_of_us, arrays)
            self._hold(number, clock, arrays)
            part["clock_no"] = np.full(part["group"].size, number, dtype=np.int64)
            parts.append(part)
        if backwards.size or self.fallback_clocks:
            parts.append(self._fallback_rows(g0, g1, set(backwards.tolist())))
        out = _assemble(parts, len(self.policy.clocks))
        out["year"] = self._years(a, b, heads, out["group"])
        out["group"] += g0
        return out, backwards + g0

    def _arrays(self, number: int, clock: Clock, first_year: int, last_year: int) -> Any:
        from pengaduan._batch_calendar import arrays_for

        arrays = self.held.get(id(clock.calendar))
        if arrays is None or not arrays.holds(first_year, last_year):
            if arrays is not None:
                first_year = min(first_year, arrays.first_year)
                last_year = max(last_year, arrays.last_year)
            arrays = arrays_for(clock.calendar, first_year, last_year)
            self._hold(number, clock, arrays)
        return arrays

    def _hold(self, number: int, clock: Clock, arrays: CalendarArrays) -> None:
        from pengaduan._batch_calendar import remember

        self.held[id(clock.calendar)] = arrays
        remember(arrays)
        if arrays.zone_problem is not None:
            raise _ZoneFoundError(number, f"clock {clock.name!r}: {arrays.zone_problem}")

    def _fallback_rows(self, g0: int, g1: int, backwards: set[int]) -> dict[str, Any]:
        """The rows `evaluate` gives for the fallbacks of complaints `g0` to `g1`."""
        import numpy as np

        from pengaduan._batch_input import complaint_of

        policy, run_starts = self.policy, self.run_starts
        names: dict[str, list[Any]] = {k: [] for k in _PART_COLUMNS}
        every = list(range(len(policy.clocks)))
        clocks = sorted(self.fallback_clocks)
        for g in range(g0, g1):
            wanted = every if g - g0 in backwards else clocks
            if not wanted:
                continue
            end = int(run_starts[g + 1]) if g + 1 < run_starts.size else self.n
            rows = range(int(run_starts[g]), end)
            evaluation = evaluate(complaint_of(self.cols, rows), as_of=self.as_of, policy=policy)
            for number in wanted:
                for row in _clock_rows_of_state(evaluation, number):
                    names["group"].append(g - g0)
                    names["clock_no"].append(number)
                    names["started"].append(to_us(row.started))
                    names["stopped"].append(_NULL if row.stopped is None else to_us(row.stopped))
                    names["deadline"].append(_NULL if row.deadline is None else to_us(row.deadline))
                    names["paused"].append(_us(row.paused))
                    names["elapsed_working"].append(_us(row.elapsed_working))
                    names["elapsed_calendar"].append(_us(row.elapsed_calendar))
                    names["budget"].append(_us(row.budget))
                    names["pauses"].append(row.pauses)
                    names["ended_by"].append(_ENDED_BY.index(row.ended_by))
                    names["status"].append(_STATUS.index(row.status))
                    names["breached"].append(row.breached)
                    names["estimated"].append(row.estimated)
        out: dict[str, Any] = {}
        for key, values in names.items():
            if key in ("breached", "estimated"):
                out[key] = np.asarray(values, dtype=bool)
            elif key in ("ended_by", "status"):
                out[key] = np.asarray(values, dtype=np.int8)
            else:
                out[key] = np.asarray(values, dtype=np.int64)
        return out

    def _years(
        self, a: int, b: int, heads: np.ndarray[Any, Any], group: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """The ``year`` of each row: the table's, else that of its complaint's first event."""
        import numpy as np

        cols = self.cols
        if "year" in cols:
            given: np.ndarray[Any, Any] = np.asarray(cols["year"][a:b], dtype=np.int16)[
                heads[group]
            ]
            return given
        wanted = np.unique(group)
        first_at = cols["at"][a:b][heads[wanted]]
        tz = self.tz
        years = [(EPOCH + timedelta(microseconds=int(x))).astimezone(tz).year for x in first_at]
        lookup = np.zeros(heads.size, dtype=np.int16)
        lookup[wanted] = np.asarray(years, dtype=np.int16)
        out: np.ndarray[Any, Any] = lookup[group]
        return out


_INT_COLUMNS: tuple[str, ...] = (
    "started",
    "stopped",
    "paused",
    "deadline",
    "elapsed_working",
    "elapsed_calendar",
    "budget",
    "pauses",
)
# Every column of a part of the result (one clock's rows, or the fallback's).
_PART_COLUMNS: tuple[str, ...] = (
    *_INT_COLUMNS,
    "group",
    "clock_no",
    "ended_by",
    "status",
    "breached",
    "estimated",
)


def _clock_rows_of_state(evaluation: Evaluation, number: int) -> tuple[ClockRow, ...]:
    """The clock rows of one clock (by position) of an evaluation."""
    single = attrs.evolve(evaluation, clocks=(evaluation.clocks[number],))
    return clock_rows(single)


def _us(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _assemble(parts: list[dict[str, Any]], clocks: int) -> dict[str, Any]:
    """Concatenate the parts and order the rows by complaint, clock and cycle."""
    import numpy as np

    if parts:
        merged = {k: np.concatenate([p[k] for p in parts]) for k in _PART_COLUMNS}
    else:
        merged = {k: np.zeros(0, dtype=np.int64) for k in _PART_COLUMNS}
    order = _order(merged, clocks)
    out = {k: v[order] for k, v in merged.items()}
    group, clock = out["group"], out["clock_no"]
    size = group.size
    new = np.ones(size, dtype=bool)
    if size:
        new[1:] = (group[1:] != group[:-1]) | (clock[1:] != clock[:-1])
    run = np.maximum.accumulate(np.where(new, np.arange(size), 0)) if size else new
    out["cycle"] = (np.arange(size) - run).astype(np.int32)
    out["pauses"] = out["pauses"].astype(np.int32)  # as documented (and 4 bytes a row less)
    return out


def _order(merged: dict[str, Any], clocks: int) -> np.ndarray[Any, Any]:
    """Row order: complaint, clock, then the order the parts gave their cycles (a stable sort).

    The parts hold each (complaint, clock)'s cycles in order, so a stable sort on complaint
    and clock alone keeps them so.
    """
    import numpy as np

    key = merged["group"] * max(clocks, 1) + merged["clock_no"]
    order: np.ndarray[Any, Any] = np.argsort(key, kind="stable")
    return order
