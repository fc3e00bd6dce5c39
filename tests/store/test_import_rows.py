"""The read-model rows `import_events` writes are `project`'s, and are encoded as it writes them.

A batch's rows are projected together, the calendar's answers shared among its complaints
(`readmodel._project_many`); every row is still `project`'s of its complaint alone, to the
offset of each instant.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
for folder in (HERE.parent / "sla", HERE.parent / "calendar"):  # their builders
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import pytest  # noqa: E402
from calendar_strategies import calendars as random_calendars  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sla_support import ACTIONS, GENERIC, OFFICE, generic_clock, history, wib  # noqa: E402
from store_helpers import open_spec  # noqa: E402

import pengaduan._store_bulk as bulk  # noqa: E402
from pengaduan._store_base import micros, row_columns  # noqa: E402
from pengaduan.exceptions import NoWorkingTimeError  # noqa: E402
from pengaduan.interchange import dumps_event, loads_event  # noqa: E402
from pengaduan.model import Complaint  # noqa: E402
from pengaduan.presets import id_gov_calendar, lapor_ladder, lapor_policy, lapor_workflow  # noqa: E402
from pengaduan.readmodel import ClockRow, ComplaintRow, ReadModel, project, row_to_dict  # noqa: E402
from pengaduan.readmodel import _project_many as project_many  # noqa: E402
from pengaduan.simulation import muara_enim, simulate  # noqa: E402
from pengaduan.sla import Clock, ClockStatus, Policy, Target  # noqa: E402
from pengaduan.store import EventStore  # noqa: E402

WORKFLOW = lapor_workflow()
READ_MODEL = ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
# A small regency's history, in time order as an event file holds it.
REGENCY = [
    loads_event(dumps_event(e))
    for e in simulate(muara_enim(complaints=160, years=1), seed=3).events
]

# -- rows projected together against project's, over generated histories and definitions ---

BASE = wib(2026, 3, 2, 8)
gaps = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 60 * 10).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 60 * 24 * 6).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 10**9).map(lambda us: timedelta(microseconds=us)),
)
WEIGHTED = (*ACTIONS, "hold", "release", "pause", "resume", "hold", "release", "finish")
steps = st.tuples(
    st.just([("begin", timedelta(0))]),
    st.lists(st.tuples(st.sampled_from(WEIGHTED), gaps), max_size=12),
).map(lambda parts: parts[0] + parts[1])
targets = st.one_of(
    st.integers(1, 6).map(Target.working_days),
    st.integers(1, 600).map(lambda m: Target.working_time(timedelta(minutes=m))),
    st.integers(1, 10).map(Target.calendar_days),
    st.integers(1, 100).map(lambda h: Target.calendar_time(timedelta(hours=h))),
)
calendars = st.one_of(st.sampled_from([OFFICE, id_gov_calendar()]), random_calendars())


@st.composite
def clocks(draw: st.DrawFn, name: str) -> Clock:
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        changes["due_action"] = "finish"
    if draw(st.booleans()):
        changes["reset"] = ()
    return generic_clock(draw(targets), draw(calendars), **changes).evolve(name=name)


def built(raw: list[tuple[str, timedelta]], start: datetime, cid: str) -> Complaint:
    at = start
    out = []
    for action, gap in raw:
        at += gap
        out.append((action, at))
    return history(out, cid)


def bodies(rows: list[ComplaintRow]) -> list[dict[str, Any]]:
    return [row_to_dict(row) for row in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(steps, st.integers(0, 60 * 24 * 200).map(lambda m: BASE + timedelta(minutes=m))),
        min_size=1,
        max_size=6,
    ),
    st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True).flatmap(
        lambda ns: st.tuples(*(clocks(f"c{n}") for n in ns))
    ),
)
def test_rows_projected_together_are_each_complaints_own_projection(
    histories: list[tuple[list[tuple[str, timedelta]], datetime]], chosen: tuple[Clock, ...]
) -> None:
    complaints = [built(raw, start, f"G-{k}") for k, (raw, start) in enumerate(histories)]
    read_model = ReadModel(policy=Policy("test", "1", chosen, GENERIC))
    try:
        want = [project(c, read_model) for c in complaints]
    except NoWorkingTimeError:  # a deadline past the years a random calendar has
        return
    got = project_many(complaints, read_model)
    assert got == want
    assert bodies(got) == bodies(want)  # the instants' offsets too


# -- the import: every batch's rows ------------------------------------------------------------


@contextmanager
def opened(kind: str, read_model: ReadModel = READ_MODEL) -> Iterator[EventStore]:
    if kind == "memory":
        yield open_spec("memory:", workflow=WORKFLOW, read_model=read_model)
        return
    with tempfile.TemporaryDirectory() as directory:
        store = open_spec(
            f"sqlite:{Path(directory) / 's.db'}", workflow=WORKFLOW, read_model=read_model
        )
        try:
            yield store
        finally:
            store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_import_rows_per_batch_are_project_rows(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    projected: list[int] = []
    project_batch = bulk._project_many

    def checked(complaints: list[Complaint], read_model: ReadModel | None) -> list[ComplaintRow]:
        got = project_batch(complaints, read_model)
        want = [project(c, read_model) for c in complaints]
        assert got == want
        assert bodies(got) == bodies(want)
        projected.append(len(got))
        return got

    monkeypatch.setattr(bulk, "_project_many", checked)
    with opened(kind) as store:
        result = store.import_events(REGENCY, batch_size=300)
        assert result.new == len(REGENCY)
        stored = {row.id: row for row in store.rows(limit=1000).rows}
    assert len(projected) == result.batches > 2
    # What is stored is each complaint's row as of its last event.
    assert stored == {c.id: project(c, READ_MODEL) for c in WORKFLOW.replay(REGENCY).values()}


# -- the columns of a fresh row, written in one pass -------------------------------------------

instants = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    ),
)
texts = st.text()
clock_rows = st.builds(
    ClockRow,
    clock=texts,
    cycle=st.integers(0, 2**70),
    status=st.sampled_from(list(ClockStatus)),
    deadline=instants,
    breached=st.booleans(),
    remaining_seconds=st.one_of(st.none(), st.floats(), st.integers(-(2**40), 2**40)),
    remaining_unit=st.sampled_from(["working", "calendar"]),
)
complaint_rows = st.builds(
    ComplaintRow,
    id=texts,
    state=texts,
    unit=st.one_of(st.none(), texts),
    classification=st.one_of(st.none(), texts),
    channel=st.one_of(st.none(), texts),
    anonymous=st.booleans(),
    confidential=st.booleans(),
    submitted_at=instants,
    updated_at=instants,
    version=st.integers(0, 2**70),
    next_due_at=instants,
    clocks=st.lists(clock_rows, max_size=5).map(tuple),
)


def reference_columns(row: ComplaintRow) -> tuple[Any, ...]:
    """The columns as the store first wrote them: the body through `row_to_dict`."""
    body = json.dumps(row_to_dict(row), ensure_ascii=False, separators=(",", ":"))
    return (
        row.id,
        row.state,
        row.unit,
        row.channel,
        micros(row.submitted_at),
        micros(row.updated_at),
        micros(row.next_due_at),
        micros(row.earliest_deadline),
        row.version,
        body,
    )


@given(complaint_rows)
def test_row_columns_in_one_pass_are_those_through_row_to_dict(row: ComplaintRow) -> None:
    assert row_columns(row) == reference_columns(row)


def test_row_columns_of_the_regency_are_those_through_row_to_dict() -> None:
    complaints: dict[str, Complaint] = {}
    for event in REGENCY:
        before = complaints.get(event.complaint, WORKFLOW.new(event.complaint))
        complaints[event.complaint] = WORKFLOW.apply_event(before, event)
    rows = [project(c, READ_MODEL) for c in complaints.values()]
    assert [row_columns(r) for r in rows] == [reference_columns(r) for r in rows]
