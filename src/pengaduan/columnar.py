"""Columnar facts: events, complaints and clock cycles as Arrow tables and Parquet datasets.

Three tables, each with a fixed Arrow schema (`EVENTS_SCHEMA`, `COMPLAINTS_SCHEMA`,
`CLOCKS_SCHEMA`), built from complaints as a viewer may see them (`pengaduan.access.view`:
the public by default, so confidential complaints are left out and no personal datum of an
anonymous reporter is written):

- **events**: one row per event, a complaint's rows contiguous and in history order, with
  its data as JSON text (`events_table`); `read_complaints` replays them back through the
  workflow, exactly (for a viewer who sees everything, the events compare equal);
- **complaints**: one row per complaint, the columns of a read-model row
  (`pengaduan.readmodel.project`): state, unit, classification, channel, privacy flags,
  submitted and last-event instants, version (`complaints_table`);
- **clocks**: one row per clock cycle as `pengaduan.sla.evaluate` finds it at ``as_of``:
  start, stop, how it ended, pauses, deadline, status, breach, elapsed working and calendar
  time, and the fingerprints of the policy and calendar that computed it (`clocks_table`).

`write_dataset` also writes ``units`` and ``unit_clocks`` (each unit that held a complaint,
charged with its own stretch only, as `pengaduan.metrics.measure` counts by unit) and
``calendar`` (the calendar's days with a running count of working days), so that the SQL of
`report_sql` and `compliance_sql` reproduces the regency report's figures in DuckDB.

Every row carries ``year``: the year of its complaint's first event in the given zone (the
calendar's, for reports), so that a complaint never straddles two partitions.
`write_dataset` writes the three as hive-partitioned Parquet datasets
(``DIR/events/year=2026/part-0.parquet``; the files leave ``year`` to their directory's
name, `open_dataset` reads it back), streaming: complaints are taken one at a time
from any iterable (``store.complaints()`` reads a store page by page) and written in batches,
so memory stays flat in the number of complaints.

Needs the ``parquet`` extra (pyarrow), imported only when a table is built.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan import Actor
>>> from pengaduan.access import Viewer
>>> from pengaduan.presets import lapor_workflow
>>> workflow = lapor_workflow()
>>> c = workflow.apply(
...     workflow.new("C-1"), "submit", Actor("warga-17", "reporter"),
...     datetime(2026, 3, 2, 8, tzinfo=timezone.utc),
...     {"title": "Jalan rusak", "body": "...", "channel": "web"},
... )
>>> table = events_table([c], viewer=Viewer.staff("admin_national"), workflow=workflow,
...                      zone="Asia/Jakarta")
>>> table.column("action").to_pylist(), table.column("year").to_pylist()
(['submit'], [2026])
>>> [back] = read_complaints(table, workflow=workflow)
>>> back.events == c.events
True

```
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from pengaduan.access import ANONYMOUS_ACTOR_ID, PUBLIC, PrivacyPolicy, Viewer, views
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import MissingExtraError, UnknownGroupingError
from pengaduan.metrics import summarize, unit_views
from pengaduan.model import Actor, Complaint, Event
from pengaduan.readmodel import project
from pengaduan.sla import Evaluation, Policy, evaluate
from pengaduan.workflow import Workflow

__all__ = [
    "CALENDAR_SCHEMA",
    "CLOCKS_SCHEMA",
    "COMPLAINTS_SCHEMA",
    "EVENTS_SCHEMA",
    "UNITS_SCHEMA",
    "UNIT_CLOCKS_SCHEMA",
    "ExportResult",
    "calendar_table",
    "clock_rows",
    "clocks_table",
    "complaints_table",
    "compliance_sql",
    "decode_events",
    "events_table",
    "open_dataset",
    "read_complaints",
    "report_sql",
    "write_dataset",
]

if TYPE_CHECKING:  # built on first use by the module's __getattr__ (pyarrow is lazy)
    EVENTS_SCHEMA: Any
    COMPLAINTS_SCHEMA: Any
    CLOCKS_SCHEMA: Any
    CALENDAR_SCHEMA: Any
    UNITS_SCHEMA: Any
    UNIT_CLOCKS_SCHEMA: Any

_SECOND = timedelta(seconds=1)


def _arrow(feature: str) -> Any:
    """Import pyarrow lazily (by name, so that no stubs are needed to type-check)."""
    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        raise MissingExtraError(feature, "parquet") from None


def _parquet(feature: str) -> Any:
    _arrow(feature)
    return importlib.import_module("pyarrow.parquet")


def _schemas() -> dict[str, Any]:
    pa = _arrow("pengaduan.columnar")
    ts = pa.timestamp("us", tz="UTC")
    return {
        "EVENTS_SCHEMA": pa.schema(
            [
                pa.field("complaint_id", pa.string(), nullable=False),
                pa.field("seq", pa.int32(), nullable=False),
                pa.field("event_id", pa.string(), nullable=False),
                pa.field("action", pa.string(), nullable=False),
                pa.field("at", ts, nullable=False),
                pa.field("at_offset", pa.int32(), nullable=False),
                pa.field("actor_id", pa.string()),
                pa.field("actor_role", pa.string(), nullable=False),
                pa.field("actor_unit", pa.string()),
                pa.field("data", pa.string(), nullable=False),
                pa.field("year", pa.int16(), nullable=False),
            ]
        ),
        "COMPLAINTS_SCHEMA": pa.schema(
            [
                pa.field("complaint_id", pa.string(), nullable=False),
                pa.field("state", pa.string(), nullable=False),
                pa.field("unit", pa.string()),
                pa.field("classification", pa.string()),
                pa.field("channel", pa.string()),
                pa.field("anonymous", pa.bool_(), nullable=False),
                pa.field("confidential", pa.bool_(), nullable=False),
                pa.field("submitted_at", ts),
                pa.field("updated_at", ts),
                pa.field("version", pa.int32(), nullable=False),
                pa.field("year", pa.int16(), nullable=False),
            ]
        ),
        "UNITS_SCHEMA": pa.schema(
            [
                pa.field("complaint_id", pa.string(), nullable=False),
                pa.field("unit", pa.string()),
                pa.field("dispatched_at", ts),
                pa.field("followed_up_at", ts),
                pa.field("archived", pa.bool_(), nullable=False),
                pa.field("closed", pa.bool_(), nullable=False),
                pa.field("year", pa.int16(), nullable=False),
            ]
        ),
        "UNIT_CLOCKS_SCHEMA": pa.schema(
            [
                pa.field("complaint_id", pa.string(), nullable=False),
                pa.field("unit", pa.string()),
                pa.field("clock", pa.string(), nullable=False),
                pa.field("judged", pa.int32(), nullable=False),
                pa.field("met", pa.int32(), nullable=False),
                pa.field("year", pa.int16(), nullable=False),
            ]
        ),
        "CALENDAR_SCHEMA": pa.schema(
            [
                pa.field("day", pa.date32(), nullable=False),
                pa.field("working", pa.bool_(), nullable=False),
                pa.field("working_days", pa.int32(), nullable=False),
            ]
        ),
        "CLOCKS_SCHEMA": pa.schema(
            [
                pa.field("complaint_id", pa.string(), nullable=False),
                pa.field("clock", pa.string(), nullable=False),
                pa.field("cycle", pa.int32(), nullable=False),
                pa.field("started", ts, nullable=False),
                pa.field("stopped", ts),
                pa.field("ended_by", pa.string()),
                pa.field("paused_seconds", pa.int64(), nullable=False),
                pa.field("pauses", pa.int32(), nullable=False),
                pa.field("deadline", ts),
                pa.field("status", pa.string(), nullable=False),
                pa.field("breached", pa.bool_(), nullable=False),
                pa.field("elapsed_working_seconds", pa.int64(), nullable=False),
                pa.field("elapsed_calendar_seconds", pa.int64(), nullable=False),
                pa.field("policy_fingerprint", pa.string(), nullable=False),
                pa.field("calendar_fingerprint", pa.string(), nullable=False),
                pa.field("year", pa.int16(), nullable=False),
            ]
        ),
    }


_BUILT: dict[str, Any] = {}
_SCHEMA_NAMES = (
    "EVENTS_SCHEMA",
    "COMPLAINTS_SCHEMA",
    "CLOCKS_SCHEMA",
    "UNITS_SCHEMA",
    "UNIT_CLOCKS_SCHEMA",
    "CALENDAR_SCHEMA",
)


def __getattr__(name: str) -> Any:
    """The schemas, built on first use (pyarrow is imported only then)."""
    if name in _SCHEMA_NAMES:
        if not _BUILT:
            _BUILT.update(_schemas())
        return _BUILT[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _schema(name: str) -> Any:
    value: Any = __getattr__(name)
    return value


def _tz(zone: tzinfo | str) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def _year(complaint: Complaint, zone: tzinfo) -> int:
    return complaint.events[0].at.astimezone(zone).year


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _offset(value: datetime) -> int:
    delta = value.utcoffset()
    return 0 if delta is None else int(delta.total_seconds())


def _seconds(value: timedelta) -> int:
    """Whole seconds, rounded down (a microsecond remainder is dropped)."""
    return value // _SECOND


# -- rows -----------------------------------------------------------------------------------


def _event_rows(complaint: Complaint, year: int, out: dict[str, list[Any]]) -> None:
    for seq, event in enumerate(complaint.events, start=1):
        actor = event.actor
        out["complaint_id"].append(event.complaint)
        out["seq"].append(seq)
        out["event_id"].append(event.id)
        out["action"].append(event.action)
        out["at"].append(event.at.astimezone(UTC))
        out["at_offset"].append(_offset(event.at))
        out["actor_id"].append(None if actor.id == ANONYMOUS_ACTOR_ID else actor.id)
        out["actor_role"].append(str(actor.role))
        out["actor_unit"].append(actor.unit)
        out["data"].append(json.dumps(dict(event.data), ensure_ascii=False))
        out["year"].append(year)


def _complaint_row(complaint: Complaint, year: int, out: dict[str, list[Any]]) -> None:
    row = project(complaint)
    out["complaint_id"].append(row.id)
    out["state"].append(row.state)
    out["unit"].append(row.unit)
    out["classification"].append(row.classification)
    out["channel"].append(row.channel)
    out["anonymous"].append(row.anonymous)
    out["confidential"].append(row.confidential)
    out["submitted_at"].append(_utc(row.submitted_at))
    out["updated_at"].append(_utc(row.updated_at))
    out["version"].append(row.version)
    out["year"].append(year)


def _unit_rows(
    complaint: Complaint,
    as_of: datetime,
    policy: Policy,
    workflow: Workflow,
    calendar: WorkCalendar | None,
    year: int,
    units: dict[str, list[Any]],
    tallies: dict[str, list[Any]],
) -> None:
    """The complaint as each unit that held it is measured (`pengaduan.metrics.unit_views`)."""
    summary = summarize(complaint, as_of, policy=policy, workflow=workflow, calendar=calendar)
    if summary is None:
        return
    for view in unit_views(summary):
        units["complaint_id"].append(complaint.id)
        units["unit"].append(view.unit)
        units["dispatched_at"].append(_utc(view.dispatched_at))
        units["followed_up_at"].append(_utc(view.followed_up_at))
        units["archived"].append(view.archived)
        units["closed"].append(view.closed)
        units["year"].append(year)
    for unit, tally in summary.unit_clocks.items():
        for clock, (judged, met) in tally.items():
            tallies["complaint_id"].append(complaint.id)
            tallies["unit"].append(unit)
            tallies["clock"].append(clock)
            tallies["judged"].append(judged)
            tallies["met"].append(met)
            tallies["year"].append(year)


_FINGERPRINTS: dict[int, tuple[object, str]] = {}


def _fingerprint(definition: Policy | WorkCalendar) -> str:
    """A definition's fingerprint, computed once per object (it costs milliseconds)."""
    found = _FINGERPRINTS.get(id(definition))
    if found is not None and found[0] is definition:
        return found[1]
    if len(_FINGERPRINTS) > 64:
        _FINGERPRINTS.clear()
    value = definition.fingerprint
    _FINGERPRINTS[id(definition)] = (definition, value)
    return value


def clock_rows(evaluation: Evaluation, *, policy: Policy, year: int) -> Iterator[dict[str, Any]]:
    """The rows of `CLOCKS_SCHEMA` of one evaluation: one per clock cycle, in policy order.

    ``cycle`` is 0-based (`pengaduan.sla.Cycle.index` less one); ``status`` is the cycle's:
    ``"stopped"`` once it ended (by a stop, a reset or its due action, see ``ended_by``),
    else ``"paused"`` or ``"running"``, so the last cycle's status is the clock's.
    ``paused_seconds`` is the actual time paused up to its end (or ``as_of``); elapsed times
    are in whole seconds, rounded down.

    Args:
        evaluation: The evaluation (`pengaduan.sla.evaluate`).
        policy: The policy it was evaluated with (for its fingerprint).
        year: The complaint's partition year.
    """
    as_of = evaluation.as_of
    fingerprint = _fingerprint(policy)
    for state in evaluation.clocks:
        calendar = _fingerprint(state.clock.calendar)
        for cycle in state.cycles:
            if cycle.ended_by is not None:
                status = "stopped"
            elif cycle.paused:
                status = "paused"
            else:
                status = "running"
            end = cycle.stop if cycle.stop is not None else as_of
            paused = sum(
                (pause.duration(end) for pause in cycle.pauses),
                timedelta(0),
            )
            yield {
                "complaint_id": evaluation.complaint,
                "clock": state.clock.name,
                "cycle": cycle.index - 1,
                "started": _utc(cycle.start),
                "stopped": _utc(cycle.stop),
                "ended_by": cycle.ended_by,
                "paused_seconds": _seconds(paused),
                "pauses": len(cycle.pauses),
                "deadline": _utc(cycle.deadline),
                "status": status,
                "breached": cycle.breached,
                "elapsed_working_seconds": _seconds(cycle.elapsed_working),
                "elapsed_calendar_seconds": _seconds(cycle.elapsed_actual),
                "policy_fingerprint": fingerprint,
                "calendar_fingerprint": calendar,
                "year": year,
            }


def _columns(schema: Any) -> dict[str, list[Any]]:
    return {name: [] for name in schema.names}


def _as_of(
    complaints: Iterable[Complaint], as_of: datetime, workflow: Workflow
) -> Iterator[Complaint]:
    """The complaints as they stood at `as_of`: later events dropped, later ones left out."""
    for complaint in complaints:
        events = complaint.events
        if not events or events[0].at > as_of:
            continue
        if events[-1].at > as_of:
            kept = [event for event in events if event.at <= as_of]
            complaint = workflow.replay(kept)[complaint.id]
        yield complaint


# -- tables ---------------------------------------------------------------------------------


def events_table(
    complaints: Iterable[Complaint],
    *,
    viewer: Viewer = PUBLIC,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
    zone: tzinfo | str = UTC,
) -> Any:
    """The events of `complaints` as `viewer` may see them, as a `pyarrow.Table`.

    Args:
        complaints: The complaints (e.g. ``store.complaints()``).
        viewer: Who the table is for; the public by default (confidential complaints left
            out, personal data and actor ids withheld; see `pengaduan.access.view`).
        workflow: Their workflow (roles, owner, personal fields).
        privacy: The privacy policy (`pengaduan.access.DEFAULT_POLICY` if ``None``).
        zone: The zone of the ``year`` column (the calendar's, for reports).

    Returns:
        A table of `EVENTS_SCHEMA`.

    Raises:
        MissingExtraError: If pyarrow is not installed.
    """
    pa = _arrow("columnar.events_table")
    schema = _schema("EVENTS_SCHEMA")
    tz = _tz(zone)
    out = _columns(schema)
    for complaint in views(complaints, viewer, workflow=workflow, privacy=privacy):
        _event_rows(complaint, _year(complaint, tz), out)
    return pa.table(out, schema=schema)


def complaints_table(
    complaints: Iterable[Complaint],
    *,
    viewer: Viewer = PUBLIC,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
    zone: tzinfo | str = UTC,
) -> Any:
    """One row per complaint `viewer` may see (`COMPLAINTS_SCHEMA`), as a `pyarrow.Table`.

    The columns are those of `pengaduan.readmodel.ComplaintRow` (nothing personal, no text
    of the report), as of each complaint's last event.

    Args:
        complaints: The complaints.
        viewer: Who the table is for; the public by default.
        workflow: Their workflow.
        privacy: The privacy policy (`pengaduan.access.DEFAULT_POLICY` if ``None``).
        zone: The zone of the ``year`` column.

    Raises:
        MissingExtraError: If pyarrow is not installed.
    """
    pa = _arrow("columnar.complaints_table")
    schema = _schema("COMPLAINTS_SCHEMA")
    tz = _tz(zone)
    out = _columns(schema)
    for complaint in views(complaints, viewer, workflow=workflow, privacy=privacy):
        _complaint_row(complaint, _year(complaint, tz), out)
    return pa.table(out, schema=schema)


def clocks_table(
    complaints: Iterable[Complaint],
    as_of: datetime | TimeSource,
    *,
    policy: Policy,
    viewer: Viewer = PUBLIC,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
    zone: tzinfo | str = UTC,
) -> Any:
    """One row per clock cycle (`CLOCKS_SCHEMA`) of the complaints `viewer` may see.

    Args:
        complaints: The complaints.
        as_of: The instant to evaluate at (`pengaduan.sla.evaluate`).
        policy: The SLA policy.
        viewer: Who the table is for; the public by default.
        workflow: Their workflow.
        privacy: The privacy policy (`pengaduan.access.DEFAULT_POLICY` if ``None``).
        zone: The zone of the ``year`` column.

    Raises:
        MissingExtraError: If pyarrow is not installed.
        NaiveDatetimeError: If `as_of` is naive.
    """
    pa = _arrow("columnar.clocks_table")
    schema = _schema("CLOCKS_SCHEMA")
    at = instant_of(as_of)
    tz = _tz(zone)
    out = _columns(schema)
    for complaint in views(complaints, viewer, workflow=workflow, privacy=privacy):
        year = _year(complaint, tz)
        for row in clock_rows(
            evaluate(complaint, as_of=at, policy=policy), policy=policy, year=year
        ):
            for name, value in row.items():
                out[name].append(value)
    return pa.table(out, schema=schema)


# -- Parquet datasets -----------------------------------------------------------------------

_TABLES = ("events", "complaints", "clocks", "units", "unit_clocks")


@attrs.frozen
class ExportResult:
    """What `write_dataset` wrote.

    Attributes:
        directory: The dataset root (holding ``events/``, ``complaints/``, ``clocks/``, ...).
        complaints: Complaints written (those the viewer may see, submitted by ``as_of``).
        events: Event rows written.
        cycles: Clock-cycle rows written (0 without a policy).
        years: The partitions written, ascending.
        files: The Parquet files written, relative to `directory`, sorted.
    """

    directory: str
    complaints: int
    events: int
    cycles: int
    years: tuple[int, ...]
    files: tuple[str, ...]


class _Partitions:
    """One open Parquet writer per (table, year); each file written in row groups."""

    def __init__(self, directory: str, schemas: Mapping[str, Any]) -> None:
        self.directory = directory
        self.schemas = schemas
        self.pq = _parquet("columnar.write_dataset")
        self.pa = _arrow("columnar.write_dataset")
        self.writers: dict[tuple[str, int], Any] = {}

    def write(self, table: str, year: int, columns: dict[str, list[Any]]) -> None:
        if not columns["year"]:
            return
        key = (table, year)
        writer = self.writers.get(key)
        schema = self.schemas[table]
        del columns["year"]  # the partition's directory holds it (hive partitioning)
        schema = schema.remove(schema.get_field_index("year"))
        if writer is None:
            folder = os.path.join(self.directory, table, f"year={year}")
            os.makedirs(folder, exist_ok=True)
            writer = self.pq.ParquetWriter(
                os.path.join(folder, "part-0.parquet"), schema, compression="zstd"
            )
            self.writers[key] = writer
        writer.write_table(self.pa.table(columns, schema=schema))

    def close(self) -> tuple[str, ...]:
        for writer in self.writers.values():
            writer.close()
        return tuple(sorted(f"{table}/year={year}/part-0.parquet" for table, year in self.writers))


def write_dataset(
    complaints: Iterable[Complaint],
    directory: str | os.PathLike[str],
    as_of: datetime | TimeSource,
    *,
    workflow: Workflow,
    policy: Policy | None = None,
    calendar: WorkCalendar | None = None,
    viewer: Viewer = PUBLIC,
    privacy: PrivacyPolicy | None = None,
    zone: tzinfo | str | None = None,
    batch_size: int = 2000,
    by_unit: bool = True,
    progress: Callable[[int], object] | None = None,
) -> ExportResult:
    """Write the events, complaints and clocks datasets as hive-partitioned Parquet, streaming.

    Complaints are read one at a time and written every `batch_size` complaints, one file
    per table and year (``DIR/events/year=2026/part-0.parquet``), so memory holds one batch
    whatever the number of complaints. History after `as_of` is left out (a complaint
    submitted later is not written; one with later events is written as it stood), and
    every table is built from the complaints as `viewer` may see them.

    Args:
        complaints: The complaints (``store.complaints()`` streams a store).
        directory: Where to write; ``events``, ``complaints`` and ``clocks`` must not exist
            in it yet (nothing is overwritten).
        as_of: The instant the history is cut at and the clocks are evaluated at.
        workflow: The complaints' workflow.
        policy: The SLA policy of the ``clocks`` dataset (none: no clocks dataset).
        calendar: The calendar of working days; with one, ``DIR/calendar`` holds its days
            (`calendar_table`) over the years written and the year of `as_of`.
        viewer: Who the datasets are for; the public by default.
        privacy: The privacy policy (`pengaduan.access.DEFAULT_POLICY` if ``None``).
        zone: The zone of the ``year`` partitions; by default the calendar's, else UTC.
        batch_size: Complaints per written row group.
        by_unit: With a policy, also write ``units`` (the complaint as each unit that held
            it is measured, `pengaduan.metrics.unit_views`) and ``unit_clocks`` (each unit's
            judged and met stretches per clock), what the figures by unit count. It costs a
            second evaluation per complaint.
        progress: Called with the number of complaints written so far, after each batch.

    Returns:
        What was written.

    Raises:
        MissingExtraError: If pyarrow is not installed.
        FileExistsError: If one of the three datasets is already there.
        NaiveDatetimeError: If `as_of` is naive.
    """
    at = instant_of(as_of)
    root = os.fspath(directory)
    for table in (*_TABLES, "calendar"):
        target = os.path.join(root, table)
        if os.path.exists(target):
            raise FileExistsError(17, "a dataset is already there (nothing is overwritten)", target)
    schemas = {
        "events": _schema("EVENTS_SCHEMA"),
        "complaints": _schema("COMPLAINTS_SCHEMA"),
        "clocks": _schema("CLOCKS_SCHEMA"),
        "units": _schema("UNITS_SCHEMA"),
        "unit_clocks": _schema("UNIT_CLOCKS_SCHEMA"),
    }
    os.makedirs(root, exist_ok=True)
    if zone is None:
        zone = calendar.tz if calendar is not None else UTC
    tz = _tz(zone)
    partitions = _Partitions(root, schemas)
    buffers: dict[tuple[str, int], dict[str, list[Any]]] = {}
    count = events = cycles = pending = 0
    years: set[int] = set()

    def flush() -> None:
        for (table, year), columns in buffers.items():
            partitions.write(table, year, columns)
        buffers.clear()

    def buffer(table: str, year: int) -> dict[str, list[Any]]:
        found = buffers.get((table, year))
        if found is None:
            found = buffers[(table, year)] = _columns(schemas[table])
        return found

    try:
        for complaint in views(
            _as_of(complaints, at, workflow), viewer, workflow=workflow, privacy=privacy
        ):
            year = _year(complaint, tz)
            years.add(year)
            _event_rows(complaint, year, buffer("events", year))
            _complaint_row(complaint, year, buffer("complaints", year))
            events += len(complaint.events)
            if policy is not None:
                clocks = buffer("clocks", year)
                evaluation = evaluate(complaint, as_of=at, policy=policy)
                for row in clock_rows(evaluation, policy=policy, year=year):
                    cycles += 1
                    for name, value in row.items():
                        clocks[name].append(value)
                if by_unit:
                    _unit_rows(
                        complaint,
                        at,
                        policy,
                        workflow,
                        calendar,
                        year,
                        buffer("units", year),
                        buffer("unit_clocks", year),
                    )
            count += 1
            pending += 1
            if pending >= batch_size:
                flush()
                pending = 0
                if progress is not None:
                    progress(count)
        flush()
    finally:
        files = partitions.close()
    if progress is not None and pending:
        progress(count)
    if calendar is not None:
        pq = _parquet("columnar.write_dataset")
        last = max([*years, at.astimezone(tz).year])
        first = min(years, default=last)
        os.makedirs(os.path.join(root, "calendar"))
        pq.write_table(
            calendar_table(calendar, first, last), os.path.join(root, "calendar", "part-0.parquet")
        )
        files = (*files, "calendar/part-0.parquet")
    return ExportResult(root, count, events, cycles, tuple(sorted(years)), files)


def _files(directory: str) -> list[str]:
    """The Parquet files of a dataset, by year, then by name."""
    if not os.path.isdir(directory):
        raise FileNotFoundError(2, "no such dataset", directory)
    found: list[tuple[int, str]] = []
    for entry in os.listdir(directory):
        if not entry.startswith("year="):
            continue
        folder = os.path.join(directory, entry)
        year = int(entry.removeprefix("year="))
        found.extend(
            (year, os.path.join(folder, name))
            for name in sorted(os.listdir(folder))
            if name.endswith(".parquet")
        )
    return [path for _year_, path in sorted(found)]


def _batches(source: Any, batch_size: int) -> Iterator[Any]:
    if isinstance(source, str | os.PathLike):
        pq = _parquet("columnar.read_complaints")
        path = os.fspath(source)
        files = [path] if os.path.isfile(path) else _files(path)
        for name in files:
            yield from pq.ParquetFile(name).iter_batches(batch_size=batch_size)
    else:
        yield from source.to_batches(max_chunksize=batch_size)


def decode_events(columns: Mapping[str, Any]) -> list[Event]:
    """Events from columns of `EVENTS_SCHEMA` (lists, Arrow arrays or pandas Series).

    The inverse of the events table: ``at`` gets back its original offset (``at_offset``),
    a null ``actor_id`` becomes `pengaduan.access.ANONYMOUS_ACTOR_ID`, ``data`` is parsed.

    Args:
        columns: At least ``complaint_id, event_id, action, at, at_offset, actor_id,
            actor_role, actor_unit, data``, all of one length; ``at`` as UTC datetimes (or
            pandas Timestamps).
    """
    zones: dict[int, tzinfo] = {}
    out: list[Event] = []
    names = (
        "complaint_id",
        "event_id",
        "action",
        "at",
        "at_offset",
        "actor_id",
        "actor_role",
        "actor_unit",
        "data",
    )
    lists = [_pylist(columns[name]) for name in names]
    for cid, eid, action, at, offset, actor_id, role, unit, data in zip(*lists, strict=True):
        zone = zones.get(offset)
        if zone is None:
            zone = zones[offset] = UTC if offset == 0 else timezone(timedelta(seconds=offset))
        if hasattr(at, "to_pydatetime"):
            at = at.to_pydatetime()
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        actor = Actor(  # a missing value may come as None, or as NaN from pandas
            actor_id if isinstance(actor_id, str) else ANONYMOUS_ACTOR_ID,
            role,
            unit if isinstance(unit, str) else None,
        )
        out.append(Event(eid, cid, action, at.astimezone(zone), actor, json.loads(data)))
    return out


def _pylist(column: Any) -> list[Any]:
    """A column as a list: Arrow arrays, pandas Series (Timestamps kept) or sequences."""
    for method in ("to_pylist", "tolist"):
        convert = getattr(column, method, None)
        if convert is not None:
            values: list[Any] = convert()
            return values
    return list(column)


def read_complaints(
    source: Any,
    *,
    workflow: Workflow,
    batch_size: int = 50_000,
) -> Iterator[Complaint]:
    """Replay an events dataset (or table) back into complaints, one at a time.

    For a dataset written for a viewer who sees everything (e.g. ``Viewer.staff(
    "admin_national")``), each complaint's events compare equal to the original's; a
    redacted dataset replays only as far as the workflow accepts what is left of it.

    Args:
        source: The ``events`` directory of `write_dataset`, one Parquet file of it, or a
            table of `EVENTS_SCHEMA` (`events_table`).
        workflow: The workflow to replay with.
        batch_size: Rows read at a time.

    Yields:
        The complaints, in the order of the dataset (by year, then as written).

    Raises:
        MissingExtraError: If pyarrow is not installed.
        FileNotFoundError: If `source` is a path with no dataset.
        RefusedError: If the workflow refuses an event.
    """
    held: list[Event] = []
    for batch in _batches(source, batch_size):
        for event in decode_events({name: batch.column(name) for name in batch.schema.names}):
            if held and held[-1].complaint != event.complaint:
                yield workflow.replay(held)[held[-1].complaint]
                held = []
            held.append(event)
    if held:
        yield workflow.replay(held)[held[-1].complaint]


def calendar_table(calendar: WorkCalendar, first: int, last: int) -> Any:
    """The calendar's days from 1 January `first` to 31 December `last` (`CALENDAR_SCHEMA`).

    ``working_days`` counts the working days from the first day up to and including each
    day, so that `pengaduan.calendar.WorkCalendar.working_days_between` of two instants is
    the difference of the counts of their local dates: what SQL joins on (`report_sql`).

    Raises:
        MissingExtraError: If pyarrow is not installed.
    """
    pa = _arrow("columnar.calendar_table")
    days: list[date] = []
    working: list[bool] = []
    counts: list[int] = []
    count = 0
    ordinal = date(first, 1, 1).toordinal()
    end = date(last, 12, 31).toordinal()
    while ordinal <= end:
        day = date.fromordinal(ordinal)
        works = calendar.is_working_day(day)
        count += works
        days.append(day)
        working.append(works)
        counts.append(count)
        ordinal += 1
    return pa.table(
        {"day": days, "working": working, "working_days": counts},
        schema=_schema("CALENDAR_SCHEMA"),
    )


# -- SQL over the datasets (DuckDB) ---------------------------------------------------------

_GROUPINGS = ("year", "channel", "classification", "unit")


def _sources(directory: str) -> str:
    root = directory.rstrip("/")
    return f"""WITH
  events AS (SELECT * FROM read_parquet('{root}/events/*/*.parquet', hive_partitioning = true)),
  complaints AS (
    SELECT * FROM read_parquet('{root}/complaints/*/*.parquet', hive_partitioning = true)
  ),
  clocks AS (SELECT * FROM read_parquet('{root}/clocks/*/*.parquet', hive_partitioning = true)),
  calendar AS (SELECT * FROM read_parquet('{root}/calendar/*.parquet'))"""


def _unit_sources(directory: str) -> str:
    root = directory.rstrip("/")
    return f"""WITH
  units AS (SELECT * FROM read_parquet('{root}/units/*/*.parquet', hive_partitioning = true)),
  unit_clocks AS (
    SELECT * FROM read_parquet('{root}/unit_clocks/*/*.parquet', hive_partitioning = true)
  ),
  calendar AS (SELECT * FROM read_parquet('{root}/calendar/*.parquet'))"""


def _grouping(by: str | None) -> tuple[str, str]:
    if by is None:
        return "NULL AS key", ""
    if by not in _GROUPINGS:
        raise UnknownGroupingError(by, _GROUPINGS)
    return f"CAST({by} AS VARCHAR) AS key", "GROUP BY key ORDER BY key NULLS LAST"


def report_sql(directory: str, *, zone: str, by: str | None = None) -> str:
    """SQL (DuckDB's dialect) giving the regency report's figures from a `write_dataset` root.

    One row per group (or one, for the total) with the columns named as
    `pengaduan.metrics.GroupMetrics.row` names them: ``received``, ``archived``,
    ``dispatched``, ``followed_up``, ``closed``, ``settlement_rate`` (closed / (received -
    archived)), ``follow_up_rate`` and the follow-up time (first disposition to the first
    follow-up after it) as mean and median (linear interpolation) in calendar days and in
    working days. Working days join the ``calendar`` dataset (`calendar_table`) on the local
    dates; milestones are the SP4N-LAPOR! actions (``dispatch``, ``follow_up``,
    ``archive``) and the state ``closed``. Compliance is `compliance_sql`. Run it on a
    dataset written for a viewer who sees every complaint to get `pengaduan.metrics.measure`'s
    figures; on a public one, the figures of what the public may see.

    Args:
        directory: The dataset root (``DIR`` of ``DIR/events``, ``DIR/complaints``, ...).
        zone: The calendar's IANA zone (local dates of the working days), e.g.
            ``"Asia/Jakarta"``.
        by: ``None`` (the total), ``"year"`` (of submission, in the calendar's zone: the
            partition), ``"channel"``, ``"classification"`` or ``"unit"`` (every unit that
            held a complaint, charged with its own stretch only, from the ``units``
            dataset: `pengaduan.metrics.unit_views`).

    Raises:
        UnknownGroupingError: If `by` is not one of those.
    """
    key, group = _grouping(by)
    if by == "unit":
        return _unit_report_sql(directory, zone)
    return f"""{_sources(directory)},
  milestones AS (
    SELECT complaint_id,
           bool_or(action = 'archive') AS archived,
           min(seq) FILTER (WHERE action = 'dispatch') AS dispatch_seq,
           arg_min("at", seq) FILTER (WHERE action = 'dispatch') AS dispatched_at
    FROM events GROUP BY complaint_id
  ),
  follow_ups AS (
    SELECT m.complaint_id, arg_min(e."at", e.seq) AS followed_up_at
    FROM milestones m JOIN events e USING (complaint_id)
    WHERE e.action = 'follow_up' AND e.seq > m.dispatch_seq
    GROUP BY m.complaint_id
  ),
  per_complaint AS (
    SELECT c.*, m.archived, m.dispatched_at, f.followed_up_at,
           (epoch_us(f.followed_up_at) - epoch_us(m.dispatched_at)) / 1e6 / 86400
             AS follow_up_days,
           b.working_days - a.working_days AS follow_up_working_days
    FROM complaints c JOIN milestones m USING (complaint_id)
    LEFT JOIN follow_ups f USING (complaint_id)
    LEFT JOIN calendar a ON a.day = CAST(timezone('{zone}', m.dispatched_at) AS DATE)
    LEFT JOIN calendar b ON b.day = CAST(timezone('{zone}', f.followed_up_at) AS DATE)
  )
SELECT {key},
       count(*) AS received,
       count(*) FILTER (WHERE archived) AS archived,
       count(dispatched_at) AS dispatched,
       count(followed_up_at) AS followed_up,
       count(*) FILTER (WHERE state = 'closed') AS closed,
       count(*) FILTER (WHERE state = 'closed')
         / nullif(count(*) - count(*) FILTER (WHERE archived), 0) AS settlement_rate,
       count(followed_up_at) / nullif(count(dispatched_at), 0) AS follow_up_rate,
       avg(follow_up_days) AS follow_up_mean_calendar_days,
       quantile_cont(follow_up_days, 0.5) AS follow_up_median_calendar_days,
       avg(follow_up_working_days) AS follow_up_mean_working_days,
       quantile_cont(follow_up_working_days, 0.5) AS follow_up_median_working_days
FROM per_complaint
{group}"""


def compliance_sql(directory: str, *, by: str | None = None) -> str:
    """SQL (DuckDB) giving each clock's compliance from a `write_dataset` root.

    One row per group and clock: ``stopped`` (cycles ended by a stop), ``met`` (of those,
    not breached) and ``rate`` (met / stopped), as `pengaduan.metrics.Compliance` counts
    them, from the ``clocks`` dataset.

    Args:
        directory: The dataset root.
        by: ``None`` (the total), ``"year"``, ``"channel"``, ``"classification"`` or
            ``"unit"`` (each unit's own stretches, from the ``unit_clocks`` dataset).

    Raises:
        UnknownGroupingError: If `by` is not one of those.
    """
    key, group = _grouping(by)
    if by == "unit":
        return f"""{_unit_sources(directory)}
SELECT CAST(unit AS VARCHAR) AS key, clock,
       CAST(sum(judged) AS BIGINT) AS stopped,
       CAST(sum(met) AS BIGINT) AS met,
       sum(met) / nullif(sum(judged), 0) AS rate
FROM unit_clocks
GROUP BY key, clock ORDER BY key NULLS LAST, clock"""
    group_by = (
        "GROUP BY key, clock ORDER BY key NULLS LAST, clock"
        if group
        else "GROUP BY clock ORDER BY clock"
    )
    return f"""{_sources(directory)}
SELECT {key}, clock,
       count(*) FILTER (WHERE ended_by = 'stop') AS stopped,
       count(*) FILTER (WHERE ended_by = 'stop' AND NOT breached) AS met,
       count(*) FILTER (WHERE ended_by = 'stop' AND NOT breached)
         / nullif(count(*) FILTER (WHERE ended_by = 'stop'), 0) AS rate
FROM clocks JOIN complaints USING (complaint_id, year)
{group_by}"""


def open_dataset(directory: str | os.PathLike[str]) -> Any:
    """One dataset of `write_dataset` (``DIR/events``, ...) as a `pyarrow.dataset.Dataset`.

    The files hold every column but ``year``, which their directory names
    (``year=2026``); this reads it back as ``int16``, so that ``open_dataset(...).to_table()``
    has exactly the table's schema (`EVENTS_SCHEMA`, ...).

    Raises:
        MissingExtraError: If pyarrow is not installed.
    """
    pa = _arrow("columnar.open_dataset")
    ds = importlib.import_module("pyarrow.dataset")
    year = pa.field("year", pa.int16(), nullable=False)
    partitioning = ds.partitioning(pa.schema([year]), flavor="hive")
    return ds.dataset(os.fspath(directory), format="parquet", partitioning=partitioning)


def _unit_report_sql(directory: str, zone: str) -> str:
    """`report_sql` by unit: over the ``units`` dataset (one row per unit's view)."""
    return f"""{_unit_sources(directory)},
  per_view AS (
    SELECT u.*,
           CASE WHEN u.dispatched_at IS NOT NULL THEN u.followed_up_at END AS followed,
           (epoch_us(u.followed_up_at) - epoch_us(u.dispatched_at)) / 1e6 / 86400
             AS follow_up_days,
           b.working_days - a.working_days AS follow_up_working_days
    FROM units u
    LEFT JOIN calendar a ON a.day = CAST(timezone('{zone}', u.dispatched_at) AS DATE)
    LEFT JOIN calendar b ON b.day = CAST(timezone('{zone}', u.followed_up_at) AS DATE)
  ),
  keys AS (SELECT DISTINCT unit FROM units UNION SELECT DISTINCT unit FROM unit_clocks)
SELECT CAST(k.unit AS VARCHAR) AS key,
       count(v.complaint_id) AS received,
       count(*) FILTER (WHERE v.archived) AS archived,
       count(v.dispatched_at) AS dispatched,
       count(v.followed) AS followed_up,
       count(*) FILTER (WHERE v.closed) AS closed,
       count(*) FILTER (WHERE v.closed)
         / nullif(count(v.complaint_id) - count(*) FILTER (WHERE v.archived), 0)
         AS settlement_rate,
       count(v.followed) / nullif(count(v.dispatched_at), 0) AS follow_up_rate,
       avg(v.follow_up_days) AS follow_up_mean_calendar_days,
       quantile_cont(v.follow_up_days, 0.5) AS follow_up_median_calendar_days,
       avg(v.follow_up_working_days) AS follow_up_mean_working_days,
       quantile_cont(v.follow_up_working_days, 0.5) AS follow_up_median_working_days
FROM keys k LEFT JOIN per_view v ON v.unit IS NOT DISTINCT FROM k.unit
GROUP BY k.unit ORDER BY key NULLS LAST"""
