"""Event stores: appends per second and the full-history load of 100,000 complaints.

Run:  .venv/bin/python benchmarks/bench_store.py [--complaints 100000] [--appends 2000]
      [--postgres postgresql://user:pass@127.0.0.1/db]   (default: $PENGADUAN_TEST_POSTGRES)

Appends go through the public API (validated by the workflow, one durable transaction each:
SQLite WAL with synchronous=FULL, PostgreSQL with its default synchronous_commit). The
baseline is the bare database doing the same durable transaction without the library
(no validation, no idempotency check), so the ratio is what the guarantees cost.

For the load, the 100,000 complaints (4 events each) are written in bulk in the store's own
format (validating 400,000 events one transaction at a time would only time the fsyncs again),
then read back through the API: `complaints()` rebuilds every complaint by replaying its
history through the workflow.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pengaduan._store_base import encode
from pengaduan.model import Actor, Event, Role
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, InMemoryStore, SQLiteStore

START = datetime(2026, 3, 2, 1, tzinfo=UTC)
REPORTER = Actor("warga", Role.REPORTER)
ADMIN = Actor("admin", Role.ADMIN_AGENCY)
OPERATOR = Actor("op", Role.UNIT_OPERATOR, "dinas-pu")


def lifecycle(complaint: str) -> list[Event]:
    def event(n: int, action: str, actor: Actor, data: dict[str, Any]) -> Event:
        return Event(f"{complaint}#{n}", complaint, action, START + timedelta(hours=n), actor, data)

    return [
        event(1, "submit", REPORTER, {"title": "Jalan", "body": "Lubang besar", "channel": "web"}),
        event(2, "verify", ADMIN, {"classification": "pengaduan"}),
        event(3, "dispatch", ADMIN, {"unit": "dinas-pu"}),
        event(4, "follow_up", OPERATOR, {"response": "Ditambal"}),
    ]


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def bench_appends(store: EventStore, count: int, prefix: str) -> dict[str, float]:
    ids = [f"{prefix}-{n}" for n in range(count)]
    batches = [lifecycle(c) for c in ids]

    def whole() -> None:
        for complaint, events in zip(ids, batches, strict=True):
            store.append(complaint, events, expected_version=0)

    seconds = timed(whole)
    singles = [f"{prefix}-s{n}" for n in range(count)]
    firsts = [lifecycle(c)[0] for c in singles]

    def single() -> None:
        for complaint, event in zip(singles, firsts, strict=True):
            store.append(complaint, [event], expected_version=0)

    single_seconds = timed(single)
    return {
        "batch_appends_per_s": count / seconds,
        "events_per_s": 4 * count / seconds,
        "single_appends_per_s": count / single_seconds,
    }


def sqlite_baseline(path: Path, count: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, id TEXT UNIQUE, body TEXT)")
    bodies = [(e.id, encode(e)) for n in range(count) for e in lifecycle(f"B-{n}")]

    def work() -> None:
        for start in range(0, len(bodies), 4):
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO events (id, body) VALUES (?, ?)", bodies[start : start + 4])
            db.execute("COMMIT")

    seconds = timed(work)
    db.close()
    return count / seconds


def postgres_baseline(dsn: str, count: int) -> float:
    import psycopg

    table = f"bench_{uuid.uuid4().hex[:8]}"
    bodies = [(e.id, encode(e)) for n in range(count) for e in lifecycle(f"B-{n}")]
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(
            f"CREATE TABLE {table} (position BIGSERIAL PRIMARY KEY, id TEXT UNIQUE, body TEXT)"
        )
        try:

            def work() -> None:
                for start in range(0, len(bodies), 4):
                    with db.transaction(), db.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO {table} (id, body) VALUES (%s, %s)",
                            bodies[start : start + 4],
                        )

            seconds = timed(work)
        finally:
            db.execute(f"DROP TABLE {table}")
    return count / seconds


def bulk_rows(complaints: int) -> list[tuple[str, str, int, str]]:
    return [
        (e.id, c, seq, encode(e))
        for n in range(complaints)
        for c in (f"L-{n:06d}",)
        for seq, e in enumerate(lifecycle(c), start=1)
    ]


def bulk_sqlite(path: Path, rows: list[tuple[str, str, int, str]]) -> None:
    SQLiteStore(path, workflow=lapor_workflow()).close()  # the schema
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO events (id, complaint, seq, body) VALUES (?, ?, ?, ?)", rows)
    db.execute(
        "INSERT INTO streams SELECT complaint, max(seq), min(position), max(position) "
        "FROM events GROUP BY complaint"
    )
    db.execute("COMMIT")
    db.close()


def bulk_postgres(store: Any, rows: list[tuple[str, str, int, str]]) -> None:
    from psycopg import sql

    db = store._connection
    events = sql.Identifier(store.schema, "events")
    streams = sql.Identifier(store.schema, "streams")
    with db.transaction(), db.cursor() as cursor:
        with cursor.copy(
            sql.SQL("COPY {} (id, complaint, seq, body) FROM STDIN").format(events)
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            sql.SQL(
                "INSERT INTO {} SELECT complaint, max(seq), min(position), max(position) "
                "FROM {} GROUP BY complaint"
            ).format(streams, events)
        )


def bench_load(store: EventStore, complaints: int) -> dict[str, float]:
    seconds = timed(lambda: sum(1 for _ in store.complaints()))
    sample = [f"L-{n:06d}" for n in range(0, complaints, max(1, complaints // 1000))]
    one = timed(lambda: [store.load(c) for c in sample]) / len(sample)
    events_seconds = timed(lambda: sum(1 for _ in store.events()))
    return {
        "load_all_s": seconds,
        "complaints_per_s": complaints / seconds,
        "load_one_ms": one * 1000,
        "read_log_s": events_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=2_000)
    parser.add_argument("--postgres", default=os.environ.get("PENGADUAN_TEST_POSTGRES"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-store-"))
    rows = bulk_rows(args.complaints)
    results: dict[str, dict[str, float]] = {}

    print(
        f"appends: {args.appends} complaints x 4 events (one append each), then "
        f"{args.appends} single-event appends; load: {args.complaints} complaints x 4 events",
        file=sys.stderr,
    )
    memory = InMemoryStore(workflow=lapor_workflow())
    results["memory"] = bench_appends(memory, args.appends, "A")
    for number in range(args.complaints):
        complaint = f"L-{number:06d}"
        memory.append(complaint, lifecycle(complaint))
    results["memory"].update(bench_load(memory, args.complaints) | {"baseline": 0.0})

    with SQLiteStore(work / "appends.db", workflow=lapor_workflow()) as store:
        results["sqlite"] = bench_appends(store, args.appends, "A")
    results["sqlite"]["baseline"] = sqlite_baseline(work / "baseline.db", args.appends)
    bulk_sqlite(work / "load.db", rows)
    with SQLiteStore(work / "load.db", workflow=lapor_workflow()) as store:
        results["sqlite"].update(bench_load(store, args.complaints))

    if args.postgres:
        from pengaduan.store import PostgresStore

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        store = PostgresStore(args.postgres, schema=schema, workflow=lapor_workflow())
        try:
            results["postgres"] = bench_appends(store, args.appends, "A")
            results["postgres"]["baseline"] = postgres_baseline(args.postgres, args.appends)
        finally:
            store.close()
        schema_load = f"bench_{uuid.uuid4().hex[:8]}"
        store = PostgresStore(args.postgres, schema=schema_load, workflow=lapor_workflow())
        try:
            bulk_postgres(store, rows)
            results["postgres"].update(bench_load(store, args.complaints))
        finally:
            db = store._connection
            for name in (schema, schema_load):
                db.execute(f"DROP SCHEMA {name} CASCADE")
            store.close()
    else:
        print("(no PostgreSQL: pass --postgres or set PENGADUAN_TEST_POSTGRES)", file=sys.stderr)

    header = (
        "store",
        "4-event appends/s",
        "events/s",
        "1-event appends/s",
        "bare DB txns/s",
        "library/bare",
        f"load {args.complaints:,} (s)",
        "complaints/s",
        "load one (ms)",
        "read log (s)",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, r in results.items():
        ratio = f"{r['batch_appends_per_s'] / r['baseline']:.2f}" if r["baseline"] else "-"
        bare = f"{r['baseline']:,.0f}" if r["baseline"] else "-"
        print(
            f"{name} | {r['batch_appends_per_s']:,.0f} | {r['events_per_s']:,.0f} | "
            f"{r['single_appends_per_s']:,.0f} | {bare} | {ratio} | {r['load_all_s']:.2f} | "
            f"{r['complaints_per_s']:,.0f} | {r['load_one_ms']:.3f} | {r['read_log_s']:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
