"""Fixtures of the dashboard tests: one seeded Muara Enim regency in SQLite, per module."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from dashboard_world import World, build_world

pytest.importorskip("starlette")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("regency") / "regency.sqlite")
    yield built
    built.desk.store.close()
