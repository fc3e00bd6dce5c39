"""Vectorised clock evaluation (`pengaduan.batch`) against `evaluate_many`, and its kernel.

1. **Evaluation.** Complaints as `bench_sla` makes them (about eight events each: holds,
   declines and re-dispatches, replies, reopens, archives; spread over 2026 on the id-gov
   calendar), replayed once. One side evaluates the four SP4N-LAPOR! clocks with
   ``evaluate_many`` on the complaints, the other with ``evaluate_batch`` on the same events as
   columns (the events table; building it is the columnar export's work and is not timed).
   Runs are interleaved (evaluate, batch, evaluate, batch, ...), CPU time, best of
   ``--repeat``; both results are checked equal row for row (``clock_rows``). Aim: the batch
   path at least 10x faster per complaint.
2. **Working-time deadlines** (the kernel): 10^6 starts and durations on the id-gov
   calendar, `CalendarArrays.add_time` (the instant each duration of working time has
   passed) against bare ``numpy.searchsorted`` of precomputed targets on the cumulative
   working time (the limit). Checked equal to each other and to
   ``WorkCalendar.add_working_time`` on a sample. Aim: within 3x.
3. **Peak memory** (tracemalloc, each side on its own, after the timings): the batch path's
   and ``evaluate_many``'s allocations at 10^5.
4. **At ten times as many complaints** (``--large``: 10^6 at the default), after the 10^5
   objects are freed: 10^6 distinct complaints made and replayed as at 10^5, and 1. again in
   the same run (best of ``--large-repeat``, interleaved), the rows checked equal slice by
   slice (10^5 complaints at a time, so that two lists of clock rows need not coexist); the
   per-complaint cost of each side against its own at 10^5; and the growth of the peak
   resident set during a timed run of each (Linux: ``/proc/self/clear_refs``), with the
   batch path's peak traced memory.

Run (from the repository root)::

    PYTHONPATH=src python benchmarks/bench_batch.py                  # 10^5 complaints
    PYTHONPATH=src python benchmarks/bench_batch.py --large          # and 10^6 (~8 GB)
    PYTHONPATH=src python benchmarks/bench_batch.py --complaints 20000 --repeat 2
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_sla import AS_OF, history

from pengaduan._batch_calendar import CalendarArrays
from pengaduan._batch_input import events_arrays
from pengaduan.batch import BatchEvaluation, clock_rows, evaluate_batch
from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow
from pengaduan.sla import evaluate_many


def timed(run: Callable[[], object]) -> tuple[float, object]:
    """CPU time of one run with the collector off (as `timeit`), and its result."""
    seconds, _system, result = timed_split(run)
    return seconds, result


def timed_split(run: Callable[[], object]) -> tuple[float, float, object]:
    """CPU time of one run with the collector off, the part of it in the kernel, the result.

    The kernel's part is mostly page faults: the first touch of memory new to the process.
    """
    gc.collect()
    gc.disable()
    try:
        t0, k0 = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_stime
        result = run()
        k1 = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        return time.process_time() - t0, k1 - k0, result
    finally:
        gc.enable()


def interleaved(
    repeat: int,
    resident: dict[str, int] | None = None,
    system: dict[str, float] | None = None,
    **runs: Callable[[], object],
) -> dict[str, tuple[float, object]]:
    """The best time of each run over `repeat` rounds, one of each per round.

    Each run's previous result is dropped before it runs again (at 10^6 complaints two
    results of `evaluate_many` would not fit). With `resident`, the growth of the peak
    resident set during each run of the first round goes there; with `system`, the kernel's
    part of each best time.
    """
    best: dict[str, float] = {}
    results: dict[str, object] = {}
    for round_ in range(repeat):
        for name, run in runs.items():
            results.pop(name, None)
            before = reset_peak_resident() if resident is not None and round_ == 0 else 0
            seconds, kernel_s, results[name] = timed_split(run)
            if resident is not None and round_ == 0:
                resident[name] = peak_resident() - before
            if seconds <= best.get(name, seconds):
                best[name] = seconds
                if system is not None:
                    system[name] = kernel_s
    return {name: (best[name], results[name]) for name in runs}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def reset_peak_resident() -> int:
    """Reset the peak resident set to the current one (Linux); the current one, bytes."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def peak_resident() -> int:
    """The peak resident set since the last reset, bytes (Linux)."""
    return _status_kib("VmHWM")


def peak(run: Callable[[], object]) -> int:
    """Peak bytes traced by tracemalloc while `run` runs (numpy reports its buffers)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        _size, top = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return top


def made(count: int) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """`count` complaints made and replayed (the same seed at every size), and their table."""
    t0 = time.perf_counter()
    rng = random.Random(20260317)
    events = [e for n in range(count) for e in history(n, rng)]
    complaints = lapor_workflow().replay(events)
    del events
    table = events_arrays(complaints, zone="Asia/Jakarta")
    gc.collect()
    gc.freeze()  # the complaints are long-lived: the collections before each run skip them
    print(f"  ({count:,} complaints made in {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return complaints, table


def rows_checked(batch: BatchEvaluation, evaluations: Mapping[str, Any], step: int) -> int:
    """Check the batch rows equal evaluate's, `step` complaints at a time; how many rows."""
    group = batch.column("group")
    values = list(evaluations.values())
    ids = batch.complaints
    count = 0
    for g in range(0, len(ids), step):
        lo, hi = (int(k) for k in np.searchsorted(group, [g, g + step]))
        part = BatchEvaluation(
            batch.as_of,
            batch.policy,
            ids[g : g + step],
            {name: batch.column(name)[lo:hi] for name in batch.column_names},
        )
        rows = part.rows()
        assert rows == clock_rows(values[g : g + step]), "the batch rows differ from evaluate's"
        count += len(rows)
    assert count == len(batch)
    return count


def compared(
    complaints: Mapping[str, Any],
    table: dict[str, np.ndarray[Any, Any]],
    repeat: int,
    resident: dict[str, int] | None = None,
) -> tuple[float, float]:
    """Both sides interleaved on the same complaints, rows checked; seconds of each."""
    policy = lapor_policy()
    n = len(complaints)
    # Warm both paths (the calendar's year index, the batch path's arrays of it).
    evaluate_many(list(complaints.values())[:1000], as_of=AS_OF, policy=policy)
    evaluate_batch({k: v[:10_000] for k, v in table.items()}, AS_OF, policy=policy)
    system: dict[str, float] = {}
    best = interleaved(
        repeat,
        resident,
        system,
        evaluate_many=lambda: evaluate_many(complaints, as_of=AS_OF, policy=policy),
        evaluate_batch=lambda: evaluate_batch(table, AS_OF, policy=policy),
    )
    many_s, evaluations = best["evaluate_many"]
    batch_s, batch = best["evaluate_batch"]
    assert isinstance(evaluations, dict)
    assert isinstance(batch, BatchEvaluation)
    assert not batch.fallbacks
    step = 100_000
    rows = rows_checked(batch, evaluations, step)
    checked = "rows checked equal" + (f" ({step:,} complaints at a time)" if n > step else "")
    print(
        f"{n:,} complaints, {len(table['at']):,} events, 4 clocks, {rows:,} clock rows, "
        f"as of {AS_OF.isoformat()}; CPU time, best of {repeat}, interleaved; {checked}"
    )
    for name, seconds in (("evaluate_many", many_s), ("evaluate_batch", batch_s)):
        kernel_us = system[name] / n * 1e6
        print(
            f"  {name:<15} {seconds:8.2f} s  {seconds / n * 1e6:8.1f} us/complaint "
            f"(user {seconds / n * 1e6 - kernel_us:.1f}, system {kernel_us:.1f})"
        )
    print(f"  speed-up {many_s / batch_s:.1f}x (aim: >= 10)")
    return many_s, batch_s


def kernel(repeat: int, size: int) -> None:
    """Working-time deadlines: `CalendarArrays.add_time` against bare searchsorted."""
    cal = id_gov_calendar()
    arrays = CalendarArrays(cal, 2025, 2028)
    rng = np.random.default_rng(20260317)
    lo = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1e6)
    hi = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp() * 1e6)
    x = rng.integers(lo, hi, size, dtype=np.int64)
    delta = rng.integers(1, 40 * 3600, size, dtype=np.int64) * 1_000_000
    targets = arrays.worked(x) + delta
    cum_end = arrays.cum_end

    def ours() -> object:
        return arrays.add_time(x, delta)

    def bare() -> object:
        return np.searchsorted(cum_end, targets, side="left")

    best = interleaved(repeat, ours=ours, bare=bare)
    got = best["ours"][1]
    i = best["bare"][1]
    assert isinstance(got, np.ndarray)
    assert isinstance(i, np.ndarray)
    limit = np.maximum(arrays.starts[i] + (targets - arrays.cums[i]), x)
    assert np.array_equal(got, limit)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for k in range(0, size, max(1, size // 500)):
        scalar = cal.add_working_time(
            epoch + timedelta(microseconds=int(x[k])), timedelta(microseconds=int(delta[k]))
        )
        assert scalar == epoch + timedelta(microseconds=int(got[k]))
    ours_s, bare_s = best["ours"][0], best["bare"][0]
    print(
        f"working-time deadlines, {size:,} starts: add_time {ours_s * 1e3:.1f} ms, bare "
        f"searchsorted {bare_s * 1e3:.1f} ms, ratio {ours_s / bare_s:.2f} (aim: <= 3)"
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also 10x the complaints (10^6)")
    parser.add_argument("--large-repeat", type=int, default=2)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    policy = lapor_policy()

    n = args.complaints
    complaints, table = made(n)
    many_s, batch_s = compared(complaints, table, args.repeat)
    kernel(max(args.repeat, 5), 1_000_000)
    if not args.no_memory:
        batch_peak = peak(lambda: evaluate_batch(table, AS_OF, policy=policy))
        many_peak = peak(lambda: evaluate_many(complaints, as_of=AS_OF, policy=policy))
        print(
            f"peak traced memory at {n:,}: evaluate_batch {batch_peak / 2**20:.0f} MiB "
            f"(input table not counted), evaluate_many {many_peak / 2**20:.0f} MiB (complaints "
            "not counted)"
        )
    gc.unfreeze()
    del complaints, table
    gc.collect()

    if args.large:
        big = n * 10
        complaints, table = made(big)
        resident: dict[str, int] = {}
        big_many_s, big_batch_s = compared(complaints, table, args.large_repeat, resident)
        print(
            f"  per complaint against {n:,}: evaluate_many "
            f"{big_many_s / big / (many_s / n):.2f}x, evaluate_batch "
            f"{big_batch_s / big / (batch_s / n):.2f}x"
        )
        print(
            "  peak resident set growth during a run: evaluate_many "
            f"{resident['evaluate_many'] / 2**20:.0f} MiB, evaluate_batch "
            f"{resident['evaluate_batch'] / 2**20:.0f} MiB"
        )
        if not args.no_memory:
            top = peak(lambda: evaluate_batch(table, AS_OF, policy=policy))
            print(f"  peak traced memory of evaluate_batch at {big:,}: {top / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
