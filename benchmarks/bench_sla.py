"""Evaluating the four SP4N-LAPOR! clocks against replaying the same histories.

100,000 complaints of about eight events each (several paths through the workflow: holds,
declines and re-dispatches, replies and new follow-ups, archives), spread over 2026 on the
id-gov calendar. Both sides work on the same in-memory events:

- replay: ``lapor_workflow().replay(events)`` (every check of every event, then the machine);
- evaluate: ``evaluate_many(complaints, lapor_policy(), as_of)`` on the replayed complaints
  (verification, follow_up, closure, resolution: cycles, pauses, deadlines, elapsed working
  time, percent, estimated flags).

The aim (issue 4): evaluation costs no more than replay.

Run: ``.venv/bin/python benchmarks/bench_sla.py [--complaints N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pengaduan import Actor, Event
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.sla import ClockStatus, evaluate_many

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 1, 5, 8, tzinfo=WIB)
AS_OF = datetime(2027, 1, 1, tzinfo=WIB)

REPORTER = "reporter"
ADMIN = Actor("admin-1", "admin_agency")
SYSTEM = Actor("sistem", "system")
UNITS = ("dinas-pu", "dinas-kesehatan", "rsud", "disdik", "dishub")

# Paths through the workflow: (action, data) with "@unit" / "@other" for dispatch targets.
PATHS: tuple[tuple[str, ...], ...] = (
    ("submit", "verify", "dispatch", "follow_up", "reply", "comment", "follow_up", "close"),
    ("submit", "hold", "resume", "verify", "dispatch", "decline", "dispatch2", "follow_up"),
    ("submit", "verify", "dispatch", "comment", "follow_up", "close", "reopen", "follow_up"),
    ("submit", "hold", "resume", "verify", "dispatch", "follow_up", "reply", "follow_up"),
    ("submit", "comment", "verify", "dispatch", "decline", "archive"),
    ("submit", "verify", "dispatch", "escalate", "comment", "follow_up", "comment", "close"),
    ("submit", "hold", "comment", "resume", "verify", "dispatch", "follow_up", "close", "reopen"),
)


def history(n: int, rng: random.Random) -> list[Event]:
    """The events of complaint number `n`, in time order."""
    cid = f"C-{n:06d}"
    reporter = Actor(f"warga-{n}", REPORTER)
    unit = rng.choice(UNITS)
    at = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 300))
    events: list[Event] = []
    for step, name in enumerate(rng.choice(PATHS), 1):
        at += timedelta(minutes=rng.randrange(0, 60 * 24 * 6))
        action, actor, data = name, ADMIN, {}
        if name == "submit":
            actor = reporter
            data = {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"}
        elif name == "hold":
            data = {"reason": "Data belum lengkap"}
        elif name == "resume":
            actor = reporter
        elif name == "verify":
            data = {"classification": "pengaduan"}
        elif name == "dispatch":
            data = {"unit": unit}
        elif name == "dispatch2":
            action = "dispatch"
            unit = UNITS[(UNITS.index(unit) + 1) % len(UNITS)]
            data = {"unit": unit}
        elif name in ("decline", "follow_up"):
            actor = Actor("op", "unit_operator", unit)
            data = {"reason": "Bukan wewenang"} if name == "decline" else {"response": "Selesai"}
        elif name == "reply":
            actor = reporter
            data = {"message": "Belum beres"}
        elif name == "close":
            actor = SYSTEM
        elif name in ("reopen", "archive"):
            data = {"reason": "Perlu ditinjau"}
        elif name == "comment":
            data = {"message": "Mohon ditindaklanjuti"}
        elif name == "escalate":
            actor = SYSTEM
            data = {"level": 1, "to": "unit_head"}
        events.append(Event(f"{cid}#{step}", cid, action, at, actor, data))
    return events


def best(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """The best CPU time of `repeat` runs, and the last result (CPU time: the machine is shared).

    As `timeit` does, the garbage collector is off while timing (both sides allocate many
    small objects; collections would time the heap, not the code), and the previous run's
    result is dropped first.
    """
    times = []
    result: object = None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            result = run()
            times.append(time.process_time() - t0)
        finally:
            gc.enable()
    return min(times), result


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rng = random.Random(20260317)
    events = [e for n in range(args.complaints) for e in history(n, rng)]
    workflow = lapor_workflow()
    policy = lapor_policy()
    # Warm the calendar's index and both code paths (a first run builds the year index).
    evaluate_many(workflow.replay(events[:1000]), AS_OF, policy=policy)

    replay_s, complaints = best(args.repeat, lambda: workflow.replay(events))
    assert isinstance(complaints, dict)
    evaluate_s, evaluations = best(
        args.repeat, lambda: evaluate_many(complaints, AS_OF, policy=policy)
    )
    assert isinstance(evaluations, dict)

    n = len(complaints)
    per_complaint = len(events) / n
    statuses: dict[str, int] = {}
    breached = 0
    for evaluation in evaluations.values():
        for state in evaluation:
            statuses[state.status.value] = statuses.get(state.status.value, 0) + 1
            breached += state.breached
    print(
        f"{n:,} complaints, {len(events):,} events ({per_complaint:.1f} per complaint), "
        f"4 clocks, as of {AS_OF.isoformat()}; best of {args.repeat}"
    )
    print()
    rows = [
        ("replay (Workflow.replay)", replay_s),
        ("evaluate (evaluate_many, 4 clocks)", evaluate_s),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what'.ljust(width)}  {'total s':>8}  {'us/complaint':>12}")
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds:8.2f}  {seconds / n * 1e6:12.1f}")
    print()
    print(f"evaluate / replay = {evaluate_s / replay_s:.2f} (aim: <= 1)")
    print(
        "clock states: "
        + ", ".join(f"{s} {statuses.get(s.value, 0):,}" for s in ClockStatus)
        + f"; breached {breached:,}"
    )


if __name__ == "__main__":
    main()
