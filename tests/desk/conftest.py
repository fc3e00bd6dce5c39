"""Fixtures of the desk tests: a desk on every store, its time from a ManualClock."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from desk_helpers import START, open_desk, store_spec

from pengaduan.desk import Desk
from pengaduan.testing import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


# The desk's own read model in each store; and, without it, the path that reads everything.
@pytest.fixture(params=("memory", "sqlite", "postgres", "memory-scan", "sqlite-scan"))
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    value = store_spec(request.param, tmp_path)
    yield value
    if value.startswith("pg:"):
        from desk_helpers import drop_schema

        drop_schema(value)


@pytest.fixture
def desk(spec: str, clock: ManualClock) -> Iterator[Desk]:
    opened = open_desk(spec, clock)
    yield opened
    opened.store.close()
