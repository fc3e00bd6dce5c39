"""The testing kit's costs: builders, the factory, scenarios and the plugin's import.

Run:  .venv/bin/python benchmarks/bench_testing.py [--complaints 200] [--repeat 3]

Issue 9 names no peer for a testing kit, so each measure is set against the plain way a test
would do the same thing without the kit, in the same run:

* builder: ``a_complaint(...).submitted().verified().dispatched().followed_up().closed()``
  against five hand-written ``Workflow.apply`` calls (the builder's overhead: actor choice,
  placeholder data, a new frozen builder per step);
* factory: ``ComplaintFactory()("closed")`` (shortest path searched each time) against the same
  five ``apply`` calls;
* scenario: ``Scenario.advance(working_days=20)`` over N dispatched complaints, which wakes up
  only at ``next_due_at`` instants, against a loop that moves a manual clock one hour at a
  time and ticks the ladder every hour (what a test would write with a frozen-time library).
  Both record the same escalation events, which the script checks;
* import: importing ``pengaduan._pytest_plugin`` once pytest is loaded (what every pytest
  session of a project that installed pengaduan pays) against importing pytest itself, in
  fresh interpreters (median of 7).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pengaduan import Actor
from pengaduan.escalation import tick
from pengaduan.presets import lapor_ladder, lapor_workflow
from pengaduan.testing import ComplaintFactory, ManualClock, Scenario, a_complaint

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 13, 10, 0, tzinfo=WIB)
SUBMIT = {"title": "Jalan berlubang", "body": "Lubang besar", "channel": "web"}


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def raw_closed(n: int) -> None:
    wf = lapor_workflow()
    reporter = Actor("w", "reporter")
    admin = Actor("a", "admin_agency")
    operator = Actor("o", "unit_operator", "dinas-pu")
    system = Actor("s", "system")
    for i in range(n):
        c = wf.apply(wf.new(f"C-{i}"), "submit", reporter, T0, SUBMIT)
        c = wf.apply(c, "verify", admin, T0, {"classification": "pengaduan"})
        c = wf.apply(c, "dispatch", admin, T0, {"unit": "dinas-pu"})
        c = wf.apply(c, "follow_up", operator, T0, {"response": "ok"})
        wf.apply(c, "close", system, T0)


def builder_closed(n: int) -> None:
    for i in range(n):
        a_complaint(f"C-{i}").submitted(at=T0).verified().dispatched(
            to="dinas-pu"
        ).followed_up().closed()


def factory_closed(n: int) -> None:
    factory = ComplaintFactory(clock=ManualClock(T0))
    for _ in range(n):
        factory("closed")


def scenario(n: int) -> Scenario:
    s = Scenario(T0)
    for i in range(n):
        s.complaint(f"C-{i}").submitted().verified().dispatched(to="dinas-pu")
    return s


def wake_at_due(n: int) -> Scenario:
    s = scenario(n)
    s.advance(working_days=20)
    return s


def hourly(n: int) -> Scenario:
    s = scenario(n)
    target = ManualClock(T0, calendar=s.calendar).advance_working_days(20)
    ladder = lapor_ladder()
    now = T0
    while now < target:
        now = min(now + timedelta(hours=1), target)
        result = tick(s.complaints, now, ladder=ladder)
        s.complaints.update(result.complaints)
    return s


def import_time(before: str, module: str, repeat: int) -> float:
    """Median seconds to import `module` in a fresh interpreter, after `before` is imported."""
    code = (
        f"import time{', ' + before if before else ''}\n"
        f"t = time.perf_counter()\nimport {module}\nprint(time.perf_counter() - t)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(max(repeat, 7))
    ]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, r = args.complaints, args.repeat

    lapor_ladder()  # build the presets and calendar indexes outside the timings
    raw_closed(10)
    rows: list[tuple[str, str, float, str, float]] = []

    raw = best(lambda: raw_closed(n), r) / n
    built = best(lambda: builder_closed(n), r) / n
    made = best(lambda: factory_closed(n), r) / n
    rows.append(("closed complaint (5 events)", "builder", built, "5 x Workflow.apply", raw))
    rows.append(("closed complaint (5 events)", "factory", made, "5 x Workflow.apply", raw))

    woke = wake_at_due(n)
    polled = hourly(n)
    # The same actions, with the same keys and due instants; only the instants they are
    # recorded at differ (the hourly loop records each at the first whole hour after it).
    same = all(
        [(e.id, e.data) for e in woke[c.id].events[3:]] == [(e.id, e.data) for e in c.events[3:]]
        for c in polled.complaints.values()
    )
    jump = best(lambda: wake_at_due(n), r)
    loop = best(lambda: hourly(n), max(1, r - 2))
    rows.append(
        (f"20 working days, {n} complaints", "Scenario.advance", jump, "tick every hour", loop)
    )

    plugin = import_time("pytest", "pengaduan._pytest_plugin", r)
    bare = import_time("", "pytest", r)
    rows.append(("fresh interpreter", "plugin after pytest", plugin, "import pytest", bare))

    print(f"{'case':34} {'ours':18} {'seconds':>11} {'baseline':20} {'seconds':>11} {'ratio':>7}")
    for case, ours, ours_s, base, base_s in rows:
        print(f"{case:34} {ours:18} {ours_s:11.6f} {base:20} {base_s:11.6f} {ours_s / base_s:7.2f}")
    print(f"same due actions recorded both ways (keys and data): {same}")


if __name__ == "__main__":
    main()
