"""Read models: every store keeps rows equal to `project` of the replayed complaint."""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import (
    ADMIN,
    OPERATOR,
    POSTGRES_ENV,
    START,
    comment,
    drop_schema,
    event,
    lifecycle,
    open_spec,
    postgres_dsn,
    submit,
    unique_schema,
)

from pengaduan._store_base import CLOCK_COLUMNS, ROW_COLUMNS, clock_columns, row_columns
from pengaduan.exceptions import (
    RefusedError,
    StaleReadModelError,
    StoreError,
    UnknownClockError,
)
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import (
    ClockRow,
    ComplaintRow,
    ReadModel,
    project,
    row_from_dict,
    row_to_dict,
)
from pengaduan.sla import ClockStatus, Target
from pengaduan.store import EventStore, InMemoryStore, SQLiteStore

MODEL = ReadModel(ladder=lapor_ladder())
WORKER = str(Path(__file__).with_name("readmodel_worker.py"))


@pytest.fixture
def rm_store(spec: str) -> EventStore:
    opened = open_spec(spec, read_model=MODEL)
    yield opened  # type: ignore[misc]
    opened.close()


def fill(store: EventStore) -> None:
    """Five complaints in several states, units and instants."""
    store.append("C-1", lifecycle("C-1"), expected_version=0)  # followed_up, dinas-pu
    store.append("C-2", lifecycle("C-2", hours=30)[:3], expected_version=0)  # dispatched
    store.append("C-3", [submit("C-3", hours=50)], expected_version=0)  # submitted
    other = [
        *lifecycle("C-4", hours=5)[:2],
        event("C-4", 3, "dispatch", ADMIN, {"unit": "dinas-kes"}, 7),
    ]
    store.append("C-4", other, expected_version=0)
    store.append("C-5", [submit("C-5", hours=400)], expected_version=0)


def replayed_rows(store: EventStore) -> dict[str, ComplaintRow]:
    return {c.id: project(c, MODEL) for c in store.complaints()}


def all_rows(store: EventStore, **filters: object) -> list[ComplaintRow]:
    out: list[ComplaintRow] = []
    after = None
    while True:
        page = store.rows(limit=2, after=after, **filters)  # type: ignore[arg-type]
        out.extend(page.rows)
        if page.next_after is None:
            return out
        after = page.next_after


def test_every_append_leaves_the_row_equal_to_the_projection(rm_store: EventStore) -> None:
    fill(rm_store)
    rm_store.append("C-2", [comment("C-2", 4, 40)])
    expected = replayed_rows(rm_store)
    assert {c: rm_store.row(c) for c in expected} == expected
    assert rm_store.row("C-none") is None
    row = rm_store.row("C-1")
    assert row is not None
    assert (row.state, row.unit, row.channel, row.classification) == (
        "followed_up",
        "dinas-pu",
        "web",
        "pengaduan",
    )
    assert [c.clock for c in row.clocks] == list(lapor_policy().names)


def test_rows_keep_their_instants_offsets(rm_store: EventStore) -> None:
    wib = datetime(2026, 3, 2, 9, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Jakarta")
    )
    rm_store.append("C-1", [attrs.evolve(submit("C-1"), at=wib)])
    row = rm_store.row("C-1")
    assert row is not None
    assert row.submitted_at is not None
    assert row.submitted_at.utcoffset() == timedelta(hours=7)
    assert row_to_dict(row)["submitted_at"] == wib.isoformat()


def test_a_refused_append_leaves_the_row_as_it_was(rm_store: EventStore) -> None:
    rm_store.append("C-1", [submit("C-1")])
    before = rm_store.row("C-1")
    with pytest.raises(RefusedError):
        rm_store.append("C-1", [event("C-1", 2, "follow_up", OPERATOR, {"response": "x"}, 1)])
    assert rm_store.row("C-1") == before


def test_filters_select_by_state_unit_channel_and_period(rm_store: EventStore) -> None:
    fill(rm_store)
    assert [r.id for r in all_rows(rm_store, state="submitted")] == ["C-3", "C-5"]
    assert [r.id for r in all_rows(rm_store, unit="dinas-pu")] == ["C-1", "C-2"]
    assert [r.id for r in all_rows(rm_store, unit="dinas-kes")] == ["C-4"]
    assert len(all_rows(rm_store, channel="web")) == 5
    assert all_rows(rm_store, channel="sms") == []
    window = {
        "submitted_from": START + timedelta(hours=5),
        "submitted_before": START + timedelta(hours=50),
    }
    assert [r.id for r in all_rows(rm_store, **window)] == ["C-2", "C-4"]


def test_overdue_and_due_filters_agree_with_the_projection(rm_store: EventStore) -> None:
    fill(rm_store)
    rows = replayed_rows(rm_store)
    for days in (0, 3, 10, 30, 90):
        as_of = START + timedelta(days=days)
        overdue = sorted(c for c, r in rows.items() if r.overdue(as_of))
        assert [r.id for r in all_rows(rm_store, overdue_as_of=as_of)] == overdue
        due = sorted(
            c for c, r in rows.items() if r.next_due_at is not None and r.next_due_at < as_of
        )
        assert [r.id for r in all_rows(rm_store, due_before=as_of)] == due
        due_now = sorted(
            (r.next_due_at, c)
            for c, r in rows.items()
            if r.next_due_at is not None and r.next_due_at <= as_of
        )
        assert rm_store.due_ids(as_of) == [c for _at, c in due_now]
        assert rm_store.due_ids(as_of, limit=1) == [c for _at, c in due_now][:1]
    assert rm_store.next_due_at() == min(r.next_due_at for r in rows.values() if r.next_due_at)


def test_breached_clock_filter_reads_the_recorded_breach(rm_store: EventStore) -> None:
    rm_store.append("C-1", [submit("C-1")])
    late = START + timedelta(days=40)
    rm_store.append(
        "C-2",
        [submit("C-2"), attrs.evolve(comment("C-2", 2, 0), at=late)],
    )
    row = rm_store.row("C-2")
    assert row is not None
    breached = [c.clock for c in row.clocks if c.breached]
    assert breached
    assert [r.id for r in all_rows(rm_store, breached_clock=breached[0])] == ["C-2"]


def test_a_filter_value_no_row_can_hold_is_refused_naming_the_known_ones(
    rm_store: EventStore,
) -> None:
    # A typo ("follow-up", "wa") listed nothing, as if no complaint matched.
    rm_store.append("C-1", [submit("C-1")])
    with pytest.raises(UnknownClockError) as caught:
        rm_store.rows(breached_clock="follow-up")
    assert caught.value.known == lapor_policy().names
    assert "follow_up" in str(caught.value)
    with pytest.raises(ValueError, match="unknown channel 'wa'; the channels: web, sms"):
        rm_store.rows(channel="wa")
    assert [r.id for r in rm_store.rows(channel="web").rows] == ["C-1"]


def test_pages_follow_one_another_in_id_order(rm_store: EventStore) -> None:
    for number in range(7):
        complaint = f"P-{number}"
        rm_store.append(complaint, [submit(complaint, hours=number)])
    first = rm_store.rows(limit=3)
    assert [r.id for r in first.rows] == ["P-0", "P-1", "P-2"]
    assert first.next_after == "P-2"
    assert [r.id for r in all_rows(rm_store)] == [f"P-{n}" for n in range(7)]
    last = rm_store.rows(limit=7)
    assert last.next_after is None
    assert len(last.rows) == 7
    with pytest.raises(ValueError, match="limit"):
        rm_store.rows(limit=0)


def test_without_a_read_model_the_complaint_columns_are_kept(spec: str) -> None:
    store = open_spec(spec)
    try:
        fill(store)
        row = store.row("C-2")
        assert row is not None
        assert (row.state, row.unit, row.clocks, row.next_due_at) == (
            "dispatched",
            "dinas-pu",
            (),
            None,
        )
        assert [r.id for r in store.rows(unit="dinas-pu").rows] == ["C-1", "C-2"]
        assert store.due_ids(START + timedelta(days=999)) == []
    finally:
        store.close()


def test_the_json_form_round_trips_and_names_units(rm_store: EventStore) -> None:
    fill(rm_store)
    for row in replayed_rows(rm_store).values():
        record = row_to_dict(row)
        assert row_from_dict(record) == row
        for clock in record["clocks"]:
            assert clock["remaining_unit"] in ("working", "calendar")


# -- recalculation ---------------------------------------------------------------------------


def shorter() -> ReadModel:
    policy = lapor_policy()
    name = policy.names[0]
    changed = policy.with_target(name, Target.working_days(1))
    return ReadModel(policy=changed, ladder=lapor_ladder().evolve(policy=changed))


def test_other_definitions_are_reported_and_never_served_until_rebuilt(
    durable_spec: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_spec(durable_spec, read_model=MODEL)
    fill(store)
    events_before = list(store.events())
    store.close()
    other = shorter()
    with caplog.at_level(logging.WARNING, logger="pengaduan.store"):
        store = open_spec(durable_spec, read_model=other)
    try:
        assert store.read_model_mismatch is not None
        assert store.read_model_mismatch.expected == store.fingerprint  # type: ignore[attr-defined]
        assert any("rebuild" in r.getMessage() for r in caplog.records)
        with pytest.raises(StaleReadModelError, match="rebuild"):
            store.rows()
        with pytest.raises(StaleReadModelError):
            store.due_ids(START)
        seen: list[tuple[int, int]] = []
        result = store.rebuild(lambda done, total: seen.append((done, total)), batch=2)
        assert result.complaints == 5
        assert seen[-1] == (5, 5)
        clock = other.policy.names[0]  # type: ignore[union-attr]
        moved = {(m.complaint, m.clock) for m in result.moved}
        assert ("C-3", clock) in moved
        assert all(m.old != m.new for m in result.moved)
        assert store.read_model_mismatch is None
        assert {c.id: store.row(c.id) for c in store.complaints()} == {
            c.id: project(c, other) for c in store.complaints()
        }
        assert list(store.events()) == events_before
    finally:
        store.close()
    reopened = open_spec(durable_spec, read_model=other)
    assert reopened.read_model_mismatch is None
    reopened.close()


def test_an_interrupted_rebuild_resumes_where_it_stopped(spec: str) -> None:
    store = open_spec(spec, read_model=MODEL)
    try:
        fill(store)
        store._set_read_model(shorter())  # type: ignore[attr-defined]

        def stop(done: int, total: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            store.rebuild(stop, batch=2)
        result = store.rebuild(batch=2)
        assert result.resumed_after == "C-2"
        assert result.complaints == 3
        assert {c.id: store.row(c.id) for c in store.complaints()} == {
            c.id: project(c, shorter()) for c in store.complaints()
        }
    finally:
        store.close()


def test_rebuild_of_a_read_only_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow()).close()
    store = SQLiteStore(path, readonly=True, read_model=MODEL, workflow=lapor_workflow())
    with store, pytest.raises(StoreError, match="read-only"):
        store.rebuild()


def test_an_empty_store_adopts_new_definitions_silently(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow()).close()
    with SQLiteStore(path, read_model=shorter(), workflow=lapor_workflow()) as store:
        assert store.read_model_mismatch is None
        assert store.rows().rows == ()


def test_the_fingerprint_follows_the_definitions_only() -> None:
    assert ReadModel(ladder=lapor_ladder()).fingerprint == MODEL.fingerprint
    assert shorter().fingerprint != MODEL.fingerprint
    assert ReadModel().fingerprint != MODEL.fingerprint
    code = (
        "from pengaduan.presets import lapor_ladder;"
        "from pengaduan.readmodel import ReadModel;"
        "print(ReadModel(ladder=lapor_ladder()).fingerprint)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == MODEL.fingerprint  # the same in another process (no hash randomisation)


def test_store_logs_appends_without_personal_data(caplog: pytest.LogCaptureFixture) -> None:
    store = InMemoryStore(read_model=MODEL, workflow=lapor_workflow())
    secret = {
        "title": "Rahasia",
        "body": "Siti 0812555",
        "channel": "web",
        "reporter": {"name": "Siti", "phone": "0812555"},
    }
    with caplog.at_level(logging.DEBUG, logger="pengaduan.store"):
        store.append("C-1", [attrs.evolve(submit("C-1"), data=secret)])
        store.rebuild()
    records = [r for r in caplog.records if r.name == "pengaduan.store"]
    assert {r.getMessage() for r in records} >= {"appended", "rebuild started", "rebuild finished"}
    appended = next(r for r in records if r.getMessage() == "appended")
    assert (appended.pengaduan_complaint, appended.pengaduan_events) == ("C-1", 1)  # type: ignore[attr-defined]
    for record in records:
        text = repr(record.__dict__)
        assert "Siti" not in text
        assert "0812555" not in text
        assert "Rahasia" not in text


# -- property: rows equal the projection after any sequence of appends -----------------------


def script(complaint: str, hours: float, unit: str) -> list:
    """Up to eight valid events of one complaint."""
    events = lifecycle(complaint, hours)
    events[2] = attrs.evolve(events[2], data={"unit": unit})
    events[3] = attrs.evolve(events[3], actor=attrs.evolve(OPERATOR, unit=unit))
    return [
        *events,
        comment(complaint, 5, hours + 30),
        comment(complaint, 6, hours + 200),
        comment(complaint, 7, hours + 900),
        comment(complaint, 8, hours + 2000),
    ]


plans = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),  # complaint
        st.integers(1, 3),  # events per append
        st.booleans(),  # also retry the append (duplicates)
    ),
    max_size=12,
)
starts = st.fixed_dictionaries(
    {
        "A": st.tuples(st.integers(0, 500), st.sampled_from(["dinas-pu", "dinas-kes"])),
        "B": st.tuples(st.integers(0, 500), st.sampled_from(["dinas-pu", "dinas-kes"])),
        "C": st.tuples(st.integers(0, 500), st.sampled_from(["dinas-pu", "dinas-kes"])),
    }
)


def _check_rows_after(
    store: EventStore,
    plan: list[tuple[str, int, bool]],
    start: dict[str, tuple[int, str]],
    stored_columns: Any = None,
) -> None:
    """Run `plan`'s appends, then check the rows (and `stored_columns`) against a replay."""
    scripts = {c: script(c, *start[c]) for c in start}
    done = dict.fromkeys(start, 0)
    for complaint, count, retry in plan:
        chunk = scripts[complaint][done[complaint] : done[complaint] + count]
        if not chunk:
            continue
        store.append(complaint, chunk, expected_version=done[complaint])
        if retry:
            store.append(complaint, chunk)
        done[complaint] += len(chunk)
    expected = replayed_rows(store)
    assert {c: store.row(c) for c in expected} == expected
    assert {r.id: r for r in all_rows(store)} == expected
    if stored_columns is not None:  # the indexed columns and clock rows too, not only bodies
        assert stored_columns(store) == (
            sorted(row_columns(r) for r in expected.values()),
            sorted(c for r in expected.values() for c in clock_columns(r)),
        )
    store.rebuild(batch=2)
    assert {r.id: r for r in all_rows(store)} == expected


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=plans, start=starts, kind=st.sampled_from(["memory", "sqlite"]))
def test_rows_equal_the_replayed_projection_after_any_appends(
    plan: list[tuple[str, int, bool]],
    start: dict[str, tuple[int, str]],
    kind: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    if kind == "memory":
        store: EventStore = InMemoryStore(read_model=MODEL, workflow=lapor_workflow())
        columns = None
    else:
        store = SQLiteStore(
            tmp_path_factory.mktemp("p") / "s.db", read_model=MODEL, workflow=lapor_workflow()
        )
        columns = _sqlite_columns
    try:
        _check_rows_after(store, plan, start, columns)
    finally:
        store.close()


@settings(max_examples=15, deadline=None)
@given(plan=plans, start=starts)
def test_postgres_rows_and_clock_rows_equal_the_replayed_projection(
    plan: list[tuple[str, int, bool]], start: dict[str, tuple[int, str]]
) -> None:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a connection string)")
    spec = f"pg:{unique_schema()}|{dsn}"
    store = open_spec(spec, read_model=MODEL)
    try:
        _check_rows_after(store, plan, start, _postgres_columns)
    finally:
        store.close()
        drop_schema(spec)


def test_a_row_body_that_does_not_decode_is_rewritten_with_all_its_clock_rows(
    durable_spec: str,
) -> None:
    store = open_spec(durable_spec, read_model=MODEL)
    try:
        events = script("A", 0, "dinas-pu")
        store.append("A", events[:4])
        damage = (
            "UPDATE {}complaint_rows SET body = '{{not json'",
            "UPDATE {}clock_rows SET status = 'x'",
        )
        if isinstance(store, SQLiteStore):  # damaged by hand: neither body nor clock rows hold
            with contextlib.closing(sqlite3.connect(store.path)) as db, db:
                for statement in damage:
                    db.execute(statement.format(""))
            columns = _sqlite_columns
        else:
            db = store._connection  # type: ignore[attr-defined]
            with db.transaction():
                for statement in damage:
                    db.execute(statement.format(f'"{store.schema}".'))  # type: ignore[attr-defined]
            columns = _postgres_columns
        store.append("A", events[4:5])  # a comment: the clocks do not change
        expected = replayed_rows(store)
        assert columns(store) == (
            sorted(row_columns(r) for r in expected.values()),
            sorted(c for r in expected.values() for c in clock_columns(r)),
        )
    finally:
        store.close()


def _sqlite_columns(store: EventStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with contextlib.closing(sqlite3.connect(store.path)) as db:  # type: ignore[attr-defined]
        rows = sorted(db.execute(f"SELECT {ROW_COLUMNS} FROM complaint_rows"))
        clocks = sorted(db.execute(f"SELECT {CLOCK_COLUMNS} FROM clock_rows"))
    return rows, clocks


def _postgres_columns(store: EventStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db = store._connection  # type: ignore[attr-defined]
    schema = store.schema  # type: ignore[attr-defined]
    with db.transaction():
        rows = db.execute(f'SELECT {ROW_COLUMNS} FROM "{schema}".complaint_rows').fetchall()
        clocks = db.execute(f'SELECT {CLOCK_COLUMNS} FROM "{schema}".clock_rows').fetchall()
    return sorted(tuple(r) for r in rows), sorted(tuple(c) for c in clocks)


# -- concurrency -----------------------------------------------------------------------------


def test_rows_stay_consistent_under_concurrent_appends(durable_spec: str) -> None:
    store = open_spec(durable_spec, read_model=MODEL)
    for complaint in ("R-1", "R-2", "R-3"):
        store.append(complaint, [submit(complaint)], expected_version=0)
    workers = [
        subprocess.Popen(
            [sys.executable, WORKER, durable_spec, f"w{n}", "12"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    for worker in workers:
        out, _err = worker.communicate(timeout=300)
        assert worker.returncode == 0
        assert out.strip() == "done"
    try:
        expected = replayed_rows(store)
        assert sum(r.version for r in expected.values()) == 3 + 36
        assert {c: store.row(c) for c in expected} == expected
    finally:
        store.close()


def test_clock_rows_report_status_of_a_running_clock(rm_store: EventStore) -> None:
    rm_store.append("C-1", [submit("C-1")])
    row = rm_store.row("C-1")
    assert row is not None
    running = [c for c in row.clocks if c.status is ClockStatus.RUNNING]
    assert running
    assert all(c.deadline is not None for c in running)
    assert all(c.remaining_seconds is not None and c.remaining_seconds > 0 for c in running)


# -- schema upgrade ----------------------------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "store-0.1.sqlite"


def make_v2(path: Path) -> None:
    """A store as schema version 2 wrote it: no read-model tables, no meta table."""
    with SQLiteStore(path, workflow=lapor_workflow()) as store:
        fill(store)
    db = sqlite3.connect(path)
    for table in ("complaint_rows", "clock_rows", "meta"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()


def test_opening_the_0_1_fixture_backfills_rows_from_history(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, path)
    with caplog.at_level(logging.INFO, logger="pengaduan.store"):
        store = SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow())
    with store:
        expected = replayed_rows(store)
        assert len(expected) == 3
        assert {r.id: r for r in all_rows(store)} == expected
        assert store.read_model_mismatch is None
    upgraded = [r for r in caplog.records if r.getMessage() == "schema upgraded"]
    assert [(r.pengaduan_from_version, r.pengaduan_rows) for r in upgraded] == [(1, 3)]  # type: ignore[attr-defined]


def test_opening_a_v2_store_backfills_rows_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    make_v2(path)
    with SQLiteStore(path, readonly=True, workflow=lapor_workflow()) as before:
        events = list(before.events())
    with SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow()) as store:
        assert list(store.events()) == events
        assert {r.id: r for r in all_rows(store)} == replayed_rows(store)
        assert store.due_ids(START + timedelta(days=365))


def test_a_read_only_v2_store_reads_history_but_refuses_row_queries(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    make_v2(path)
    before = path.read_bytes()
    with SQLiteStore(path, readonly=True, read_model=MODEL, workflow=lapor_workflow()) as store:
        assert store.load("C-1").state == "followed_up"
        with pytest.raises(StaleReadModelError, match="read-only"):
            store.rows()
        with pytest.raises(StaleReadModelError):
            store.due_ids(START)
    assert path.read_bytes() == before


def test_a_v2_postgres_schema_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    from store_helpers import drop_schema, postgres_dsn, unique_schema

    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip("PostgreSQL tests need PENGADUAN_TEST_POSTGRES")
    import psycopg

    spec = f"pg:{unique_schema()}|{dsn}"
    schema = spec[3:].partition("|")[0]
    try:
        with open_spec(spec) as store:  # type: ignore[attr-defined]
            fill(store)
        with psycopg.connect(dsn, autocommit=True) as db:
            for table in ("complaint_rows", "clock_rows"):
                db.execute(f'DROP TABLE "{schema}".{table}')  # type: ignore[arg-type]
            db.execute(f"DELETE FROM \"{schema}\".meta WHERE key <> 'schema_version'")  # type: ignore[arg-type]
            db.execute(f"UPDATE \"{schema}\".meta SET value = '2'")  # type: ignore[arg-type]
        readonly = open_spec(spec, readonly=True, read_model=MODEL)
        with pytest.raises(StaleReadModelError):
            readonly.rows()
        readonly.close()
        with open_spec(spec, read_model=MODEL) as store:  # type: ignore[attr-defined]
            assert {r.id: r for r in all_rows(store)} == replayed_rows(store)
    finally:
        drop_schema(spec)


def test_a_writer_of_other_definitions_makes_every_reader_see_stale_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    first = SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow())
    fill(first)
    assert first.rows().rows
    second = SQLiteStore(path, read_model=shorter(), workflow=lapor_workflow())
    try:
        assert second.read_model_mismatch is not None
        second.append("C-1", [comment("C-1", 9, 10)])
        with pytest.raises(StaleReadModelError):
            first.rows()  # its rows are no longer all of its definitions
        assert first.read_model_mismatch is not None
        first.rebuild()
        assert first.rows().rows
        with pytest.raises(StaleReadModelError):
            second.rows()  # rebuilt with the first's definitions, not the second's
    finally:
        first.close()
        second.close()


def test_rows_are_refused_while_a_rebuild_runs(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow())
    reader = SQLiteStore(path, read_model=MODEL, workflow=lapor_workflow())
    try:
        fill(store)
        seen: list[bool] = []

        def look(done: int, total: int) -> None:
            try:
                reader.rows()
            except StaleReadModelError:
                seen.append(True)
            else:
                seen.append(False)

        store.rebuild(look, batch=2)
        assert seen == [True, True, True]
        assert reader.rows().rows
    finally:
        store.close()
        reader.close()


def test_the_clock_rows_of_a_written_row_text_are_remembered_and_others_decoded() -> None:
    from pengaduan import _store_base

    store = InMemoryStore(lapor_workflow(), read_model=MODEL)
    store.append("A", script("A", 0, "dinas-pu")[:4])
    row = store.row("A")
    assert row is not None
    text = row_columns(row)[9]
    remembered = _store_base.written_clock_columns(row, text)
    assert _store_base.stored_clock_columns(text) is remembered
    # A text written elsewhere (another process, an older version) is decoded, never guessed.
    other = text.replace('"clocks":', '"clocks" :')
    assert _store_base.stored_clock_columns(other) == clock_columns(row)
    assert _store_base.stored_clock_columns(other) is not remembered
    assert _store_base.stored_clock_columns("{not json") is None


def test_the_remembered_row_texts_are_bounded() -> None:
    from pengaduan import _store_base

    row = ComplaintRow("X", "submitted", None, None, None, False, False, None, None, 1, None, ())
    for n in range(_store_base._WRITTEN_CLOCKS_BOUND + 10):
        _store_base.written_clock_columns(row, f"text {n}")
    assert len(_store_base._WRITTEN_CLOCKS) == _store_base._WRITTEN_CLOCKS_BOUND
    assert "text 0" not in _store_base._WRITTEN_CLOCKS


def test_a_shared_deadline_is_written_as_itself_and_an_equal_instant_in_its_own_zone() -> None:
    import json

    from pengaduan import _store_base

    wib = datetime(2026, 3, 2, 16, 0, tzinfo=timezone(timedelta(hours=7)))
    utc = wib.astimezone(UTC)  # the same instant, equal, another object and offset
    assert wib == utc
    clocks = tuple(
        ClockRow(name, 1, ClockStatus.RUNNING, at, False, 60.0, "working")
        for name, at in (("a", wib), ("b", wib), ("c", utc))
    )
    row = ComplaintRow(
        "X", "submitted", None, None, None, False, False, None, None, 1, None, clocks
    )
    for _ in range(2):  # formatted, then from the memory of written deadlines
        body = json.loads(row_columns(row)[9])
        assert [c["deadline"] for c in body["clocks"]] == [
            "2026-03-02T16:00:00+07:00",
            "2026-03-02T16:00:00+07:00",
            "2026-03-02T09:00:00+00:00",
        ]
        assert [c[4] for c in clock_columns(row)] == [_store_base.micros(wib)] * 3


def test_the_remembered_deadlines_are_bounded() -> None:
    from pengaduan import _store_base

    start = datetime(2026, 1, 1, tzinfo=UTC)
    kept = [start + timedelta(minutes=n) for n in range(_store_base._DEADLINES_BOUND + 10)]
    for at in kept:
        assert _store_base._deadline_forms(at)[1] == f'"{at.isoformat()}"'
    assert 0 < len(_store_base._DEADLINES) <= _store_base._DEADLINES_BOUND
    assert _store_base._deadline_forms(kept[-1])[2] == _store_base.micros(kept[-1])
