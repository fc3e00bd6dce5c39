"""``pengaduan sla FILE``: the SP4N-LAPOR! clocks of every complaint in an event file."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pengaduan._cli._common import (
    add_history_argument,
    as_of_or_now,
    fail,
    instant,
    read_error,
    replayed_history,
    table,
)
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan._sla_explain import format_delta, format_instant
from pengaduan.exceptions import PengaduanError
from pengaduan.interchange import clock_state_to_dict
from pengaduan.sla import ClockState, evaluate_many


def register(subparsers: Any) -> None:
    """Add the ``sla`` command."""
    parser = subparsers.add_parser(
        "sla",
        help="show the SLA clocks of each complaint in an event file",
        description=(
            "Replay a JSON Lines event file through the SP4N-LAPOR! workflow and evaluate the "
            "SP4N-LAPOR! clocks (verification, follow_up, closure, resolution) on the id-gov "
            "calendar (or on --calendar/--tz, or your own --workflow/--policy files): one row "
            "per complaint and clock. A malformed line or a refused event stops the run with "
            "exit code 2."
        ),
    )
    add_history_argument(parser)
    add_definition_arguments(parser)
    parser.add_argument(
        "--as-of",
        type=instant,
        help="evaluate as of this ISO 8601 instant (with offset); default: now. Later events "
        "are ignored",
    )
    parser.add_argument("--clock", metavar="NAME", help="show only this clock")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array: one object per complaint and clock, the key complaint "
        "and those of pengaduan.interchange.clock_state_to_dict (remaining_seconds in "
        "remaining_unit, working or calendar time, as the table shows it)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan sla``."""
    found = definitions(args)
    policy = found.policy
    if args.clock is not None and args.clock not in policy.names:
        return fail(f"unknown clock {args.clock!r}; the clocks are: {', '.join(policy.names)}")
    as_of = as_of_or_now(args.as_of)

    with replayed_history(args, as_of, workflow=found.workflow) as complaints:
        if isinstance(complaints, str):
            return fail(complaints)
        try:
            evaluations = evaluate_many(complaints, as_of, policy=policy)
        except (PengaduanError, OSError) as error:
            return fail(read_error(args, error))
    rows = [
        (cid, state)
        for cid, evaluation in evaluations.items()
        for state in evaluation
        if args.clock is None or state.name == args.clock
    ]
    if args.json:
        print(json.dumps([_record(cid, s) for cid, s in rows], ensure_ascii=False, indent=2))
        return 0
    header = (
        "Laporan / complaint",
        "Jam SLA / clock",
        "Status / status",
        "Terlambat / breached",
        "Batas waktu / deadline",
        "Sisa / remaining",
        "Siklus / cycles",
    )
    print(table(header, [_cells(cid, s) for cid, s in rows]))
    return 0


def _unit(state: ClockState) -> str:
    """The unit the clock's target counts in: ``working`` or ``calendar`` time."""
    return "working" if state.clock.target.in_working_time else "calendar"


def _record(complaint: str, state: ClockState) -> dict[str, Any]:
    return {"complaint": complaint, **clock_state_to_dict(state)}


def _cells(complaint: str, state: ClockState) -> list[str]:
    tz = state.clock.calendar.tz
    deadline = state.deadline
    remaining = state.remaining
    return [
        complaint,
        state.name,
        state.status.value,
        "yes" if state.breached else "no",
        format_instant(deadline.astimezone(tz)) if deadline is not None else "-",
        (
            f"{format_delta(remaining, hours=state.clock.target.in_working_time)} {_unit(state)}"
            if remaining is not None
            else "-"
        ),
        str(len(state.cycles)),
    ]
