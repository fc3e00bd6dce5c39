"""``pengaduan report FILE``: the metrics of a history, as a report or as JSON."""

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
    terminal_width,
)
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan.exceptions import PengaduanError
from pengaduan.metrics import GroupBy
from pengaduan.reports import build_report


def register(subparsers: Any) -> None:
    """Add the ``report`` command."""
    parser = subparsers.add_parser(
        "report",
        help="report the metrics of an event file: counts, rates, follow-up times, compliance",
        description=(
            "Replay a JSON Lines event file (or a store) through the SP4N-LAPOR! workflow and "
            "report, as of an instant: complaints received, archived, verified, dispatched, "
            "followed up and closed; follow-up and settlement rates; follow-up times in "
            "calendar and working days; compliance of the SP4N-LAPOR! clocks; the most overdue "
            "complaints and the reminders sent. A malformed line or a refused event stops the "
            "run with exit code 2."
        ),
    )
    add_history_argument(parser)
    add_definition_arguments(parser)
    parser.add_argument(
        "--as-of",
        type=instant,
        help="report as of this ISO 8601 instant (with offset); default: now. Later events "
        "are ignored",
    )
    parser.add_argument(
        "--by",
        choices=[g.value for g in GroupBy],
        help="group by unit, classification, channel, or month or year of submission "
        "(default: a full report by year and by unit; with --json, no groups)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object with the figures under the names of the report's columns "
        "and of Metrics.to_frame: received, archived, verified, dispatched, followed_up, "
        "closed, open, reminders, follow_up_rate, settlement_rate, durations as "
        "<duration>_<statistic>_<calendar|working>_days (e.g. follow_up_mean_calendar_days, "
        "follow_up_mean_working_days) and compliance_<clock> with <clock>_met and "
        "<clock>_stopped for every clock of the policy; with --by, one object per group under "
        '"groups"',
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan report``."""
    as_of = as_of_or_now(args.as_of)
    found = definitions(args)
    by: tuple[str, ...] = (args.by,) if args.by is not None else ("year", "unit")
    with replayed_history(args, as_of, workflow=found.workflow) as complaints:
        if isinstance(complaints, str):
            return fail(complaints)
        try:
            report = build_report(
                complaints,
                as_of,
                policy=found.policy,
                by=by,
                workflow=found.workflow,
                calendar=found.zone_calendar,
            )
        except (PengaduanError, OSError) as error:
            return fail(read_error(args, error))
    if args.json:
        metrics = report.metrics if args.by is None else report.section(args.by)
        print(json.dumps(metrics.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(report.to_text(width=terminal_width()), end="")
    return 0
