"""``pengaduan rebuild --db PATH``: recompute a store's read model from its history."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from pengaduan._cli._common import fail, table, without_password
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan.exceptions import PengaduanError


def register(subparsers: Any) -> None:
    """Add the ``rebuild`` command."""
    parser = subparsers.add_parser(
        "rebuild",
        help="recompute a store's read model from its history (events are never touched)",
        description=(
            "Recompute every read-model row of an event store from its history with the "
            "SP4N-LAPOR! workflow, SLA policy and escalation ladder (e.g. after a holiday "
            "was confirmed or moved), and list the deadlines that moved. An older store is "
            "upgraded first. Events are never changed. An interrupted rebuild resumes where "
            "it stopped when run again."
        ),
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        required=True,
        help="the event store: a SQLite file or a postgresql:// URL",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON object: complaints, skipped, resumed_after, moved (a list of "
        "{complaint, clock, old, new})",
    )
    parser.add_argument("--progress", action="store_true", help="report progress on standard error")
    add_definition_arguments(parser, ladder=True)
    parser.set_defaults(handler=run)


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan rebuild``."""
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        return fail(f"no store at {target}")

    def progress(done: int, total: int) -> None:
        print(f"rebuilt {done} of {total} complaints", file=sys.stderr)

    try:
        found = definitions(args)
        store = open_store(target, found.workflow, read_model=found.read_model())
        try:
            result = store.rebuild(progress if args.progress else None)
        finally:
            store.close()
    except PengaduanError as error:  # StoreError too: its message names no URL or password
        return fail(str(error))
    except OSError as error:
        return fail(f"cannot open {without_password(target)}: {error.strerror or error}")
    if args.json:
        record = {
            "complaints": result.complaints,
            "skipped": list(result.skipped),
            "resumed_after": result.resumed_after,
            "moved": [
                {
                    "complaint": m.complaint,
                    "clock": m.clock,
                    "old": _when(m.old),
                    "new": _when(m.new),
                }
                for m in result.moved
            ],
        }
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    print(
        f"rebuilt the rows of {result.complaints} complaint(s); "
        f"{len(result.moved)} deadline(s) moved"
    )
    if result.moved:
        print(
            table(
                ("complaint", "clock", "old", "new"),
                [
                    (m.complaint, m.clock, _when(m.old) or "-", _when(m.new) or "-")
                    for m in result.moved
                ],
            )
        )
    for complaint_id in result.skipped:
        print(f"pengaduan: skipped (cannot be replayed): {complaint_id}", file=sys.stderr)
    return 1 if result.skipped else 0
