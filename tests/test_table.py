"""The text tables of reports and the command line fit the width they are given."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pengaduan._table import fit_table, stream_table

_WORD = st.text("abcdefghij-%0123456789", min_size=1, max_size=8)
_CELL = st.lists(_WORD, min_size=1, max_size=2).map(" ".join)
_HEAD = st.tuples(_CELL, _CELL).map(lambda pair: f"{pair[0]} / {pair[1]}")


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    columns = draw(st.integers(1, 12))
    header = draw(st.lists(_HEAD, min_size=columns, max_size=columns))
    rows = draw(st.lists(st.lists(_CELL, min_size=columns, max_size=columns), max_size=5))
    return header, rows


@given(tables(), st.integers(40, 200))
def test_every_line_fits_the_width_when_each_cell_does(
    table: tuple[list[str], list[list[str]]], width: int
) -> None:
    header, rows = table
    text = fit_table(header, rows, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    for row in rows:
        for cell in row:
            assert cell in text


@given(tables(), st.integers(40, 120))
def test_each_part_of_a_split_table_starts_with_the_first_column(
    table: tuple[list[str], list[list[str]]], width: int
) -> None:
    header, rows = table
    parts = fit_table(header, rows, width=width).split("\n\n")
    first_head = header[0].split(" / ")[0].split()[0]
    for part in parts:
        assert part.startswith(first_head)
        body = part.splitlines()[-len(rows) :] if rows else []
        assert [line.split("  ")[0].rstrip() for line in body] == [r[0] for r in rows]


@given(tables(), st.integers(40, 120))
def test_streaming_prints_what_the_whole_table_prints(
    table: tuple[list[str], list[list[str]]], width: int
) -> None:
    header, rows = table
    assert "\n".join(stream_table(header, lambda: rows, width=width)) == fit_table(
        header, rows, width=width
    )


def test_a_bilingual_head_shows_bahasa_indonesia_above_english() -> None:
    text = fit_table(["Diterima / received", "Selesai / closed"], [["12", "3"]], width=80)
    assert text.splitlines()[:2] == ["Diterima  Selesai", "received  closed"]


def test_a_long_message_wraps_into_the_room_left() -> None:
    message = "Mohon ditindaklanjuti " * 10
    header = ["Laporan / complaint", "Pesan / message"]
    text = fit_table(header, [["C-1", message]], width=40, wrap_last=True)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert len(lines) > 4
