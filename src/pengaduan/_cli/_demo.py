"""``pengaduan demo``: two years of a Muara Enim-shaped regency, end to end.

Simulates the scenario (`pengaduan.simulation.muara_enim`: the escalation ladder runs for
real, its reminders switched on in the second year), stores every event in SQLite (validated
by the workflow on the way in), reads the complaints back from the store, runs the clocks and
one more escalation tick as of the end, and prints the regency's report.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import IO, Any

from pengaduan._cli._common import fail, table
from pengaduan._cli._list import read_model as lapor_read_model
from pengaduan.escalation import due, tick
from pengaduan.exceptions import PengaduanError
from pengaduan.model import Complaint, Event
from pengaduan.presets import lapor_policy
from pengaduan.reports import build_report
from pengaduan.simulation import muara_enim, muara_enim_ladder, simulate
from pengaduan.sla import Policy, evaluate
from pengaduan.store import open_store


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo",
        help="run a two-year regency scenario end to end and print its report",
        description=(
            "Simulate two years of a regency shaped on the published Muara Enim figures "
            "(about 260 reports; average follow-up around 7 days in the first year and around "
            "2 days in the second, once the escalation ladder's reminders are switched on), "
            "store every event in SQLite, run the SLA clocks and the escalation ladder, and "
            "print the report: counts, rates, follow-up per year, compliance per unit, the most "
            "overdue complaints and the reminders sent. Reproducible: the same seed always "
            "prints the same report."
        ),
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="keep the SQLite store in this file (default: a temporary file, deleted at the "
        "end); running the demo again with the same seed and file adds nothing",
    )
    parser.add_argument(
        "--complaints",
        type=int,
        default=260,
        metavar="N",
        help="how many reports arrive over the two years (default 260)",
    )
    parser.set_defaults(handler=run)


class _Progress:
    """A progress bar on a terminal, shown only once the run has lasted `after` seconds.

    Nothing is written to a stream that is not a terminal (a log file, a pipe), unless
    `force` is set.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        width: int = 30,
        force: bool = False,
    ) -> None:
        self.stream = stream
        self.after = after
        self.clock = clock
        self.width = width
        self.started = clock()
        self.shown = False
        self.enabled = force or stream.isatty()
        self.last = ""

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        if not self.shown and self.clock() - self.started < self.after:
            return
        share = min(done / total, 1.0) if total else 1.0
        filled = round(self.width * share)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"\r[{bar}] {100 * share:3.0f}% {label:<12}"
        if line != self.last:
            self.shown = True
            self.last = line
            self.stream.write(line)
            self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _latest_follow_ups(
    complaints: Iterable[Complaint], policy: Policy, as_of: datetime, limit: int = 5
) -> list[list[str]]:
    """The follow-up cycles that ended furthest past their deadline, as table rows."""
    tz = policy.clock("follow_up").calendar.tz
    late: list[tuple[float, str, str, datetime]] = []
    for complaint in complaints:
        state = evaluate(complaint, policy, as_of)["follow_up"]
        for cycle in state.cycles:
            if cycle.breach_at is None:
                continue
            end = cycle.stop if cycle.stop is not None else as_of
            days = (end - cycle.breach_at).total_seconds() / 86_400
            late.append((days, complaint.id, complaint.unit or "-", cycle.breach_at))
    late.sort(key=lambda item: (-item[0], item[1]))
    rows = []
    for days, cid, unit, deadline in late[:limit]:
        # A deadline is the end (24:00) of its last working day: show that day.
        day = (deadline - timedelta(microseconds=1)).astimezone(tz)
        rows.append([cid, unit, f"{day:%Y}", f"{day:%Y-%m-%d}", f"{days:.1f}"])
    return rows


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan demo``."""
    if args.complaints < 0:
        return fail(f"--complaints must be at least 0, got {args.complaints}")
    progress = _Progress(sys.stderr)
    try:
        if args.db is not None:
            return _run(args, args.db, progress)
        with tempfile.TemporaryDirectory(prefix="pengaduan-demo-") as folder:
            return _run(args, os.path.join(folder, "demo.sqlite"), progress)
    finally:
        progress.close()


def _run(args: argparse.Namespace, path: str, progress: _Progress) -> int:
    scenario = muara_enim(complaints=args.complaints)
    ladder = muara_enim_ladder()
    policy = lapor_policy()
    total = max(scenario.complaints, 1)
    # Weights of the phases in the bar: simulating, storing, reporting.
    history = simulate(
        scenario,
        seed=args.seed,
        progress=lambda done, _all: progress(done, 3 * total, "simulating"),
    )
    by_complaint: dict[str, list[Event]] = {}
    for event in history.events:
        by_complaint.setdefault(event.complaint, []).append(event)
    try:
        store = open_store(path, read_model=lapor_read_model())
    except PengaduanError as error:
        return fail(str(error))
    try:
        for number, (complaint_id, events) in enumerate(by_complaint.items(), start=1):
            try:
                store.append(complaint_id, events)
            except PengaduanError as error:
                return fail(
                    f"cannot store the demo history in {path}: {error} (the store holds "
                    "another history; use another --db)"
                )
            progress(total + number * total // max(len(by_complaint), 1), 3 * total, "storing")
        complaints = {c.id: c for c in store.complaints()}
        as_of = scenario.end
        pending = due(complaints, as_of, ladder)
        result = tick(complaints, as_of, ladder)
        for event in result.events:
            store.append(event.complaint, [event])
        complaints.update(result.complaints)
        progress(5 * total // 2, 3 * total, "reporting")
        report = build_report(
            complaints,
            as_of,
            policy=policy,
            title="Laporan Pengaduan Kabupaten (simulasi) / Regency complaints report (simulated)",
        )
        stored = store.position()
    finally:
        store.close()
    progress(3 * total, 3 * total, "done")
    progress.close()
    progress.shown = False  # closed: run() must not end the line twice

    years = [s.groups for s in report.sections if s.by is not None and s.by.value == "year"]
    print(
        f"Scenario {scenario.name} (seed {args.seed}): {len(complaints)} complaints from "
        f"{scenario.start:%d %b %Y} to {scenario.end:%d %b %Y}; escalation ladder "
        f"{ladder.name} {ladder.version}, reminders switched on from "
        f"{scenario.reminders.since:%d %b %Y}."
        if scenario.reminders is not None and scenario.reminders.since is not None
        else f"Scenario {scenario.name} (seed {args.seed})."
    )
    where = path if args.db is not None else "a temporary SQLite file"
    print(f"Stored {stored} events in {where}; {len(pending)} escalation action(s) due at the end.")
    if years:
        means = ", ".join(
            f"{g.key}: {g.follow_up_time.mean_days:.1f} days"
            for g in years[0]
            if g.follow_up_time.mean_days is not None
        )
        means = means or "none, nothing was followed up"
        print(f"Average follow-up (dispatch to first follow-up) by year: {means}.")
    print()
    print(report, end="")
    late = _latest_follow_ups(complaints.values(), policy, as_of)
    title = "Tindak lanjut paling terlambat / latest follow-ups (missed deadlines, all years)"
    print(f"\n{title}\n{'-' * len(title)}")
    if late:
        print(table(("complaint", "unit", "year", "last_day", "days_late"), late))
    else:
        print("None.")
    return 0
