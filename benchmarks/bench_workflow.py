"""The whole life of complaints: our replay versus `transitions` used the usual ways.

Run:  PYTHONPATH=src python benchmarks/bench_workflow.py [--sizes 1000 10000 100000]
          [--rounds 3] [--attach-up-to 100000] [--long 10 2000 16000] [--store 10 250 2000]

For each n (complaints of 10 events each, interleaved as a real history would be), one job
done three ways, interleaved round by round (the best round of each is reported), with every
side's final states checked equal:

* ours: `Workflow.replay` of the n * 10 events, which validates every event (state, role,
  unit scope, data, guards, time order, duplicate ids), fires the shared model-less machine
  and records the event in a new immutable complaint;
* (a) transitions with a model per complaint: one `Machine`, every complaint attached with
  `add_model` and its events fired through the model's trigger methods (the usual way). The
  attach cost per complaint grows with n (`add_model` tests list membership), so the curve is
  printed;
* (b) transitions' model-less path, ``machine.events[name].trigger(model)``, on the same events:
  the state change alone, with no checks and no recording (the floor for "within 2x").

Then one complaint with a long history (``--long``): replay per event and the cost of one more
`apply_event` at that length (aim: replay per event flat from 10 to 16,000 events). Last
(``--store``), one append to a SQLite store at each history length, validated against the
complaint the store keeps versus (interleaved) a replay of the stored history, the path every
append took before (aim: an append at 2,000 events within 1.5x of one at 10).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
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


def long_history(length: int) -> list[Event]:
    """One complaint: submitted, then `length - 1` comments by the admin."""
    events = [Event("L#0", "L", "submit", T0, REPORTER, dict(STEPS[0][2]))]
    for number in range(1, length):
        at = T0 + timedelta(seconds=number)
        events.append(Event(f"L#{number}", "L", "comment", at, ADMIN, {"message": "m"}))
    return events


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of the process running `function` (less disturbed by other processes)."""
    gc.collect()
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def sides(events: list[Event]) -> dict[str, Callable[[], dict[str, str]]]:
    """The three ways of doing the job; each returns the final state of every complaint."""
    workflow = lapor_workflow()
    states = [s.name for s in workflow.states]
    transitions = [
        {"trigger": a.name, "source": list(a.sources), "dest": a.dest} for a in workflow.actions
    ]
    machine = workflow.machine

    def ours() -> dict[str, str]:
        return {cid: c.state for cid, c in workflow.replay(events).items()}

    class Plain:
        pass

    def attached() -> dict[str, str]:
        shared = Machine(
            model=[], states=states, transitions=transitions, initial="new", auto_transitions=False
        )
        models: dict[str, Plain] = {}
        for event in events:
            model = models.get(event.complaint)
            if model is None:
                model = models[event.complaint] = Plain()
                shared.add_model(model)
            getattr(model, event.action)()
        return {cid: model.state for cid, model in models.items()}  # type: ignore[attr-defined]

    class Slot:
        __slots__ = ("state",)

    def modelless() -> dict[str, str]:
        models: dict[str, Slot] = {}
        trigger = machine.events
        for event in events:
            model = models.get(event.complaint)
            if model is None:
                model = models[event.complaint] = Slot()
                model.state = "new"
            trigger[event.action].trigger(model)
        return {cid: model.state for cid, model in models.items()}

    return {"ours": ours, "(a) add_model + triggers": attached, "(b) model-less trigger": modelless}


def whole_lives(sizes: list[int], rounds: int, attach_up_to: int) -> None:
    print("whole life of n complaints (10 events each), best of", rounds, "interleaved rounds")
    print(f"{'n':>8} {'side':28} {'us/event':>9} {'us/complaint':>13} {'ours / side':>12}")
    for n in sizes:
        events = history(n)
        jobs = sides(events)
        if n > attach_up_to:  # add_model is quadratic in n: hours at 10^6
            del jobs["(a) add_model + triggers"]
        best: dict[str, float] = dict.fromkeys(jobs, float("inf"))
        results: dict[str, dict[str, str]] = {}
        for _round in range(rounds):
            for name, job in jobs.items():
                seconds, result = timed(job)
                best[name] = min(best[name], seconds)
                results[name] = result
                del result
        expected = results["ours"]
        assert len(expected) == n
        assert set(expected.values()) == {"followed_up"}
        for name, result in results.items():
            assert result == expected, f"{name} disagrees with ours"
        for name, seconds in best.items():
            print(
                f"{n:8,} {name:28} {seconds / len(events) * 1e6:9.2f} {seconds / n * 1e6:13.2f}"
                f" {best['ours'] / seconds:11.2f}x"
            )
        del events, jobs, results


def long_lives(lengths: list[int]) -> None:
    workflow = lapor_workflow()
    print("\none complaint with a long history")
    print(f"{'events':>8} {'replay us/event':>16} {'first apply_event':>18} {'then each':>26}")
    baseline = None
    for length in lengths:
        events = long_history(length)
        replay_s = min(timed(partial(workflow.replay, events))[0] for _ in range(3))
        complaint = workflow.replay(events)["L"]
        assert complaint.version == length
        later = T0 + timedelta(days=1)
        extra = [
            Event(f"L#x{i}", "L", "comment", later + timedelta(seconds=i), ADMIN, {"message": "m"})
            for i in range(200)
        ]
        # The first lookup of an id builds the complaint's id index (once, linear in its
        # length): it is counted apart, then the steady cost per append.
        first_s, complaint = timed(partial(workflow.apply_event, complaint, extra[0]))
        more_s, last = min(
            (timed(partial(append_all, workflow, complaint, extra[1:])) for _ in range(3)),
            key=lambda pair: pair[0],
        )
        assert last.version == length + len(extra)
        per_append = more_s / (len(extra) - 1) * 1e6
        baseline = baseline or per_append
        print(
            f"{length:8,} {replay_s / length * 1e6:16.2f} {first_s * 1e6:15.0f} us"
            f" {per_append:12.2f} us ({per_append / baseline:4.2f}x of the first)"
        )


def store_appends(lengths: list[int]) -> None:
    """One append to a SQLite store at each history length: kept complaint vs replay."""
    import tempfile
    from pathlib import Path

    from pengaduan.store import SQLiteStore

    print("\nSQLite store, one append of one event (durable commit), best of 3 x 30 appends")
    print(f"{'events':>8} {'kept complaint':>15} {'replay (before)':>16} {'kept vs 10':>11}")
    baseline = None
    with tempfile.TemporaryDirectory() as folder:
        for length in lengths:
            events = long_history(length)
            path = Path(folder) / f"long-{length}.db"
            with SQLiteStore(path, workflow=lapor_workflow()) as store:
                for start in range(0, length, 500):
                    store.append("L", events[start : start + 500])
                later = T0 + timedelta(days=1)
                best = {"kept": float("inf"), "replay": float("inf")}
                results: dict[str, Any] = {}
                number = 0
                for _round in range(3):
                    for side in ("kept", "replay"):
                        batch = [
                            Event(
                                f"L#{side}{number + i}",
                                "L",
                                "comment",
                                later + timedelta(seconds=number + i),
                                ADMIN,
                                {"message": "m"},
                            )
                            for i in range(30)
                        ]
                        number += 30
                        store.load("L")  # kept (or read) once, as an application would
                        start_s = time.perf_counter()
                        for event in batch:
                            if side == "replay":
                                store._forget()
                            result = store.append("L", [event])
                        seconds = (time.perf_counter() - start_s) / len(batch)
                        best[side] = min(best[side], seconds)
                        results[side] = result.complaint
                store._forget()
                assert store.load("L") == results["replay"]
            baseline = baseline or best["kept"]
            print(
                f"{length:8,} {best['kept'] * 1e6:12.0f} us {best['replay'] * 1e6:13.0f} us"
                f" {best['kept'] / baseline:10.2f}x"
            )


def append_all(workflow: Any, complaint: Any, events: list[Event]) -> Any:
    for event in events:
        complaint = workflow.apply_event(complaint, event)
    return complaint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--attach-up-to", type=int, default=100_000, help="skip (a) above this many complaints"
    )
    parser.add_argument("--long", type=int, nargs="+", default=[10, 250, 2_000, 16_000])
    parser.add_argument("--store", type=int, nargs="*", default=[10, 250, 2_000])
    args = parser.parse_args()
    whole_lives(args.sizes, args.rounds, args.attach_up_to)
    long_lives(args.long)
    store_appends(args.store)


if __name__ == "__main__":
    main()
