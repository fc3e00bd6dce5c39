"""``pengaduan tick FILE``: carry out what the SP4N-LAPOR! ladder has due, as events."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import datetime
from typing import Any

from pengaduan._cli._common import (
    append_all_or_nothing,
    as_of_or_now,
    fail,
    history_name,
    replayed_history,
)
from pengaduan._cli._definitions import Definitions, definitions
from pengaduan._cli._due import add_common
from pengaduan.escalation import tick
from pengaduan.exceptions import PengaduanError
from pengaduan.interchange import dumps_event


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
    found = definitions(args)
    if args.db is not None:
        return _tick_store(args, as_of, found)
    if args.write and args.file == "-":
        return fail("--write appends to FILE: it cannot be standard input ('-')")
    ladder = found.ladder()
    refused = False
    written = False
    # The new events are kept aside until the file has been read to its end: the file is
    # then appended to in one write, all or nothing.
    with (
        tempfile.SpooledTemporaryFile(2**20) as new,
        replayed_history(args, workflow=found.workflow) as complaints,
    ):
        if isinstance(complaints, str):
            return fail(complaints)
        try:
            for complaint in complaints:
                result = tick({complaint.id: complaint}, as_of, ladder=ladder, language=args.lang)
                for event in result.events:
                    line = dumps_event(event)
                    print(line)
                    new.write(line.encode("utf-8") + b"\n")
                    written = True
                for action, error in result.refused:
                    refused = True
                    print(f"pengaduan: refused {action.key}: {error}", file=sys.stderr)
        except (PengaduanError, OSError) as error:
            return fail(_reason(args, error))
        if not written and not refused:
            _nothing_due(as_of)
        if args.write and written:
            new.seek(0)
            try:
                append_all_or_nothing(args.file, new.read())
            except OSError as error:
                return fail(
                    f"cannot append to {args.file}: {error.strerror or error}; nothing was "
                    "written (the file is as it was)"
                )
    return 1 if refused else 0


def _tick_store(args: argparse.Namespace, as_of: datetime, found: Definitions) -> int:
    """Tick a store through the desk (`pengaduan.desk.Desk.tick`).

    With ``--write`` what is due is recorded: each complaint's new events are appended at the
    version it was read at, and a conflict with another writer makes the desk decide again
    on the fresh history, so nothing is recorded twice or on a stale history; a retried tick
    writes nothing twice. Without it, nothing is written (the store is opened read-only).
    With current read-model rows only the complaints whose next action has come are read.
    """
    from pengaduan.desk import Desk
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        return fail(f"cannot read {history_name(args)}: no such store")
    ladder = found.ladder()
    produced = 0
    refused = False
    try:  # only --write changes it
        store = open_store(
            target, found.workflow, readonly=not args.write, read_model=found.read_model()
        )
    except (PengaduanError, OSError) as error:
        return fail(_reason(args, error))
    try:
        desk = Desk(
            store,
            workflow=found.workflow,
            policy=found.policy,
            ladder=ladder,
            language=args.lang,
        )
        # One complaint at a time, printed as it goes: memory does not grow with the store.
        for report in desk.ticking(as_of, dry_run=not args.write):
            produced += len(report.events)
            for event in report.events:
                print(dumps_event(event))
            for action, refusal in report.refused:
                refused = True
                print(f"pengaduan: refused {action.key}: {refusal}", file=sys.stderr)
            for complaint_id in report.gave_up:
                refused = True
                print(
                    f"pengaduan: gave up on {complaint_id}: it kept changing under the tick; "
                    "run again",
                    file=sys.stderr,
                )
    except (PengaduanError, OSError) as error:  # TickInterruptedError says how far it got
        return fail(_reason(args, error))
    finally:
        store.close()
    if not produced and not refused:
        _nothing_due(as_of)
    return 1 if refused else 0


def _nothing_due(as_of: datetime) -> None:
    """Say so on stderr when nothing is due (stdout stays JSON Lines, empty)."""
    print(
        f"pengaduan: Tidak ada yang jatuh tempo / nothing due as of {as_of.isoformat()}",
        file=sys.stderr,
    )


def _reason(args: argparse.Namespace, error: BaseException) -> str:
    if isinstance(error, PengaduanError):
        return str(error)
    return f"cannot use {history_name(args)}: {getattr(error, 'strerror', None) or error}"
