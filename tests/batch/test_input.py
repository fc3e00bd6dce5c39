"""The forms of the events table the batch path reads, and the forms of its result."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from batch_support import both
from sla_support import GENERIC, generic_clock, history, wib

from pengaduan._batch_input import events_arrays
from pengaduan.batch import evaluate_batch
from pengaduan.exceptions import EventFormatError, NaiveDatetimeError
from pengaduan.presets import lapor_policy
from pengaduan.simulation import muara_enim, simulate
from pengaduan.sla import ClockStatus, Policy, Target

T0 = wib(2026, 3, 2, 9)
POLICY = Policy("test", "1", (generic_clock(Target.working_days(2)),), GENERIC)
CLOCK_COLUMNS = [
    "complaint_id",
    "clock",
    "cycle",
    "started",
    "stopped",
    "ended_by",
    "paused_seconds",
    "pauses",
    "deadline",
    "status",
    "breached",
    "elapsed_working_seconds",
    "elapsed_calendar_seconds",
    "policy_fingerprint",
    "calendar_fingerprint",
    "year",
]


def complaints():
    steps = [("begin", 0), ("hold", 5), ("release", 30), ("again", 50), ("finish", 80)]
    return [
        history([(a, T0 + timedelta(hours=h + 7 * k)) for a, h in steps], f"G-{k}")
        for k in range(3)
    ]


@pytest.fixture(scope="module")
def regency():
    sim = simulate(muara_enim(complaints=60), seed=3)
    return sim.complaints(), sim.scenario.end


def test_a_pandas_frame_gives_the_same_rows_as_the_arrays(regency):
    pd = pytest.importorskip("pandas")
    cs, as_of = regency
    table = events_arrays(cs, zone="Asia/Jakarta")
    frame = pd.DataFrame(table)
    frame["at"] = frame["at"].dt.tz_localize("UTC").dt.tz_convert("Asia/Jakarta")
    policy = lapor_policy()
    got = evaluate_batch(frame, as_of, policy=policy).rows()
    assert got == evaluate_batch(table, as_of, policy=policy).rows()
    assert got


def test_a_pyarrow_table_gives_the_same_rows_as_the_arrays(regency):
    pa = pytest.importorskip("pyarrow")
    cs, as_of = regency
    table = events_arrays(cs, zone="Asia/Jakarta")
    arrow = pa.table(
        {
            "complaint_id": pa.array(table["complaint_id"], pa.string()),
            "seq": pa.array(table["seq"], pa.int32()),
            "action": pa.array(table["action"], pa.string()),
            "at": pa.array(table["at"], pa.timestamp("us", tz="UTC")),
            "year": pa.array(table["year"], pa.int16()),
        }
    )
    policy = lapor_policy()
    got = evaluate_batch(arrow, as_of, policy=policy)
    assert got.rows() == evaluate_batch(table, as_of, policy=policy).rows()
    out = got.to_arrow()
    assert out.column_names == CLOCK_COLUMNS
    assert str(out.schema.field("deadline").type) == "timestamp[us, tz=UTC]"
    assert out.schema.field("cycle").type == pa.int32()
    assert out.schema.field("year").type == pa.int16()


def test_instants_may_be_int64_microseconds():
    table = events_arrays(complaints(), zone="Asia/Jakarta")
    table["at"] = table["at"].view(np.int64)
    _batch, expected = both(complaints(), T0 + timedelta(days=10), POLICY)
    assert evaluate_batch(table, T0 + timedelta(days=10), policy=POLICY).rows() == expected


def test_the_table_columns_are_the_clock_rows_of_the_columnar_datasets():
    batch, expected = both(complaints(), T0 + timedelta(days=10), POLICY)
    cols = batch.table_columns()
    assert list(cols) == CLOCK_COLUMNS
    assert len(expected) == len(batch) == 6
    assert cols["cycle"].tolist() == [0, 1] * 3
    assert cols["status"].tolist() == ["stopped"] * 6
    assert set(cols["policy_fingerprint"]) == {POLICY.fingerprint}
    assert set(cols["calendar_fingerprint"]) == {POLICY.clocks[0].calendar.fingerprint}
    assert cols["year"].tolist() == [2026] * 6
    for row, paused, worked in zip(
        expected, cols["paused_seconds"], cols["elapsed_working_seconds"], strict=True
    ):
        assert paused == row.paused // timedelta(seconds=1)
        assert worked == row.elapsed_working // timedelta(seconds=1)
    assert np.isnat(cols["stopped"]).sum() == 0


def test_the_pandas_form_has_utc_timestamps_and_nat_for_no_instant():
    pytest.importorskip("pandas")
    batch, expected = both(complaints(), T0 + timedelta(hours=20), POLICY)
    frame = batch.to_pandas()
    assert list(frame.columns) == CLOCK_COLUMNS
    assert str(frame["started"].dt.tz) == "UTC"
    assert frame["stopped"].isna().tolist() == [r.stopped is None for r in expected]
    assert frame["started"].tolist() == [r.started for r in expected]


def test_status_is_that_of_the_last_cycle_or_not_started():
    batch, _ = both(complaints(), T0 + timedelta(hours=6), POLICY)
    assert batch.status("G-0", "c") is ClockStatus.PAUSED
    assert batch.status("G-2", "c") is ClockStatus.NOT_STARTED


def test_a_missing_column_is_refused_by_name():
    table = events_arrays(complaints(), zone="Asia/Jakarta")
    del table["action"]
    with pytest.raises(EventFormatError, match="action") as caught:
        evaluate_batch(table, T0, policy=POLICY)
    assert caught.value.path == "action"


def test_a_complaint_whose_rows_are_not_contiguous_is_refused():
    table = events_arrays(complaints(), zone="Asia/Jakarta")
    order = np.r_[0, 5, 1:5, 6 : len(table["seq"])]
    shuffled = {k: v[order] for k, v in table.items()}
    del shuffled["seq"]
    with pytest.raises(EventFormatError, match="contiguous"):
        evaluate_batch(shuffled, T0, policy=POLICY)


def test_rows_out_of_history_order_are_refused_by_their_seq():
    table = events_arrays(complaints(), zone="Asia/Jakarta")
    order = np.r_[1, 0, 2 : len(table["seq"])]
    with pytest.raises(EventFormatError, match="history order") as caught:
        evaluate_batch({k: v[order] for k, v in table.items()}, T0, policy=POLICY)
    assert caught.value.path == "seq"


def test_a_naive_as_of_is_refused():
    table = events_arrays(complaints(), zone="Asia/Jakarta")
    with pytest.raises(NaiveDatetimeError):
        evaluate_batch(table, T0.replace(tzinfo=None), policy=POLICY)


def test_an_empty_table_gives_no_rows():
    table = events_arrays([], zone="Asia/Jakarta")
    batch = evaluate_batch(table, T0, policy=lapor_policy())
    assert len(batch) == 0
    assert batch.rows() == ()
    assert batch.complaints == ()
    assert list(batch.table_columns()) == CLOCK_COLUMNS


def test_the_repr_counts_and_shows_no_ids():
    batch, _ = both(complaints(), T0 + timedelta(days=10), POLICY)
    text = repr(batch)
    assert "3 complaints" in text
    assert "6 clock rows" in text
    assert "G-0" not in text
