"""Plain text tables that fit a width: heads wrapped onto lines, wide tables split in parts.

Used by the reports' text and by the command line. Written here rather than taken from a
library: the whole need is left-aligned columns of short cells, heads wrapped at spaces, and
a table too wide split into parts that repeat its first column (a report keeps its key on
every part). ``rich`` would do it, at the price of a core dependency (and its markup and
terminal detection) for every user of the library.

>>> print(fit_table(["Unit", "Diterima / received"], [["dinas-pu", "12"]], width=20))
Unit      Diterima
          received
--------  --------
dinas-pu  12
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence

#: The width when none is given: a terminal's classic 80 columns.
DEFAULT_WIDTH = 80
_GAP = "  "


#: How wide a column grows for its head alone (a longer head wraps).
_HEAD_ROOM = 15


def _halves(head: str) -> list[str]:
    """A bilingual head ``"Bahasa / English"`` as its two languages; another as itself."""
    return [half.strip() for half in head.split(" / ")] if " / " in head else [head]


def _head_lines(head: str, width: int) -> list[str]:
    """The head's lines: each language wrapped at spaces to `width`, Bahasa first."""
    lines = []
    for half in _halves(head):
        lines += textwrap.wrap(half, width, break_on_hyphens=False) or [""]
    return lines


def _widths(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[int]:
    """Each column's width: its longest cell, its head's longest word, and room for the head."""
    widths = [
        max(
            max((len(word) for word in head.split()), default=0),
            min(_HEAD_ROOM, max(len(half) for half in _halves(head))),
        )
        for head in header
    ]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    return widths


def _stack(blocks: Sequence[list[str]], widths: Sequence[int]) -> list[str]:
    """Cells of several lines side by side."""
    depth = max(len(block) for block in blocks)
    return [
        _GAP.join(
            (block[i] if i < len(block) else "").ljust(w)
            for block, w in zip(blocks, widths, strict=True)
        ).rstrip()
        for i in range(depth)
    ]


def _lines(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[int],
    columns: Sequence[int],
    wrap: int | None = None,
) -> Iterator[str]:
    """The lines of the table of `columns` (indexes into each row) at `widths`."""
    shown = [widths[i] for i in columns]
    yield from _stack([_head_lines(header[i], widths[i]) for i in columns], shown)
    yield _GAP.join("-" * w for w in shown)
    for row in rows:
        blocks = [
            textwrap.wrap(row[i], widths[i], break_on_hyphens=False) or [""]
            if i == wrap
            else [row[i]]
            for i in columns
        ]
        yield from _stack(blocks, shown)


def stream_table(
    header: Sequence[str],
    rows: Callable[[], Iterable[Sequence[str]]],
    *,
    width: int | None = DEFAULT_WIDTH,
    wrap_last: bool = False,
) -> Iterator[str]:
    """Like `fit_table`, line by line, reading the rows again for each pass.

    `rows` is called once to measure the columns and once per part of the table, so a table
    of a store's complaints needs no list of every row.
    """
    widths = _widths(header, rows())
    everything = list(range(len(header)))
    if width is None:
        widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
        yield from _lines(header, rows(), widths, everything)
        return

    def total(ws: Iterable[int]) -> int:
        ws = list(ws)
        return sum(ws) + len(_GAP) * (len(ws) - 1)

    if total(widths) <= width:
        yield from _lines(header, rows(), widths, everything)
        return
    wrap = None
    if wrap_last:
        wrap = len(header) - 1
        room = width - total(widths[:-1]) - len(_GAP)
        if room >= 24:
            widths[-1] = min(widths[-1], room)
            yield from _lines(header, rows(), widths, everything, wrap=wrap)
            return
    last = len(header) - 1
    if wrap is not None:  # split, and wrap the last column in the room its part leaves it
        widths[-1] = min(widths[-1], max(24, width - widths[0] - len(_GAP)))
    if len(header) <= 2:  # nothing to split off
        yield from _lines(header, rows(), widths, everything, wrap=wrap)
        return
    # Split: the first column, then as many others as fit, part after part.
    rest = list(range(1, len(header)))
    first = True
    while rest:
        chosen = [0, rest.pop(0)]
        while rest and total(widths[i] for i in [*chosen, rest[0]]) <= width:
            chosen.append(rest.pop(0))
        if wrap is not None and rest == [last]:
            room = width - total(widths[i] for i in chosen) - len(_GAP)
            if room >= 24:  # the message beside the others, wrapped
                widths[last] = room
                chosen.append(rest.pop())
        if not first:
            yield ""
        first = False
        yield from _lines(header, rows(), widths, chosen, wrap=wrap)


def fit_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = DEFAULT_WIDTH,
    wrap_last: bool = False,
) -> str:
    """Render rows as a left-aligned text table at most `width` columns wide, if it can be.

    Heads wrap at spaces; a bilingual head ``"Diterima / received"`` shows Bahasa Indonesia
    on its first lines and English under it. A table still too wide is split into parts,
    one under the other, each repeating the first column. A single cell wider than `width`
    is kept whole.

    Args:
        header: The column heads.
        rows: The rows, one cell per column.
        width: The most columns a line may take; ``None`` for no limit.
        wrap_last: Wrap the last column's text (a message) into the room the others leave
            (at least 24 columns) instead of splitting the table.

    Returns:
        The table, without a trailing newline.
    """
    return "\n".join(stream_table(header, lambda: rows, width=width, wrap_last=wrap_last))
