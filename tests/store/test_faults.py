"""Faults with real processes: racing writers, SIGKILL mid-append, full disk, read-only file."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from store_helpers import lifecycle, open_spec, submit

from pengaduan.exceptions import PengaduanError
from pengaduan.store import EventStore

WORKER = str(Path(__file__).with_name("store_worker.py"))


@contextmanager
def worker(*args: str) -> Iterator[subprocess.Popen[str]]:
    """Run a worker; on exit close its pipes, and kill it if it is still running."""
    process = subprocess.Popen(
        [sys.executable, WORKER, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    with process:
        try:
            yield process
        finally:
            if process.poll() is None:
                if process.stdin is not None:
                    process.stdin.close()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()


def lines(process: subprocess.Popen[str]) -> Iterator[str]:
    assert process.stdout is not None
    for line in process.stdout:
        yield line.strip()


def sqlite_is_sound(path: str) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def test_two_processes_appending_at_once_one_wins_one_conflicts(durable_spec: str) -> None:
    rounds = 6
    with open_spec(durable_spec) as store:
        store.append("RACE", [submit("RACE")])
    outcomes = []
    with (
        worker("race", durable_spec, "a", str(rounds)) as a,
        worker("race", durable_spec, "b", str(rounds)) as b,
    ):
        out_a, out_b = lines(a), lines(b)
        for _ in range(rounds):
            ready = {next(out_a), next(out_b)}
            assert len(ready) == 1, ready  # both read the same version
            for process in (a, b):
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            outcomes.append(sorted((next(out_a), next(out_b))))
    assert outcomes == [["conflict", "won"]] * rounds
    with open_spec(durable_spec) as store:
        complaint = store.load("RACE")
        assert complaint.version == 1 + rounds
        ids = [event.id for event in complaint.events[1:]]
        assert len(set(ids)) == rounds
        assert {int(i.split("-")[1]) for i in ids} == set(range(rounds))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_writer_killed_at_a_random_point_loses_no_acknowledged_event(
    durable_spec: str, seed: int
) -> None:
    acknowledged_target = random.Random(seed).randint(1, 40)
    acknowledged = []
    with worker("append", durable_spec, f"K{seed}") as process:
        for line in lines(process):
            acknowledged.append(line.removeprefix("ack "))
            if len(acknowledged) == acknowledged_target:
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    if durable_spec.startswith("sqlite:"):
        sqlite_is_sound(durable_spec.removeprefix("sqlite:"))
    with open_spec(durable_spec) as store:
        versions = {c.id: c.version for c in store.complaints()}
        for complaint in acknowledged:
            assert versions[complaint] == 3
        # No partial append: every batch of three is there whole or not at all.
        assert set(versions.values()) == {3}
        # The writer may have finished appends we had not yet read the acknowledgement of when
        # it was killed, but it appends in order: what is stored is a prefix of its sequence.
        numbers = sorted(int(cid.rsplit("-", 1)[1]) for cid in versions)
        assert numbers == list(range(len(numbers)))
        assert len(numbers) >= len(acknowledged)
        # And the store takes appends again.
        store.append("AFTER", lifecycle("AFTER"), expected_version=0)
        assert store.load("AFTER").version == 4


def run_fill(spec: str, limit: int) -> tuple[list[str], str]:
    with worker("fill", spec, str(limit)) as process:
        output = list(lines(process))
        process.wait(timeout=120)
    assert process.returncode == 0
    assert output, "the worker printed nothing"
    *acks, last = output
    return [a.removeprefix("ack ") for a in acks], last


def check_after_fill(path: Path, acknowledged: list[str]) -> None:
    sqlite_is_sound(str(path))
    with open_spec(f"sqlite:{path}") as store:
        versions = {c.id: c.version for c in store.complaints()}
    assert set(versions) == set(acknowledged)
    assert set(versions.values()) <= {3}


def test_a_file_size_limit_gives_a_clear_error_and_no_corruption(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    acknowledged, last = run_fill(f"sqlite:{path}", 200_000)
    assert last.startswith("error cannot append to complaint"), last
    assert "disk is full" in last or "I/O error" in last
    assert acknowledged
    check_after_fill(path, acknowledged)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_gives_a_clear_error_and_no_corruption(small_disk: Path) -> None:
    path = small_disk / "events.db"
    acknowledged, last = run_fill(f"sqlite:{path}", 0)
    assert last.startswith("error cannot append to complaint"), last
    assert "disk is full" in last
    assert acknowledged
    check_after_fill(path, acknowledged)


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "events.db"
    with open_spec(f"sqlite:{path}") as store:
        store.append("C-1", [submit("C-1")])
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot make a file immutable here (chattr +i)")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_read_only_file_gives_a_clear_error_and_keeps_its_history(immutable: Path) -> None:
    before = immutable.read_bytes()
    with worker("read-only", f"sqlite:{immutable}") as process:
        output = list(lines(process))
    assert output[-1].startswith("error cannot"), output
    assert "read-only" in output[-1]
    assert immutable.read_bytes() == before
    subprocess.run(["chattr", "-i", str(immutable)], check=True)
    with open_spec(f"sqlite:{immutable}") as store:
        assert store.load("C-1").version == 1


BATCH = 6  # events per append of the lockstep worker (store_worker.batch)


def whole_batches_only(store: EventStore, acknowledged: list[str], prefix: str) -> list[int]:
    """Assert the store holds whole batches, a prefix of the worker's; return their numbers."""
    versions = {c.id: c.version for c in store.complaints()}
    assert set(versions.values()) <= {BATCH}, versions  # never part of a batch
    # The log and each complaint's own history too (not only the list of complaints).
    logged = Counter(event.complaint for _position, event in store.events())
    assert logged == versions, (logged, versions)
    following = f"{prefix}-{len(versions)}"
    assert store.load(following).version == 0, following
    numbers = sorted(int(cid.removeprefix(f"{prefix}-")) for cid in versions)
    assert numbers == list(range(len(numbers)))
    assert set(acknowledged) <= set(versions)
    return numbers


def go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def kill_point(kill_at: str, stops: list[str]) -> int:
    """Which stop (1-based) of a batch to kill at, from the stops of the first batch."""
    if kill_at == "last":  # everything written, the commit not yet done
        return len(stops)
    if kill_at == "after-first-insert":  # SQLite: before the 2nd INSERT; PostgreSQL: after it
        first = stops.index("INSERT") if "INSERT" in stops else len(stops) - 4
        return first + 2
    return random.Random(kill_at).randint(2, len(stops))


@pytest.mark.parametrize("kill_at", ["last", "after-first-insert", "seeded-1", "seeded-2"])
def test_a_writer_killed_inside_a_multi_event_transaction_leaves_whole_batches(
    durable_spec: str, kill_at: str
) -> None:
    """The kill lands inside the transaction, by construction: the worker stops at each of
    its statements until told to go on, and the test looks at the store at every stop."""
    prefix = f"T{kill_at}"
    target = 2  # the batch killed (0-based): two whole batches before it
    acknowledged: list[str] = []
    first_batch: list[str] = []
    stops: list[str] = []
    with (
        open_spec(durable_spec) as reader,
        worker("lockstep", durable_spec, prefix, "4") as process,
    ):
        for line in lines(process):
            if line.startswith("ack "):
                acknowledged.append(line.removeprefix("ack "))
                first_batch = first_batch or stops
                stops = []
                continue
            stops.append(line.removeprefix("pause "))
            # At every moment inside a transaction, another reader sees whole batches.
            whole_batches_only(reader, acknowledged, prefix)
            if len(acknowledged) == target and len(stops) == kill_point(kill_at, first_batch):
                os.kill(process.pid, signal.SIGKILL)
                break
            go(process)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the kill never landed"
    assert acknowledged == [f"{prefix}-0", f"{prefix}-1"]
    if durable_spec.startswith("sqlite:"):
        sqlite_is_sound(durable_spec.removeprefix("sqlite:"))
    with open_spec(durable_spec) as store:
        assert whole_batches_only(store, acknowledged, prefix) == [0, 1]
        store.append("AFTER", lifecycle("AFTER"), expected_version=0)
        assert store.load("AFTER").version == 4


def edit_body(spec: str, event_id: str, body: str) -> None:
    """Change a stored body behind the store's back, as a hand edit (or a bad restore) would."""
    if spec.startswith("sqlite:"):
        db = sqlite3.connect(spec.removeprefix("sqlite:"))
        with db:
            db.execute("UPDATE events SET body = ? WHERE id = ?", (body, event_id))
        db.close()
        return
    import psycopg
    from psycopg import sql

    schema, _, dsn = spec.removeprefix("pg:").partition("|")
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(
            sql.SQL("UPDATE {} SET body = %s WHERE id = %s").format(
                sql.Identifier(schema, "events")
            ),
            (body, event_id),
        )


def test_a_stored_body_edited_by_hand_is_a_library_error_when_read(durable_spec: str) -> None:
    with open_spec(durable_spec) as store:
        store.append("C-1", lifecycle("C-1")[:2], expected_version=0)
    record = {"id": "C-1#2", "complaint": "C-1", "action": "verify", "data": {}}
    edit_body(durable_spec, "C-1#2", json.dumps(record))  # no "at", no "actor"
    with open_spec(durable_spec) as store:
        with pytest.raises(PengaduanError):
            store.load("C-1")
        with pytest.raises(PengaduanError):
            list(store.events())


def test_postgres_appends_wait_for_each_other_so_a_log_reader_never_skips_one(
    durable_spec: str,
) -> None:
    """While one append is inside its transaction (its positions taken, not committed), an
    append to another complaint must wait: committed first with a higher position, it would
    let a reader of `events(since=...)` move past the lower one for good."""
    if not durable_spec.startswith("pg:"):
        pytest.skip("the advisory lock is PostgreSQL's (SQLite has one writer at a time)")
    import threading
    import time

    import psycopg

    _schema, _, dsn = durable_spec.removeprefix("pg:").partition("|")
    other = open_spec(durable_spec)
    backend = other._db.info.backend_pid  # type: ignore[attr-defined]
    done = threading.Event()
    with worker("lockstep", durable_spec, "G", "1") as process, psycopg.connect(dsn) as watch:
        out = lines(process)
        for stops, line in enumerate(out, start=1):
            if line == "pause after" and stops >= 8:  # inside, after its insert
                break
            go(process)
        thread = threading.Thread(
            target=lambda: (other.append("OTHER", [submit("OTHER")]), done.set())
        )
        thread.start()
        waiting = False
        deadline = time.monotonic() + 60
        while not done.is_set() and not waiting and time.monotonic() < deadline:
            row = watch.execute(
                "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s",
                (backend,),
            ).fetchone()
            watch.commit()
            waiting = row is not None and tuple(row) == ("Lock", "advisory")
        assert waiting, "the other append did not wait for the one in progress"
        assert not done.is_set()
        go(process)
        for line in out:
            if line.startswith("ack"):
                break
            go(process)
        thread.join(timeout=60)
    assert done.is_set()
    with open_spec(durable_spec) as store:
        log = [(position, event.complaint) for position, event in store.events()]
    assert [complaint for _position, complaint in log] == ["G-0"] * 6 + ["OTHER"]
    other.close()
