"""Builders shared by the desk tests and by their worker processes."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pengaduan.clock import TimeSource
from pengaduan.desk import Desk
from pengaduan.model import Actor, Role
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.store import EventStore, InMemoryStore, PostgresStore, SQLiteStore

POSTGRES_ENV = "PENGADUAN_TEST_POSTGRES"
WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 6, 8, 9, tzinfo=WIB)  # a Monday, in working time
REPORTER = Actor("warga-17", Role.REPORTER)
ADMIN = Actor("adm-1", Role.ADMIN_AGENCY)
OPERATOR = Actor("op-pu", Role.UNIT_OPERATOR, "dinas-pu")

SUBMISSION: dict[str, Any] = {
    "title": "Jalan rusak",
    "body": "Lubang besar di depan balai desa",
    "channel": "web",
}


def store_spec(kind: str, tmp_path: Path) -> str:
    """A store spec; ``-scan`` kinds keep no read-model rows for the desk's definitions."""
    if kind.endswith("-scan"):
        return store_spec(kind.removesuffix("-scan"), tmp_path) + "#scan"
    if kind == "memory":
        return "memory:"
    if kind == "sqlite":
        return f"sqlite:{tmp_path / 'desk.db'}"
    dsn = os.environ.get(POSTGRES_ENV)
    if not dsn:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a connection string)")
    return f"pg:desk_{uuid.uuid4().hex[:12]}|{dsn}"


def open_store(spec: str) -> EventStore:
    """The store of a spec, with the preset read model (the desk's) unless it ends ``#scan``."""
    spec, scan, _ = spec.partition("#scan")
    model = None if scan else ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
    kind, _, rest = spec.partition(":")
    if kind == "memory":
        return InMemoryStore(read_model=model, workflow=lapor_workflow())
    if kind == "sqlite":
        return SQLiteStore(rest, read_model=model, workflow=lapor_workflow())
    schema, _, dsn = rest.partition("|")
    return PostgresStore(dsn, schema=schema, read_model=model, workflow=lapor_workflow())


def open_desk(spec: str, clock: TimeSource, **options: Any) -> Desk:
    return Desk(open_store(spec), clock=clock, **options)


def drop_schema(spec: str) -> None:
    import psycopg
    from psycopg import sql

    schema, _, dsn = spec[3:].partition("#scan")[0].partition("|")
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def dispatched(desk: Desk, complaint_id: str = "C-1", at: datetime = START) -> None:
    """Submit, verify and dispatch a complaint to ``dinas-pu``, all at `at`."""
    desk.submit(REPORTER, SUBMISSION, complaint_id=complaint_id, at=at)
    desk.act(complaint_id, "verify", ADMIN, {"classification": "pengaduan"}, at=at)
    desk.act(complaint_id, "dispatch", ADMIN, {"unit": "dinas-pu"}, at=at)


class Interrupting:
    """A store proxy whose next appends are preceded by another writer's append.

    ``before_append`` holds callables run (each once, in order) just before an append goes
    to the real store: another writer who read the same version and committed first.
    """

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self.before_append: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def append(self, complaint_id: str, events: Any, *, expected_version: int | None = None) -> Any:
        if self.before_append:
            self.before_append.pop(0)()
        return self._store.append(complaint_id, events, expected_version=expected_version)
