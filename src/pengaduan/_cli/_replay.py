"""``pengaduan replay FILE``: rebuild complaints from an event file."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from typing import Any

from pengaduan._cli._common import (
    add_history_argument,
    fail,
    history_name,
    instant,
    print_json_array,
    read_error,
    replayed_history,
)
from pengaduan.exceptions import EventFormatError, RefusedError
from pengaduan.model import Complaint
from pengaduan.presets import lapor_workflow


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


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan replay``."""
    workflow = lapor_workflow()
    header = ("complaint", "state", "label", "unit", "events", "last_action", "last_at")
    with replayed_history(args, args.as_of, skip_invalid=args.skip_invalid) as complaints:
        if isinstance(complaints, str):
            return fail(complaints)
        try:
            # The file is copied to disk, so the rows can go out one at a time (JSON) or be
            # spooled to measure the columns (table) without holding the complaints.
            rows = (_row(workflow.state(c.state).label, c) for c in complaints)
            if args.json:
                print_json_array(rows)
                return 0
            with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
                widths = [len(h) for h in header]
                for row in rows:
                    cells = [str(row[h]) if row[h] is not None else "-" for h in header]
                    widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
                    spool.write(json.dumps(cells, ensure_ascii=False) + "\n")
                spool.seek(0)
                print(_render(header, widths))
                print("  ".join("-" * w for w in widths))
                for line in spool:
                    print(_render(json.loads(line), widths))
        except (EventFormatError, RefusedError) as error:
            return fail(f"{history_name(args)}: {error}")
        except OSError as error:
            return fail(read_error(args, error))
    return 0


def _render(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


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
