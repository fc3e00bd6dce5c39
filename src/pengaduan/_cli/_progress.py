"""Progress of long work on standard error: a bar on a terminal, nothing anywhere else.

Written by hand rather than taken from a library (``rich``, ``tqdm``): one line redrawn with
a carriage return is all the commands need, and the library stays with its four core dependencies.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

_T = TypeVar("_T")


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--quiet``: no progress on standard error."""
    parser.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="show no progress on standard error (it is shown only on a terminal anyway)",
    )


class Progress:
    """A progress line on a terminal, shown only once the run has lasted `after` seconds.

    Called with ``(done, total, label)``: with a total it draws a bar and a percentage, without
    one (a stream of unknown length) the count. Nothing is written to a stream that is not a
    terminal (a log file, a pipe) unless `force` is set, nor when `quiet`.
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        after: float = 1.0,
        clock: Callable[[], float] | None = None,
        width: int = 30,
        force: bool = False,
        quiet: bool = False,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.after = after
        self.clock = time.monotonic if clock is None else clock
        self.width = width
        self.started = self.clock()
        self.shown = False
        self.enabled = not quiet and (force or _is_terminal(self.stream))
        self.last = ""
        self.drawn = self.started

    def __call__(self, done: int, total: int | None, label: str) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if not self.shown and now - self.started < self.after:
            return
        if self.shown and now - self.drawn < 0.1 and done != total:
            return  # at most ten lines a second
        if total is None:
            line = f"\r{label} {done}"
        else:
            share = min(done / total, 1.0) if total else 1.0
            filled = round(self.width * share)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"\r[{bar}] {100 * share:3.0f}% {label:<12}"
        if line != self.last:
            self.drawn = now
            self.shown = True
            self.last = line
            self.stream.write(line)
            self.stream.flush()

    def counted(self, items: Iterable[_T], label: str, total: int | None = None) -> Iterator[_T]:
        """Yield `items`, showing how many have passed."""
        for done, item in enumerate(items, start=1):
            yield item
            self(done, total, label)

    def close(self) -> None:
        """End the progress line (once), so that what follows starts on a line of its own."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def progress_for(args: argparse.Namespace) -> Progress:
    """The progress of a command: on standard error, unless ``--quiet``."""
    return Progress(quiet=bool(getattr(args, "quiet", False)))
