from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pengaduan import Actor, Complaint
from pengaduan.presets import lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")
REPORTER = Actor("warga-17", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
SYSTEM = Actor("sistem", "system")


def wib(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def operator(unit: str) -> Actor:
    return Actor(f"op-{unit}", "unit_operator", unit)


def history(
    cid: str, *steps: tuple[str, datetime, dict[str, Any]], channel: str = "web"
) -> Complaint:
    """A complaint built through the workflow: (action, at, data) steps after a submit."""
    wf = lapor_workflow()
    action, at, data = steps[0]
    assert action == "submit"
    c = wf.apply(
        wf.new(cid),
        "submit",
        REPORTER,
        at,
        {"title": "Jalan rusak", "body": "Lubang", "channel": channel, **data},
    )
    unit: str | None = None
    for action, at, data in steps[1:]:
        if action in ("follow_up", "decline"):
            actor = operator(unit or "?")
        elif action == "close":
            actor = SYSTEM
        elif action == "reply":
            actor = REPORTER
        else:
            actor = ADMIN
        if action == "escalate":
            actor = SYSTEM
        c = wf.apply(c, action, actor, at, data)
        unit = c.unit
    return c


def handled(
    cid: str,
    submitted: datetime,
    verified: datetime,
    dispatched: datetime,
    followed: datetime | None = None,
    closed: datetime | None = None,
    *,
    unit: str = "dinas-pu",
    channel: str = "web",
    classification: str = "pengaduan",
) -> Complaint:
    steps: list[tuple[str, datetime, dict[str, Any]]] = [
        ("submit", submitted, {}),
        ("verify", verified, {"classification": classification}),
        ("dispatch", dispatched, {"unit": unit}),
    ]
    if followed is not None:
        steps.append(("follow_up", followed, {"response": "Ditangani"}))
    if closed is not None:
        steps.append(("close", closed, {}))
    return history(cid, *steps, channel=channel)
