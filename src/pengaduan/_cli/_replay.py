"""``pengaduan replay FILE``: rebuild complaints from an event file."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from typing import Any

from pengaduan._cli._common import (
    add_history_argument,
    fail,
    history_name,
    instant,
    print_json_array,
    read_error,
    replayed_history,
    terminal_width,
)
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan._table import stream_table
from pengaduan.exceptions import EventFormatError, RefusedError
from pengaduan.model import Complaint


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


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan replay``."""
    workflow = definitions(args).workflow
    header = tuple(_HEADS)
    with replayed_history(
        args, args.as_of, workflow=workflow, skip_invalid=args.skip_invalid
    ) as complaints:
        if isinstance(complaints, str):
            return fail(complaints)
        try:
            rows = (_row(workflow.state(c.state).label, c) for c in complaints)
            if args.json:
                print_json_array(rows)
                return 0
            # The complaints are read once; their rows are spooled to disk, so the table can
            # be measured and printed in parts without holding them.
            with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
                for row in rows:
                    cells = [str(row[h]) if row[h] is not None else "-" for h in header]
                    spool.write(json.dumps(cells, ensure_ascii=False) + "\n")

                def spooled() -> Iterator[list[str]]:
                    spool.seek(0)
                    for line in spool:
                        cells: list[str] = json.loads(line)
                        yield cells

                for line in stream_table(tuple(_HEADS.values()), spooled, width=terminal_width()):
                    print(line)
        except (EventFormatError, RefusedError) as error:
            return fail(f"{history_name(args)}: {error}")
        except BrokenPipeError:
            raise  # stdout closed (`| head`): main() ends quietly, not a read error
        except OSError as error:
            return fail(read_error(args, error))
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
