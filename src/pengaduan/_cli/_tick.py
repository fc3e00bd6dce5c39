"""``pengaduan tick FILE``: carry out what the SP4N-LAPOR! ladder has due, as events."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pengaduan._cli._common import append_all_or_nothing, as_of_or_now, fail, replay_history
from pengaduan._cli._due import add_common
from pengaduan.escalation import tick
from pengaduan.exceptions import PengaduanError
from pengaduan.interchange import dumps_event
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
        if args.db is not None:
            return _write_to_store(args, result.events, result.complaints, result.refused)
        try:
            data = "".join(dumps_event(event) + "\n" for event in result.events)
            append_all_or_nothing(args.file, data.encode("utf-8"))
        except OSError as error:
            return fail(
                f"cannot append to {args.file}: {error.strerror or error}; nothing was written "
                "(the file is as it was)"
            )
    return 1 if result.refused else 0


def _write_to_store(
    args: argparse.Namespace,
    events: tuple[Event, ...],
    complaints: dict[str, Complaint],
    refused: Any,
) -> int:
    """Append each complaint's new events at the version the complaint was read at.

    A writer that changed a complaint since it was read makes the append fail with a
    `ConflictError` (nothing of that complaint is written) instead of recording actions
    decided on a stale history. Appends are idempotent by event id: a retried tick writes
    nothing twice. If a complaint's append fails, the run stops there and says how many
    events of how many complaints were written before it (each complaint is one transaction,
    all or nothing).
    """
    from pengaduan.store import open_store

    by_complaint: dict[str, list[Event]] = {}
    for event in events:
        by_complaint.setdefault(event.complaint, []).append(event)
    written = done = 0
    total = len(events)
    try:
        store = open_store(args.db)
    except (PengaduanError, OSError) as error:
        return fail(f"{_reason(error)}; nothing was written")
    try:
        for complaint_id, new in by_complaint.items():
            read_at = complaints[complaint_id].version - len(new)
            result = store.append(complaint_id, new, expected_version=read_at)
            written += len(result.new)
            done += 1
    except (PengaduanError, OSError) as error:
        if written == 0 and done == 0:
            outcome = "nothing was written"
        else:
            outcome = (
                f"{written} of the {total} events were written ({done} of "
                f"{len(by_complaint)} complaints, each whole); the rest were not"
            )
        return fail(f"{_reason(error)}; {outcome}. A retried tick writes nothing twice")
    finally:
        store.close()
    return 1 if refused else 0


def _reason(error: BaseException) -> str:
    if isinstance(error, PengaduanError):
        return str(error)
    return f"cannot write the store: {getattr(error, 'strerror', None) or error}"
