"""Columnar facts: schemas, streamed Parquet datasets, exact round trips, privacy."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import Actor, Complaint, columnar
from pengaduan.access import PUBLIC, Viewer
from pengaduan.columnar import (
    ExportResult,
    clock_rows,
    clocks_table,
    complaints_table,
    events_table,
    read_complaints,
    write_dataset,
)
from pengaduan.exceptions import UnknownGroupingError
from pengaduan.readmodel import project
from pengaduan.simulation import Simulation
from pengaduan.sla import evaluate

from .conftest import CALENDAR, POLICY, STAFF, WORKFLOW

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 17, 9, 15, tzinfo=WIB)
NAME, PHONE = "Siti Rahmawati", "081234567890"
SECRET = "Bupati menerima suap proyek jalan"


def _complaint(cid: str, *, anonymous: bool = False, confidential: bool = False) -> Complaint:
    reporter = Actor(f"warga-{cid}", "reporter")
    admin, op = Actor("admin-1", "admin_agency"), Actor("op-pu", "unit_operator", "dinas-pu")
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        (
            "submit",
            reporter,
            {
                "title": SECRET if confidential else "Jalan rusak",
                "body": f"{SECRET} (rinci)" if confidential else "Berlubang",
                "channel": "web",
                "privacy": {"anonymous": anonymous, "confidential": confidential},
                "reporter": {"name": NAME, "phone": PHONE},
            },
        ),
        ("verify", admin, {"classification": "pengaduan"}),
        ("dispatch", admin, {"unit": "dinas-pu"}),
        ("follow_up", op, {"response": "Sedang diperiksa"}),
        ("reply", reporter, {"message": "Belum ada perubahan"}),
    ]
    c = WORKFLOW.new(cid)
    for hour, (action, actor, data) in enumerate(steps):
        c = WORKFLOW.apply(c, action, actor, T0 + timedelta(hours=hour), data)
    return c


def _strings(root: Path) -> list[str]:
    """Every string value and the raw bytes of every Parquet file under `root`."""
    out: list[str] = []
    for path in sorted(root.rglob("*.parquet")):
        table = pq.read_table(path)
        for column in table.columns:
            if pa.types.is_string(column.type):
                out.extend(v for v in column.to_pylist() if v is not None)
        out.append(path.read_bytes().decode("latin-1"))
    return out


def test_the_schemas_follow_the_agreed_columns() -> None:
    assert columnar.EVENTS_SCHEMA.names == [
        "complaint_id", "seq", "event_id", "action", "at", "at_offset", "actor_id",
        "actor_role", "actor_unit", "data", "year",
    ]  # fmt: skip
    assert str(columnar.EVENTS_SCHEMA.field("at").type) == "timestamp[us, tz=UTC]"
    assert str(columnar.EVENTS_SCHEMA.field("year").type) == "int16"
    assert set(columnar.COMPLAINTS_SCHEMA.names) >= {
        "state", "unit", "classification", "channel", "anonymous", "confidential",
        "submitted_at", "updated_at", "version",
    }  # fmt: skip
    assert columnar.CLOCKS_SCHEMA.names == [
        "complaint_id", "clock", "cycle", "started", "stopped", "ended_by", "paused_seconds",
        "pauses", "deadline", "status", "breached", "elapsed_working_seconds",
        "elapsed_calendar_seconds", "policy_fingerprint", "calendar_fingerprint", "year",
    ]  # fmt: skip


def test_a_staff_dataset_replays_to_the_same_complaints(
    staff_dataset: tuple[Path, ExportResult], complaints: dict[str, Complaint]
) -> None:
    root, result = staff_dataset
    back = list(read_complaints(root / "events", workflow=WORKFLOW, batch_size=97))
    assert [c.id for c in back] == sorted(
        complaints,
        key=lambda cid: (
            complaints[cid].events[0].at.astimezone(WIB).year,
            list(complaints).index(cid),
        ),
    )
    assert all(c == complaints[c.id] for c in back)
    assert result.complaints == len(complaints)
    assert result.events == sum(c.version for c in complaints.values())


def test_the_dataset_is_partitioned_by_the_year_of_the_first_event(
    staff_dataset: tuple[Path, ExportResult], complaints: dict[str, Complaint]
) -> None:
    root, result = staff_dataset
    assert result.years == (2025, 2026)
    for table in ("events", "complaints", "clocks"):
        for year in result.years:
            part = pq.read_table(root / table / f"year={year}" / "part-0.parquet")
            schema = getattr(columnar, f"{table.upper()}_SCHEMA")
            assert part.schema.equals(schema.remove(schema.get_field_index("year")))
            for cid in set(part.column("complaint_id").to_pylist()):
                assert complaints[cid].events[0].at.astimezone(WIB).year == year


def test_batches_become_row_groups(staff_dataset: tuple[Path, ExportResult]) -> None:
    root, _ = staff_dataset
    meta = pq.ParquetFile(root / "events" / "year=2025" / "part-0.parquet").metadata
    assert meta.num_row_groups > 1  # written as it was read, 50 complaints at a time


def test_rows_of_one_complaint_are_contiguous_and_in_history_order(
    staff_dataset: tuple[Path, ExportResult],
) -> None:
    root, _ = staff_dataset
    table = pq.read_table(root / "events" / "year=2026" / "part-0.parquet")
    ids, seqs = table.column("complaint_id").to_pylist(), table.column("seq").to_pylist()
    done: set[str] = set()
    for i, (cid, seq) in enumerate(zip(ids, seqs, strict=True)):
        if i == 0 or ids[i - 1] != cid:
            assert cid not in done
            assert seq == 1
            done.add(cid)
        else:
            assert seq == seqs[i - 1] + 1


def test_clock_rows_are_the_cycles_evaluate_finds(
    staff_dataset: tuple[Path, ExportResult],
    regency: Simulation,
    complaints: dict[str, Complaint],
) -> None:
    root, result = staff_dataset
    whole = columnar.open_dataset(root / "clocks").to_table()
    assert whole.schema.equals(columnar.CLOCKS_SCHEMA)
    table = whole.to_pylist()
    assert len(table) == result.cycles
    as_of = regency.scenario.end
    by_key = {(r["complaint_id"], r["clock"], r["cycle"]): r for r in table}
    for cid, c in list(complaints.items())[::13]:
        evaluation = evaluate(c, as_of=as_of, policy=POLICY)
        for state in evaluation.clocks:
            for cycle in state.cycles:
                row = by_key[(cid, state.name, cycle.index - 1)]
                assert row["started"] == cycle.start
                assert row["deadline"] == cycle.deadline
                assert row["breached"] is cycle.breached
                assert row["ended_by"] == cycle.ended_by
                assert row["pauses"] == len(cycle.pauses)
                assert row["elapsed_working_seconds"] == int(cycle.elapsed_working.total_seconds())
                assert row["policy_fingerprint"] == POLICY.fingerprint
                assert row["calendar_fingerprint"] == state.clock.calendar.fingerprint
            if state.cycles:
                last = by_key[(cid, state.name, len(state.cycles) - 1)]
                assert last["status"] == state.status.value


def test_complaint_rows_are_the_read_model_columns(complaints: dict[str, Complaint]) -> None:
    sample = list(complaints.values())[:40]
    rows = complaints_table(sample, viewer=STAFF, workflow=WORKFLOW, zone=WIB).to_pylist()
    for c, row in zip(sample, rows, strict=True):
        model = project(c)
        assert (row["state"], row["unit"], row["channel"], row["classification"]) == (
            model.state, model.unit, model.channel, model.classification)  # fmt: skip
        assert row["version"] == model.version
        assert row["submitted_at"] == model.submitted_at
        assert row["updated_at"] == model.updated_at


def test_as_of_cuts_the_history(complaints: dict[str, Complaint], tmp_path: Path) -> None:
    sample = list(complaints.values())[:30]
    cut = sample[15].events[0].at
    result = write_dataset(sample, tmp_path, cut, workflow=WORKFLOW, policy=POLICY, viewer=STAFF)
    back = list(read_complaints(tmp_path / "events", workflow=WORKFLOW))
    assert result.complaints == len(back) == 16
    for c in back:
        assert all(e.at <= cut for e in c.events)
        assert c.events == tuple(e for e in complaints[c.id].events if e.at <= cut)


def test_nothing_is_overwritten(tmp_path: Path, complaints: dict[str, Complaint]) -> None:
    (tmp_path / "clocks").mkdir()
    with pytest.raises(FileExistsError):
        write_dataset(list(complaints.values())[:2], tmp_path, T0, workflow=WORKFLOW)
    assert not (tmp_path / "events").exists()


def test_the_public_dataset_holds_no_personal_datum_and_no_confidential_content(
    tmp_path: Path,
) -> None:
    history = [
        _complaint("C-1", anonymous=True),
        _complaint("C-2", confidential=True),
        _complaint("C-3", anonymous=True, confidential=True),
        _complaint("C-4"),
    ]
    result = write_dataset(
        history, tmp_path, T0 + timedelta(days=1), workflow=WORKFLOW, policy=POLICY,
        calendar=CALENDAR,
    )  # fmt: skip
    assert result.complaints == 2  # the confidential ones are left out
    text = "\n".join(_strings(tmp_path))
    for secret in (NAME, PHONE, SECRET, "warga-C-1", "warga-C-2", "warga-C-3", "C-2", "C-3"):
        assert secret not in text
    events = columnar.open_dataset(tmp_path / "events").to_table().to_pylist()
    assert {e["complaint_id"] for e in events} == {"C-1", "C-4"}
    assert all(e["actor_id"] is None for e in events)  # the public sees no actor id


def test_a_unit_handler_sees_the_reporter_only_where_not_anonymous() -> None:
    history = [_complaint("C-1", anonymous=True), _complaint("C-4")]
    handler = Viewer.staff("unit_operator", unit="dinas-pu")
    table = events_table(history, viewer=handler, workflow=WORKFLOW, zone=WIB).to_pylist()
    anonymous = "\n".join(
        f"{r['actor_id']} {r['data']}" for r in table if r["complaint_id"] == "C-1"
    )
    named = "\n".join(f"{r['actor_id']} {r['data']}" for r in table if r["complaint_id"] == "C-4")
    assert NAME not in anonymous
    assert "warga-C-1" not in anonymous
    assert NAME in named
    assert "warga-C-4" in named


def test_each_table_defaults_to_the_public() -> None:
    history = [_complaint("C-2", confidential=True)]
    assert events_table(history, workflow=WORKFLOW).num_rows == 0
    assert complaints_table(history, workflow=WORKFLOW).num_rows == 0
    as_of = T0 + timedelta(days=1)
    assert clocks_table(history, as_of, policy=POLICY, workflow=WORKFLOW).num_rows == 0
    assert clocks_table(history, as_of, policy=POLICY, workflow=WORKFLOW, viewer=STAFF).num_rows


def test_an_unknown_grouping_is_refused() -> None:
    with pytest.raises(UnknownGroupingError, match="'opd'"):
        columnar.report_sql("national", zone="Asia/Jakarta", by="opd")


offsets = st.sampled_from([0, 7 * 3600, 8 * 3600, 9 * 3600, -5 * 3600, 5 * 3600 + 1800])


@given(
    minutes=st.lists(st.integers(0, 60 * 24 * 400), min_size=1, max_size=5),
    offset=offsets,
    microsecond=st.integers(0, 999_999),
)
def test_instants_keep_their_offset_and_microseconds(
    minutes: list[int], offset: int, microsecond: int
) -> None:
    from datetime import timezone

    zone = timezone(timedelta(seconds=offset))
    start = datetime(2025, 12, 31, 23, 59, microsecond=microsecond, tzinfo=zone)
    c = WORKFLOW.apply(
        WORKFLOW.new("C-1"), "submit", Actor("warga-1", "reporter"), start,
        {"title": "Jalan", "body": "...", "channel": "sms"},
    )  # fmt: skip
    for n, m in enumerate(sorted(minutes)):
        c = WORKFLOW.apply(
            c, "comment", Actor("admin-1", "admin_agency"), start + timedelta(minutes=m),
            {"message": f"catatan {n}"},
        )  # fmt: skip
    table = events_table([c], viewer=STAFF, workflow=WORKFLOW, zone=WIB)
    [back] = read_complaints(table, workflow=WORKFLOW)
    assert back == c
    assert [e.at.isoformat() for e in back.events] == [e.at.isoformat() for e in c.events]
    assert table.column("year").to_pylist()[0] == start.astimezone(WIB).year


def test_clock_rows_of_a_not_started_clock_are_none() -> None:
    c = WORKFLOW.apply(
        WORKFLOW.new("C-1"), "submit", Actor("warga-1", "reporter"), T0,
        {"title": "Jalan", "body": "...", "channel": "sms"},
    )  # fmt: skip
    rows = list(clock_rows(evaluate(c, as_of=T0, policy=POLICY), policy=POLICY, year=2026))
    assert [r["clock"] for r in rows] == ["verification"]
    assert rows[0]["status"] == "running"
    assert PUBLIC.is_public


def test_importing_columnar_and_spark_imports_neither_pyarrow_nor_pyspark() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pengaduan.columnar, pengaduan.spark; "
        "print(sorted(m for m in ('pyarrow', 'pyspark', 'pandas', 'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_without_pyarrow_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from pengaduan.exceptions import MissingExtraError

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    with pytest.raises(MissingExtraError, match=r"pengaduan\[parquet\]"):
        events_table([], workflow=WORKFLOW)
