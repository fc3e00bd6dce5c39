"""``pengaduan due FILE|--db PATH``: what the SP4N-LAPOR! ladder has due for the complaints."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from typing import Any

from pengaduan._cli._common import (
    add_history_argument,
    as_of_or_now,
    fail,
    history_name,
    instant,
    read_error,
    replayed_history,
    table,
)
from pengaduan._cli._definitions import Definitions, add_definition_arguments, definitions
from pengaduan.escalation import DueAction, due
from pengaduan.exceptions import PengaduanError
from pengaduan.interchange import due_action_to_dict


def register(subparsers: Any) -> None:
    """Add the ``due`` command."""
    parser = subparsers.add_parser(
        "due",
        help="list the reminders, escalations and automatic actions due",
        description=(
            "Replay a JSON Lines event file (or an event store, --db) through the SP4N-LAPOR! "
            "workflow and list every "
            "action the SP4N-LAPOR! escalation ladder has due at --as-of and not yet recorded, "
            "with its idempotency key and message. Nothing is written (see `pengaduan tick`). "
            "A malformed line or a refused event stops the run with exit code 2."
        ),
    )
    add_common(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array of objects with keys complaint, clock, cycle, rule, repeat, "
        "level, action, to (a list of {role, unit}), due_at, deadline, key, message",
    )
    parser.set_defaults(handler=run)


def add_common(parser: argparse.ArgumentParser) -> None:
    """The arguments ``due`` and ``tick`` share."""
    add_history_argument(parser)
    add_definition_arguments(parser, ladder=True)
    parser.add_argument(
        "--as-of",
        type=instant,
        help="the instant, ISO 8601 with offset (e.g. 2026-06-17T08:00:00+07:00); default: now",
    )
    parser.add_argument(
        "--lang",
        choices=("id", "en"),
        default="id",
        help="the messages' language: id (Bahasa Indonesia, the default) or en",
    )


def rows(actions: tuple[DueAction, ...]) -> str:
    """A text table of due actions."""
    header = (
        "Jatuh tempo / due at",
        "Laporan / complaint",
        "Jam SLA / clock",
        "Tingkat / level",
        "Tindakan / action",
        "Kepada / to",
        "Pesan / message",
    )
    return table(
        header,
        [
            (
                a.due_at.isoformat(timespec="minutes"),
                a.complaint,
                a.clock,
                str(a.level),
                a.action,
                ", ".join(str(r) for r in a.to) or "-",
                a.message,
            )
            for a in actions
        ],
        wrap_last=True,
    )


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan due``."""
    as_of = as_of_or_now(args.as_of)
    found = definitions(args)
    ladder = found.ladder()
    if args.db is not None:
        found_actions = _due_store(args, as_of, found)
        if isinstance(found_actions, str):
            return fail(found_actions)
        actions = found_actions
    else:
        with replayed_history(args, workflow=found.workflow) as complaints:
            if isinstance(complaints, str):
                return fail(complaints)
            try:
                actions = due(complaints, as_of, ladder=ladder, language=args.lang)
            except (PengaduanError, OSError) as error:
                return fail(read_error(args, error))
    if args.json:
        print(json.dumps([due_action_to_dict(a) for a in actions], ensure_ascii=False, indent=2))
    elif actions:
        print(rows(actions))
    else:
        print(f"Tidak ada yang jatuh tempo / nothing due as of {as_of.isoformat()}")
    return 0


def _due_store(
    args: argparse.Namespace, as_of: datetime, found: Definitions
) -> tuple[DueAction, ...] | str:
    """What is due in a store, through the desk: from the read model's rows when current."""
    from pengaduan.desk import Desk
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        return f"cannot read {history_name(args)}: no such store"
    try:
        store = open_store(target, found.workflow, readonly=True, read_model=found.read_model())
        try:
            desk = Desk(
                store,
                workflow=found.workflow,
                policy=found.policy,
                ladder=found.ladder(),
                language=args.lang,
            )
            return desk.due(as_of)
        finally:
            store.close()
    except (PengaduanError, OSError) as error:
        return read_error(args, error)
