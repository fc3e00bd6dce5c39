"""Shared fixtures of the columnar tests: a simulated regency and its datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from pengaduan import Complaint
from pengaduan.access import Viewer
from pengaduan.columnar import ExportResult, write_dataset
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.simulation import Simulation, muara_enim, simulate

WORKFLOW = lapor_workflow()
POLICY = lapor_policy()
CALENDAR = POLICY.clocks[0].calendar
STAFF = Viewer.staff("admin_national")


@pytest.fixture(scope="session")
def regency() -> Simulation:
    return simulate(muara_enim(), seed=7)


@pytest.fixture(scope="session")
def complaints(regency: Simulation) -> dict[str, Complaint]:
    return regency.complaints(WORKFLOW)


@pytest.fixture(scope="session")
def staff_dataset(
    regency: Simulation, complaints: dict[str, Complaint], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ExportResult]:
    root = tmp_path_factory.mktemp("national")
    result = write_dataset(
        complaints.values(),
        root,
        regency.scenario.end,
        workflow=WORKFLOW,
        policy=POLICY,
        calendar=CALENDAR,
        viewer=STAFF,
        batch_size=50,
    )
    return root, result
