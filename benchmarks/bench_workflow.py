"""Replay through the SP4N-LAPOR! workflow versus `transitions` used the usual ways.

Run:  .venv/bin/python benchmarks/bench_workflow.py [--complaints 100000] [--add-model 5000]

Measures, in one run:

* ours: `Workflow.replay` of 10 events per complaint (1,000,000 events over 100,000
  complaints by default), which validates every event (state, role, unit scope, data, guards,
  time order, duplicate ids), fires the shared model-less machine and records the event in a new
  immutable complaint;
* (a) transitions with `add_model` per complaint (one Machine, every complaint attached to it):
  attaching is O(n) per model (a list membership test), so it runs on a smaller n (10,000 by
  default) and the per-complaint figure is reported at that n: a floor, since it grows with n;
* (b) transitions' model-less path, `machine.events[name].trigger(model)`, on the same
  1,000,000 events: the state change alone, with no checks and no recording.

Bytes per complaint are measured with tracemalloc over the replayed complaints, with the events
already in memory, so they exclude the event payloads.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from transitions import Machine

from pengaduan import Actor, Event
from pengaduan.presets import lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=WIB)
REPORTER = Actor("warga", "reporter")
ADMIN = Actor("admin", "admin_agency")
OPERATOR = Actor("op", "unit_operator", "upt-jalan")
STEPS = (
    ("submit", REPORTER, {"title": "Jalan rusak", "body": "Berlubang", "channel": "web"}),
    ("hold", ADMIN, {"reason": "Lokasi kurang"}),
    ("resume", REPORTER, {}),
    ("verify", ADMIN, {"classification": "pengaduan"}),
    ("dispatch", ADMIN, {"unit": "dinas-pu"}),
    ("forward", ADMIN, {"unit": "upt-jalan"}),
    ("comment", OPERATOR, {"message": "Dicek"}),
    ("follow_up", OPERATOR, {"response": "Ditambal"}),
    ("reply", REPORTER, {"message": "Terima kasih"}),
    ("follow_up", OPERATOR, {"response": "Selesai"}),
)


def history(complaints: int) -> list[Event]:
    """Every complaint's 10 events, interleaved as a real history would be."""
    events = []
    for step, (action, actor, data) in enumerate(STEPS):
        at = T0 + timedelta(hours=step)
        for number in range(complaints):
            cid = f"C-{number}"
            events.append(Event(f"{cid}#{step}", cid, action, at, actor, data))
    return events


def timed(function, *args):
    gc.collect()
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--add-model", type=int, default=10_000, help="n for add_model (a)")
    args = parser.parse_args()
    n = args.complaints
    workflow = lapor_workflow()
    events = history(n)
    count = len(events)

    # ours: replay everything
    ours_s, complaints = timed(workflow.replay, events)
    assert len(complaints) == n
    assert all(c.state == "followed_up" for c in complaints.values())
    del complaints

    # ours: creating complaints (new + submit) one by one
    submits = events[:n]

    def create() -> list[object]:
        new, apply_event = workflow.new, workflow.apply_event
        return [apply_event(new(e.complaint), e) for e in submits]

    create_s, _ = timed(create)

    # ours: a complaint record alone (the counterpart of attaching a model to a machine)
    ids = [e.complaint for e in submits]

    def new_only() -> list[object]:
        new = workflow.new
        return [new(cid) for cid in ids]

    new_s, _ = timed(new_only)

    # ours: bytes per complaint beyond the event payloads
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    complaints = workflow.replay(events)
    gc.collect()
    ours_bytes = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    del complaints

    # (b) transitions, model-less machine, state change only
    machine = workflow.machine

    class Model:
        __slots__ = ("state",)

    def modelless() -> int:
        models: dict[str, Model] = {}
        trigger = machine.events
        for event in events:
            model = models.get(event.complaint)
            if model is None:
                model = models[event.complaint] = Model()
                model.state = "new"
            trigger[event.action].trigger(model)
        return len(models)

    b_s, _ = timed(modelless)

    # (a) transitions, add_model per complaint, on a smaller n
    m = min(args.add_model, n)
    states = [s.name for s in workflow.states]
    transitions = [
        {"trigger": a.name, "source": list(a.sources), "dest": a.dest} for a in workflow.actions
    ]

    class Plain:
        pass

    def add_models(m: int) -> list[Plain]:
        shared = Machine(
            model=[], states=states, transitions=transitions, initial="new", auto_transitions=False
        )
        plain = [Plain() for _ in range(m)]
        for model in plain:
            shared.add_model(model)
        return plain

    # add_model's cost per model grows with the models already attached (a list membership
    # test), so the figure at the measured n is a floor for n = 100,000.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    a_create_s, attached = timed(add_models, m)
    a_bytes = (tracemalloc.get_traced_memory()[0] - before) / m
    tracemalloc.stop()
    a_events = [e for e in events if int(e.complaint[2:]) < m]

    def fire_attached() -> None:
        for event in a_events:
            getattr(attached[int(event.complaint[2:])], event.action)()

    a_fire_s, _ = timed(fire_attached)

    us = 1e6
    nan = float("nan")
    rows = [
        (
            "ours: Workflow.replay (checked, recorded)",
            ours_s / count * us,
            new_s / n * us,
            ours_bytes,
        ),
        ("ours: new + submit, per complaint", nan, create_s / n * us, nan),
        (
            f"(a) transitions add_model, measured n={m:,}",
            a_fire_s / len(a_events) * us,
            a_create_s / m * us,
            a_bytes,
        ),
        ("(b) transitions model-less trigger only", b_s / count * us, nan, nan),
    ]
    print(f"{count:,} events over {n:,} complaints ({len(STEPS)} events each)\n")
    print(f"{'':46} {'us/event':>10} {'us/complaint':>13} {'bytes/complaint':>16}")
    for name, per_event, per_complaint, size in rows:
        print(f"{name:46} {per_event:10.2f} {per_complaint:13.2f} {size:16.0f}")
    print()
    print(f"per event, ours / (b):                 {ours_s / b_s:6.2f}x  (aim: within 2x)")
    print(
        f"per complaint created, (a) / ours:     {a_create_s / m / (new_s / n):6.0f}x cheaper"
        f"  (aim: at least 100x; (a) at n={m:,}, and it grows with n)"
    )
    print(f"  counting ours with its submit event: {a_create_s / m / (create_s / n):6.0f}x cheaper")
    print(f"bytes per complaint beyond payloads:   {ours_bytes:6.0f}   (aim: under 1,024)")


if __name__ == "__main__":
    main()
