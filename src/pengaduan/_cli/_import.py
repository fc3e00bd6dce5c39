"""``pengaduan import FILE --db PATH``: load an event file into a store, idempotently."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pengaduan._cli._common import fail, positive
from pengaduan._cli._definitions import add_definition_arguments, definitions
from pengaduan._cli._progress import add_quiet_argument, progress_for
from pengaduan.exceptions import EventFormatError, PengaduanError, StoreError
from pengaduan.interchange import read_numbered_events
from pengaduan.model import Event

if TYPE_CHECKING:
    from pengaduan.store import ImportResult


def register(subparsers: Any) -> None:
    """Add the ``import`` command."""
    parser = subparsers.add_parser(
        "import",
        help="import a JSON Lines event file into an event store (idempotent)",
        description=(
            "Append the events of a JSON Lines file to an event store (a SQLite file, created "
            "if missing, or a postgresql:// URL), each validated by the SP4N-LAPOR! workflow, in "
            "batched transactions (--batch-size). "
            "Events already in the store are counted as duplicates, so importing the same file "
            "twice changes nothing. Malformed lines and refused events are reported on stderr "
            "and counted; the exit code is 1 if any was refused, else 0."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="JSON Lines event file ('-': standard input)")
    parser.add_argument(
        "--db", metavar="PATH", required=True, help="the store: a SQLite file or postgresql:// URL"
    )
    parser.add_argument(
        "--batch-size",
        metavar="N",
        type=positive,
        help=(
            # The store's default (not imported here: every command's start would load it).
            "events per transaction (default 50,000); a smaller batch holds the store's write "
            "lock for less time, for a store that other writers use meanwhile"
        ),
    )
    # The definitions the store's read-model rows are computed with (see pengaduan list).
    add_definition_arguments(parser, ladder=True)
    add_quiet_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan import``."""
    from pengaduan._store_bulk import DEFAULT_BATCH
    from pengaduan.store import ImportResult, open_store

    malformed_lines = 0
    found = definitions(args)
    workflow = found.workflow

    def malformed(error: EventFormatError) -> None:
        nonlocal malformed_lines
        malformed_lines += 1
        print(
            f"{args.file}:line {error.line}: refused: {error.reason} ({error.path or 'record'})",
            file=sys.stderr,
        )

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

    # The file is read as it is imported, a batch at a time, so memory does not grow with
    # it; the line numbers of the batch being imported are kept to name a refused event.
    lines: dict[int, int] = {}
    done = ImportResult()

    def numbered(read: Iterable[tuple[int, Event]]) -> Iterator[Event]:
        for number, event in read:
            lines[id(event)] = number
            yield event

    def refused(event: Event, error: PengaduanError) -> None:
        print(f"{args.file}:line {lines.get(id(event), '?')}: refused: {error}", file=sys.stderr)

    def committed(result: ImportResult) -> None:
        nonlocal done
        done = result
        lines.clear()

    progress = progress_for(args)
    try:
        read = progress.counted(read_numbered_events(source, on_error=malformed), "events read")
        done = store.import_events(
            numbered(read),
            batch_size=DEFAULT_BATCH if args.batch_size is None else args.batch_size,
            on_refused=refused,
            progress=committed,
        )
    except PengaduanError as error:  # StoreError: the batches committed before stay
        print(_summary(done, malformed_lines), file=sys.stderr)
        return fail(str(error))
    except OSError as error:
        print(_summary(done, malformed_lines), file=sys.stderr)
        return fail(f"cannot read {args.file}: {error.strerror or error}")
    finally:
        progress.close()
        store.close()
    for conflict in done.conflicts:
        print(
            f"{args.file}: complaint {conflict.complaint_id!r}: {conflict.left_out} event(s) "
            f"left out, from event {conflict.event_id!r} on: another writer changed it during "
            f"the import (version {conflict.expected_version} expected, "
            f"{conflict.actual_version} stored): {conflict.error}",
            file=sys.stderr,
        )
    print(_summary(done, malformed_lines))
    return 1 if malformed_lines or done.refused or done.conflicted else 0


def _summary(result: ImportResult, malformed: int) -> str:
    refused = malformed + result.refused + result.conflicted
    return f"new: {result.new}, duplicate: {result.duplicates}, refused: {refused}"
