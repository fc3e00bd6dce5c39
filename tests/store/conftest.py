"""Fixtures of the store tests: the same contract runs against every store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from store_helpers import POSTGRES_ENV, open_spec, postgres_dsn, unique_schema

from pengaduan.store import EventStore

KINDS = ("memory", "sqlite", "postgres")


def spec_for(kind: str, tmp_path: Path) -> str:
    if kind == "memory":
        return "memory:"
    if kind == "sqlite":
        return f"sqlite:{tmp_path / 'events.db'}"
    dsn = postgres_dsn()
    if dsn is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (a connection string)")
    return f"pg:{unique_schema()}|{dsn}"


@pytest.fixture(params=KINDS)
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    value = spec_for(request.param, tmp_path)
    yield value
    if value.startswith("pg:"):
        from store_helpers import drop_schema

        drop_schema(value)


@pytest.fixture
def store(spec: str) -> Iterator[EventStore]:
    opened = open_spec(spec)
    yield opened
    opened.close()


@pytest.fixture(params=("sqlite", "postgres"))
def durable_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    value = spec_for(request.param, tmp_path)
    yield value
    if value.startswith("pg:"):
        from store_helpers import drop_schema

        drop_schema(value)
