"""The import writes each event's stored body as `_store_base.encode` does, text for text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import _store_bulk
from pengaduan._store_base import normalise
from pengaduan._store_bulk import _ENCODER, prepare
from pengaduan.exceptions import EventFormatError
from pengaduan.model import Actor, Event
from pengaduan.presets import lapor_workflow

WORKFLOW = lapor_workflow()
KEY = _ENCODER.encode([WORKFLOW.name, WORKFLOW.version])

texts = st.text(max_size=12)  # quotes, backslashes, controls, NUL, surrogates, any script
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
events = st.builds(
    Event,
    id=texts,
    complaint=texts,
    action=st.sampled_from(["submit", "comment"]),
    at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda at: at.astimezone(timezone(timedelta(hours=7)))),
    actor=st.builds(Actor, texts, texts, st.none() | texts),
    data=st.dictionaries(texts, values, max_size=4),
)


@given(events)
def test_an_imported_events_body_is_the_text_an_append_writes(event: Event) -> None:
    # `normalise` is what an append writes: its checks, then `encode`'s text.
    try:
        expected = normalise(event, WORKFLOW)[1]
    except EventFormatError:
        with pytest.raises(EventFormatError):
            prepare(event, WORKFLOW, KEY)
        return
    _event, body = prepare(event, WORKFLOW, KEY)
    assert body == expected


@given(st.dictionaries(texts, values, max_size=4))
def test_without_the_c_encoder_the_data_is_written_by_the_public_one(
    data: dict[str, object],
) -> None:
    real = json.encoder.c_make_encoder
    json.encoder.c_make_encoder = None  # type: ignore[attr-defined]
    try:
        chunks = _store_bulk._plain_encoder()
    finally:
        json.encoder.c_make_encoder = real  # type: ignore[attr-defined]
    assert chunks is _store_bulk._public_chunks
    try:
        expected = _ENCODER.encode(data)
    except ValueError:
        return
    assert "".join(chunks(data, 0)) == expected == "".join(_store_bulk._plain_chunks(data, 0))
