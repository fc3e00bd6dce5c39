"""The example app of docs/app.md: a Starlette service on the desk, through its TestClient."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import ADMIN, OPERATOR, REPORTER, START, SUBMISSION, dispatched, open_desk

from pengaduan.desk import AsyncDesk, Desk
from pengaduan.presets import lapor_workflow
from pengaduan.store import SQLiteStore
from pengaduan.testing import ManualClock

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient

PAGE = Path(__file__).parents[2] / "docs" / "app.md"


def _app_source() -> str:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    (source,) = [b for b in blocks if "Starlette(" in b]
    return source


def _headers(actor: Any, key: str | None = None) -> dict[str, str]:
    headers = {"x-account": actor.id, "x-role": actor.role}
    if actor.unit is not None:
        headers["x-unit"] = actor.unit
    if key is not None:
        headers["idempotency-key"] = key
    return headers


@pytest.fixture
def client(tmp_path: Path) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(_app_source(), str(PAGE), "exec"), namespace)
    desk = Desk(
        SQLiteStore(tmp_path / "app.db", workflow=lapor_workflow()), clock=ManualClock(START)
    )
    with TestClient(namespace["create_app"](desk)) as test_client:
        test_client.desk = desk
        yield test_client
    desk.store.close()


def test_the_example_app_is_under_sixty_lines() -> None:
    assert len(_app_source().splitlines()) < 60


def test_submit_then_a_retried_submit_is_answered_once(client: Any) -> None:
    first = client.post("/complaints", json=SUBMISSION, headers=_headers(REPORTER, "k-1"))
    assert first.status_code == 201
    body = first.json()
    assert body["state"] == "submitted"
    assert body["version"] == 1
    assert body["clocks"]["clocks"][0]["clock"] == "verification"
    again = client.post("/complaints", json=SUBMISSION, headers=_headers(REPORTER, "k-1"))
    assert again.status_code == 200
    assert again.json() == body
    assert sum(1 for _ in client.desk.store.complaints()) == 1


def test_act_refusals_become_answers_that_explain(client: Any) -> None:
    cid = client.post("/complaints", json=SUBMISSION, headers=_headers(REPORTER)).json()["id"]
    wrong_state = client.post(
        f"/complaints/{cid}/follow_up", json={"response": "x"}, headers=_headers(OPERATOR)
    )
    assert wrong_state.status_code == 409
    assert wrong_state.json()["error"] == "ActionNotAllowedError"
    assert "submitted" in wrong_state.json()["message"]
    wrong_role = client.post(
        f"/complaints/{cid}/verify",
        json={"classification": "pengaduan"},
        headers=_headers(REPORTER),
    )
    assert wrong_role.status_code == 403
    unknown = client.post(
        "/complaints/C-404/comment", json={"message": "x"}, headers=_headers(ADMIN)
    )
    assert unknown.status_code == 404
    ok = client.post(
        f"/complaints/{cid}/verify", json={"classification": "pengaduan"}, headers=_headers(ADMIN)
    )
    assert ok.status_code == 201
    assert ok.json()["state"] == "verified"


def test_overdue_and_tick(client: Any) -> None:
    desk: Desk = client.desk
    dispatched(desk, "C-1")
    desk.submit(REPORTER, SUBMISSION, complaint_id="C-2")  # not published yet
    desk.clock.set(START + timedelta(days=9))  # type: ignore[attr-defined]
    staff = client.get("/overdue", headers=_headers(ADMIN)).json()
    assert sorted(row["complaint"] for row in staff) == ["C-1", "C-2"]
    unit = client.get("/overdue?unit=dinas-pu", headers=_headers(OPERATOR)).json()
    assert [row["complaint"] for row in unit] == ["C-1"]
    first = client.post("/tick", headers=_headers(ADMIN)).json()
    assert len(first["recorded"]) == 3
    assert first["next_wakeup"] is not None
    assert client.post("/tick", headers=_headers(ADMIN)).json()["recorded"] == []


def test_the_async_face_settles_concurrent_requests_with_retries(spec: str) -> None:
    # Each lost race means another request won: with 8 requests, 7 retries always suffice.
    desk = open_desk(spec, ManualClock(START), retries=7)
    dispatched(desk)

    async def main() -> list[Any]:
        aio = desk.aio
        assert isinstance(aio, AsyncDesk)
        return list(
            await asyncio.gather(
                *(aio.act("C-1", "comment", ADMIN, {"message": f"catatan {n}"}) for n in range(8))
            )
        )

    outcomes = asyncio.run(main())
    assert sorted(o.version for o in outcomes) == list(range(4, 12))
    assert desk.store.load("C-1").version == 11
    desk.store.close()


def test_the_async_scheduler_ticks_until_stopped(tmp_path: Path) -> None:
    clock = ManualClock(START + timedelta(days=9))
    desk = Desk(SQLiteStore(tmp_path / "sched.db", workflow=lapor_workflow()), clock=clock)
    dispatched(desk, at=START)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(desk.aio.run_scheduler(idle=0.01, least=0.0, stop=stop))
        while not any(e.action == "escalate" for e in desk.store.load("C-1").events):
            if task.done():  # the scheduler failed: show why instead of waiting for ever
                task.result()
            await asyncio.sleep(0.01)
        stop.set()
        await task

    asyncio.run(main())
    assert [e.action for e in desk.store.load("C-1").events].count("escalate") >= 1
    assert desk.tick().events == ()  # the scheduler recorded all that was due
    desk.store.close()
