"""Event stores: bulk import against the one-transaction limit, and the append path.

Run:  PYTHONPATH=src .venv/bin/python benchmarks/bench_store.py [--complaints 10000]
      [--events FILE] [--rounds 3] [--appends 2000] [--no-rows] [--batch-size 50000]
      [--postgres postgresql://user:pass@127.0.0.1/db]   (default: $PENGADUAN_TEST_POSTGRES)

The work: a simulated regency history (`pengaduan.simulation`, Muara Enim-shaped, about six
events per complaint, in time order as an event file is), as `pengaduan import` reads it from
a file (``--events FILE`` takes a file written by ``pengaduan simulate``). Three whole jobs
write the same rows into the same schema, each into a fresh store:

- **import**: ``store.import_events(events)`` through the public API: every event validated
  by the workflow against the stored state, checked for duplicates, encoded, written in
  batched transactions with its complaint's read-model row (SLA clocks and the ladder's next
  due instant, as `pengaduan import` computes them; ``--no-rows`` for state-only rows;
  ``--batch-size`` for other than the default 50,000 events a transaction);
- **limit**: the same rows (events, streams, read-model rows and their clock rows, meta),
  already computed, written raw in *one* transaction: SQLite ``executemany``, PostgreSQL
  psycopg ``COPY``. No validation, no encoding, no lookups: what the database itself costs;
- **one by one**: ``store.append(complaint, [event])`` for each event of the first
  ``--appends`` events (one durable transaction each, the path an application takes), against
  the import of the same events.

The sides alternate in every round (which goes first alternates too), each round's stored
tables are compared row for row (they must be equal, positions included), and the median of
the rounds is printed with the ratios. Timings are wall-clock seconds of the whole job; the
CPU seconds of SQLite's import and limit (SQLite works in this process) go to stderr too,
the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pengaduan._store_bulk import DEFAULT_BATCH
from pengaduan.interchange import dumps_event, loads_event, read_events
from pengaduan.model import Event
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.simulation import muara_enim, simulate
from pengaduan.store import EventStore, SQLiteStore

WORKFLOW = lapor_workflow()
# Every table a store writes, and the order that makes two stores' contents comparable.
TABLES = {
    "events": "position",
    "streams": "complaint",
    "complaint_rows": "complaint",
    "clock_rows": "complaint, clock",
    "external_ids": "system, external_id",
    "meta": "key",
}


def history(complaints: int, path: str | None) -> list[Event]:
    """The events as an event file holds them (fixed offsets, plain JSON values)."""
    if path is not None:
        return list(read_events(path))
    made = simulate(muara_enim(complaints=complaints, years=2), seed=1)
    return [loads_event(dumps_event(e)) for e in made.events]


# CPU seconds of the SQLite sides (SQLite works in this process, so they are the whole job's
# and steadier than wall-clock time on a shared machine); PostgreSQL's server is not counted.
CPU: dict[str, list[float]] = {"import": [], "limit": []}
BATCH = [DEFAULT_BATCH]  # events per import transaction (--batch-size)


def timed(work: Callable[[], object], cpu: str | None = None) -> float:
    # Each side starts with the collector's debts paid (untimed), so that a full collection
    # the other side's garbage made due does not land in its time.
    gc.collect()
    began, began_cpu = time.perf_counter(), time.process_time()
    work()
    if cpu is not None:
        CPU[cpu].append(time.process_time() - began_cpu)
    return time.perf_counter() - began


# -- SQLite ----------------------------------------------------------------------------------


def sqlite_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {
            t: db.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in TABLES.items()
        }
    finally:
        db.close()


def sqlite_limit(
    path: Path, tables: dict[str, list[tuple[Any, ...]]], cpu: str | None = None
) -> float:
    """Write `tables` raw into a fresh store file, in one transaction; the seconds it took."""
    SQLiteStore(path, WORKFLOW).close()  # the same schema, made by the library
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = FULL")  # as the store
    db.execute("DELETE FROM meta")  # the fingerprint the new store recorded: rewritten below
    statements = {
        t: f"INSERT INTO {t} VALUES ({', '.join('?' * len(rows[0]))})"
        for t, rows in tables.items()
        if rows
    }

    def work() -> None:
        db.execute("BEGIN IMMEDIATE")
        for table, statement in statements.items():
            db.executemany(statement, tables[table])
        db.execute("COMMIT")

    seconds = timed(work, cpu)
    db.close()
    return seconds


def sqlite_import(
    path: Path, events: list[Event], read_model: ReadModel | None, cpu: str | None = None
) -> float:
    with SQLiteStore(path, WORKFLOW, read_model=read_model) as store:
        return timed(lambda: store.import_events(events, batch_size=BATCH[0]), cpu)


def sqlite_appends(path: Path, events: list[Event], read_model: ReadModel | None) -> float:
    with SQLiteStore(path, WORKFLOW, read_model=read_model) as store:
        return timed(lambda: one_by_one(store, events))


def one_by_one(store: EventStore, events: list[Event]) -> None:
    for event in events:
        store.append(event.complaint, [event])


def fresh(directory: Path) -> Path:
    return directory / f"{uuid.uuid4().hex[:8]}.db"


# -- PostgreSQL ------------------------------------------------------------------------------


@contextmanager
def pg_store(dsn: str, read_model: ReadModel | None) -> Iterator[Any]:
    from pengaduan.store import PostgresStore

    store = PostgresStore(
        dsn, WORKFLOW, schema=f"bench_{uuid.uuid4().hex[:8]}", read_model=read_model
    )
    try:
        yield store
    finally:
        schema = store.schema
        store.close()
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as db:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


def pg_tables(dsn: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    import psycopg

    with psycopg.connect(dsn) as db:
        return {
            t: db.execute(f'SELECT * FROM "{schema}".{t} ORDER BY {o}').fetchall()
            for t, o in TABLES.items()
        }


def pg_limit(dsn: str, schema: str, tables: dict[str, list[tuple[Any, ...]]]) -> float:
    """COPY `tables` raw into the fresh store `schema`, in one transaction."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(f'DELETE FROM "{schema}".meta')
        columns = {
            t: [
                name
                for (name,) in db.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = %s ORDER BY ordinal_position",
                    (schema, t),
                )
            ]
            for t in tables
        }

        def work() -> None:
            with db.transaction(), db.cursor() as cursor:
                for table, rows in tables.items():
                    names = columns[table]
                    start = 0
                    if table == "events":  # positions are generated, in COPY order
                        names, start = names[1:], 1
                    statement = f'COPY "{schema}".{table} ({", ".join(names)}) FROM STDIN'
                    with cursor.copy(statement) as copy:
                        for row in rows:
                            copy.write_row(row[start:])

        return timed(work)


# -- the rounds ------------------------------------------------------------------------------


def check(
    left: dict[str, list[tuple[Any, ...]]], right: dict[str, list[tuple[Any, ...]]], what: str
) -> None:
    for table in TABLES:
        if left[table] != right[table]:
            raise SystemExit(f"{what}: the {table} tables differ")


def alternate(number: int, sides: list[Callable[[], object]]) -> None:
    """Run the sides, in the other order every other round."""
    for side in sides if number % 2 == 0 else sides[::-1]:
        side()


def bench_sqlite(
    work: Path, events: list[Event], prefix: list[Event], rounds: int, read_model: ReadModel | None
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"import": [], "limit": [], "appends": [], "import_prefix": []}
    # The rows the limit writes raw: those an import through the API wrote (setup, untimed).
    reference = fresh(work)
    sqlite_import(reference, events, read_model)
    rows = sqlite_tables(reference)
    for number in range(rounds):
        imported, raw, single, bulk = (fresh(work) for _ in range(4))
        alternate(
            number,
            [
                lambda p=imported: times["import"].append(
                    sqlite_import(p, events, read_model, "import")
                ),
                lambda p=raw: times["limit"].append(sqlite_limit(p, rows, "limit")),
            ],
        )
        check(sqlite_tables(imported), rows, "SQLite import vs the rows")
        check(sqlite_tables(raw), rows, "SQLite limit vs the rows")
        alternate(
            number,
            [
                lambda p=single: times["appends"].append(sqlite_appends(p, prefix, read_model)),
                lambda p=bulk: times["import_prefix"].append(sqlite_import(p, prefix, read_model)),
            ],
        )
        check(sqlite_tables(single), sqlite_tables(bulk), "SQLite appends vs import")
        for path in (imported, raw, single, bulk):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"  SQLite round {number + 1}/{rounds} done", file=sys.stderr)
    return times


def bench_postgres(
    dsn: str, events: list[Event], prefix: list[Event], rounds: int, read_model: ReadModel | None
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"import": [], "limit": [], "appends": [], "import_prefix": []}
    with pg_store(dsn, read_model) as reference:
        reference.import_events(events)
        rows = pg_tables(dsn, reference.schema)
    for number in range(rounds):
        with pg_store(dsn, read_model) as imported, pg_store(dsn, read_model) as raw:
            alternate(
                number,
                [
                    lambda: times["import"].append(
                        timed(lambda: imported.import_events(events, batch_size=BATCH[0]))
                    ),
                    lambda: times["limit"].append(pg_limit(dsn, raw.schema, rows)),
                ],
            )
            check(pg_tables(dsn, imported.schema), rows, "PostgreSQL import vs the rows")
            check(pg_tables(dsn, raw.schema), rows, "PostgreSQL limit vs the rows")
        with pg_store(dsn, read_model) as single, pg_store(dsn, read_model) as bulk:
            alternate(
                number,
                [
                    lambda: times["appends"].append(timed(lambda: one_by_one(single, prefix))),
                    lambda: times["import_prefix"].append(
                        timed(lambda: bulk.import_events(prefix, batch_size=BATCH[0]))
                    ),
                ],
            )
            check(
                pg_tables(dsn, single.schema),
                pg_tables(dsn, bulk.schema),
                "PostgreSQL appends vs import",
            )
        print(f"  PostgreSQL round {number + 1}/{rounds} done", file=sys.stderr)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--events", help="an event file (pengaduan simulate) instead")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--appends", type=int, default=2_000)
    parser.add_argument("--no-rows", action="store_true", help="read-model rows without clocks")
    parser.add_argument("--postgres", default=os.environ.get("PENGADUAN_TEST_POSTGRES"))
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH,
        help="events per import transaction (by default import_events' own)",
    )
    args = parser.parse_args()
    BATCH[0] = args.batch_size
    events = history(args.complaints, args.events)
    prefix = events[: args.appends]
    complaints = len({e.complaint for e in events})
    read_model = None if args.no_rows else ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
    print(
        f"{len(events):,} events of {complaints:,} complaints; one by one: the first "
        f"{len(prefix):,}; rows: {'state only' if args.no_rows else 'clocks and ladder'}; "
        f"{args.rounds} rounds; {args.batch_size:,} events a batch",
        file=sys.stderr,
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-store-") as directory:
        results["SQLite"] = bench_sqlite(Path(directory), events, prefix, args.rounds, read_model)
    if args.postgres:
        results["PostgreSQL"] = bench_postgres(
            args.postgres, events, prefix, args.rounds, read_model
        )
    else:
        print("(no PostgreSQL: pass --postgres or set PENGADUAN_TEST_POSTGRES)", file=sys.stderr)

    header = (
        "store",
        "import events/s",
        "limit events/s",
        "import / limit",
        "one-by-one events/s",
        "one-by-one / limit",
        "import / one-by-one",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, times in results.items():
        imported = len(events) / statistics.median(times["import"])
        limit = len(events) / statistics.median(times["limit"])
        single = len(prefix) / statistics.median(times["appends"])
        bulk_prefix = len(prefix) / statistics.median(times["import_prefix"])
        print(
            f"{name} | {imported:,.0f} | {limit:,.0f} | {imported / limit:.2f} | {single:,.0f} | "
            f"{single / limit:.3f} | {bulk_prefix / single:.1f}x"
        )
    if CPU["import"]:
        imported_cpu, limit_cpu = (statistics.median(CPU[side]) for side in ("import", "limit"))
        print(
            f"SQLite CPU seconds (median): import {imported_cpu:.2f}, limit {limit_cpu:.2f}, "
            f"import / limit in events per CPU second {limit_cpu / imported_cpu:.2f}",
            file=sys.stderr,
        )
    for name, times in results.items():
        print(f"{name} import / limit, {spread(times['limit'], times['import'])}", file=sys.stderr)
    if CPU["import"]:
        print(
            f"SQLite import / limit in CPU, {spread(CPU['limit'], CPU['import'])}", file=sys.stderr
        )
    return 0


def spread(limit: list[float], imported: list[float]) -> str:
    """The ratio of each round's two sides (run back to back), lowest, median and highest.

    A round's sides ran within seconds of each other, so a slow spell of a shared machine
    slows both alike: the paired ratios show the spread that the ratio of the two medians
    hides, and their lowest is what the import reached in its worst round.
    """
    ratios = sorted(lim / imp for lim, imp in zip(limit, imported, strict=True))
    return (
        f"round by round: lowest {ratios[0]:.2f}, median {statistics.median(ratios):.2f}, "
        f"highest {ratios[-1]:.2f} ({len(ratios)} rounds)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
