"""``pengaduan export FILE|--db PATH --format ...``: complaints as a viewer may see them.

``--format parquet --out DIR`` writes the columnar datasets of `pengaduan.columnar`
(``DIR/events``, ``DIR/complaints``, ``DIR/clocks``, ``DIR/calendar``), streaming; with
``--engine spark`` the clocks are evaluated by Spark (`pengaduan.spark`) over the events
dataset just written.

Every format goes through `pengaduan.access`: confidential complaints are left out for the
public and for staff not handling them, and personal data is withheld from whoever may not see
it. The default viewer is the public.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pengaduan._cli._common import (
    as_of_or_now,
    fail,
    instant,
    print_json_array,
    replayed_history,
    store_complaints,
    without_password,
)
from pengaduan._cli._definitions import Definitions, add_definition_arguments, definitions
from pengaduan._cli._progress import add_quiet_argument
from pengaduan.access import PUBLIC, Viewer, json_feed, views
from pengaduan.exceptions import MissingExtraError, PengaduanError
from pengaduan.interchange import dumps_event
from pengaduan.model import Complaint
from pengaduan.workflow import Workflow

FORMATS = ("public-json", "open311", "jsonl", "parquet")
ENGINES = ("local", "spark")


def register(subparsers: Any) -> None:
    """Add the ``export`` command."""
    parser = subparsers.add_parser(
        "export",
        help="export complaints redacted for a viewer (the public by default)",
        description=(
            "Export the complaints of a JSON Lines event file or of a store, as the given "
            "viewer may see them: confidential (rahasia) complaints are left out where the "
            "viewer may not see them and personal data is withheld (see docs/privacy.md). "
            "Formats: public-json (the JSON feed), open311 (GeoReport v2 requests), jsonl "
            "(the redacted events), parquet (the events, complaints, clock cycles and calendar "
            "days as Parquet datasets partitioned by year, in --out DIR; needs the parquet "
            "extra). Every format is redacted for the viewer."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file", metavar="FILE", nargs="?", help="JSON Lines event file ('-': standard input)"
    )
    source.add_argument(
        "--db", metavar="PATH", help="an event store: a SQLite file or a postgresql:// URL"
    )
    add_definition_arguments(parser)
    add_quiet_argument(parser)
    parser.add_argument(
        "--format",
        default="jsonl",
        choices=FORMATS,
        help="output format (default jsonl: the events, redacted for the viewer)",
    )
    parser.add_argument(
        "--viewer",
        default="public",
        metavar="public|ROLE",
        help="who the export is for: 'public' (default) or a role of the workflow",
    )
    parser.add_argument("--unit", help="the viewer's unit, for unit roles")
    parser.add_argument("--account", help="the viewer's account id, for the reporter role")
    parser.add_argument(
        "--as-of",
        type=instant,
        help="open311: the instant expected_datetime is computed at; parquet: the instant the "
        "history is cut and the clocks evaluated at (ISO 8601 with offset; default now)",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="parquet: the directory to write the datasets in"
    )
    parser.add_argument(
        "--engine",
        default="local",
        choices=ENGINES,
        help="parquet: evaluate the clocks in this process (local, default) or on Spark "
        "(spark: needs the spark extra and Java; the master comes from spark-submit or "
        "SPARK_MASTER, else local[*])",
    )
    parser.set_defaults(handler=run)


def _viewer(args: argparse.Namespace, workflow: Workflow) -> Viewer | str:
    """The viewer asked for, or an error message."""
    if args.viewer == "public":
        if args.unit is not None or args.account is not None:
            return "--unit and --account need a --viewer role; the public has neither"
        return PUBLIC
    if args.viewer not in workflow.roles:
        return (
            f"unknown viewer {args.viewer!r}; use 'public' or one of the workflow's roles: "
            f"{', '.join(sorted(workflow.roles))}"
        )
    if args.viewer in workflow.owner_roles and args.account is None:
        return f"--viewer {args.viewer} needs --account (the reporter's account id)"
    return Viewer(role=args.viewer, unit=args.unit, account=args.account)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan export``."""
    found = definitions(args)
    workflow = found.workflow
    viewer = _viewer(args, workflow)
    if isinstance(viewer, str):
        return fail(viewer)
    if args.format == "parquet" and args.out is None:
        return fail("--format parquet needs --out DIR (where to write the datasets)")
    if args.format != "parquet" and (args.out is not None or args.engine != "local"):
        return fail("--out and --engine are options of --format parquet")
    try:
        if args.db is not None:
            if "://" not in args.db and not os.path.exists(args.db):
                return fail(f"no store at {args.db}")
            _write(args, store_complaints(args, workflow), viewer, found)
            return 0
        with replayed_history(args, workflow=workflow) as complaints:
            if isinstance(complaints, str):
                return fail(complaints)
            _write(args, complaints, viewer, found)
    except PengaduanError as error:  # StoreError too: its message names no URL or password
        return fail(str(error))
    except FileExistsError as error:
        return fail(f"{error.filename} already exists; nothing was overwritten")
    except BrokenPipeError:
        raise  # stdout closed (`| head`): main() ends quietly, not a read error
    except OSError as error:
        source = args.file if args.db is None else without_password(args.db)
        return fail(f"cannot read {source}: {error.strerror or error}")
    return 0


def _write(
    args: argparse.Namespace, complaints: Iterable[Complaint], viewer: Viewer, found: Definitions
) -> None:
    """Print the export one complaint at a time."""
    workflow = found.workflow
    if args.format == "parquet":
        _parquet(args, complaints, viewer, found)
    elif args.format == "public-json":
        print_json_array(
            record
            for complaint in complaints
            for record in json_feed([complaint], viewer, workflow=workflow)
        )
    elif args.format == "jsonl":
        for complaint in views(complaints, viewer, workflow=workflow):
            for event in complaint.events:
                print(dumps_event(event))
    else:
        from pengaduan.open311 import to_open311

        as_of = as_of_or_now(args.as_of)
        policy = found.policy
        print_json_array(
            record
            for complaint in complaints
            for record in to_open311(
                [complaint], workflow=workflow, policy=policy, as_of=as_of, viewer=viewer
            )
        )


def _parquet(
    args: argparse.Namespace, complaints: Iterable[Complaint], viewer: Viewer, found: Definitions
) -> None:
    """Write the columnar datasets; report what was written on standard error."""
    from pengaduan.columnar import write_dataset

    as_of = as_of_or_now(args.as_of)
    spark = args.engine == "spark"
    result = write_dataset(
        complaints,
        args.out,
        as_of,
        workflow=found.workflow,
        policy=None if spark else found.policy,
        calendar=found.zone_calendar,
        viewer=viewer,
    )
    cycles = result.cycles
    if spark:
        cycles = _spark_clocks(args.out, as_of, found)
    print(
        f"Wrote {result.complaints} complaints, {result.events} events and {cycles} clock "
        f"cycles to {args.out} (years {', '.join(map(str, result.years)) or 'none'}; "
        f"engine {args.engine}; as of {as_of.isoformat()}).",
        file=sys.stderr,
    )


def _spark_clocks(out: str, as_of: datetime, found: Definitions) -> int:
    """Evaluate the clocks of ``out/events`` on Spark into ``out/clocks``; their count."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingExtraError("pengaduan export --engine spark", "spark") from None
    from pengaduan.spark import evaluate_events, write_clocks

    builder = SparkSession.builder.appName("pengaduan export")
    master = os.environ.get("SPARK_MASTER")  # else spark-submit's, or local[*]
    if master:
        builder = builder.master(master)
    spark = builder.getOrCreate()
    clocks = evaluate_events(
        spark, os.path.join(out, "events"), as_of, policy=found.policy, workflow=found.workflow
    )
    write_clocks(clocks, os.path.join(out, "clocks"))
    count: int = spark.read.parquet(os.path.join(out, "clocks")).count()
    return count
