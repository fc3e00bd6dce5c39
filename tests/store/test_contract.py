"""The store contract, run against the in-memory, SQLite and PostgreSQL stores alike."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

import attrs
import pytest
from store_helpers import ADMIN, comment, event, lifecycle, open_spec, submit

from pengaduan.exceptions import (
    ActionNotAllowedError,
    ComplaintMismatchError,
    ConflictError,
    DuplicateEventError,
    EventFormatError,
    OutOfOrderEventError,
    RefusedError,
    StoreError,
)
from pengaduan.model import Actor, Event
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, PostgresStore, SQLiteStore


def snapshot(store: EventStore) -> list[tuple[int, Event]]:
    return list(store.events())


def test_a_store_satisfies_the_protocol(store: EventStore) -> None:
    assert isinstance(store, EventStore)


def test_an_unknown_complaint_loads_at_version_zero_in_the_initial_state(
    store: EventStore,
) -> None:
    complaint = store.load("C-none")
    assert (complaint.version, complaint.state, complaint.events) == (0, "new", ())


def test_append_then_load_gives_the_complaint_derived_from_history(store: EventStore) -> None:
    events = lifecycle("C-1")
    result = store.append("C-1", events, expected_version=0)
    loaded = store.load("C-1")
    assert result.complaint.state == loaded.state == "followed_up"
    assert loaded.unit == "dinas-pu"
    assert loaded.events == tuple(events)
    assert result.new == tuple(events)
    assert result.duplicates == ()
    assert result.position == 4


def test_a_stale_expected_version_raises_conflict_and_writes_nothing(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")], expected_version=0)
    before = snapshot(store)
    with pytest.raises(ConflictError) as caught:
        store.append("C-1", [comment("C-1", 2, 1)], expected_version=0)
    assert (caught.value.expected_version, caught.value.actual_version) == (0, 1)
    assert caught.value.complaint_id == "C-1"
    assert snapshot(store) == before


def test_expected_version_none_appends_without_a_concurrency_check(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")])
    assert store.append("C-1", [comment("C-1", 2, 1)]).complaint.version == 2


def test_the_same_event_twice_is_a_no_op(store: EventStore) -> None:
    events = lifecycle("C-1")
    store.append("C-1", events, expected_version=0)
    before = snapshot(store)
    again = store.append("C-1", events, expected_version=0)
    assert again.new == ()
    assert again.duplicates == tuple(events)
    assert again.position is None
    assert again.complaint.version == 4
    assert snapshot(store) == before


def test_the_same_event_in_another_offset_is_still_the_same_event(store: EventStore) -> None:
    first = submit("C-1")
    store.append("C-1", [first])
    wib = timezone(timedelta(hours=7))
    same = attrs.evolve(first, at=first.at.astimezone(wib))
    assert store.append("C-1", [same]).duplicates == (same,)


def test_an_event_id_reused_with_other_content_is_refused(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")])
    before = snapshot(store)
    other = attrs.evolve(submit("C-1"), data={"title": "Lain", "body": "Lain", "channel": "sms"})
    with pytest.raises(DuplicateEventError):
        store.append("C-1", [other])
    assert snapshot(store) == before


def test_an_event_id_of_another_complaint_is_refused(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")])
    stolen = attrs.evolve(submit("C-2"), id="C-1#1")
    with pytest.raises(DuplicateEventError):
        store.append("C-2", [stolen])
    assert store.load("C-2").version == 0


def test_duplicates_inside_one_batch_are_written_once(store: EventStore) -> None:
    first = submit("C-1")
    result = store.append("C-1", [first, first])
    assert result.new == (first,)
    assert result.duplicates == (first,)
    assert store.load("C-1").version == 1


def test_a_retry_after_a_lost_acknowledgement_is_safe_even_with_its_old_version(
    store: EventStore,
) -> None:
    batch = lifecycle("C-1")[:2]
    store.append("C-1", batch, expected_version=0)
    retry = store.append("C-1", batch, expected_version=0)
    assert retry.new == ()
    assert store.load("C-1").version == 2


def test_an_event_refused_by_the_workflow_writes_nothing_of_its_batch(
    store: EventStore,
) -> None:
    store.append("C-1", [submit("C-1")])
    before = snapshot(store)
    good = comment("C-1", 2, 1)
    bad = event("C-1", 3, "follow_up", ADMIN, {"response": "x"}, 2)  # not dispatched yet
    with pytest.raises(RefusedError):
        store.append("C-1", [good, bad], expected_version=1)
    assert snapshot(store) == before


def test_an_action_the_state_does_not_allow_is_refused(store: EventStore) -> None:
    with pytest.raises(RefusedError):
        store.append("C-1", [comment("C-1", 1, 0)], expected_version=0)
    store.append("C-1", [submit("C-1")])
    with pytest.raises(ActionNotAllowedError):
        store.append("C-1", [event("C-1", 2, "close", ADMIN, {}, 1)])


def test_an_event_earlier_than_the_stored_history_is_refused(store: EventStore) -> None:
    store.append("C-1", [submit("C-1", hours=5)])
    with pytest.raises(OutOfOrderEventError):
        store.append("C-1", [comment("C-1", 2, 1)])
    assert store.load("C-1").version == 1


def test_an_event_of_another_complaint_is_refused(store: EventStore) -> None:
    with pytest.raises(ComplaintMismatchError):
        store.append("C-1", [submit("C-2")])
    assert store.position() == 0


@pytest.mark.parametrize(
    "data",
    [{"x": float("nan")}, {"x": object()}, {1: "non-string key"}, {"x": {1, 2}}],
    ids=["nan", "object", "int-key", "set"],
)
def test_data_that_is_not_json_is_refused_with_its_path(store: EventStore, data: object) -> None:
    store.append("C-1", [submit("C-1")])
    bad = attrs.evolve(comment("C-1", 2, 1), data={"message": "m", "extra": data})
    with pytest.raises(EventFormatError) as caught:
        store.append("C-1", [bad])
    assert caught.value.path == "data"
    assert store.load("C-1").version == 1


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("complaint", {"complaint": ""}),
        ("complaint", {"complaint": None}),
        ("id", {"id": ""}),
        ("id", {"id": 7}),
        ("action", {"action": ""}),
        ("actor.id", {"actor": Actor("", "reporter")}),
        ("actor.role", {"actor": Actor("warga-17", "")}),
        ("actor.unit", {"actor": Actor("warga-17", "reporter", "")}),
        ("actor", {"actor": "warga-17"}),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_an_event_an_event_file_would_refuse_is_refused_by_append_and_import(
    store: EventStore, path: str, change: dict[str, object]
) -> None:
    # An Event is built without checks: an empty complaint id was kept (and exported to a
    # file that `pengaduan import` refuses), a None one failed with the database's message.
    bad = attrs.evolve(submit("C-1"), **change)
    complaint_id = bad.complaint if isinstance(bad.complaint, str) else "C-1"
    with pytest.raises(EventFormatError) as caught:
        store.append(complaint_id, [bad])  # type: ignore[arg-type]
    assert caught.value.path == path
    assert "must be" in caught.value.reason
    refused: list[EventFormatError] = []
    result = store.import_events([bad], on_refused=lambda _e, error: refused.append(error))
    assert (result.new, [error.path for error in refused]) == (0, [path])
    assert store.position() == 0


def test_something_that_is_not_an_event_is_refused(store: EventStore) -> None:
    with pytest.raises(EventFormatError):
        store.append("C-1", ["not an event"])  # type: ignore[list-item]
    assert store.position() == 0


def test_data_comes_back_as_plain_json_values(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")])
    tupled = attrs.evolve(comment("C-1", 2, 1), data={"message": "m", "tags": ("a", "b")})
    store.append("C-1", [tupled])
    assert store.load("C-1").events[-1].data == {"message": "m", "tags": ["a", "b"]}


def test_complaints_iterates_every_complaint_by_first_appearance(store: EventStore) -> None:
    for number in (3, 1, 2):
        store.append(f"C-{number}", [submit(f"C-{number}", hours=number)])
    store.append("C-3", [comment("C-3", 2, 10)])
    assert [c.id for c in store.complaints()] == ["C-3", "C-1", "C-2"]
    assert [c.version for c in store.complaints()] == [2, 1, 1]


def test_complaints_since_a_position_gives_only_those_changed_after_it(
    store: EventStore,
) -> None:
    for number in (1, 2, 3):
        store.append(f"C-{number}", [submit(f"C-{number}")])
    mark = store.position()
    store.append("C-1", [comment("C-1", 2, 1)])
    assert [c.id for c in store.complaints(since=mark)] == ["C-1"]
    assert list(store.complaints(since=store.position())) == []


def test_complaints_iterates_more_than_one_page(store: EventStore) -> None:
    count = 1203
    for number in range(count):
        store.append(f"C-{number:05d}", [submit(f"C-{number:05d}")])
    ids = [c.id for c in store.complaints()]
    assert ids == [f"C-{n:05d}" for n in range(count)]


def test_load_many_gives_the_complaints_in_the_order_asked_equal_to_load(
    store: EventStore,
) -> None:
    count = 1203  # more than one page of ids
    for number in range(count):
        store.append(f"C-{number:05d}", [submit(f"C-{number:05d}")])
    store.append("C-00007", [comment("C-00007", 2, 5)])
    asked = [f"C-{n:05d}" for n in range(count - 1, -1, -2)] + ["C-00007", "C-none"]
    loaded = list(store.load_many(iter(asked)))
    assert [c.id for c in loaded] == asked
    assert loaded == [store.load(c) for c in asked]
    assert (loaded[-1].version, loaded[-1].state) == (0, "new")
    assert list(store.load_many([])) == []


def test_events_reads_the_log_in_position_order_and_resumes(store: EventStore) -> None:
    store.append("C-1", lifecycle("C-1")[:2])
    store.append("C-2", [submit("C-2")])
    log = list(store.events())
    positions = [p for p, _ in log]
    assert positions == sorted(positions) == [1, 2, 3]
    assert [e.id for _, e in store.events(since=2)] == ["C-2#1"]
    assert store.position() == 3


def test_positions_only_grow_even_after_refusals(store: EventStore) -> None:
    store.append("C-1", [submit("C-1")])
    with pytest.raises(RefusedError):
        store.append("C-1", [event("C-1", 2, "close", ADMIN, {}, 1)])
    result = store.append("C-1", [comment("C-1", 2, 1)])
    assert result.position is not None
    assert result.position > 1


def test_updates_are_remembered_once(store: EventStore) -> None:
    assert store.recall_update("lapor", "u1") is None
    assert store.remember_update("lapor", "u1", {"outcome": "applied"}) is None
    assert store.remember_update("lapor", "u1", {"outcome": "other"}) == {"outcome": "applied"}
    assert store.recall_update("lapor", "u1") == {"outcome": "applied"}
    store.remember_update("open311", "u1", {"outcome": "stale"})
    assert list(store.updates("lapor")) == [{"outcome": "applied"}]
    assert len(list(store.updates())) == 2


def test_the_history_survives_reopening(durable_spec: str) -> None:
    with open_spec(durable_spec) as first:
        first.append("C-1", lifecycle("C-1"))
    with open_spec(durable_spec) as second:
        assert second.load("C-1").state == "followed_up"
        assert second.position() == 4


def test_a_closed_store_refuses_to_work(durable_spec: str) -> None:
    store = open_spec(durable_spec)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.load("C-1")


def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError) as caught:
        SQLiteStore(path, workflow=lapor_workflow())
    assert caught.value.store == str(path)
    assert path.read_bytes() == b"this is not SQLite" * 100


def test_an_unreachable_postgres_server_gives_a_store_error() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match="connect"):
        PostgresStore(
            "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", workflow=lapor_workflow()
        )


def test_a_sqlite_store_keeps_a_write_ahead_log(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "events.db"
    with SQLiteStore(path, workflow=lapor_workflow()) as store:
        store.append("C-1", lifecycle("C-1")[:1])
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_open_store_picks_postgres_for_a_url_and_sqlite_for_a_path(tmp_path: Path) -> None:
    from pengaduan.store import open_store

    with open_store(tmp_path / "events.db", workflow=lapor_workflow()) as store:
        assert isinstance(store, SQLiteStore)
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError, match="connect"):
        open_store(
            "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", workflow=lapor_workflow()
        )


@pytest.mark.parametrize("text", ["\x00", "\ud800", "a\udfffb"], ids=["nul", "high", "low"])
def test_nul_and_lone_surrogates_are_refused_alike_by_every_store(
    store: EventStore, text: str
) -> None:
    store.append("C-1", lifecycle("C-1")[:2])
    before = snapshot(store)
    hostile = Event("C-1#9", "C-1", "comment", submit("C-1").at, ADMIN, {"message": text})
    with pytest.raises(EventFormatError) as raised:
        store.append("C-1", [hostile])
    assert raised.value.path == "data.message"
    assert snapshot(store) == before
