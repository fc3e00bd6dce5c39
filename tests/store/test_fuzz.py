"""Hostile JSON and JSON Lines, fuzzed: only the library's own errors, and no change stored."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import lifecycle

from pengaduan.calendar import WorkCalendar
from pengaduan.codecs import from_dict, loads, to_dict
from pengaduan.escalation import Ladder
from pengaduan.exceptions import CodecError, EventFormatError, PengaduanError
from pengaduan.interchange import event_to_dict, loads_event, read_numbered_events
from pengaduan.model import Actor, Complaint, Event
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.presets._calendars import calendar_24x7
from pengaduan.sla import Policy
from pengaduan.store import EventStore, InMemoryStore, SQLiteStore
from pengaduan.sync import ExternalUpdate, SyncBridge
from pengaduan.workflow import Workflow

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "x" * 100_000,
            "2026-03-02T08:00:00",  # naive
            "2026-02-30T08:00:00+07:00",  # no such day
            "2026-03-02T08:00:00+25:00",  # no such offset
            "9999-12-31T23:59:59-23:59",
            "submit",
            "teleport",
            "\x00",
            "\ud800",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


class _Deep(dict[str, Any]):
    """A deeply nested value that Hypothesis can print (its pretty printer recurses)."""

    depth = 0

    def __repr__(self) -> str:
        return f"deep({self.depth})"


def deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": [value]}
    top = _Deep(value)
    top.depth = depth
    return top


hostile = st.one_of(json_values, st.integers(1, 3000).map(deep))
KEYS = ["id", "complaint", "action", "at", "actor", "data", "unit", "role", "extra"]


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    """A valid event record with a few fields replaced, removed or added."""
    base = lifecycle(draw(st.sampled_from(["C-1", "C-NEW"])))
    record: dict[str, Any] = event_to_dict(draw(st.sampled_from(base)))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(KEYS))
        change = draw(st.sampled_from(["set", "drop", "actor", "data"]))
        if change == "drop":
            record.pop(key, None)
        elif change == "actor" and isinstance(record.get("actor"), dict):
            record["actor"][draw(st.sampled_from(["id", "role", "unit", "x"]))] = draw(hostile)
        elif change == "data" and isinstance(record.get("data"), dict):
            record["data"][draw(st.sampled_from(["title", "body", "channel", "unit", "x"]))] = draw(
                hostile
            )
        else:
            record[key] = draw(hostile)
    return record


def seeded(store: EventStore) -> EventStore:
    from store_helpers import ADMIN, event

    store.append("C-1", lifecycle("C-1")[:2])
    data = {"title": "t", "body": "b", "channel": "web", "external_ids": {"lapor": "L-1"}}
    # Staff enter a complaint with its LAPOR! id (a reporter may not set external ids).
    store.append("C-EXT", [event("C-EXT", 1, "submit", ADMIN, data, -10)])
    return store


def dump(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=True)
    except (ValueError, RecursionError):
        return "[" * 5000


STORES: dict[str, EventStore] = {}


def store_of(kind: str) -> EventStore:
    if kind not in STORES:
        if kind == "memory":
            STORES[kind] = seeded(InMemoryStore(workflow=lapor_workflow()))
        else:
            STORES[kind] = seeded(
                SQLiteStore(Path(tempfile.mkdtemp()) / "fuzz.db", workflow=lapor_workflow())
            )
    return STORES[kind]


def teardown_module() -> None:
    for store in STORES.values():
        store.close()


@FUZZ
@given(record=mutated_events(), kind=st.sampled_from(["memory", "sqlite"]))
def test_a_hostile_event_record_raises_only_library_errors_and_changes_nothing(
    record: Any, kind: str
) -> None:
    store = store_of(kind)
    before = list(store.events())
    try:
        event = loads_event(dump(record))
        store.append(event.complaint, [event])
    except PengaduanError:
        assert list(store.events()) == before
    except TypeError as error:  # Event fields of the wrong type fail in the library?
        raise AssertionError(f"a builtin error escaped: {error!r}") from error
    else:  # a valid event that the mutation did not spoil: accepted, exactly once
        after = list(store.events())
        assert len(after) <= len(before) + 1


@FUZZ
@given(
    lines=st.lists(st.one_of(mutated_events().map(dump), hostile.map(dump), st.text()), max_size=6)
)
def test_hostile_json_lines_raise_only_library_errors(lines: list[str]) -> None:
    text = [line.replace("\n", " ") + "\n" for line in lines]
    errors: list[EventFormatError] = []
    for _number, event in read_numbered_events(text, on_error=errors.append):
        assert isinstance(event, Event)
    for error in errors:
        assert error.line is not None


_HOSTILE_TOKENS = st.sampled_from(
    [b"NaN", b"-Infinity", b"9" * 4301, b'"\\ud800"', b'"0001-01-01T00:00:00+07:00"', b"\xff"]
)


@FUZZ
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=200),
            st.tuples(mutated_events().map(dump), _HOSTILE_TOKENS, st.integers(0, 200)).map(
                lambda t: t[0].encode("utf-8", "surrogatepass")[: t[2]] + t[1]
            ),
            st.integers().map(lambda n: f'{{"id": {n}}}'.encode()),
        ),
        max_size=6,
    )
)
def test_event_files_of_any_bytes_raise_only_library_errors_naming_their_line(
    lines: list[bytes],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.jsonl"
        path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines))
        errors: list[EventFormatError] = []
        for _number, event in read_numbered_events(path, on_error=errors.append):
            # what is accepted can be written back as strict JSON and UTF-8
            text = json.dumps(event_to_dict(event), ensure_ascii=False, allow_nan=False)
            text.encode("utf-8")
        for error in errors:
            assert error.line is not None


@FUZZ
@given(
    cls=st.sampled_from([Workflow, WorkCalendar, Policy, Complaint, Event, Actor]), value=hostile
)
def test_a_hostile_definition_raises_only_codec_errors(cls: type, value: Any) -> None:
    with contextlib.suppress(CodecError):
        from_dict(cls, value)


@st.composite
def mutated_definitions(draw: st.DrawFn) -> tuple[type, Any]:
    cls, value = draw(
        st.sampled_from(
            [
                (Workflow, lapor_workflow()),
                (WorkCalendar, calendar_24x7("Asia/Jakarta")),
                (Policy, lapor_policy()),
                (Ladder, lapor_ladder()),
            ]
        )
    )
    data = to_dict(value)
    node: Any = data
    for _ in range(draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if draw(st.booleans()) or not isinstance(node[key], dict | list):
                node[key] = draw(hostile)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            index = draw(st.integers(0, len(node) - 1))
            if draw(st.booleans()) or not isinstance(node[index], dict | list):
                node[index] = draw(hostile)
                break
            node = node[index]
    return cls, data


@FUZZ
@given(case=mutated_definitions())
def test_a_mutated_definition_raises_only_codec_errors_naming_a_path(
    case: tuple[type, Any],
) -> None:
    cls, data = case
    try:
        decoded: Any = loads(cls, dump(data))
    except CodecError as error:
        decoded = error
    assert isinstance(decoded, cls | CodecError)
    if isinstance(decoded, CodecError):
        # Only text that is not JSON at all, or an inconsistency of the whole definition
        # (say, no action leaves the initial state), has no single field to name.
        whole = "not valid JSON" in decoded.reason or "invalid definition" in decoded.reason
        assert decoded.path or whole, decoded


@FUZZ
@given(
    data=hostile,
    status=st.sampled_from(["Terverifikasi", "Selesai", "?"]),
    hours=st.integers(-12, 5),
    external_id=st.sampled_from(["L-1", "none"]),
)
def test_hostile_external_updates_are_reported_never_raised(
    data: Any, status: str, hours: int, external_id: str
) -> None:
    from datetime import timedelta

    from store_helpers import START

    store = store_of("memory")
    bridge = SyncBridge(
        store,
        "lapor",
        {"Terverifikasi": "verify", "Selesai": "close"},
        Actor("s", "admin_national"),
    )
    payload = data if isinstance(data, dict) else {"value": data}
    before = list(store.events())
    result = bridge.ingest_one(
        ExternalUpdate(
            f"u{len(list(store.updates()))}",
            external_id,
            status,
            START + timedelta(hours=hours),
            payload,
        )
    )
    after = list(store.events())
    if result.outcome.value == "applied":
        assert after[: len(before)] == before
        assert [e.id for _p, e in after[len(before) :]] == [result.event_id]
    else:
        assert result.outcome.value in {"refused", "stale", "current"}
        assert after == before, "a refused update is never half-applied"
    assert store.recall_update("lapor", result.update.update_id) is not None


def _called_at_depth(frames: int, function: Any, *args: Any) -> Any:
    """Call `function` with `frames` more frames on the stack (a test runner's own)."""
    if frames == 0:
        return function(*args)
    return _called_at_depth(frames - 1, function, *args)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize("frames", [0, 50, 200])
def test_a_value_nested_past_the_limit_is_refused_however_deep_the_callers_stack(
    kind: str, frames: int
) -> None:
    store = store_of(kind)
    before = list(store.events())
    record = event_to_dict(lifecycle("C-NEW")[0])
    record["data"]["title"] = deep(450)

    def append() -> None:
        event = loads_event(dump(record))
        store.append(event.complaint, [event])

    with pytest.raises(PengaduanError, match="nested"):
        _called_at_depth(frames, append)
    assert list(store.events()) == before
