"""``pengaduan tick FILE``: carry out what the SP4N-LAPOR! ladder has due, as events."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pengaduan._cli._common import as_of_or_now, fail, replay_history
from pengaduan._cli._due import add_common
from pengaduan.escalation import tick
from pengaduan.exceptions import PengaduanError
from pengaduan.interchange import dumps_event, write_events
from pengaduan.model import Complaint, Event


def register(subparsers: Any) -> None:
    """Add the ``tick`` command."""
    parser = subparsers.add_parser(
        "tick",
        help="record what is due as events (escalate, or the automatic action)",
        description=(
            "Replay a JSON Lines event file (or an event store, --db), carry out what the "
            "SP4N-LAPOR! escalation ladder has due at --as-of (an escalate event per message; "
            "the automatic close applied as system) and print the new events as JSON Lines. "
            "With --write they are also appended to FILE (or to the store, each complaint's "
            "events at its expected version), so a second run at the same instant finds "
            "nothing to do. Exit code 1 if the workflow refused an action (the others are "
            "still carried out)."
        ),
    )
    add_common(parser)
    parser.add_argument(
        "--write", action="store_true", help="append the new events to FILE (or to the --db store)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan tick``."""
    as_of = as_of_or_now(args.as_of)
    complaints = replay_history(args)
    if isinstance(complaints, str):
        return fail(complaints)
    result = tick(complaints, as_of, language=args.lang)
    for event in result.events:
        print(dumps_event(event))
    for action, error in result.refused:
        print(f"pengaduan: refused {action.key}: {error}", file=sys.stderr)
    if args.write and result.events:
        try:
            if args.db is not None:
                _append_to_store(args.db, result.events, result.complaints)
            else:
                _append(args.file, result.events)
        except PengaduanError as error:
            return fail(str(error))
        except OSError as error:
            return fail(f"cannot write {args.file}: {error.strerror}")
    return 1 if result.refused else 0


def _append(path: str, events: Any) -> None:
    needs_newline = False
    if os.path.getsize(path) > 0:
        with open(path, "rb") as existing:
            existing.seek(-1, os.SEEK_END)
            needs_newline = existing.read(1) != b"\n"
    with open(path, "a", encoding="utf-8") as target:
        if needs_newline:
            target.write("\n")
        write_events(events, target)


def _append_to_store(target: str, events: Any, complaints: dict[str, Complaint]) -> None:
    """Append each complaint's new events at the version the complaint was read at.

    A writer that changed a complaint since it was read makes the append fail with a
    `ConflictError` (nothing of that complaint is written) instead of recording actions
    decided on a stale history. Appends are idempotent by event id: a retried tick writes
    nothing twice.
    """
    from pengaduan.store import open_store

    by_complaint: dict[str, list[Event]] = {}
    for event in events:
        by_complaint.setdefault(event.complaint, []).append(event)
    store = open_store(target)
    try:
        for complaint_id, new in by_complaint.items():
            read_at = complaints[complaint_id].version - len(new)
            store.append(complaint_id, new, expected_version=read_at)
    finally:
        store.close()
