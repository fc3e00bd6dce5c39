"""Memory: held per event by replay and evaluation, and the CLI's streaming peaks.

``--held`` (run first by default): memory held per event and per complaint, beyond the events
themselves, by `Workflow.replay` (the complaints it returns) and then by `sla.evaluate` of
every complaint (the evaluations, kept), at 10^5 and 10^6 complaints of six events each (the
lifecycle of bench_workflow's first six steps, each event with its own data). Each size runs
in a fresh subprocess; memory is the resident set (``/proc/self/statm``) after a full
collection, before and after each step. Aim: under 600 bytes per event beyond its payload (the
event objects, also printed).

The rest:

Generates a JSON Lines history of N events (about 6 per complaint: complaints copied from the
Muara Enim simulation under new ids, one in ten left dispatched so that tick has work), imports
it into a SQLite store, then runs each command in a subprocess and reads its peak RSS with
``os.wait4``. A command that streams has about the same peak at both sizes (aim: within 2x).

Run (from the repository root)::

    PYTHONPATH=src python benchmarks/bench_memory.py --held-only     # held memory only
    PYTHONPATH=src python benchmarks/bench_memory.py --held 100000   # held at 10^5 only
    PYTHONPATH=src python benchmarks/bench_memory.py                 # 10^5 and 10^6 events
    PYTHONPATH=src python benchmarks/bench_memory.py --sizes 10000 100000
    PYTHONPATH=src python benchmarks/bench_memory.py --only "replay FILE" "tick FILE"

The files go to a temporary directory (``--workdir`` to keep them).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2030-01-01T00:00:00+07:00"

COMMANDS: dict[str, list[str]] = {
    "import FILE --db": ["import", "{file}", "--db", "{db}"],
    "replay FILE": ["replay", "{file}"],
    "replay --db": ["replay", "--db", "{db}"],
    "export FILE jsonl": ["export", "{file}"],
    "export FILE public-json": ["export", "{file}", "--format", "public-json"],
    "export --db jsonl": ["export", "--db", "{db}"],
    "export --db public-json": ["export", "--db", "{db}", "--format", "public-json"],
    "tick FILE": ["tick", "{file}", "--as-of", AS_OF],
    "tick --db": ["tick", "--db", "{db}", "--as-of", AS_OF],
}


def _templates() -> list[list[dict[str, object]]]:
    """Complaints of the simulation with exactly six events, as event records."""
    from pengaduan.interchange import event_to_dict
    from pengaduan.simulation import muara_enim, simulate

    history = simulate(muara_enim(complaints=200, years=1, ladder_from_year=1), seed=3)
    by_complaint: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
    for event in history.events:
        by_complaint[event.complaint].append(event_to_dict(event))
    return [records for records in by_complaint.values() if len(records) == 6]


def generate(path: Path, events: int) -> int:
    """Write a history of about `events` events to `path`, streaming; return the count."""
    templates = _templates()
    written = 0
    with path.open("w", encoding="utf-8") as target:
        number = 0
        while written < events:
            template = templates[number % len(templates)]
            old = str(template[0]["complaint"])
            new = f"B-{number:07d}"
            keep = template[:3] if number % 10 == 9 else template
            for record in keep:
                line = json.dumps(record, ensure_ascii=False).replace(old, new)
                target.write(line + "\n")
            written += len(keep)
            number += 1
    return written


def peak_rss_kib(argv: list[str]) -> tuple[int, float, int]:
    """Run ``python -m pengaduan argv``; return its peak RSS in KiB, seconds and exit code."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pengaduan", *argv], stdout=sink, stderr=subprocess.PIPE
        )
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if process.stderr is not None:
        process.stderr.close()
    return usage.ru_maxrss, seconds, os.waitstatus_to_exitcode(status)


def _resident() -> int:
    """The resident set of this process, in bytes, after a full collection."""
    import gc

    gc.collect()
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def held_child(complaints: int) -> None:
    """In a fresh process: bytes held by replay and evaluation; prints one JSON line."""
    from datetime import UTC, datetime, timedelta

    from pengaduan import Actor, Event
    from pengaduan.presets import lapor_policy, lapor_workflow
    from pengaduan.sla import evaluate

    workflow, policy = lapor_workflow(), lapor_policy()
    reporter, admin = Actor("warga", "reporter"), Actor("admin", "admin_agency")
    steps = (
        ("submit", reporter, {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"}),
        ("hold", admin, {"reason": "Lokasi kurang"}),
        ("resume", reporter, {}),
        ("verify", admin, {"classification": "pengaduan"}),
        ("dispatch", admin, {"unit": "dinas-pu"}),
        ("forward", admin, {"unit": "upt-jalan"}),
    )
    start = datetime(2026, 1, 5, 1, tzinfo=UTC)
    base = _resident()
    events = []
    for step, (action, actor, data) in enumerate(steps):
        for number in range(complaints):
            cid = f"C-{number:07d}"
            at = start + timedelta(hours=step, seconds=number % 3600)
            events.append(Event(f"{cid}#{step}", cid, action, at, actor, dict(data)))
    payload = _resident()
    replayed = workflow.replay(events)
    after_replay = _resident()
    as_of = start + timedelta(days=30)
    evaluations = [evaluate(c, as_of, policy=policy) for c in replayed.values()]
    after_evaluate = _resident()
    count = len(events)
    assert len(replayed) == len(evaluations) == complaints
    print(
        json.dumps(
            {
                "complaints": complaints,
                "events": count,
                "payload_per_event": (payload - base) / count,
                "replay_per_event": (after_replay - payload) / count,
                "evaluate_per_event": (after_evaluate - after_replay) / count,
                "replay_per_complaint": (after_replay - payload) / complaints,
                "evaluate_per_complaint": (after_evaluate - after_replay) / complaints,
            }
        )
    )


def held(sizes: list[int]) -> None:
    """Run `held_child` per size in a subprocess and print a table."""
    print("memory held beyond the events (resident set, after a full collection)")
    print(
        f"{'complaints':>11} {'events':>10} {'payload B/event':>16} {'replay B/event':>15}"
        f" {'+ evaluate B/event':>19} {'replay B/complaint':>19} {'evaluate B/complaint':>21}"
    )
    for size in sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--held-child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        total = row["replay_per_event"] + row["evaluate_per_event"]
        print(
            f"{row['complaints']:11,} {row['events']:10,} {row['payload_per_event']:16.0f}"
            f" {row['replay_per_event']:15.0f} {total:19.0f}"
            f" {row['replay_per_complaint']:19.0f} {row['evaluate_per_complaint']:21.0f}"
        )
    print("aim: replay + evaluate under 600 bytes per event beyond its payload\n")


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", help="keep the generated files here")
    parser.add_argument(
        "--only", metavar="NAME", nargs="+", help="run only these commands (names as printed)"
    )
    parser.add_argument(
        "--held", type=int, nargs="*", default=[100_000, 1_000_000], help="complaints"
    )
    parser.add_argument("--held-only", action="store_true", help="only the held memory")
    parser.add_argument("--held-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.held_child:
        held_child(args.held_child)
        return
    if args.held:
        held(args.held)
    if args.held_only:
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="pengaduan-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[int, tuple[int, float, int]]] = collections.defaultdict(dict)
    for size in args.sizes:
        file = workdir / f"history-{size}.jsonl"
        db = workdir / f"history-{size}.sqlite"
        if db.exists():
            db.unlink()
        count = generate(file, size)
        print(f"generated {count} events in {file}", file=sys.stderr)
        for name, template in COMMANDS.items():
            if args.only is not None and name not in args.only:
                continue
            argv = [part.format(file=file, db=db) for part in template]
            results[name][size] = peak_rss_kib(argv)
            rss, seconds, code = results[name][size]
            print(f"  {name}: {rss / 1024:.0f} MiB, {seconds:.1f} s, exit {code}", file=sys.stderr)
    sizes = args.sizes
    header = ["command", *(f"peak MiB @ {s:.0e}" for s in sizes), "ratio", "exit codes"]
    print(" | ".join(header))
    for name, by_size in results.items():
        peaks = [by_size[s][0] / 1024 for s in sizes]
        ratio = peaks[-1] / peaks[0] if peaks[0] else float("nan")
        codes = ",".join(str(by_size[s][2]) for s in sizes)
        print(" | ".join([name, *(f"{p:.0f}" for p in peaks), f"{ratio:.2f}", codes]))


if __name__ == "__main__":
    main()
