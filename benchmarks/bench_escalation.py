"""What is due over 100,000 open complaints: a full scan versus waking by `next_due_at`.

Run:  .venv/bin/python benchmarks/bench_escalation.py [--complaints 100000]

Builds open complaints of the SP4N-LAPOR! workflow spread over six weeks of 2026 (some only
submitted, some verified, most dispatched, some followed up) in the steady state of a host that
ticks every 15 minutes (everything due up to the last tick is recorded), then asks the
SP4N-LAPOR! ladder what is due at the next tick, two ways, in the same run:

* **full scan**: `due(all complaints, as_of)`, which evaluates every clock of every complaint;
* **by next_due_at**: the host keeps each complaint's `next_due_at` (it changes only when an
  event is recorded, so it is computed once per write, like an indexed column), selects the
  complaints whose instant has come from a sorted index (a bisect, as a database would with
  ``WHERE next_due_at <= now``) and calls `due` on those only.

Both must return the same actions; the script checks that. It does so at two ticks: 07:30 on a
working day (the morning peak: the ladder's working-day rungs fall on the first working
instant) and 10:00 (an ordinary tick). The one-off cost of computing `next_due_at` for every
complaint (what the writes pay, spread over time) is reported too.
"""

from __future__ import annotations

import argparse
import time
from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pengaduan import Actor, Complaint, Event
from pengaduan.escalation import due, next_due_at, tick
from pengaduan.presets import lapor_ladder, lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 4, 6, 8, 0, tzinfo=WIB)  # after Idul Fitri 2026
AS_OF = datetime(2026, 5, 20, 7, 30, tzinfo=WIB)  # a Wednesday, the office opens
TICKS = (AS_OF, AS_OF.replace(hour=10, minute=0))
EVERY = timedelta(minutes=15)
REPORTER = Actor("warga", "reporter")
ADMIN = Actor("admin", "admin_agency")
OPERATOR = Actor("op", "unit_operator", "dinas-pu")
STEPS = (
    ("submit", REPORTER, {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"}),
    ("verify", ADMIN, {"classification": "pengaduan"}),
    ("dispatch", ADMIN, {"unit": "dinas-pu"}),
    ("follow_up", OPERATOR, {"response": "Ditambal"}),
)
# How far each complaint goes: 10% submitted, 10% verified, 70% dispatched, 10% followed up.
DEPTH = (1, 2, 3, 3, 3, 3, 3, 3, 3, 4)

T = TypeVar("T")


def build(n: int) -> list[Complaint]:
    """`n` open complaints, submitted every few minutes over six weeks before AS_OF."""
    workflow = lapor_workflow()
    span = (AS_OF - START).total_seconds()
    out = []
    for i in range(n):
        at = START + timedelta(seconds=(i * 7919) % int(span * 0.9))
        complaint = workflow.new(f"C-{i}")
        for step, (action, actor, data) in enumerate(STEPS[: DEPTH[i % len(DEPTH)]]):
            when = at + timedelta(hours=3 * step)
            event = Event(f"C-{i}#{step + 1}", complaint.id, action, when, actor, data)
            complaint = workflow.apply_event(complaint, event)
        out.append(complaint)
    return out


def timed(function: Callable[..., T], *args: Any) -> tuple[float, T]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    args = parser.parse_args()
    n = args.complaints
    ladder = lapor_ladder()

    build_s, complaints = timed(build, n)
    print(f"{n:,} open complaints built in {build_s:.1f} s (not part of the figures)")
    print(f"{'tick':<17} {'what':<44} {'seconds':>8} {'complaints':>10} {'us each':>8}")
    for as_of in TICKS:
        # The steady state: a host ticking every 15 minutes recorded everything due before.
        steady = list(tick(complaints, as_of - EVERY, ladder=ladder).complaints.values())

        def wake_ups(steady: list[Complaint] = steady) -> list[tuple[datetime, int]]:
            pairs = []
            for i, complaint in enumerate(steady):
                wake = next_due_at(complaint, ladder=ladder)
                if wake is not None:
                    pairs.append((wake, i))
            pairs.sort()
            return pairs

        index_s, index = timed(wake_ups)
        instants = [wake for wake, _ in index]
        full_s, full = timed(due, steady, as_of, ladder)

        def by_next_due_at(
            steady: list[Complaint] = steady,
            index: list[tuple[datetime, int]] = index,
            instants: list[datetime] = instants,
            as_of: datetime = as_of,
        ) -> tuple[Any, ...]:
            woken = [steady[i] for _, i in index[: bisect_right(instants, as_of)]]
            return due(woken, as_of, ladder=ladder)

        fast_s, fast = timed(by_next_due_at)
        woken = bisect_right(instants, as_of)
        assert fast == full, "the two ways must give the same actions"
        when = as_of.strftime("%a %d %b %H:%M")
        rows = [
            ("next_due_at of each (once, at write time)", index_s, n),
            ("due: full scan", full_s, n),
            ("due: complaints whose next_due_at came", fast_s, woken),
        ]
        for what, seconds, count in rows:
            each = 1e6 * seconds / count if count else 0.0
            print(f"{when:<17} {what:<44} {seconds:>8.3f} {count:>10,} {each:>8.1f}")
        ratio = full_s / fast_s if fast_s else float("inf")
        print(f"{when:<17} {len(full):,} actions due; full scan / by next_due_at: {ratio:,.0f}x")


if __name__ == "__main__":
    main()
