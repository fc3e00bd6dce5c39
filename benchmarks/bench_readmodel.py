"""Read models against today's replay path, measured in the same run.

Run:  .venv/bin/python benchmarks/bench_readmodel.py [--complaints 100000] [--repeat 20]
      [--postgres postgresql://user:pass@127.0.0.1/db] [--no-replay]

Setup (not measured as the read model's cost): the complaints, six events each (submit,
verify, dispatch to one of 20 units, then a follow-up and comments, or comments only, so that
a third stay open and run late), are written **in bulk** in the store's own format straight
into the events and streams tables; the rows are then computed by `store.rebuild()` (timed
and printed: that is what the schema upgrade or a recalculation costs at this size).

Measured, each beside the replay path it replaces (every complaint read back through
`store.complaints()` and evaluated, as an app must do today):

- list the overdue complaints of one unit as of an instant (every page);
- `due` at a quiet instant (nothing due), as `desk.due` asks: `due_ids`, then `load_many` and
  `due` on those complaints only;
- `due` at the 07:30 peak (the office opens: the working-day rungs all fall there; nothing
  has been ticked in the fixture, so everything late is due), the same way; both sides'
  actions are checked equal;
- open a desk (`Desk` on a store opened afresh; the replay path: open, then replay every
  complaint to know their states);
- one append of a comment to a complaint with six events, with its row, against the same
  append with the row writing switched off (today's append), both durable transactions;
- one `desk.act` of a comment (load, judge, append at the version read), likewise with and
  without its row.

Figures are medians of `--repeat` runs (the replay path runs once: it takes seconds; so does
`due` at the peak, which loads every complaint due).

``--postgres-schema NAME`` measures an existing fixture in that schema (written by an earlier
run with ``--keep``) instead of writing one, and ``--sqlite-db PATH`` keeps the SQLite fixture
there (or measures it, if the file exists): the 10^6 fixture takes some 15 minutes to write
and rebuild. ``rebuild()`` is then not timed.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pengaduan._store_base as store_base
from pengaduan._store_base import encode
from pengaduan.desk import Desk
from pengaduan.escalation import due
from pengaduan.model import Actor, Event, Role
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel, project
from pengaduan.sla import ClockStatus, evaluate
from pengaduan.store import EventStore, SQLiteStore

NOW = datetime(2026, 9, 1, 1, tzinfo=UTC)
PEAK = datetime(2026, 9, 1, 0, 30, tzinfo=UTC)  # Tuesday 07:30 WIB: the office opens
REPORTER = Actor("warga", Role.REPORTER)
ADMIN = Actor("admin", Role.ADMIN_AGENCY)
UNITS = [f"dinas-{n:02d}" for n in range(20)]
MODEL = ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
WORKFLOW = lapor_workflow()


def history(n: int) -> list[Event]:
    """Six events of complaint `n`, submitted within the 180 days before `NOW`."""
    complaint = f"K-{n:07d}"
    unit = UNITS[n % len(UNITS)]
    at = NOW - timedelta(days=180) + timedelta(minutes=(n * 7919) % (180 * 24 * 60 - 3000))
    operator = Actor("op", Role.UNIT_OPERATOR, unit)

    def event(k: int, hours: float, action: str, actor: Actor, data: dict[str, Any]) -> Event:
        return Event(
            f"{complaint}#{k}", complaint, action, at + timedelta(hours=hours), actor, data
        )

    events = [
        event(1, 0, "submit", REPORTER, {"title": "Jalan", "body": "Lubang", "channel": "web"}),
        event(2, 2, "verify", ADMIN, {"classification": "pengaduan"}),
        event(3, 4, "dispatch", ADMIN, {"unit": unit}),
    ]
    if n % 3:
        events.append(event(4, 30, "follow_up", operator, {"response": "Ditangani"}))
    else:
        events.append(event(4, 30, "comment", ADMIN, {"message": "menunggu"}))
    events.append(event(5, 31, "comment", ADMIN, {"message": "catatan"}))
    events.append(event(6, 32, "comment", ADMIN, {"message": "catatan lagi"}))
    return events


def bulk(complaints: int) -> Iterator[tuple[str, str, int, str]]:
    for n in range(complaints):
        for seq, e in enumerate(history(n), start=1):
            yield (e.id, e.complaint, seq, encode(e, WORKFLOW))


def bulk_sqlite(path: Path, complaints: int) -> None:
    SQLiteStore(path, WORKFLOW, read_model=MODEL).close()  # the schema
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO events (id, complaint, seq, body) VALUES (?, ?, ?, ?)", bulk(complaints)
    )
    db.execute(
        "INSERT INTO streams SELECT complaint, max(seq), min(position), max(position) "
        "FROM events GROUP BY complaint"
    )
    db.execute("COMMIT")
    db.close()


def bulk_postgres(store: Any, complaints: int) -> None:
    from psycopg import sql

    db = store._connection
    events = sql.Identifier(store.schema, "events")
    streams = sql.Identifier(store.schema, "streams")
    with db.transaction(), db.cursor() as cursor:
        with cursor.copy(
            sql.SQL("COPY {} (id, complaint, seq, body) FROM STDIN").format(events)
        ) as copy:
            for row in bulk(complaints):
                copy.write_row(row)
        cursor.execute(
            sql.SQL(
                "INSERT INTO {} SELECT complaint, max(seq), min(position), max(position) "
                "FROM {} GROUP BY complaint"
            ).format(streams, events)
        )
    db.execute("ANALYZE")


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def median(work: Callable[[], object], repeat: int) -> float:
    return statistics.median(timed(work) for _ in range(repeat))


def overdue_of_unit(store: EventStore, unit: str, as_of: datetime) -> list[str]:
    out: list[str] = []
    after = None
    while True:
        page = store.rows(unit=unit, overdue_as_of=as_of, limit=1000, after=after)
        out.extend(r.id for r in page.rows)
        if page.next_after is None:
            return out
        after = page.next_after


def replay_overdue_of_unit(store: EventStore, unit: str, as_of: datetime) -> list[str]:
    policy = MODEL.policy
    assert policy is not None
    out = []
    for complaint in store.complaints():
        if complaint.unit != unit:
            continue
        for state in evaluate(complaint, as_of, policy=policy):
            if state.status in (ClockStatus.RUNNING, ClockStatus.PAUSED) and (
                state.deadline is not None and state.deadline <= as_of
            ):
                out.append(complaint.id)
                break
    return sorted(out)


@contextmanager
def bare_appends() -> Iterator[None]:
    """Switch the row writing off (today's append): no projection, no row statements."""
    saved = store_base.project

    def nothing(complaint: Any, read_model: Any = None) -> Any:
        return None

    store_base.project = nothing  # type: ignore[assignment]
    originals = {}
    for name in ("_SQLiteTxn", "_PostgresTxn"):
        module = sys.modules.get(
            "pengaduan._store_sqlite" if name == "_SQLiteTxn" else "pengaduan._store_postgres"
        )
        if module is not None:
            cls = getattr(module, name)
            originals[cls] = cls.put_rows
            cls.put_rows = lambda self, rows: None
    try:
        yield
    finally:
        store_base.project = saved  # type: ignore[assignment]
        for cls, method in originals.items():
            cls.put_rows = method


def writes(store: EventStore, complaints: int, repeat: int) -> dict[str, float]:
    """One append and one `desk.act` of a comment, each with its row and bare, interleaved."""
    out: dict[str, float] = {}
    run = uuid.uuid4().hex[:6]  # a kept fixture is measured again: new event ids each run
    targets = iter(range(1, complaints, max(1, complaints // (4 * repeat + 8))))
    bare_written: list[str] = []  # complaints whose rows the bare side left behind

    def comment_on(tag: str) -> Event:
        # The complaint's last instant from its row: reading its history would put it in the
        # store's keep, and the append would not read it again (today's append does).
        complaint = f"K-{next(targets):07d}"
        if tag == "b":
            bare_written.append(complaint)
        row = store.row(complaint)
        assert row is not None
        assert row.updated_at is not None
        at = row.updated_at + timedelta(minutes=5)
        return Event(f"{complaint}#{run}{tag}", complaint, "comment", at, ADMIN, {"message": "b"})

    def append(event: Event) -> Callable[[], object]:
        return lambda: store.append(event.complaint, [event])

    for _ in range(3):  # warm up
        append(comment_on("w"))()
    rows_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(repeat):  # interleaved, so that the machine's drift touches both alike
        rows_times.append(timed(append(comment_on("r"))))
        event = comment_on("b")
        with bare_appends():
            bare_times.append(timed(append(event)))
    out["append_ms"] = 1000 * statistics.median(rows_times)
    out["bare_append_ms"] = 1000 * statistics.median(bare_times)
    desk = Desk(store, policy=MODEL.policy, ladder=MODEL.ladder)

    def act(event: Event) -> Callable[[], object]:
        return lambda: desk.act(
            event.complaint,
            "comment",
            ADMIN,
            {"message": "bench"},
            at=event.at,
            request_id=f"bench-{event.id}",
        )

    act_times: list[float] = []
    bare_act_times: list[float] = []
    for _ in range(repeat):
        act_times.append(timed(act(comment_on("r"))))
        event = comment_on("b")
        with bare_appends():
            bare_act_times.append(timed(act(event)))
    out["act_ms"] = 1000 * statistics.median(act_times)
    out["bare_act_ms"] = 1000 * statistics.median(bare_act_times)
    for complaint in bare_written:  # one more comment each, with its row: current again
        at = store.load(complaint).events[-1].at + timedelta(minutes=1)
        desk.act(complaint, "comment", ADMIN, {"message": "bench"}, at=at)
    return out


def bench(
    name: str,
    open_: Callable[[], EventStore],
    complaints: int,
    repeat: int,
    replay: bool,
    rebuild: bool = True,
    writes_only: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {"store": name, "complaints": complaints}
    store = open_()
    if rebuild:
        out["rebuild_s"] = timed(store.rebuild)
    if writes_only:
        out.update(writes(store, complaints, repeat))
        store.close()
        return out
    unit = UNITS[0]
    fast = overdue_of_unit(store, unit, NOW)
    out["overdue_in_unit"] = len(fast)
    out["list_ms"] = 1000 * median(lambda: overdue_of_unit(store, unit, NOW), repeat)
    out["first_page_ms"] = 1000 * median(
        lambda: store.rows(unit=unit, overdue_as_of=NOW, limit=100), repeat
    )
    next_due = store.next_due_at()
    assert next_due is not None
    quiet = next_due - timedelta(seconds=1)

    scheduler = Desk(store, policy=MODEL.policy, ladder=MODEL.ladder)

    def quiet_due() -> tuple[Any, ...]:  # as a desk asks: due_ids, then load_many
        return scheduler.due(quiet)

    assert quiet_due() == ()
    out["quiet_due_ms"] = 1000 * median(quiet_due, repeat)
    out["due_at_now"] = len(store.due_ids(NOW))

    def peak_due() -> tuple[Any, ...]:
        return scheduler.due(PEAK)

    at_peak: list[Any] = []
    out["peak_due_ms"] = 1000 * timed(lambda: at_peak.extend(peak_due()))
    out["due_at_peak"] = len(at_peak)
    store.close()

    def open_desk() -> None:
        desk = Desk(open_(), policy=MODEL.policy, ladder=MODEL.ladder)
        assert desk._indexed, "the desk does not take the store's rows"
        desk.store.close()

    out["open_ms"] = 1000 * median(open_desk, repeat)
    store = open_()
    out.update(writes(store, complaints, repeat))
    out["project_ms"] = 1000 * median(lambda: project(store.load("K-0000001"), MODEL), repeat)
    if replay:
        slow: list[str] = []
        out["replay_list_ms"] = 1000 * timed(
            lambda: slow.extend(replay_overdue_of_unit(store, unit, NOW))
        )
        assert slow == fast, "the read model and the replay disagree"
        out["replay_quiet_due_ms"] = 1000 * timed(
            lambda: due(store.complaints(), quiet, ladder=MODEL.ladder)
        )
        replayed_peak: list[Any] = []
        out["replay_peak_due_ms"] = 1000 * timed(
            lambda: replayed_peak.extend(due(store.complaints(), PEAK, ladder=MODEL.ladder))
        )
        assert replayed_peak == at_peak, "the read model and the replay disagree at 07:30"

        def open_and_replay() -> None:
            opened = open_()
            for _complaint in opened.complaints():
                pass
            opened.close()

        out["replay_open_ms"] = 1000 * timed(open_and_replay)
    store.close()
    return out


def report(result: dict[str, Any]) -> None:
    print(f"\n## {result['store']}: {result['complaints']:,} complaints (~6 events each)")
    if "list_ms" not in result:  # --writes-only
        print("| question | with its row | bare | ratio |")
        print("| --- | --- | --- | --- |")
    else:
        if "rebuild_s" in result:
            print(f"rebuild (rows from history): {result['rebuild_s']:.1f} s")
        print(
            f"overdue in one unit: {result['overdue_in_unit']} complaints; due at NOW: "
            f"{result['due_at_now']} complaints; due actions at the 07:30 peak: "
            f"{result['due_at_peak']}"
        )
        print("| question | read model | replay path | ratio |")
        print("| --- | --- | --- | --- |")
        for label, fast, slow in (
            ("list overdue of one unit (all pages)", "list_ms", "replay_list_ms"),
            ("  first page (100)", "first_page_ms", "replay_list_ms"),
            ("due at a quiet instant", "quiet_due_ms", "replay_quiet_due_ms"),
            ("due at the 07:30 peak", "peak_due_ms", "replay_peak_due_ms"),
            ("open a desk", "open_ms", "replay_open_ms"),
        ):
            if slow in result:
                ratio = result[slow] / result[fast]
                shown = f"{ratio:.2f}x" if ratio < 10 else f"{ratio:,.0f}x"
                print(f"| {label} | {result[fast]:.2f} ms | {result[slow]:.0f} ms | {shown} |")
            else:
                print(f"| {label} | {result[fast]:.2f} ms | - | - |")
    ratio = result["append_ms"] / result["bare_append_ms"]
    print(
        f"| one append (comment, 6 events) | {result['append_ms']:.2f} ms | bare "
        f"{result['bare_append_ms']:.2f} ms | {ratio:.2f}x |"
    )
    ratio = result["act_ms"] / result["bare_act_ms"]
    print(
        f"| one desk.act (comment) | {result['act_ms']:.2f} ms | bare "
        f"{result['bare_act_ms']:.2f} ms | {ratio:.2f}x |"
    )
    if "project_ms" in result:
        print(f"project() of one complaint: {result['project_ms']:.3f} ms")


def synthetic(path: Path, count: int, repeat: int) -> None:
    """Query speed only, at `count` rows: copies of real projections inserted in bulk.

    The rows of 1,000 real complaints are copied under new ids (unit and instants kept as
    projected), straight into the read-model tables; no history is written, so there is no
    replay path to compare with here (see the full run at a size that fits).
    """
    import json

    from pengaduan._store_base import clock_columns, row_columns
    from pengaduan.readmodel import row_to_dict

    SQLiteStore(path, WORKFLOW, read_model=MODEL).close()
    sample = [project(WORKFLOW.replay(history(n))[f"K-{n:07d}"], MODEL) for n in range(1000)]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")

    def rows() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            row = sample[n % len(sample)]
            columns = list(row_columns(row))
            columns[0] = f"S-{n:08d}"
            record = row_to_dict(row)
            record["id"] = columns[0]
            columns[-1] = json.dumps(record, separators=(",", ":"))
            yield tuple(columns)

    def clocks() -> Iterator[tuple[Any, ...]]:
        for n in range(count):
            for columns in clock_columns(sample[n % len(sample)]):
                yield (f"S-{n:08d}", *columns[1:])

    db.executemany(
        f"INSERT INTO complaint_rows ({store_base.ROW_COLUMNS}) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    db.executemany(
        f"INSERT INTO clock_rows ({store_base.CLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", clocks()
    )
    db.execute("COMMIT")
    db.close()
    store = SQLiteStore(path, WORKFLOW, read_model=MODEL)
    unit = UNITS[0]
    first = 1000 * median(lambda: store.rows(unit=unit, overdue_as_of=NOW, limit=100), repeat)
    deep = store.rows(unit=unit, overdue_as_of=NOW, limit=100, after=f"S-{count // 2:08d}")
    later = 1000 * median(
        lambda: store.rows(unit=unit, overdue_as_of=NOW, limit=100, after=f"S-{count // 2:08d}"),
        repeat,
    )
    next_due = store.next_due_at()
    assert next_due is not None
    quiet = next_due - timedelta(seconds=1)
    quiet_ms = 1000 * median(lambda: store.due_ids(quiet), repeat)
    peak = 1000 * median(lambda: store.due_ids(NOW, limit=1000), repeat)
    store.close()
    opened = 1000 * median(lambda: SQLiteStore(path, WORKFLOW, read_model=MODEL).close(), repeat)
    print(f"\n## SQLite, query speed only: {count:,} synthetic rows (no history)")
    print("| question | read model |")
    print("| --- | --- |")
    print(f"| overdue of one unit, first page (100) | {first:.2f} ms |")
    print(f"| the same, a page halfway through ({len(deep.rows)} rows) | {later:.2f} ms |")
    print(f"| due_ids at a quiet instant | {quiet_ms:.2f} ms |")
    print(f"| due_ids at NOW, first 1,000 | {peak:.2f} ms |")
    print(f"| open the store | {opened:.2f} ms |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("PENGADUAN_TEST_POSTGRES"))
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-replay", action="store_true", help="skip the replay path")
    parser.add_argument(
        "--writes-only", action="store_true", help="only the append and desk.act figures"
    )
    parser.add_argument(
        "--sqlite-db", help="write the SQLite fixture here and keep it; if it exists, measure it"
    )
    parser.add_argument(
        "--postgres-schema", help="measure the fixture kept in this schema (see --keep)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL fixture's schema, and name it"
    )
    parser.add_argument(
        "--synthetic-rows",
        type=int,
        default=0,
        help="instead: time the queries alone at this many rows copied in bulk (no history)",
    )
    args = parser.parse_args()
    replay = not args.no_replay
    if args.synthetic_rows:
        with tempfile.TemporaryDirectory() as tmp:
            synthetic(Path(tmp) / "rows.db", args.synthetic_rows, args.repeat)
        return 0
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(args.sqlite_db or Path(tmp) / "bench.db")
            kept = path.exists()
            if not kept:
                seconds = timed(lambda: bulk_sqlite(path, args.complaints))
                print(f"(sqlite fixture written in bulk in {seconds:.1f} s)", file=sys.stderr)
            result = bench(
                "SQLite",
                lambda: SQLiteStore(path, WORKFLOW, read_model=MODEL),
                args.complaints,
                args.repeat,
                replay,
                rebuild=not kept,
                writes_only=args.writes_only,
            )
            report(result)
    if args.postgres:
        from pengaduan.store import PostgresStore

        schema = args.postgres_schema or f"bench_{uuid.uuid4().hex[:8]}"
        store = PostgresStore(args.postgres, WORKFLOW, schema=schema, read_model=MODEL)
        try:
            if args.postgres_schema is None:
                seconds = timed(lambda: bulk_postgres(store, args.complaints))
                print(f"(postgres fixture written in bulk in {seconds:.1f} s)", file=sys.stderr)
            store.close()
            result = bench(
                "PostgreSQL",
                lambda: PostgresStore(args.postgres, WORKFLOW, schema=schema, read_model=MODEL),
                args.complaints,
                args.repeat,
                replay,
                rebuild=args.postgres_schema is None,
                writes_only=args.writes_only,
            )
            report(result)
        finally:
            store.close()
            if args.keep or args.postgres_schema:
                print(f"(the fixture stays in schema {schema})", file=sys.stderr)
            else:
                import psycopg

                with psycopg.connect(args.postgres, autocommit=True) as db:
                    db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
