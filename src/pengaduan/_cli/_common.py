"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from pengaduan.exceptions import NaiveDatetimeError


def instant(text: str) -> datetime:
    """Parse an ``--as-of``-style ISO 8601 instant for argparse (an offset is required)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant, e.g. 2026-03-17T09:15:00+07:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(str(NaiveDatetimeError(f"the instant {text!r}")))
    return value


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render rows as a plain, left-aligned text table."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fail(message: str, code: int = 2) -> int:
    """Print an error for the user and return the exit code."""
    print(f"pengaduan: error: {message}", file=sys.stderr)
    return code
