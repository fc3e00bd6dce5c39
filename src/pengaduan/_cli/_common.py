"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sqlite3
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any, TypeVar

from pengaduan.exceptions import PengaduanError
from pengaduan.model import Complaint
from pengaduan.workflow import Workflow

_T = TypeVar("_T")


def instant(text: str) -> datetime:
    """Parse an ``--as-of``-style ISO 8601 instant for argparse (an offset is required)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant, e.g. 2026-03-17T09:15:00+07:00"
        ) from None
    if value.tzinfo is None:
        # The library's message suggests `tzinfo=` in Python; a command line needs an offset.
        raise argparse.ArgumentTypeError(
            f"the instant {text!r} is naive (no UTC offset), and a timezone-aware instant is "
            f"needed: add one, e.g. {value.isoformat()}+07:00 (WIB), +08:00 (WITA) or +09:00 "
            "(WIT)"
        )
    return value


def positive(text: str) -> int:
    """Parse a count for argparse (``--limit``, ``--batch-size``): a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def as_of_or_now(as_of: datetime | None) -> datetime:
    """The ``--as-of`` instant, or now: the CLI's default, the one wall-clock read allowed."""
    return as_of if as_of is not None else datetime.now(UTC)  # wall-clock ok: CLI default


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, wrap_last: bool = False) -> str:
    """Render rows as a plain, left-aligned text table that fits the terminal's width.

    Heads ``"Bahasa / English"`` show both languages; a table too wide is split into parts
    repeating the first column, or with `wrap_last` its last column (a message) wraps.
    """
    from pengaduan._table import fit_table

    return fit_table(header, rows, width=terminal_width(), wrap_last=wrap_last)


def terminal_width() -> int:
    """The width of the output: ``COLUMNS`` if set, else the terminal's, else 80 (a pipe)."""
    import shutil

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    return 80


def fail(message: str, code: int = 2) -> int:
    """Print an error for the user and return the exit code."""
    print(f"pengaduan: error: {message}", file=sys.stderr)
    return code


def add_history_argument(parser: argparse.ArgumentParser) -> None:
    """Add the history source of a command: a positional ``FILE`` or ``--db PATH``."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "file", metavar="FILE", nargs="?", help="JSON Lines event file ('-': standard input)"
    )
    source.add_argument(
        "--db",
        metavar="PATH",
        help="read the history from an event store instead: a SQLite file or a "
        "postgresql:// URL (see docs/storage.md)",
    )
    from pengaduan._cli._progress import add_quiet_argument

    add_quiet_argument(parser)


def history_name(args: argparse.Namespace) -> str:
    """The name of the history source, for messages (a URL without its password)."""
    return str(args.file) if args.file is not None else without_password(str(args.db))


def without_password(target: str) -> str:
    """A store location fit for a message: a URL's password is replaced by ``***``.

    ```pycon
    >>> without_password("postgresql://lapor:rahasia@db.example/lapor")
    'postgresql://lapor:***@db.example/lapor'
    >>> without_password("postgresql://db.example/lapor?user=lapor&password=rahasia")
    'postgresql://db.example/lapor?user=lapor&password=***'
    >>> without_password("pengaduan.db")
    'pengaduan.db'

    ```
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit

    if "://" not in target:
        return target
    try:
        parts = urlsplit(target)
        password = parts.password
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return target.split("://", 1)[0] + "://***"
    if password is not None:
        user = parts.username or ""
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    if any(key == "password" for key, _value in query):
        hidden = [(k, "***" if k == "password" else v) for k, v in query]
        parts = parts._replace(query=urlencode(hidden, safe="*"))
    return parts.geturl()


def unreadable_reporter(args: argparse.Namespace) -> Callable[[str, PengaduanError], None]:
    """An ``on_error`` for a store's reads: reports a complaint it cannot replay, goes on.

    A complaint written by an unknown workflow version is left out and reported; the others
    are read, and the command exits 1 (see `unreadable_exit`).
    """

    def unreadable(complaint_id: str, error: PengaduanError) -> None:
        args.unreadable_complaints = [*getattr(args, "unreadable_complaints", []), complaint_id]
        print(f"pengaduan: {history_name(args)}: skipped: {error}", file=sys.stderr)

    return unreadable


def store_complaints(
    args: argparse.Namespace, workflow: Workflow | None = None
) -> Iterator[Complaint]:
    """The complaints of ``--db``, one at a time, read-only; unreadable ones reported.

    Raises:
        OSError: If the store cannot be read (a missing SQLite file is not created).
    """
    from pengaduan.store import open_store

    target = str(args.db)
    if "://" not in target and not os.path.exists(target):
        raise FileNotFoundError(errno.ENOENT, "no such store", target)
    from pengaduan._cli._progress import progress_for

    store = open_store(target, workflow, readonly=True)  # a reading command changes nothing
    progress = progress_for(args)  # on a terminal only, after a second
    try:
        complaints = store.complaints(on_error=unreadable_reporter(args))
        yield from progress.counted(complaints, "complaints")
    finally:
        progress.close()
        store.close()


def unreadable_exit(args: argparse.Namespace, code: int) -> int:
    """The exit code of a command: 1 instead of 0 if some complaints could not be read."""
    return 1 if code == 0 and getattr(args, "unreadable_complaints", None) else code


@contextlib.contextmanager
def replayed_history(
    args: argparse.Namespace,
    as_of: datetime | None = None,
    *,
    workflow: Workflow | None = None,
    skip_invalid: bool = False,
) -> Iterator[Iterable[Complaint] | str]:
    """Replay ``FILE`` or ``--db`` through `workflow` (SP4N-LAPOR!), up to `as_of` if given.

    Both read one complaint at a time, so memory stays bounded however long the history: a
    store by its pages, a file (or standard input, ``-``) through a temporary copy by
    complaint (see `SpilledHistory`). What was skipped (``skip_invalid``) is reported on
    standard error, in file order.

    Yields:
        The complaints (iterable once), in order of their first event, or the message to
        fail with: the first refused event (with its line or store position), the first
        malformed line, or why the history cannot be read.
    """
    from pengaduan._cli._spill import SpilledHistory

    if workflow is None:
        from pengaduan.presets import lapor_workflow

        workflow = lapor_workflow()
    if args.file is None:
        yield _cut(store_complaints(args, workflow), workflow, as_of)
        return
    source = sys.stdin.buffer if args.file == "-" else args.file
    spilled = SpilledHistory(
        source, workflow, name=history_name(args), as_of=as_of, skip_invalid=skip_invalid
    )
    with spilled:
        try:
            stop = spilled.judge()
        except OSError as error:
            yield read_error(args, error)
            return
        except sqlite3.Error as error:  # a full temporary directory, a file size limit
            yield f"cannot replay {history_name(args)}: its temporary copy failed ({error})"
            return
        for note in spilled.notes():
            print(f"{history_name(args)}:{note}", file=sys.stderr)
        yield stop if stop is not None else spilled.complaints()


def _cut(
    complaints: Iterable[Complaint], workflow: Workflow, as_of: datetime | None
) -> Iterator[Complaint]:
    """Complaints cut at `as_of`: later events left out, complaints begun later too."""
    for complaint in complaints:
        if as_of is not None and any(e.at > as_of for e in complaint.events):
            kept = [e for e in complaint.events if e.at <= as_of]
            if not kept:
                continue
            complaint = workflow.replay(kept)[complaint.id]
        yield complaint


def read_error(args: argparse.Namespace, error: OSError | PengaduanError) -> str:
    """A message for a history that cannot be read."""
    if isinstance(error, PengaduanError):
        return str(error)
    return f"cannot read {history_name(args)}: {error.strerror or error}"


def append_all_or_nothing(path: str, data: bytes) -> None:
    """Append `data` to the file at `path` whole, or leave the file exactly as it was.

    A newline is put first if the file does not end with one. The bytes go out in one
    ``write`` (repeated only if the kernel takes part of them) and are synced; on any error
    (a full disk, a file size limit) the file is truncated back to its old length.

    Raises:
        OSError: If the file cannot be opened or written (it is then unchanged).
    """
    fd = os.open(path, os.O_RDWR | os.O_APPEND)
    try:
        size = os.fstat(fd).st_size
        if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def write_all_or_nothing(path: str, write: Callable[[IO[str]], _T]) -> _T:
    """Write a whole file through `write` (given a text file), or leave `path` as it was.

    The text goes to a temporary file beside `path`, which is synced and renamed over it only
    once `write` has returned; on any error it is removed.

    Raises:
        OSError: If the file cannot be written (`path` is then unchanged).
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".pengaduan-", suffix=".tmp")
    try:
        try:  # the mode the file has, or would have had if opened plainly
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with open(fd, "w", encoding="utf-8") as target:
            result = write(target)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return result


def print_json_array(records: Iterable[dict[str, Any]]) -> None:
    """Print a JSON array element by element, so no list of every record is held."""
    out = sys.stdout
    first = True
    for record in records:
        out.write("[\n" if first else ",\n")
        out.write(textwrap.indent(json.dumps(record, ensure_ascii=False, indent=2), "  "))
        first = False
    out.write("[]\n" if first else "\n]\n")
