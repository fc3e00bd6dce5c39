"""Helpers of the batch tests: both paths over the same complaints, row for row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pengaduan import Complaint
from pengaduan._batch_input import events_arrays
from pengaduan.batch import BatchEvaluation, ClockRow, clock_rows, evaluate_batch
from pengaduan.sla import Policy, evaluate_many


def both(
    complaints: Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime,
    policy: Policy,
    **kwargs: Any,
) -> tuple[BatchEvaluation, tuple[ClockRow, ...]]:
    """The batch result and evaluate's rows for the same complaints."""
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    complaints = [c for c in complaints if c.events]
    table = events_arrays(complaints, zone="Asia/Jakarta")
    batch = evaluate_batch(table, as_of, policy=policy, **kwargs)
    expected = clock_rows(evaluate_many(complaints, as_of=as_of, policy=policy).values())
    return batch, expected


def first_difference(got: tuple[ClockRow, ...], want: tuple[ClockRow, ...]) -> str:
    """A readable account of where two row lists part (for assertion messages)."""
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}"
    for a, b in zip(got, want, strict=True):
        if a != b:
            return f"\n got  {a}\n want {b}"
    return "equal"
