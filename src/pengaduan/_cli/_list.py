"""``pengaduan list --db PATH``: complaints from the store's read model, without replaying.

The rows hold no title, body, reporter or actor id (see `pengaduan.readmodel`), so the list
can show nothing personal; complaints flagged *rahasia* (confidential), which the public and
staff not handling them may not see at all (see `pengaduan.access`), are left out unless
``--include-confidential`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pengaduan._cli._common import (
    as_of_or_now,
    fail,
    instant,
    positive,
    print_json_array,
    table,
    without_password,
)
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan.exceptions import PengaduanError, StaleReadModelError
from pengaduan.readmodel import ComplaintRow, row_to_dict


def register(subparsers: Any) -> None:
    """Add the ``list`` command."""
    parser = subparsers.add_parser(
        "list",
        help="list complaints from a store's read model (filters, overdue, due)",
        description=(
            "List the complaints of an event store from its read model (indexed rows kept "
            "with every append; nothing is replayed), in complaint id order, with the "
            "SP4N-LAPOR! workflow, SLA policy and escalation ladder. Shows ids, states, "
            "units, channels, instants and clocks, never a title or a reporter; "
            "confidential (rahasia) complaints are left out unless --include-confidential. "
            "Nothing is written. If the store's rows were computed with other definitions, "
            "run `pengaduan rebuild` first."
        ),
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        required=True,
        help="the event store: a SQLite file or a postgresql:// URL",
    )
    parser.add_argument("--state", help="only complaints in this state (e.g. dispatched)")
    parser.add_argument("--unit", help="only complaints dispatched to this unit")
    parser.add_argument(
        "--overdue",
        action="store_true",
        help="only complaints with an open clock whose deadline has come at --as-of",
    )
    parser.add_argument(
        "--due-before",
        type=instant,
        metavar="ISO",
        help="only complaints with an escalation action due before this instant",
    )
    parser.add_argument(
        "--as-of",
        type=instant,
        metavar="ISO",
        help="the instant --overdue is judged at, ISO 8601 with offset; default: now",
    )
    parser.add_argument(
        "--limit",
        type=positive,
        default=100,
        metavar="N",
        help="at most N complaints (default 100)",
    )
    parser.add_argument(
        "--include-confidential",
        action="store_true",
        help="also list confidential (rahasia) complaints (their rows hold no text either)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array of rows: id, state, unit, classification, channel, "
        "anonymous, confidential, submitted_at, updated_at, version, next_due_at, clocks "
        "(clock, cycle, status, deadline, breached, remaining_seconds, remaining_unit)",
    )
    add_definition_arguments(parser, ladder=True)
    parser.set_defaults(handler=run)


def _when(value: Any) -> str:
    return value.isoformat(timespec="minutes") if value is not None else "-"


def _text(rows: list[ComplaintRow]) -> str:
    # Bahasa Indonesia / English, as every table of the command line.
    header = (
        "Laporan / complaint",
        "Status / state",
        "Unit kerja / unit",
        "Kanal / channel",
        "Diajukan / submitted",
        "Batas waktu terdekat / next deadline",
        "Tindakan berikut / next action due",
        "Terlampaui / breached",
    )
    return table(
        header,
        [
            (
                row.id,
                row.state,
                row.unit or "-",
                row.channel or "-",
                _when(row.submitted_at),
                _when(row.earliest_deadline),
                _when(row.next_due_at),
                ", ".join(c.clock for c in row.clocks if c.breached) or "-",
            )
            for row in rows
        ],
    )


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan list``."""
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        return fail(f"no store at {target}")
    filters: dict[str, Any] = {"state": args.state, "unit": args.unit}
    if args.overdue:
        filters["overdue_as_of"] = as_of_or_now(args.as_of)
    if args.due_before is not None:
        filters["due_before"] = args.due_before
    rows: list[ComplaintRow] = []
    withheld = 0
    try:
        found = definitions(args)
        if args.state is not None:
            # A typo would list nothing ("no complaint matches") where the name is the fault.
            found.workflow.state(args.state)
        store = open_store(target, found.workflow, readonly=True, read_model=found.read_model())
        try:
            after = None
            while len(rows) < args.limit:
                page = store.rows(limit=args.limit, after=after, **filters)
                for row in page.rows:
                    if row.confidential and not args.include_confidential:
                        withheld += 1
                    elif len(rows) < args.limit:
                        rows.append(row)
                if page.next_after is None:
                    break
                after = page.next_after
        finally:
            store.close()
    except StaleReadModelError as error:
        return fail(
            f"{error}; or list with the definition options the store is written with (the "
            "same --tz, --calendar, --policy and --ladder as import and tick)"
        )
    except PengaduanError as error:  # StoreError too: its message names no URL or password
        return fail(str(error))
    except OSError as error:
        return fail(f"cannot read {without_password(target)}: {error.strerror or error}")
    if args.json:
        print_json_array(row_to_dict(row) for row in rows)
    elif rows:
        print(_text(rows))
    else:
        print("no complaint matches")
    if withheld:
        print(
            f"pengaduan: {withheld} confidential complaint(s) left out "
            "(see --include-confidential)",
            file=sys.stderr,
        )
    return 0
