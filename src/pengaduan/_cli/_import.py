"""``pengaduan import FILE --db PATH``: load an event file into a store, idempotently."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pengaduan._cli._common import fail
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan._cli._progress import add_quiet_argument, progress_for
from pengaduan.exceptions import EventFormatError, PengaduanError, RefusedError, StoreError
from pengaduan.interchange import read_numbered_events
from pengaduan.model import Event

# The most events appended in one transaction.
_RUN = 500


def register(subparsers: Any) -> None:
    """Add the ``import`` command."""
    parser = subparsers.add_parser(
        "import",
        help="import a JSON Lines event file into an event store (idempotent)",
        description=(
            "Append the events of a JSON Lines file to an event store (a SQLite file, created "
            "if missing, or a postgresql:// URL), each validated by the SP4N-LAPOR! workflow. "
            "Events already in the store are counted as duplicates, so importing the same file "
            "twice changes nothing. Malformed lines and refused events are reported on stderr "
            "and counted; the exit code is 1 if any was refused, else 0."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="JSON Lines event file ('-': standard input)")
    parser.add_argument(
        "--db", metavar="PATH", required=True, help="the store: a SQLite file or postgresql:// URL"
    )
    # The definitions the store's read-model rows are computed with (see pengaduan list).
    add_definition_arguments(parser, ladder=True)
    add_quiet_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan import``."""
    from pengaduan.store import open_store

    counts = {"new": 0, "duplicate": 0, "refused": 0}
    found = definitions(args)
    workflow = found.workflow

    def malformed(error: EventFormatError) -> None:
        counts["refused"] += 1
        print(
            f"{args.file}:line {error.line}: refused: {error.reason} ({error.path or 'record'})",
            file=sys.stderr,
        )

    # A run of consecutive events of one complaint (at most _RUN of them) is appended in one
    # transaction; on a refusal its events are retried one by one to count them exactly.
    # The file is read as it is appended, so memory does not grow with the file.
    source = sys.stdin.buffer if args.file == "-" else args.file
    try:  # a file that cannot be read must not leave a new, empty store behind
        if args.file != "-":
            with open(args.file, "rb"):
                pass
    except OSError as error:
        return fail(f"cannot read {args.file}: {error.strerror or error}")
    try:
        store = open_store(args.db, workflow, read_model=found.read_model())
    except StoreError as error:
        return fail(str(error))

    def append(complaint_id: str, run: list[tuple[int, Event]]) -> None:
        try:
            result = store.append(complaint_id, [event for _n, event in run])
        except (RefusedError, EventFormatError):
            for number, event in run:
                try:
                    one = store.append(complaint_id, [event])
                except (RefusedError, EventFormatError) as error:
                    counts["refused"] += 1
                    print(f"{args.file}:line {number}: refused: {error}", file=sys.stderr)
                else:
                    counts["new"] += len(one.new)
                    counts["duplicate"] += len(one.duplicates)
        else:
            counts["new"] += len(result.new)
            counts["duplicate"] += len(result.duplicates)

    run: list[tuple[int, Event]] = []
    progress = progress_for(args)
    try:
        read = read_numbered_events(source, on_error=malformed)
        for number, event in progress.counted(read, "events read"):
            if run and (run[0][1].complaint != event.complaint or len(run) >= _RUN):
                append(run[0][1].complaint, run)
                run = []
            run.append((number, event))
        if run:
            append(run[0][1].complaint, run)
    except PengaduanError as error:  # StoreError: what was appended before stays
        print(_summary(counts), file=sys.stderr)
        return fail(str(error))
    except OSError as error:
        print(_summary(counts), file=sys.stderr)
        return fail(f"cannot read {args.file}: {error.strerror or error}")
    finally:
        progress.close()
        store.close()
    print(_summary(counts))
    return 1 if counts["refused"] else 0


def _summary(counts: dict[str, int]) -> str:
    return f"new: {counts['new']}, duplicate: {counts['duplicate']}, refused: {counts['refused']}"
