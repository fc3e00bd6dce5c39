"""DuckDB over the datasets gives the regency report's figures, as `measure` computes them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pengaduan import Complaint
from pengaduan.columnar import ExportResult, compliance_sql, report_sql
from pengaduan.metrics import GroupMetrics, measure
from pengaduan.simulation import Simulation

from .conftest import CALENDAR, POLICY, WORKFLOW

COUNTS = ("received", "archived", "dispatched", "followed_up", "closed")
SHARES = (
    "settlement_rate",
    "follow_up_rate",
    "follow_up_mean_calendar_days",
    "follow_up_median_calendar_days",
    "follow_up_mean_working_days",
    "follow_up_median_working_days",
)


def _check(sql_row: dict[str, object], group: GroupMetrics) -> None:
    expected = group.row()
    for name in COUNTS:
        assert sql_row[name] == expected[name], name
    for name in SHARES:
        value = expected[name]
        if value is None:
            assert sql_row[name] is None, name
        else:
            # Means are sums in another order (math.fsum against DuckDB's): equal to 1e-12.
            assert sql_row[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def _rows(sql: str) -> list[dict[str, object]]:
    relation = duckdb.connect().sql(sql)
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


@pytest.mark.parametrize("by", [None, "year", "channel", "classification", "unit"])
def test_the_report_figures_equal_measure(
    by: str | None,
    staff_dataset: tuple[Path, ExportResult],
    regency: Simulation,
    complaints: dict[str, Complaint],
) -> None:
    root, _ = staff_dataset
    metrics = measure(
        complaints.values(), as_of=regency.scenario.end, policy=POLICY, workflow=WORKFLOW,
        by=by, calendar=CALENDAR,
    )  # fmt: skip
    rows = _rows(report_sql(str(root), zone=CALENDAR.tz.key, by=by))
    groups = (metrics.total,) if by is None else metrics.groups
    assert [row["key"] for row in rows] == [group.key for group in groups]
    for row, group in zip(rows, groups, strict=True):
        _check(row, group)


@pytest.mark.parametrize("by", [None, "year", "channel", "unit"])
def test_compliance_per_clock_equals_measure(
    by: str | None,
    staff_dataset: tuple[Path, ExportResult],
    regency: Simulation,
    complaints: dict[str, Complaint],
) -> None:
    root, _ = staff_dataset
    metrics = measure(
        complaints.values(), as_of=regency.scenario.end, policy=POLICY, workflow=WORKFLOW, by=by
    )
    groups = (metrics.total,) if by is None else metrics.groups
    found = {(r["key"], r["clock"]): r for r in _rows(compliance_sql(str(root), by=by))}
    for group in groups:
        for name, compliance in group.compliance.items():
            row = found.pop((group.key, name), None)
            if row is None:  # no cycle of that clock in the group
                assert compliance.stopped == 0
                continue
            assert (row["stopped"], row["met"]) == (compliance.stopped, compliance.met)
            assert row["rate"] == compliance.rate
    assert not found
