"""``pengaduan replay FILE``: rebuild complaints from an event file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from pengaduan._cli._common import (
    add_history_argument,
    fail,
    history_name,
    instant,
    numbered_history,
    print_json_array,
    read_error,
    store_complaints,
    table,
    terminal_width,
    where,
)
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan._table import stream_table
from pengaduan.exceptions import EventFormatError, RefusedError
from pengaduan.model import Complaint, Event
from pengaduan.workflow import Workflow


def register(subparsers: Any) -> None:
    """Add the ``replay`` command."""
    parser = subparsers.add_parser(
        "replay",
        help="replay an event file and show each complaint's state",
        description=(
            "Replay a JSON Lines event file through the SP4N-LAPOR! workflow and print one row "
            "per complaint. A refused event stops the run with exit code 2."
        ),
    )
    add_history_argument(parser)
    add_definition_arguments(parser, policy=False)
    parser.add_argument(
        "--as-of", type=instant, help="ignore events after this ISO 8601 instant (with offset)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="report refused or malformed lines on stderr and go on (exit 0)",
    )
    parser.set_defaults(handler=run)


class _StopReplayError(Exception):
    pass


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan replay``."""
    workflow = definitions(args).workflow
    if args.db is not None:
        return _replay_store(args, workflow)
    # replay() pulls one event at a time and judges it before pulling the next, so the line
    # last read is the line of any refusal.
    current_line = 0

    def report(message: str) -> None:
        print(f"{history_name(args)}:{message}", file=sys.stderr)

    def malformed(error: EventFormatError) -> None:
        if not args.skip_invalid:
            raise error
        report(f"line {error.line}: skipped: {error.reason} ({error.path or 'record'})")

    def events() -> Iterator[Event]:
        nonlocal current_line
        for number, event in numbered_history(args, on_error=malformed):
            if args.as_of is not None and event.at > args.as_of:
                continue
            current_line = number
            yield event

    def refused(_event: Event, error: RefusedError) -> None:
        message = f"{where(args, current_line)}: refused: {error}"
        if not args.skip_invalid:
            report(message)
            raise _StopReplayError
        report(message.replace("refused:", "skipped:", 1))

    try:
        complaints = workflow.replay(events(), on_refused=refused)
    except _StopReplayError:
        return 2
    except EventFormatError as error:
        return fail(str(error))
    except OSError as error:
        return fail(read_error(args, error))

    rows = [_row(workflow.state(c.state).label, c) for c in complaints.values()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        header = tuple(_HEADS)
        cells = [[str(r[h]) if r[h] is not None else "-" for h in header] for r in rows]
        print(table(tuple(_HEADS.values()), cells))
    return 0


# The columns of the table: the JSON key, and the head (Bahasa Indonesia / English).
_HEADS = {
    "complaint": "Laporan / complaint",
    "state": "Status / state",
    "label": "Label / label",
    "unit": "Unit kerja / unit",
    "events": "Peristiwa / events",
    "last_action": "Tindakan terakhir / last action",
    "last_at": "Waktu terakhir / last at",
}


def _row(label: str, complaint: Complaint) -> dict[str, Any]:
    last = complaint.last_event
    return {
        "complaint": complaint.id,
        "state": complaint.state,
        "label": label,
        "unit": complaint.unit,
        "events": len(complaint.events),
        "last_action": last.action if last else None,
        "last_at": last.at.isoformat() if last else None,
    }


def _store_complaints(args: argparse.Namespace, workflow: Workflow) -> Iterator[Complaint]:
    """The store's complaints one at a time, cut at ``--as-of`` (none before it: left out)."""
    for complaint in store_complaints(args, workflow):
        if args.as_of is not None and any(e.at > args.as_of for e in complaint.events):
            kept = [e for e in complaint.events if e.at <= args.as_of]
            if not kept:
                continue
            complaint = workflow.replay(kept)[complaint.id]
        yield complaint


def _replay_store(args: argparse.Namespace, workflow: Workflow) -> int:
    """``replay --db``: one complaint at a time, so memory stays bounded.

    The JSON array is printed element by element; the table is printed in a second pass
    over the store, once the column widths are known.
    """
    header = tuple(_HEADS)

    def cells() -> Iterator[list[str]]:
        for complaint in _store_complaints(args, workflow):
            row = _row(workflow.state(complaint.state).label, complaint)
            yield [str(row[h]) if row[h] is not None else "-" for h in header]

    try:
        if args.json:
            print_json_array(
                _row(workflow.state(complaint.state).label, complaint)
                for complaint in _store_complaints(args, workflow)
            )
            return 0
        for line in stream_table(tuple(_HEADS.values()), cells, width=terminal_width()):
            print(line)
    except (EventFormatError, RefusedError) as error:
        return fail(f"{history_name(args)}: {error}")
    except OSError as error:
        return fail(read_error(args, error))
    return 0
