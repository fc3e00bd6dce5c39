"""Event files: JSON Lines in and out, the shipped schema, and precise refusals."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengaduan import Actor, Event, EventFormatError
from pengaduan.interchange import (
    dumps_event,
    event_from_dict,
    event_schema,
    loads_event,
    read_events,
    read_numbered_events,
    write_events,
)

from .conftest import SUBMIT, T0

GOOD = {
    "id": "e1",
    "complaint": "C-1",
    "action": "submit",
    "at": "2026-03-17T09:15:00+07:00",
    "actor": {"id": "warga-17", "role": "reporter", "unit": None},
    "data": {
        **SUBMIT,
        "privacy": {"anonymous": True, "confidential": False},
        "reporter": {"name": "Siti", "phone": None, "email": None, "nik": None},
    },
}

texts = st.text(min_size=1, max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
events = st.builds(
    Event,
    id=texts,
    complaint=texts,
    action=st.sampled_from(["submit", "verify", "comment"]),
    at=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))]
        ),
    ),
    actor=st.builds(Actor, id=texts, role=texts, unit=st.none() | texts),
    data=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
)


@given(events)
def test_an_event_round_trips_through_one_json_line(event: Event) -> None:
    line = dumps_event(event)
    assert "\n" not in line
    back = loads_event(line)
    assert back == event
    assert back.at.utcoffset() == event.at.utcoffset()


def test_a_written_file_reads_back_in_order() -> None:
    first = event_from_dict(GOOD)
    second = Event(
        "e2",
        "C-1",
        "verify",
        T0 + timedelta(hours=1),
        Actor("a", "admin_agency"),
        {"classification": "aspirasi"},
    )
    buffer = io.StringIO()
    assert write_events([first, second], buffer) == 2
    buffer.seek(0)
    assert list(read_events(buffer)) == [first, second]


def test_the_shipped_schema_accepts_what_we_write() -> None:
    schema = event_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(dumps_event(event_from_dict(GOOD))), schema)


def test_the_shipped_schema_refuses_a_naive_instant() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**GOOD, "at": "2026-03-17T09:15:00"}, event_schema())


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        ({"at": "2026-03-17T09:15:00"}, "at", "with a UTC offset"),
        ({"at": "17/03/2026"}, "at", "not an ISO 8601 instant"),
        ({"at": 1742177700}, "at", "must be an ISO 8601 string"),
        ({"id": ""}, "id", "non-empty string"),
        ({"complaint": 7}, "complaint", "non-empty string"),
        ({"actor": "warga"}, "actor", "must be an object"),
        ({"actor": {"id": "w"}}, "actor.role", "is missing"),
        ({"actor": {"id": "w", "role": "reporter", "unit": 3}}, "actor.unit", "non-empty string"),
        ({"actor": {"id": "w", "role": "reporter", "nik": "3201"}}, "actor", "unknown key"),
        ({"data": []}, "data", "must be an object"),
    ],
)
def test_a_malformed_record_names_the_bad_field(change, path: str, reason: str) -> None:
    with pytest.raises(EventFormatError) as info:
        event_from_dict({**GOOD, **change})
    assert info.value.path == path
    assert reason in info.value.reason


def test_a_missing_instant_and_unknown_keys_are_refused() -> None:
    record = dict(GOOD)
    del record["at"]
    with pytest.raises(EventFormatError, match="field 'at': is missing"):
        event_from_dict(record)
    with pytest.raises(EventFormatError, match="unknown key"):
        event_from_dict({**GOOD, "state": "closed"})
    with pytest.raises(EventFormatError, match="must be a JSON object"):
        event_from_dict([GOOD])


def test_a_bad_line_is_reported_with_file_and_line_number(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n{not json\n", encoding="utf-8")
    with pytest.raises(EventFormatError) as info:
        list(read_events(path))
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:line 3: not valid JSON")


def test_bad_lines_can_be_skipped_and_reported(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("[]\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    errors: list[EventFormatError] = []
    numbered = list(read_numbered_events(str(path), on_error=errors.append))
    assert [n for n, _ in numbered] == [2]
    assert [e.line for e in errors] == [1]


def test_deeply_nested_json_is_refused_as_a_format_error() -> None:
    with pytest.raises(EventFormatError):
        loads_event("[" * 100_000 + "]" * 100_000)


def _record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "e1",
        "complaint": "C-1",
        "action": "submit",
        "at": "2026-03-17T09:15:00+07:00",
        "actor": {"id": "w", "role": "reporter", "unit": None},
        "data": {"title": "t", "body": "b", "channel": "web"},
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        ({"data": {"n": float("nan")}}, "data.n", "NaN"),
        ({"data": {"n": float("inf")}}, "data.n", "NaN or Infinity"),
        ({"data": {"body": "\ud800"}}, "data.body", "lone surrogate"),
        ({"at": "0001-01-01T00:00:00+07:00"}, "at", "outside the years"),
        ({"at": "9999-12-31T23:59:59-07:00"}, "at", "outside the years"),
    ],
    ids=["nan", "infinity", "surrogate", "year-1", "year-9999"],
)
def test_a_record_not_read_from_json_is_checked_too(
    changes: dict[str, object], path: str, reason: str
) -> None:
    from pengaduan.interchange import event_from_dict

    with pytest.raises(EventFormatError, match=reason) as caught:
        event_from_dict(_record(**changes))
    assert caught.value.path == path


def test_an_odd_key_in_a_path_is_named_by_position() -> None:
    from pengaduan.interchange import event_from_dict

    with pytest.raises(EventFormatError) as caught:
        event_from_dict(_record(data={"Siti 0812000000": "\udc00"}))
    assert caught.value.path == "data.<key 1>"
    assert "Siti" not in str(caught.value)
