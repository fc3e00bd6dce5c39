"""``pengaduan simulate``: write a simulated regency history as JSON Lines.

``--stream`` writes complaint by complaint (`pengaduan.simulation.simulate_histories`), so
memory holds one complaint at a time: a national year of 10^6 complaints fits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from pengaduan._cli._common import fail, write_all_or_nothing
from pengaduan._cli._definitions import add_calendar_arguments, calendar_of, regional_scenario
from pengaduan._cli._progress import add_quiet_argument, progress_for
from pengaduan.interchange import write_events
from pengaduan.model import Event
from pengaduan.simulation import simulate, simulate_histories


def register(subparsers: Any) -> None:
    """Add the ``simulate`` command."""
    parser = subparsers.add_parser(
        "simulate",
        help="write a simulated two-year regency history (JSON Lines)",
        description=(
            "Simulate the Muara Enim-shaped scenario (about 260 reports over two years, seven "
            "units, the escalation ladder switched on in the second year) and write its events "
            "as JSON Lines. The same seed always gives the same file."
        ),
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--out", metavar="FILE", default="-", help="where to write; '-' for stdout (default)"
    )
    parser.add_argument(
        "--complaints",
        type=int,
        default=260,
        metavar="N",
        help="how many reports arrive over the period (default 260)",
    )
    parser.add_argument(
        "--years", type=int, default=2, metavar="N", help="length of the period (default 2)"
    )
    parser.add_argument(
        "--no-ladder",
        action="store_true",
        help="never switch the escalation ladder's reminders on",
    )
    parser.add_argument(
        "--stream",
        action="store_true",
        help="write complaint by complaint, in bounded memory (each complaint's events "
        "together, complaints in order of arrival) instead of every event in time order; "
        "the same events, for histories too long to hold (e.g. --complaints 1000000)",
    )
    add_calendar_arguments(parser)
    add_quiet_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan simulate``."""
    if args.complaints < 0:
        return fail(f"--complaints must be at least 0, got {args.complaints}")
    if args.years < 1:
        return fail(f"--years must be at least 1, got {args.years}")
    scenario, _ladder, _policy = regional_scenario(
        calendar_of(args),
        complaints=args.complaints,
        years=args.years,
        ladder_from_year=None if args.no_ladder else min(2, args.years),
    )
    if args.stream:
        return _stream(args, scenario)
    progress = progress_for(args)
    try:
        history = simulate(
            scenario,
            seed=args.seed,
            progress=lambda done, total: progress(done, total, "simulating"),
        )
    finally:
        progress.close()
    if args.out == "-":
        write_events(history.events, sys.stdout)
        return 0
    try:
        count = write_all_or_nothing(args.out, lambda target: write_events(history.events, target))
    except OSError as error:
        return fail(f"cannot write {args.out}: {error.strerror or error}")
    print(
        f"Wrote {count} events of {len(history.complaints())} complaints to {args.out} "
        f"(seed {args.seed}).",
        file=sys.stderr,
    )
    return 0


def _stream(args: argparse.Namespace, scenario: Any) -> int:
    """Write the history complaint by complaint; one complaint in memory at a time."""
    progress = progress_for(args)
    complaints = 0

    def events() -> Iterator[Event]:
        nonlocal complaints
        for history in simulate_histories(
            scenario,
            seed=args.seed,
            progress=lambda done, total: progress(done, total, "simulating"),
        ):
            complaints += bool(history)
            yield from history

    try:
        if args.out == "-":
            write_events(events(), sys.stdout)
            return 0
        try:
            count = write_all_or_nothing(args.out, lambda target: write_events(events(), target))
        except OSError as error:
            return fail(f"cannot write {args.out}: {error.strerror or error}")
    finally:
        progress.close()
    print(
        f"Wrote {count} events of {complaints} complaints to {args.out} (seed {args.seed}, "
        "complaint by complaint).",
        file=sys.stderr,
    )
    return 0
