"""The line reader and the shipped JSON Schema accept exactly the same lines (issue 14).

One corpus of valid and invalid lines, hand-written and Hypothesis-generated, goes through
both `loads_event` and a JSON Schema validator (on a strict parse: a schema cannot say that a
key may not repeat, and the reader refuses that).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pengaduan import Actor, Event, EventFormatError
from pengaduan.interchange import dumps_event, event_schema, loads_event, strict_json

VALIDATOR = jsonschema.Draft202012Validator(event_schema())

BASE: dict[str, Any] = {
    "id": "e1",
    "complaint": "C-1",
    "action": "submit",
    "at": "2026-03-17T09:15:00+07:00",
    "actor": {"id": "warga-17", "role": "reporter", "unit": None},
    "data": {"title": "Jalan rusak", "body": "...", "channel": "web"},
}


def line(**changes: Any) -> str:
    record = {**BASE, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not _GONE})


_GONE = object()


def reader_accepts(text: str) -> bool:
    try:
        loads_event(text)
    except EventFormatError:
        return False
    return True


def schema_accepts(text: str) -> bool:
    try:
        record = strict_json(text)
    except ValueError:
        return False
    return VALIDATOR.is_valid(record)


# (line, accepted) written out by hand: the six cases first.
CORPUS: dict[str, tuple[str, bool]] = {
    "space for T": (line(at="2026-03-17 09:15:00+07:00"), False),
    "hour-only offset": (line(at="2026-03-17T09:15:00+07"), False),
    "basic format": (line(at="20260317T091500+0700"), False),
    "7 fraction digits": (line(at="2026-03-17T09:15:00.1234567+07:00"), False),
    "data null": (line(data=None), False),
    "empty actor unit": (line(actor={"id": "op", "role": "unit_operator", "unit": ""}), False),
    # instants
    "the example": (line(), True),
    "Z": (line(at="2026-03-17T02:15:00Z"), True),
    "minus zero": (line(at="2026-03-17T02:15:00-00:00"), True),
    "WITA": (line(at="2026-03-17T10:15:00+08:00"), True),
    "half-hour offset": (line(at="2026-03-17T09:15:00-03:30"), True),
    "no seconds": (line(at="2026-03-17T09:15+07:00"), True),
    "6 fraction digits": (line(at="2026-03-17T09:15:00.123456+07:00"), True),
    "1 fraction digit": (line(at="2026-03-17T09:15:00.5+07:00"), True),
    "empty fraction": (line(at="2026-03-17T09:15:00.+07:00"), False),
    "comma fraction": (line(at="2026-03-17T09:15:00,5+07:00"), False),
    "no offset": (line(at="2026-03-17T09:15:00"), False),
    "lower-case t": (line(at="2026-03-17t09:15:00+07:00"), False),
    "lower-case z": (line(at="2026-03-17T02:15:00z"), False),
    "hour only": (line(at="2026-03-17T09+07:00"), False),
    "basic offset": (line(at="2026-03-17T09:15:00+0700"), False),
    "offset seconds": (line(at="2026-03-17T09:15:00+07:07:12"), False),
    "offset 24 hours": (line(at="2026-03-17T09:15:00+24:00"), False),
    "hour 24": (line(at="2026-03-17T24:00:00+07:00"), False),
    "leap second": (line(at="2016-12-31T23:59:60Z"), False),
    "week date": (line(at="2026-W12-2T09:15:00+07:00"), False),
    "ordinal date": (line(at="2026-076T09:15:00+07:00"), False),
    "29 Feb of a leap year": (line(at="2024-02-29T09:15:00+07:00"), True),
    "29 Feb 2000": (line(at="2000-02-29T09:15:00+07:00"), True),
    "29 Feb 2026": (line(at="2026-02-29T09:15:00+07:00"), False),
    "29 Feb 1900": (line(at="1900-02-29T09:15:00+07:00"), False),
    "30 Feb": (line(at="2026-02-30T09:15:00+07:00"), False),
    "31 April": (line(at="2026-04-31T09:15:00+07:00"), False),
    "month 13": (line(at="2026-13-01T09:15:00+07:00"), False),
    "Arabic-Indic digits": (line(at="٢٠٢٦-03-17T09:15:00+07:00"), False),
    "a trailing newline": (line(at="2026-03-17T09:15:00+07:00\n"), False),
    "year 1": (line(at="0001-06-01T00:00:00Z"), False),
    "year 2, 2 January, far east": (line(at="0002-01-02T00:00:00+14:00"), True),
    "year 2, 1 January, west": (line(at="0002-01-01T00:00:00-05:00"), True),
    "year 2, 1 January, east": (line(at="0002-01-01T00:00:00+07:00"), False),
    "year 9998, 31 December, east": (line(at="9998-12-31T23:00:00+07:00"), True),
    "year 9998, 31 December, west": (line(at="9998-12-31T09:00:00-05:00"), False),
    "year 9999": (line(at="9999-01-01T00:00:00Z"), False),
    "an instant as a number": (line(at=1742177700), False),
    # the other fields
    "data left out": (line(data=_GONE), True),
    "empty data": (line(data={}), True),
    "data a list": (line(data=[]), False),
    "actor unit null": (line(actor={"id": "op", "role": "unit_operator", "unit": None}), True),
    "actor unit left out": (line(actor={"id": "w", "role": "reporter"}), True),
    "actor unit a number": (line(actor={"id": "op", "role": "unit_operator", "unit": 3}), False),
    "actor without role": (line(actor={"id": "w"}), False),
    "actor with another key": (line(actor={"id": "w", "role": "reporter", "nik": "1"}), False),
    "empty id": (line(id=""), False),
    "complaint a number": (line(complaint=7), False),
    "action with a hyphen": (line(action="tindak-lanjut"), False),
    "action starting with a digit": (line(action="1submit"), False),
    "action with a newline": (line(action="submit\n"), False),
    "action not ASCII": (line(action="périksa"), False),
    "another key": (line(state="closed"), False),
    "id left out": (line(id=_GONE), False),
    "not an object": ("[1, 2]", False),
}


@pytest.mark.parametrize("name", CORPUS)
def test_reader_and_schema_agree_on_the_hand_written_corpus(name: str) -> None:
    text, accepted = CORPUS[name]
    assert reader_accepts(text) is accepted
    assert schema_accepts(text) is accepted


def test_the_schema_is_valid_draft_2020_12_and_its_patterns_avoid_pythons_dollar() -> None:
    schema = event_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in ("at", "action"):
        pattern = schema["properties"][name]["pattern"]
        assert "$" not in pattern
        assert "\\d" not in pattern, "\\d matches non-ASCII digits in Python, not in ECMA-262"


# -- generated -------------------------------------------------------------------------------

_two = st.integers(0, 99).map(lambda n: f"{n:02d}")
_years = st.one_of(
    st.integers(0, 9999), st.sampled_from([1, 2, 3, 1900, 2000, 2024, 2026, 9997, 9998, 9999])
).map(lambda n: f"{n:04d}")
_months = st.one_of(st.integers(0, 13), st.just(2)).map(lambda n: f"{n:02d}")
_days = st.one_of(st.integers(0, 32), st.sampled_from([1, 28, 29, 30, 31])).map(
    lambda n: f"{n:02d}"
)
_hours = st.integers(0, 25).map(lambda n: f"{n:02d}")
_fractions = st.one_of(
    st.just(""), st.text("0123456789", max_size=8).map(lambda digits: "." + digits)
)
_offsets = st.one_of(
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00"]),
    st.tuples(st.sampled_from("+-"), _hours, _two).map(lambda t: f"{t[0]}{t[1]}:{t[2]}"),
    st.tuples(st.sampled_from("+-"), _hours).map(lambda t: f"{t[0]}{t[1]}"),
    st.tuples(st.sampled_from("+-"), _hours, _two).map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
    st.tuples(st.sampled_from("+-"), _hours, _two, _two).map(
        lambda t: f"{t[0]}{t[1]}:{t[2]}:{t[3]}"
    ),
)


@st.composite
def instants(draw: st.DrawFn) -> str:
    year, month, day = draw(_years), draw(_months), draw(_days)
    separator = draw(st.sampled_from(["T", "T", "T", " ", "t", "_"]))
    hour, minute = draw(_hours), draw(st.integers(0, 61).map(lambda n: f"{n:02d}"))
    seconds = draw(
        st.one_of(
            st.just(""),
            st.tuples(st.integers(0, 61).map(lambda n: f":{n:02d}"), _fractions).map("".join),
        )
    )
    if draw(st.integers(0, 9)) == 0:  # now and then the basic format
        compact = f"{year}{month}{day}{separator}{hour}{minute}{seconds.replace(':', '')}"
        return compact + draw(_offsets)
    return f"{year}-{month}-{day}{separator}{hour}:{minute}{seconds}" + draw(_offsets)


@settings(max_examples=400)
@given(at=instants())
@example(at="2026-03-17T09:15:00+07:00")
@example(at="0002-01-01T00:00:00+00:01")
@example(at="9998-12-31T23:59:59.999999-00:01")
def test_reader_and_schema_agree_on_generated_instants(at: str) -> None:
    text = line(at=at)
    assert reader_accepts(text) is schema_accepts(text)


_strings = st.one_of(st.just(""), st.text(max_size=6), st.sampled_from(["submit", "x_1", "9"]))
_values = st.one_of(st.none(), st.integers(-2, 2), st.booleans(), _strings, st.just([]))
_actors = st.one_of(
    _values,
    st.dictionaries(st.sampled_from(["id", "role", "unit", "nik"]), _values, max_size=4),
)


@given(
    record=st.fixed_dictionaries(
        {},
        optional={
            "id": _values,
            "complaint": _values,
            "action": _values,
            "at": st.one_of(_values, instants()),
            "actor": _actors,
            "data": st.one_of(_values, st.dictionaries(st.text(max_size=4), _values, max_size=2)),
            "extra": _values,
        },
    )
)
def test_reader_and_schema_agree_on_generated_records(record: dict[str, Any]) -> None:
    text = json.dumps(record)
    assert reader_accepts(text) is schema_accepts(text)


@given(
    at=st.datetimes(
        min_value=datetime(2, 1, 2),
        max_value=datetime(9998, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-9, minutes=-30))]
        ),
    ),
    unit=st.none() | st.text(min_size=1, max_size=5),
    data=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
)
def test_every_line_written_is_read_back_and_valid(at: datetime, unit: str | None, data) -> None:  # type: ignore[no-untyped-def]
    event = Event("e1", "C-1", "comment", at, Actor("op", "unit_operator", unit), data)
    text = dumps_event(event)
    assert loads_event(text) == event
    assert schema_accepts(text)
