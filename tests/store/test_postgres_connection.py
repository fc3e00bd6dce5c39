"""PostgresStore after a lost connection: a killed backend, a real server restarted.

The restart uses a private throwaway cluster (initdb into a temporary directory, run as the
``postgres`` OS user on a free port), never the shared server of ``PENGADUAN_TEST_POSTGRES``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from store_helpers import comment, lifecycle, postgres_dsn, submit, unique_schema

from pengaduan.exceptions import ConnectionLostError, StoreError
from pengaduan.presets import lapor_workflow

psycopg = pytest.importorskip("psycopg")

from pengaduan._store_postgres import _PostgresTxn  # noqa: E402
from pengaduan.store import PostgresStore  # noqa: E402


class Cluster:
    """A private PostgreSQL cluster that a test may stop and start at will."""

    def __init__(self, bin_dir: Path, data: Path, port: int, user: pwd.struct_passwd) -> None:
        self.bin_dir, self.data, self.port, self.user = bin_dir, data, port, user
        self.dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def run(self, *args: str) -> None:
        def become() -> None:
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)

        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            preexec_fn=become,
            cwd=str(self.data.parent),
        )

    def start(self) -> None:
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.data.parent / "log"),
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data.parent}",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-w", "-m", mode, "stop")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)")
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no 'postgres' OS user to run a private cluster as")
    if os.geteuid() != 0:
        pytest.skip("a private cluster needs root, to run initdb as the 'postgres' user")
    # Not under pytest's temporary directory: the 'postgres' user cannot enter root's.
    base = Path(tempfile.mkdtemp(prefix="pengaduan-pg-"))
    os.chown(base, user.pw_uid, user.pw_gid)
    base.chmod(0o700)
    made = Cluster(Path(found[-1]).parent, base / "data", free_port(), user)
    made.run("initdb", "-D", str(made.data), "-U", "postgres", "-A", "trust", "--no-sync")
    made.start()
    try:
        yield made
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            made.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def test_a_store_works_again_after_its_server_restarts_between_calls(cluster: Cluster) -> None:
    store = PostgresStore(cluster.dsn, schema="restart", workflow=lapor_workflow())
    store.append("C-1", lifecycle("C-1")[:2], expected_version=0)
    cluster.stop()
    cluster.start()
    # Reads and writes: nothing lost, nothing doubled, and not "it is closed".
    assert store.load("C-1").version == 2
    store.append("C-1", [comment("C-1", 3, 5)], expected_version=2)
    cluster.stop("immediate")  # a crash this time: no goodbye sent to the client
    cluster.start()
    assert [e.id for e in store.load("C-1").events] == ["C-1#1", "C-1#2", "C-1#3"]
    store.append("C-2", [submit("C-2")], expected_version=0)
    # (A crash may make the positions jump, as sequences do; they still only grow.)
    assert [event.id for _position, event in store.events()] == ["C-1#1", "C-1#2", "C-1#3", "C-2#1"]
    store.close()


def test_a_write_while_the_server_is_down_says_so_and_the_next_call_reconnects(
    cluster: Cluster,
) -> None:
    store = PostgresStore(cluster.dsn, schema="down", workflow=lapor_workflow())
    store.append("C-1", [submit("C-1")], expected_version=0)
    cluster.stop()
    with pytest.raises(StoreError) as refused:
        store.append("C-1", [comment("C-1", 2, 5)], expected_version=1)
    assert "closed" not in str(refused.value)
    with pytest.raises(StoreError):
        store.load("C-1")
    cluster.start()
    store.append("C-1", [comment("C-1", 2, 5)], expected_version=1)
    assert store.load("C-1").version == 2
    store.close()
    with pytest.raises(StoreError, match="it is closed"):
        store.load("C-1")


@pytest.fixture
def shared() -> Iterator[tuple[PostgresStore, str]]:
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip("PostgreSQL tests need PENGADUAN_TEST_POSTGRES (a connection string)")
    schema = unique_schema()
    store = PostgresStore(dsn, schema=schema, workflow=lapor_workflow())
    yield store, dsn
    store.close()
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def terminate(dsn: str, store: PostgresStore) -> None:
    db = store._db
    assert db is not None
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s, 10000)", (db.info.backend_pid,))


def test_a_terminated_backend_is_replaced_on_the_next_read_and_write(
    shared: tuple[PostgresStore, str],
) -> None:
    store, dsn = shared
    store.append("C-1", [submit("C-1")], expected_version=0)
    terminate(dsn, store)
    assert store.load("C-1").version == 1
    terminate(dsn, store)
    store.append("C-1", [comment("C-1", 2, 5)], expected_version=1)
    assert store.load("C-1").version == 2
    assert [c.id for c in store.complaints()] == ["C-1"]


def test_a_backend_terminated_inside_an_append_raises_connection_lost_and_writes_nothing(
    shared: tuple[PostgresStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, dsn = shared
    store.append("C-1", [submit("C-1")], expected_version=0)
    insert = _PostgresTxn.insert

    def killed_first(txn: _PostgresTxn, *args: Any) -> int:
        monkeypatch.setattr(_PostgresTxn, "insert", insert)
        terminate(dsn, store)
        return insert(txn, *args)

    monkeypatch.setattr(_PostgresTxn, "insert", killed_first)
    events = [comment("C-1", 2, 5), comment("C-1", 3, 6)]
    with pytest.raises(ConnectionLostError) as lost:
        store.append("C-1", events, expected_version=1)
    assert lost.value.written is False
    assert "nothing was written" in str(lost.value)
    assert "reconnects on the next call" in str(lost.value)
    assert "closed" not in str(lost.value)
    # The next call reconnects; the retry of the same append is safe and writes it once.
    assert store.load("C-1").version == 1
    store.append("C-1", events, expected_version=1)
    retried = store.append("C-1", events, expected_version=1)
    assert retried.new == ()
    assert len(retried.duplicates) == 2
    assert store.load("C-1").version == 3


def test_a_backend_terminated_inside_remember_update_raises_and_is_not_retried(
    shared: tuple[PostgresStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retried remember_update after a commit that did happen would answer "already kept":
    the update would then be dropped as a duplicate. So the store never retries it itself."""
    store, dsn = shared
    put = _PostgresTxn.put_update

    def killed_first(txn: _PostgresTxn, *args: Any) -> None:
        monkeypatch.setattr(_PostgresTxn, "put_update", put)
        terminate(dsn, store)
        put(txn, *args)

    monkeypatch.setattr(_PostgresTxn, "put_update", killed_first)
    with pytest.raises(ConnectionLostError) as lost:
        store.remember_update("lapor", "U-1", {"status": "x"})
    assert lost.value.written is False
    assert store.recall_update("lapor", "U-1") is None
    assert store.remember_update("lapor", "U-1", {"status": "x"}) is None


def test_a_read_on_a_connection_lost_unnoticed_is_run_again_on_a_new_one(
    shared: tuple[PostgresStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a network cut: the idle check sees nothing, the read itself fails."""
    store, dsn = shared
    store.append("C-1", [submit("C-1")], expected_version=0)
    monkeypatch.setattr("pengaduan._store_postgres._dropped", lambda db: False)
    terminate(dsn, store)
    assert store.load("C-1").version == 1
    terminate(dsn, store)
    assert [c.id for c in store.complaints()] == ["C-1"]
    terminate(dsn, store)
    with pytest.raises(ConnectionLostError) as lost:
        store.append("C-1", [comment("C-1", 2, 5)], expected_version=1)
    assert lost.value.written is False
    store.append("C-1", [comment("C-1", 2, 5)], expected_version=1)
    assert store.load("C-1").version == 2
