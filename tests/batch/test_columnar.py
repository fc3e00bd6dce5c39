"""The batch path reads the columnar events table and writes the columnar clocks table."""

from __future__ import annotations

import pytest

from pengaduan.access import Viewer
from pengaduan.batch import evaluate_batch
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.simulation import muara_enim, simulate

columnar = pytest.importorskip("pengaduan.columnar")
pytest.importorskip("pyarrow")

ORDER = [("complaint_id", "ascending"), ("clock", "ascending"), ("cycle", "ascending")]


def test_batch_over_the_events_table_gives_the_clocks_table_row_for_row() -> None:
    history = simulate(muara_enim(complaints=80), seed=5)
    complaints = list(history.complaints().values())
    as_of = history.scenario.end
    staff = Viewer.staff("admin_national")
    events = columnar.events_table(
        complaints, viewer=staff, workflow=lapor_workflow(), zone="Asia/Jakarta"
    )
    batch = evaluate_batch(events, as_of, policy=lapor_policy()).to_arrow()
    single = columnar.clocks_table(
        complaints,
        as_of,
        policy=lapor_policy(),
        viewer=staff,
        workflow=lapor_workflow(),
        zone="Asia/Jakarta",
    )
    assert batch.schema.names == single.schema.names == columnar.CLOCKS_SCHEMA.names
    assert len(batch) == len(single) > 0
    assert batch.sort_by(ORDER).to_pylist() == single.sort_by(ORDER).to_pylist()
