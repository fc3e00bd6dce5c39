"""`import_events` stores exactly what appending the same events one by one stores.

Same histories (positions and events), same read-model rows, the same events refused and
the same duplicates, whatever the batch size, with part of the history already stored, for
every store (PostgreSQL when ``PENGADUAN_TEST_POSTGRES`` is set).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from store_helpers import ADMIN, OPERATOR, START, drop_schema, open_spec, postgres_dsn
from store_helpers import unique_schema as schema_name

from pengaduan import _store_bulk
from pengaduan.exceptions import EventFormatError, PengaduanError, RefusedError
from pengaduan.model import Actor, Event, Role
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.store import EventStore

WORKFLOW = lapor_workflow()
READ_MODEL = ReadModel(policy=lapor_policy(), ladder=lapor_ladder())
WIB = timezone(timedelta(hours=7))
JAKARTA = ZoneInfo("Asia/Jakarta")

# (action, actor, data): valid in some state of the SP4N-LAPOR! workflow, refused in others;
# the last ones are refused in every state (missing data, data no store keeps).
STEPS: list[tuple[str, Actor, dict[str, Any]]] = [
    ("submit", Actor("warga-1", "reporter"), {"title": "Jalan", "body": "Lu", "channel": "web"}),
    ("submit", Actor("warga-2", Role.REPORTER), {"title": "Air", "body": "Mati", "channel": "sms"}),
    ("verify", ADMIN, {"classification": "pengaduan"}),
    ("dispatch", ADMIN, {"unit": "dinas-pu"}),
    ("follow_up", OPERATOR, {"response": "Ditambal"}),
    ("comment", ADMIN, {"message": "catatan", "list": [1, 2.5, None, True]}),
    ("close", ADMIN, {}),
    ("hold", ADMIN, {"reason": "menunggu"}),
    ("resume", ADMIN, {}),
    ("dispatch", ADMIN, {}),
    ("comment", ADMIN, {"message": float("nan")}),
]

_step = st.tuples(
    st.integers(0, 3),  # complaint
    st.integers(0, len(STEPS) - 1),  # action
    st.sampled_from([1.0, 1.0, 0.5, 0.0, -3.0]),  # hours after the previous event
    st.sampled_from(["new"] * 6 + ["repeat", "reuse"]),
    st.sampled_from([UTC, WIB, JAKARTA]),
)


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Events of up to four complaints, interleaved, with repeats and reused ids."""
    events: list[Event] = []
    at = START
    for number, (complaint, step, hours, kind, zone) in enumerate(
        draw(st.lists(_step, max_size=40))
    ):
        at += timedelta(hours=hours)
        action, actor, data = STEPS[step]
        made = Event(f"e{number}", f"C-{complaint}", action, at.astimezone(zone), actor, dict(data))
        if kind == "repeat" and events:
            made = draw(st.sampled_from(events))
        elif kind == "reuse" and events:
            made = Event(
                draw(st.sampled_from(events)).id,
                made.complaint,
                made.action,
                made.at,
                made.actor,
                made.data,
            )
        events.append(made)
    return events


@contextmanager
def opened(kind: str) -> Iterator[EventStore]:
    """A fresh store of `kind` with the read model, removed afterwards."""
    if kind == "memory":
        yield open_spec("memory:", workflow=WORKFLOW, read_model=READ_MODEL)
        return
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            store = open_spec(
                f"sqlite:{Path(directory) / 's.db'}", workflow=WORKFLOW, read_model=READ_MODEL
            )
            try:
                yield store
            finally:
                store.close()
        return
    dsn = postgres_dsn()
    assert dsn is not None
    spec = f"pg:{schema_name()}|{dsn}"
    store = open_spec(spec, workflow=WORKFLOW, read_model=READ_MODEL)
    try:
        yield store
    finally:
        store.close()
        drop_schema(spec)


def one_by_one(store: EventStore, events: list[Event]) -> tuple[list[tuple[str, type]], int]:
    """Append each event on its own; the refused ids (with why) and the number of duplicates."""
    refused: list[tuple[str, type]] = []
    duplicates = 0
    for event in events:
        try:
            duplicates += len(store.append(event.complaint, [event]).duplicates)
        except (RefusedError, EventFormatError) as error:
            refused.append((event.id, type(error)))
    return refused, duplicates


def snapshot(store: EventStore) -> tuple[Any, ...]:
    """Everything a reader can see: the log, each complaint and its read-model row."""
    log = list(store.events())
    ids = sorted({event.complaint for _position, event in log})
    return (
        log,
        [store.load(c) for c in ids],
        [store.row(c) for c in ids],
        store.rows(limit=100).rows,
        store.position(),
    )


KINDS = [
    "memory",
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(postgres_dsn() is None, reason="needs PENGADUAN_TEST_POSTGRES"),
    ),
]


@contextmanager
def keeping(events: int) -> Iterator[None]:
    """Bound the import's keep of open complaints to `events` events, for one example."""
    saved = _store_bulk._CACHE_EVENTS
    _store_bulk._CACHE_EVENTS = events
    try:
        yield
    finally:
        _store_bulk._CACHE_EVENTS = saved


def lived(complaints: int) -> list[Event]:
    """Each complaint submitted, verified, dispatched, answered and closed, interleaved."""
    steps = [STEPS[0], STEPS[2], STEPS[3], STEPS[4], STEPS[6]]
    return [
        Event(f"L{n}-{k}", f"C-{n}", action, START + timedelta(hours=k, minutes=n), actor, data)
        for k, (action, actor, data) in enumerate(steps)
        for n in range(complaints)
    ]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=histories(),
    batch_size=st.sampled_from([1, 2, 3, 7, 5000]),
    stored=st.integers(0, 40),
    # Events of open complaints the import keeps between batches: none, a few (complaints
    # forgotten and read back), all.
    kept=st.sampled_from([0, 3, 8, 50_000]),
)
# Whole lives one event a batch: every complaint continues over five batches, kept or read back.
@example(events=lived(3), batch_size=1, stored=0, kept=3)
@example(events=lived(3), batch_size=2, stored=4, kept=50_000)
def test_bulk_import_stores_what_appending_one_by_one_stores(
    kind: str, events: list[Event], batch_size: int, stored: int, kept: int
) -> None:
    before, rest = events[:stored], events[stored:]
    with opened(kind) as single, opened(kind) as bulk, keeping(kept):
        one_by_one(single, before)
        one_by_one(bulk, before)
        refused, duplicates = one_by_one(single, rest)
        seen: list[tuple[str, PengaduanError]] = []
        result = bulk.import_events(
            rest, batch_size=batch_size, on_refused=lambda e, error: seen.append((e.id, error))
        )
        assert snapshot(bulk) == snapshot(single)
        assert [(event_id, type(error)) for event_id, error in seen] == refused
        assert all(isinstance(error, RefusedError | EventFormatError) for _id, error in seen)
        assert result.duplicates == duplicates
        assert result.refused == len(refused)
        assert result.new == len(rest) - len(refused) - duplicates
        assert result.read == len(rest)
        assert result.conflicts == ()
        last = single.position()
        assert result.position == (last if result.new else None)
