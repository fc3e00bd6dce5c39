"""The batch path takes whole complaints a chunk at a time, and the chunks change nothing."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import numpy as np
from batch_strategies import BASE, build, clocks, starts, steps
from batch_support import both, first_difference
from hypothesis import given
from hypothesis import strategies as st
from sla_support import GENERIC, generic_clock, history

import pengaduan.batch
from pengaduan import Complaint
from pengaduan.batch import _chunks
from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.sla import Policy, Target


@given(st.lists(st.integers(1, 12), max_size=40), st.integers(1, 50))
def test_a_chunk_boundary_never_splits_a_complaint(lengths, size):
    run_starts = np.cumsum([0, *lengths[:-1]]).astype(np.int64) if lengths else np.zeros(0)
    n = sum(lengths)
    chunks = _chunks(run_starts, n, size)
    if not n:
        assert chunks == [(0, 0, 0, 0)]
        return
    assert chunks[0][:3:2] == (0, 0)
    assert chunks[-1][1::2] == (n, len(lengths))
    starts_of = set(run_starts.tolist())
    for before, after in itertools.pairwise(chunks):
        assert before[1::2] == after[::2]  # contiguous, rows and complaints alike
    for a, b, g0, g1 in chunks:
        assert g0 < g1
        assert a in starts_of
        assert (a, b) == (run_starts[g0], run_starts[g1] if g1 < len(lengths) else n)
        # about `size` rows: its last complaint began before the next multiple of `size`
        assert b - a < size + max(lengths)


def _rows_by_chunk(complaints: list[Complaint], as_of: datetime, policy: Policy, chunk: int):
    saved = pengaduan.batch._CHUNK
    pengaduan.batch._CHUNK = chunk
    try:
        return both(complaints, as_of, policy)
    finally:
        pengaduan.batch._CHUNK = saved


@given(
    st.lists(st.tuples(steps, starts, st.booleans()), min_size=1, max_size=8),
    clocks("c"),
    st.integers(1, 60),
    st.integers(-60 * 24 * 3, 60 * 24 * 30),
)
def test_rows_are_the_same_whatever_the_chunk_size(histories, clock, chunk, shift):
    """Also with complaints that go back in time (evaluate's rows, chunk by chunk)."""
    complaints = []
    for k, (raw, start, backwards) in enumerate(histories):
        complaint = build(raw, start, f"G-{k}")
        if backwards and len(complaint.events) >= 2:
            *rest, last = complaint.events
            back = attrs.evolve(last, at=rest[0].at - timedelta(hours=1))
            complaint = Complaint(complaint.id, complaint.state, (*rest, back))
        complaints.append(complaint)
    policy = Policy("test", "1", (clock,), GENERIC)
    instants = [e.at for c in complaints for e in c.events] or [BASE]
    as_of = max(instants) + timedelta(minutes=shift)
    whole, expected = _rows_by_chunk(complaints, as_of, policy, 1 << 17)
    chunked, _ = _rows_by_chunk(complaints, as_of, policy, chunk)
    got = chunked.rows()
    assert got == expected, first_difference(got, expected)
    assert got == whole.rows()
    assert chunked.fallbacks == whole.fallbacks
    assert chunked.column_names == whole.column_names
    for name in whole.column_names:
        assert np.array_equal(chunked.column(name), whole.column(name)), name
        assert chunked.column(name).dtype == whole.column(name).dtype, name


def test_a_zone_problem_found_in_a_later_chunk_falls_back_for_every_complaint():
    """Goose Bay's clocks turned back across midnight until 2010: only 1995's chunk sees it."""
    goose_bay = WorkCalendar(
        "goose-bay", "America/Goose_Bay", WeeklyHours.parse({"mon-sat": "00:00-02:00, 08:00-17:00"})
    )
    tz = ZoneInfo("America/Goose_Bay")
    steps_ = [("begin", 0), ("hold", 30), ("release", 50), ("pause", 60), ("resume", 70)]
    complaints = [
        history([(a, start + timedelta(hours=h)) for a, h in steps_], f"G-{k}")
        for k, start in enumerate(
            [datetime(2026, 10, 27, 9, tzinfo=tz), datetime(1995, 10, 27, 9, tzinfo=tz)]
        )
    ]
    policy = Policy("test", "1", (generic_clock(Target.working_days(2), goose_bay),), GENERIC)
    as_of = datetime(2026, 11, 20, 9, tzinfo=tz)
    for chunk in (1, 1 << 17):
        batch, expected = _rows_by_chunk(complaints, as_of, policy, chunk)
        assert batch.rows() == expected
        (fallback,) = batch.fallbacks
        assert "midnight" in fallback.reason
        assert fallback.complaints == ("G-0", "G-1")
