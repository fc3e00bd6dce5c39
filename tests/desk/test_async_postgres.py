"""The asyncio face on PostgreSQL: psycopg's asyncio connection, no worker thread."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from desk_helpers import ADMIN, OPERATOR, REPORTER, START, SUBMISSION

from pengaduan.access import Viewer
from pengaduan.desk import AsyncDesk
from pengaduan.exceptions import ActionNotAllowedError
from pengaduan.presets import lapor_workflow
from pengaduan.store import PostgresStore
from pengaduan.testing import ManualClock

POSTGRES_ENV = "PENGADUAN_TEST_POSTGRES"
pytest.importorskip("psycopg")
pytest.importorskip("greenlet")


@pytest.fixture
def dsn() -> str:
    found = os.environ.get(POSTGRES_ENV)
    if not found:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a connection string)")
    return found


@pytest.fixture
def schema(dsn: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    name = f"aio_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any hand-off to a worker thread fail: the PostgreSQL face must not need one."""

    async def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("asyncio.to_thread was called")

    monkeypatch.setattr(asyncio, "to_thread", refused)


def test_the_postgres_face_awaits_psycopg_on_the_loop_and_uses_no_thread(
    dsn: str, schema: str, no_threads: None
) -> None:
    import psycopg

    async def main() -> None:
        clock = ManualClock(START)
        async with await AsyncDesk.open(dsn, schema=schema, clock=clock) as aio:
            assert aio.on_event_loop
            assert isinstance(aio.desk.store._db._connection, psycopg.AsyncConnection)  # type: ignore[attr-defined]
            outcomes = await asyncio.gather(
                *(
                    aio.submit(REPORTER, SUBMISSION, complaint_id=f"C-{n}", request_id=f"r-{n}")
                    for n in range(6)
                )
            )
            assert sorted(o.complaint.id for o in outcomes) == [f"C-{n}" for n in range(6)]
            again = await aio.submit(REPORTER, SUBMISSION, complaint_id="C-0", request_id="r-0")
            assert not again.appended
            await aio.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
            await aio.act("C-1", "dispatch", ADMIN, {"unit": "dinas-pu"})
            with pytest.raises(ActionNotAllowedError):
                await aio.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
            seen = await aio.get("C-1", Viewer.of(OPERATOR))
            assert (seen.state, seen.unit) == ("dispatched", "dinas-pu")
            clock.set(START + timedelta(days=9))
            late = await aio.overdue(Viewer.staff("admin_national"))
            assert sorted(s.id for s in late) == [f"C-{n}" for n in range(6)]
            # Unverified or not followed up: all late by now; the unit's own is one.
            unit = await aio.overdue(Viewer.of(OPERATOR), unit="dinas-pu")
            assert [s.id for s in unit] == ["C-1"]
            report = await aio.tick()
            assert report.events
            assert (await aio.tick()).events == ()  # the same instant twice adds nothing
            assert await aio.next_wakeup() is not None

    asyncio.run(main())
    with _reader(dsn, schema) as store:
        assert store.load("C-1").state == "dispatched"
        assert sum(1 for _ in store.events()) > 6


def _reader(dsn: str, schema: str) -> PostgresStore:
    return PostgresStore(dsn, lapor_workflow(), schema=schema, readonly=True)


def test_other_coroutines_run_while_the_store_waits_for_the_server(
    dsn: str, schema: str, no_threads: None
) -> None:
    order: list[str] = []

    async def main() -> None:
        async with await AsyncDesk.open(dsn, schema=schema, clock=ManualClock(START)) as aio:

            async def write() -> None:
                order.append("write started")
                await aio.submit(REPORTER, SUBMISSION, complaint_id="C-1")
                order.append("write done")

            async def other() -> None:
                order.append("other ran")

            await asyncio.gather(write(), other())

    asyncio.run(main())
    # Had the write blocked the loop (a synchronous driver, no thread), "other" would run last.
    assert order == ["write started", "other ran", "write done"]


def test_the_bridged_store_refuses_use_outside_the_async_face(dsn: str, schema: str) -> None:
    from pengaduan._store_postgres_async import BridgedPostgresStore

    with pytest.raises(RuntimeError, match="only through AsyncDesk"):
        BridgedPostgresStore(dsn, lapor_workflow(), schema=schema)


def test_a_sqlite_path_opens_in_a_worker_thread(tmp_path: Any) -> None:
    async def main() -> None:
        async with await AsyncDesk.open(tmp_path / "a.db", clock=ManualClock(START)) as aio:
            assert not aio.on_event_loop
            done = await aio.submit(REPORTER, SUBMISSION, complaint_id="C-1")
            assert done.version == 1

    asyncio.run(main())
