"""The evaluation on Spark (local mode) gives exactly the single process's rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pengaduan import Complaint, columnar
from pengaduan.access import Viewer
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.simulation import muara_enim, simulate
from pengaduan.sla import Target, what_if
from pengaduan.spark import DIFFERENCES_COLUMNS, evaluate_events, write_clocks
from pengaduan.spark import what_if as spark_what_if

from .conftest import PANDAS_WARNING

pytestmark = pytest.mark.filterwarnings(PANDAS_WARNING)

WORKFLOW = lapor_workflow()
POLICY = lapor_policy()
SCENARIO = muara_enim()
AS_OF = SCENARIO.end


@pytest.fixture(scope="module")
def complaints() -> dict[str, Complaint]:
    return simulate(SCENARIO, seed=3).complaints(WORKFLOW)


@pytest.fixture(scope="module")
def dataset(complaints: dict[str, Complaint], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark")
    columnar.write_dataset(
        complaints.values(), root, AS_OF, workflow=WORKFLOW, policy=POLICY,
        viewer=Viewer.staff("admin_national"), zone="Asia/Jakarta", batch_size=40,
    )  # fmt: skip
    return root


def _key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["complaint_id"], row["clock"], row["cycle"]


def test_spark_gives_exactly_the_single_process_clock_rows(spark: Any, dataset: Path) -> None:
    clocks = evaluate_events(spark, str(dataset / "events"), AS_OF, policy=POLICY,
                             workflow=WORKFLOW)  # fmt: skip
    write_clocks(clocks, str(dataset / "spark-clocks"))
    local = sorted(columnar.open_dataset(dataset / "clocks").to_table().to_pylist(), key=_key)
    distributed = columnar.open_dataset(dataset / "spark-clocks").to_table()
    assert distributed.schema.names == columnar.CLOCKS_SCHEMA.names
    assert sorted(distributed.to_pylist(), key=_key) == local
    assert len(local) > 1000


def test_a_national_what_if_is_one_call_and_equals_sla_what_if(
    spark: Any, dataset: Path, complaints: dict[str, Complaint]
) -> None:
    after = POLICY.with_target("follow_up", Target.working_days(3))
    found = spark_what_if(spark, str(dataset / "events"), AS_OF, before=POLICY, after=after,
                          workflow=WORKFLOW).collect()  # fmt: skip
    expected = what_if(complaints, before=POLICY, after=after, as_of=AS_OF)
    assert expected  # a shorter target moves deadlines and makes breaches appear
    assert [name for name, _ in DIFFERENCES_COLUMNS] == list(found[0].asDict())

    def shown(value: Any) -> str | None:
        if isinstance(value, datetime):
            return value.astimezone(ZoneInfo("UTC")).isoformat()
        return None if value is None else str(getattr(value, "value", value))

    assert sorted(
        (r.complaint_id, r.clock, r.cycle, r.kind, r.before, r.after) for r in found
    ) == sorted(
        (d.complaint, d.clock, d.cycle, d.kind, shown(d.before), shown(d.after)) for d in expected
    )
    shifts = {
        (r.complaint_id, r.cycle): r.shift_seconds for r in found if r.kind == "deadline_moved"
    }
    for d in expected:
        if d.kind == "deadline_moved":
            assert d.shift is not None
            assert shifts[(d.complaint, d.cycle)] == d.shift.total_seconds()


def test_an_unsorted_dataframe_is_grouped_by_complaint(spark: Any, dataset: Path) -> None:
    events = spark.read.parquet(str(dataset / "events")).orderBy("at")  # complaints interleaved
    rows = evaluate_events(spark, events, AS_OF, policy=POLICY, workflow=WORKFLOW).collect()
    local = columnar.open_dataset(dataset / "clocks").to_table()
    assert len(rows) == local.num_rows
    deadlines = {(r.complaint_id, r.clock, r.cycle): r.deadline for r in rows}
    for row in local.to_pylist()[::17]:
        expected = row["deadline"]
        found = deadlines[_key(row)]
        if expected is None:
            assert found is None
        else:  # collect() gives naive datetimes in the machine's local time
            assert found.astimezone(ZoneInfo("UTC")) == expected


def test_export_with_the_spark_engine_writes_the_local_engines_clocks(
    spark: Any, complaints: dict[str, Complaint], tmp_path: Path
) -> None:
    from pengaduan._cli import main
    from pengaduan.interchange import write_events

    history = tmp_path / "history.jsonl"
    with history.open("w", encoding="utf-8") as target:
        write_events((e for c in list(complaints.values())[:60] for e in c.events), target)
    as_of = AS_OF.isoformat()
    for engine in ("local", "spark"):
        args = ["export", str(history), "--format", "parquet", "--out", str(tmp_path / engine),
                "--as-of", as_of, "--engine", engine, "-q"]  # fmt: skip
        assert main(args) == 0
    local = columnar.open_dataset(tmp_path / "local" / "clocks").to_table().to_pylist()
    distributed = columnar.open_dataset(tmp_path / "spark" / "clocks").to_table().to_pylist()
    assert sorted(distributed, key=_key) == sorted(local, key=_key)
