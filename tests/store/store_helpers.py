"""Builders shared by the store tests and by the worker processes of the fault tests."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pengaduan.model import Actor, Event, Role
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, InMemoryStore, PostgresStore, SQLiteStore

POSTGRES_ENV = "PENGADUAN_TEST_POSTGRES"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
REPORTER = Actor("warga-17", Role.REPORTER)
ADMIN = Actor("admin-1", Role.ADMIN_AGENCY)
OPERATOR = Actor("op-pu", Role.UNIT_OPERATOR, "dinas-pu")


def postgres_dsn() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def unique_schema() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


def open_spec(spec: str, **options: Any) -> EventStore:
    """Open a store from a spec: ``memory:``, ``sqlite:PATH`` or ``pg:SCHEMA|DSN``.

    `options` go to the store (e.g. ``read_model=``); the workflow is the preset unless
    they name one (``workflow=`` or ``workflows=``).
    """
    if "workflow" not in options and "workflows" not in options:
        options["workflow"] = lapor_workflow()
    kind, _, rest = spec.partition(":")
    if kind == "memory":
        return InMemoryStore(**options)
    if kind == "sqlite":
        return SQLiteStore(rest, **options)
    schema, _, dsn = rest.partition("|")
    return PostgresStore(dsn, schema=schema, **options)


def drop_schema(spec: str) -> None:
    import psycopg
    from psycopg import sql

    schema, _, dsn = spec[3:].partition("|")
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def event(
    complaint: str, number: int, action: str, actor: Actor, data: dict[str, Any], hours: float
) -> Event:
    return Event(
        f"{complaint}#{number}", complaint, action, START + timedelta(hours=hours), actor, data
    )


def submit(complaint: str, hours: float = 0, number: int = 1) -> Event:
    return event(
        complaint,
        number,
        "submit",
        REPORTER,
        {"title": "Jalan berlubang", "body": "Lubang besar di jalan desa", "channel": "web"},
        hours,
    )


def lifecycle(complaint: str, hours: float = 0) -> list[Event]:
    """Submit, verify, dispatch, follow up: four valid events."""
    return [
        submit(complaint, hours),
        event(complaint, 2, "verify", ADMIN, {"classification": "pengaduan"}, hours + 1),
        event(complaint, 3, "dispatch", ADMIN, {"unit": "dinas-pu"}, hours + 2),
        event(complaint, 4, "follow_up", OPERATOR, {"response": "Sudah ditambal"}, hours + 3),
    ]


def comment(complaint: str, number: int, hours: float) -> Event:
    return event(complaint, number, "comment", ADMIN, {"message": f"catatan {number}"}, hours)
