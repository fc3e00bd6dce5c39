"""Fixtures of the web tests: a desk holding a few complaints of every kind of privacy.

The dashboard's own tests keep their fixtures in ``tests/web/dashboard/conftest.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pengaduan import Actor, Desk
from pengaduan.testing import ManualClock

pytest.importorskip("starlette")

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 3, 2, 9, tzinfo=WIB)  # Monday
NOW = datetime(2026, 3, 20, 10, tzinfo=WIB)
API_KEY = "kunci-uji-311"

ADMIN = Actor("adm-1", "admin_agency")
OPERATOR = Actor("op-pu", "unit_operator", "dinas-pu")

# Personal data that must never reach a public answer.
SECRETS = ("Siti Rahayu", "0812555", "Budi Santoso", "0813999", "budi@example.org", "Jl. Mawar 7")


def _submit(desk: Desk, complaint_id: str, at: datetime, **extra: object) -> None:
    data = {"title": f"Laporan {complaint_id}", "body": f"Uraian {complaint_id}", "channel": "web"}
    data.update(extra)
    desk.submit(Actor(f"warga-{complaint_id}", "reporter"), data, complaint_id=complaint_id, at=at)


def fill(desk: Desk) -> None:
    """Five complaints: public, anonymous, confidential, unverified and closed."""
    at = START
    _submit(
        desk,
        "C-PUB",
        at,
        reporter={"name": "Siti Rahayu", "phone": "0812555"},
        location={"village": "Karang Raja", "latitude": -3.7, "longitude": 103.8},
    )
    _submit(
        desk,
        "C-ANON",
        at + timedelta(hours=1),
        privacy={"anonymous": True},
        reporter={"name": "Budi Santoso", "phone": "0813999", "email": "budi@example.org"},
        location={"address": "Jl. Mawar 7", "village": "Tanjung Enim"},
    )
    _submit(desk, "C-RAHASIA", at + timedelta(hours=2), privacy={"confidential": True})
    _submit(desk, "C-NEW", at + timedelta(hours=3))
    _submit(desk, "C-DONE", at + timedelta(hours=4), reporter={"name": "Siti Rahayu"})
    later = at + timedelta(days=1)
    verified = {
        "C-PUB": {"classification": "pengaduan"},
        "C-ANON": {"classification": "pengaduan", "category": "jalan"},
        "C-RAHASIA": {"classification": "whistleblowing"},
        "C-DONE": {"classification": "aspirasi"},
    }
    for complaint_id, data in verified.items():
        desk.act(complaint_id, "verify", ADMIN, data, at=later)
    desk.act("C-DONE", "dispatch", ADMIN, {"unit": "dinas-pu"}, at=later + timedelta(hours=1))
    desk.act("C-ANON", "dispatch", ADMIN, {"unit": "dinas-pu"}, at=later + timedelta(hours=1))
    desk.act(
        "C-DONE",
        "follow_up",
        OPERATOR,
        {"response": "Sudah diperbaiki"},
        at=later + timedelta(days=1),
    )
    desk.act("C-DONE", "close", ADMIN, at=later + timedelta(days=2))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def desk(clock: ManualClock) -> Iterator[Desk]:
    """A desk on a SQLite store with its read model, holding the five complaints of `fill`."""
    desk = Desk.open(":memory:", clock=clock, backoff=0)
    fill(desk)
    yield desk
    desk.store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread, until `stop`."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
