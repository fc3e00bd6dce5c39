"""A worker process for the fault tests: races, appends until killed, fills a disk.

Run as ``python store_worker.py MODE SPEC [ARGS]``; it prints one line per acknowledged append
(flushed), so the parent knows exactly what the store promised.
"""

from __future__ import annotations

import resource
import signal
import sys
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from store_helpers import comment, lifecycle, open_spec

from pengaduan.exceptions import ConflictError, StoreError
from pengaduan.model import Event


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def race(spec: str, name: str, rounds: int) -> None:
    store = open_spec(spec)
    for number in range(rounds):
        complaint = store.load("RACE")
        say(f"ready {complaint.version}")
        if sys.stdin.readline().strip() != "go":
            return
        event = attrs.evolve(comment("RACE", 0, 1 + number), id=f"{name}-{number}")
        try:
            store.append("RACE", [event], expected_version=complaint.version)
        except ConflictError:
            say("conflict")
        else:
            say("won")


def append_until_killed(spec: str, prefix: str) -> None:
    store = open_spec(spec)
    for number in range(100_000):
        complaint = f"{prefix}-{number}"
        store.append(complaint, lifecycle(complaint)[:3], expected_version=0)
        say(f"ack {complaint}")


BATCH = 6


def batch(complaint: str) -> list[Event]:
    """Six valid events: one append that is one transaction of several inserts."""
    return [*lifecycle(complaint), comment(complaint, 5, 4), comment(complaint, 6, 5)]


def append_in_lockstep(spec: str, prefix: str, count: int) -> None:
    """Append batches, stopping at every statement of the write transaction until told "go".

    The parent may look at the store (or kill this process) at each stop: it sees every moment
    inside a transaction. The stops are a test hook of this worker, not of the library: SQLite's
    trace callback (before each statement, COMMIT included), and for PostgreSQL a wrapper of
    ``psycopg.Connection.execute`` (before and after each statement; psycopg commits on its own,
    so "after the last statement" is the moment before the commit).
    """
    store = open_spec(spec)
    inside = False

    def stop(where: str) -> None:
        if inside:
            say(f"pause {where}")
            if sys.stdin.readline().strip() != "go":
                sys.exit(0)

    if spec.startswith("sqlite:"):
        store._db.set_trace_callback(lambda statement: stop(statement.split()[0]))  # type: ignore[attr-defined]
    else:
        import psycopg

        execute = psycopg.Connection.execute

        def paused(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            stop("before")
            cursor = execute(self, query, *args, **kwargs)
            stop("after")
            return cursor

        psycopg.Connection.execute = paused  # type: ignore[method-assign]
    for number in range(count):
        complaint = f"{prefix}-{number}"
        inside = True
        store.append(complaint, batch(complaint), expected_version=0)
        inside = False
        say(f"ack {complaint}")


def fill(spec: str, limit: int) -> None:
    if limit:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    store = open_spec(spec)
    padding = "x" * 2000
    for number in range(100_000):
        complaint = f"F-{number}"
        events = lifecycle(complaint)[:3]
        events[0] = attrs.evolve(events[0], data={**events[0].data, "body": padding})
        try:
            store.append(complaint, events, expected_version=0)
        except StoreError as error:
            say(f"error {error}")
            return
        say(f"ack {complaint}")


def read_only(spec: str) -> None:
    try:
        store = open_spec(spec)
        say(f"loaded {store.load('C-1').version}")
        store.append("C-1", [comment("C-1", 2, 10)])
    except StoreError as error:
        say(f"error {error}")
    else:
        say("written")


if __name__ == "__main__":
    mode, spec, *rest = sys.argv[1:]
    if mode == "race":
        race(spec, rest[0], int(rest[1]))
    elif mode == "append":
        append_until_killed(spec, rest[0])
    elif mode == "lockstep":
        append_in_lockstep(spec, rest[0], int(rest[1]))
    elif mode == "fill":
        fill(spec, int(rest[0]))
    elif mode == "read-only":
        read_only(spec)
