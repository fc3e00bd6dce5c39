"""The cost of privacy: redacted views and the public feed versus doing without.

Run:  .venv/bin/python benchmarks/bench_access.py [--complaints 20000]

Issue 8 names no peer library, so the references are the two things an app would otherwise do:

* no redaction at all: serialise every complaint as stored (the leak; a lower bound);
* hand-written redaction: ``copy.deepcopy`` of each complaint's records, then deleting the
  reporter's keys by hand (what the two documented leaks did, minus the forgetting).

Measured in one run over the same complaints (a quarter of each flag combination, 8 events
each, dispatched): `view` for the public and for the handling unit, `can`, `json_feed` for the
public, and the two references.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pengaduan import Actor, Complaint
from pengaduan.access import PUBLIC, Viewer, can, json_feed, view, visible
from pengaduan.interchange import event_to_dict
from pengaduan.presets import lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=WIB)
ADMIN = Actor("admin", "admin_agency")
OPERATOR = Actor("op", "unit_operator", "dinas-pu")


def build(n: int) -> list[Complaint]:
    workflow = lapor_workflow()
    out = []
    for i in range(n):
        reporter = Actor(f"warga-{i}", "reporter")
        steps = (
            (
                "submit",
                reporter,
                {
                    "title": "Jalan rusak",
                    "body": "Berlubang di depan sekolah",
                    "channel": "web",
                    "privacy": {"anonymous": i % 2 == 1, "confidential": i % 4 >= 2},
                    "reporter": {"name": f"Warga {i}", "phone": f"0812{i:08d}"},
                },
            ),
            ("comment", reporter, {"message": "Mohon dicek"}),
            ("verify", ADMIN, {"classification": "pengaduan"}),
            ("dispatch", ADMIN, {"unit": "dinas-pu"}),
            ("follow_up", OPERATOR, {"response": "Dicek"}),
            ("reply", reporter, {"message": "Belum"}),
            ("comment", OPERATOR, {"message": "Segera"}),
            ("follow_up", OPERATOR, {"response": "Ditambal"}),
        )
        c = workflow.new(f"C-{i}")
        for hour, (action, actor, data) in enumerate(steps):
            c = workflow.apply(c, action, actor, T0 + timedelta(hours=hour), data)
        out.append(c)
    return out


def unredacted(complaints: list[Complaint]) -> str:
    return json.dumps([[event_to_dict(e) for e in c.events] for c in complaints])


def by_hand(complaints: list[Complaint]) -> str:
    records = []
    for c in complaints:
        assert c.facts is not None
        if c.facts.privacy.confidential:
            continue
        events = copy.deepcopy([event_to_dict(e) for e in c.events])
        for e in events:
            e["data"].pop("reporter", None)
            e["data"].pop("reporter_account", None)
            if e["actor"]["role"] == "reporter":
                e["actor"]["id"] = "anonim"
        records.append(events)
    return json.dumps(records)


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=20_000)
    n = parser.parse_args().complaints
    complaints = build(n)
    unit = Viewer.staff("unit_operator", "dinas-pu")
    public_visible = [c for c in complaints if visible(c, workflow=lapor_workflow())]

    rows = [
        ("reference: json.dumps, no redaction", timed(lambda: unredacted(complaints))),
        ("reference: deepcopy + pop by hand, json", timed(lambda: by_hand(complaints))),
        (
            "ours: json_feed(public), json",
            timed(lambda: json.dumps(json_feed(complaints, workflow=lapor_workflow()))),
        ),
        (
            "ours: view(public), visible ones",
            timed(lambda: [view(c, workflow=lapor_workflow()) for c in public_visible]),
        ),
        (
            "ours: view(unit handler)",
            timed(lambda: [view(c, unit, workflow=lapor_workflow()) for c in complaints]),
        ),
        (
            "ours: can(operator, follow_up)",
            timed(
                lambda: [
                    can(OPERATOR, "follow_up", c, workflow=lapor_workflow()) for c in complaints
                ]
            ),
        ),
        (
            "ours: visible(public)",
            timed(lambda: [visible(c, PUBLIC, workflow=lapor_workflow()) for c in complaints]),
        ),
    ]
    base = rows[1][1]
    print(f"{n} complaints, 8 events each; best of 3 runs")
    print(f"{'what':44} {'total s':>9} {'us/complaint':>13} {'vs by hand':>11}")
    for name, seconds in rows:
        per = seconds / n * 1e6
        print(f"{name:44} {seconds:9.3f} {per:13.1f} {seconds / base:10.2f}x")


if __name__ == "__main__":
    main()
