"""Hostile values: every store refuses them alike with a library error naming the position."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import ADMIN, REPORTER, event, lifecycle, submit

from pengaduan.exceptions import EventFormatError, InstantRangeError, PengaduanError
from pengaduan.model import Actor, Event
from pengaduan.store import EventStore, InMemoryStore, PostgresStore, SQLiteStore

HUGE = 10**5000  # more digits than int -> str allows by default (4300)
LONE = "\ud800"
NUL = "\x00"

HOSTILE: list[Any] = [HUGE, -HUGE, LONE, f"a{LONE}b", NUL, f"x{NUL}", math.nan, math.inf, -math.inf]


def snapshot(store: EventStore) -> tuple[list[tuple[int, Event]], list[dict[str, Any]]]:
    return list(store.events()), list(store.updates())


# Every hostile value as a data value and nested; only the strings can also be keys.
PLACES = [
    (value, where)
    for where in ("value", "key", "nested")
    for value in HOSTILE
    if where != "key" or isinstance(value, str)
]


@pytest.mark.parametrize(
    ("value", "where"), PLACES, ids=[f"{w}-{type(v).__name__}" for v, w in PLACES]
)
def test_a_hostile_value_in_data_is_refused_alike_naming_its_position(
    store: EventStore, value: Any, where: str
) -> None:
    store.append("C-1", lifecycle("C-1")[:3])
    before = snapshot(store)
    if where == "value":
        data: dict[Any, Any] = {"message": value}
    elif where == "key":
        data = {"message": "ok", value: 1}
    else:
        data = {"message": "ok", "extra": [{"deep": value}]}
    with pytest.raises(EventFormatError) as raised:
        store.append("C-1", [event("C-1", 9, "comment", ADMIN, data, 5)])
    assert raised.value.path.startswith("data")
    for text in (LONE, NUL, "0000000000"):
        assert text not in str(raised.value)
    assert snapshot(store) == before


@pytest.mark.parametrize("value", [LONE, NUL], ids=["surrogate", "nul"])
@pytest.mark.parametrize("field", ["id", "complaint", "actor.id", "actor.unit"])
def test_nul_and_lone_surrogates_in_ids_are_refused_by_every_store(
    store: EventStore, value: str, field: str
) -> None:
    before = snapshot(store)
    complaint = f"C{value}" if field == "complaint" else "C-1"
    actor = Actor(f"w{value}" if field == "actor.id" else "w", "reporter")
    if field == "actor.unit":
        actor = Actor("w", "reporter", f"u{value}")
    base = submit(complaint)
    hostile = Event(
        f"e{value}" if field == "id" else "e1", complaint, "submit", base.at, actor, base.data
    )
    with pytest.raises(EventFormatError) as raised:
        store.append(complaint, [hostile])
    assert raised.value.path == field
    assert snapshot(store) == before


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: type(v).__name__)
def test_a_hostile_update_record_is_refused_alike(store: EventStore, value: Any) -> None:
    before = snapshot(store)
    with pytest.raises(EventFormatError):
        store.remember_update("lapor", "u-1", {"status": value})
    if isinstance(value, str):
        with pytest.raises(EventFormatError):
            store.remember_update(f"lapor{value}", "u-1", {})
        with pytest.raises(EventFormatError):
            store.remember_update("lapor", f"u{value}", {})
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),  # UTC conversion underflows
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),  # ... overflows
        datetime(1, 6, 1, tzinfo=UTC),
        datetime(9999, 6, 1, tzinfo=UTC),
        datetime(2, 1, 1, 1, tzinfo=timezone(timedelta(hours=2))),  # year 1 in UTC
    ],
)
def test_an_event_instant_outside_years_2_to_9998_is_refused_by_the_model(at: datetime) -> None:
    with pytest.raises(InstantRangeError) as raised:
        Event("e1", "C-1", "submit", at, REPORTER, {})
    assert isinstance(raised.value, EventFormatError)
    assert raised.value.path == "at"


@pytest.mark.parametrize(
    "at",
    [
        datetime(2, 1, 2, tzinfo=timezone(timedelta(hours=14))),
        datetime(9998, 12, 31, 9, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_an_append_at_the_edges_of_the_range_is_retried_safely(
    store: EventStore, at: datetime
) -> None:
    first = Event("e1", "C-1", "submit", at, REPORTER, submit("C-1").data)
    assert len(store.append("C-1", [first]).new) == 1
    retry = store.append("C-1", [first], expected_version=0)
    assert (retry.new, retry.duplicates) == ((), (first,))
    assert store.load("C-1").version == 1


def corrupt(store: EventStore, body: str) -> None:
    """Overwrite the body of the event at position 2 behind the store's back."""
    if isinstance(store, InMemoryStore):
        memory = store._memory
        event_id, complaint, _old = memory.log[1]
        memory.log[1] = (event_id, complaint, body)
    elif isinstance(store, SQLiteStore):
        db = sqlite3.connect(store.path)
        db.execute("UPDATE events SET body = ? WHERE position = 2", (body,))
        db.commit()
        db.close()
    else:
        assert isinstance(store, PostgresStore)
        from psycopg import sql

        store._connection.execute(
            sql.SQL("UPDATE {} SET body = %s WHERE position = 2").format(
                sql.Identifier(store.schema, "events")
            ),
            (body,),
        )
    # The store keeps the complaints it last wrote (its appends do not read their history
    # again); a process that keeps none, as a fresh one, reads the damaged body.
    store._forget()


@pytest.mark.parametrize("body", ['{"id": "C-1#2", "complaint', "[1, 2]", '{"id": 1}', "7"])
def test_a_damaged_body_reads_as_a_library_error_naming_where(store: EventStore, body: str) -> None:
    store.append("C-1", lifecycle("C-1"))
    store.append("C-2", lifecycle("C-2"))
    corrupt(store, body)
    with pytest.raises(EventFormatError, match="position 2"):
        list(store.events())
    with pytest.raises(EventFormatError, match="'C-1'"):
        store.load("C-1")
    failed: list[tuple[str, PengaduanError]] = []
    readable = [c.id for c in store.complaints(on_error=lambda c, e: failed.append((c, e)))]
    assert readable == ["C-2"]
    assert [c for c, _e in failed] == ["C-1"]
    failed.clear()
    many = store.load_many(["C-2", "C-1"], on_error=lambda c, e: failed.append((c, e)))
    assert [c.id for c in many] == ["C-2"]
    assert [c for c, _e in failed] == ["C-1"]
    with pytest.raises(EventFormatError, match="'C-1'"):
        list(store.load_many(["C-1"]))
    with pytest.raises(EventFormatError):
        store.append("C-1", [event("C-1", 9, "comment", ADMIN, {"message": "x"}, 9)])


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([4400, -4400, 20]).map(
        lambda digits: int(math.copysign(1, digits)) * 10 ** abs(digits)
    )
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec=None, exclude_categories=()))
    | st.sampled_from([LONE, NUL, "\udfff", "ok"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=values, key=st.text(max_size=4), hours=st.integers(-(10**6), 10**6))
def test_fuzzed_hostile_values_either_append_or_fail_cleanly_changing_nothing(
    store: EventStore, data: Any, key: str, hours: int
) -> None:
    complaint = "C-f"
    if store.load(complaint).version == 0:
        store.append(complaint, lifecycle(complaint)[:3])
    before = snapshot(store)
    try:
        at = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(hours=hours)
        number = len(before[0]) + 100
        hostile = event(complaint, number, "comment", ADMIN, {"message": "m", key: data}, 0)
        hostile = Event(hostile.id, complaint, "comment", at, ADMIN, hostile.data)
        result = store.append(complaint, [hostile])
    except PengaduanError:
        assert snapshot(store) == before
        return
    assert list(store.events())[: len(before[0])] == before[0]
    assert store.append(complaint, [hostile]).duplicates == (hostile,)  # a retry is safe
    assert result.new == (hostile,)
