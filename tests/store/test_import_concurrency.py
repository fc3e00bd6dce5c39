"""`import_events` beside another writer: no event lost or doubled, conflicts per complaint."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from store_helpers import ADMIN, comment, event, lifecycle, open_spec

from pengaduan import _store_bulk
from pengaduan.exceptions import ActionNotAllowedError, ConflictError, RefusedError
from pengaduan.model import Event
from pengaduan.store import ImportResult


def second_writer(spec: str, first: object) -> object:
    """Another connection to the same store (the same object for the in-memory store)."""
    return first if spec.startswith("memory") else open_spec(spec)


@pytest.mark.parametrize("kept", [50_000, 0], ids=["state kept", "state forgotten"])
def test_a_complaint_changed_between_batches_is_reported_and_the_rest_lands(
    spec: str, kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store_bulk, "_CACHE_EVENTS", kept)  # the import replays it from the store
    store = open_spec(spec)
    other = second_writer(spec, store)
    c1, c2 = lifecycle("C-1"), lifecycle("C-2", hours=0.5)
    events = [c1[0], c2[0], c1[1], c2[1], c1[2], c2[2], c1[3], c2[3]]
    moved = [
        event("C-1", 7, "verify", ADMIN, {"classification": "pengaduan"}, hours=0.2),
        event("C-1", 8, "archive", ADMIN, {"reason": "ganda"}, hours=0.3),
    ]

    def meanwhile(progress: ImportResult) -> None:
        if progress.batches == 1:  # after C-1 was submitted by the import, before its verify
            other.append("C-1", moved, expected_version=1)  # type: ignore[attr-defined]

    try:
        result = store.import_events(events, batch_size=2, progress=meanwhile)
        assert len(result.conflicts) == 1
        conflict = result.conflicts[0]
        assert (conflict.complaint_id, conflict.expected_version) == ("C-1", 1)
        assert (conflict.actual_version, conflict.event_id) == (3, "C-1#2")
        assert isinstance(conflict.error, ActionNotAllowedError)
        assert conflict.left_out == 3  # its verify, dispatch and follow-up
        assert (result.new, result.conflicted, result.refused) == (5, 3, 0)
        stored = [e.id for _p, e in store.events()]
        assert Counter(stored) == Counter([*(e.id for e in c2), "C-1#1", "C-1#7", "C-1#8"])
        assert store.load("C-1").state == "archived"
        row = store.row("C-1")
        assert row is not None
        assert row.state == "archived"
        assert store.load("C-2").state == "followed_up"
    finally:
        if other is not store:
            other.close()  # type: ignore[attr-defined]
        store.close()


def test_a_harmless_append_between_batches_is_kept_and_the_import_goes_on(spec: str) -> None:
    store = open_spec(spec)
    other = second_writer(spec, store)
    events = lifecycle("C-1")

    def meanwhile(progress: ImportResult) -> None:
        if progress.batches == 1:
            other.append("C-1", [comment("C-1", 9, 1.5)])  # type: ignore[attr-defined]

    try:
        result = store.import_events(events, batch_size=2, progress=meanwhile)
        assert (result.new, result.conflicts) == (4, ())
        history = [e.id for e in store.load("C-1").events]
        assert history == ["C-1#1", "C-1#2", "C-1#9", "C-1#3", "C-1#4"]
        row = store.row("C-1")
        assert row is not None
        assert row.version == 5
    finally:
        if other is not store:
            other.close()  # type: ignore[attr-defined]
        store.close()


def test_appends_running_beside_an_import_are_neither_lost_nor_doubled(spec: str) -> None:
    store = open_spec(spec)
    other = second_writer(spec, store)
    count = 30
    submits = [lifecycle(f"C-{n}")[0] for n in range(count)]
    store.import_events(submits)
    rest = sorted(
        (e for n in range(count) for e in lifecycle(f"C-{n}")[1:]), key=lambda e: (e.at, e.id)
    )
    written: list[Event] = []
    failures: list[BaseException] = []

    def comments() -> None:
        try:
            for n in range(count):
                note = comment(f"C-{n}", 50 + n, 0.5)
                try:
                    other.append(note.complaint, [note])  # type: ignore[attr-defined]
                except (ConflictError, RefusedError):  # e.g. earlier than an imported event
                    continue
                written.append(note)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=comments)
    try:
        thread.start()
        result = store.import_events(rest, batch_size=7)
        thread.join()
        assert failures == []
        stored = Counter(e.id for _p, e in store.events())
        assert max(stored.values()) == 1
        imported = {e.id for e in rest}
        # Every imported event is stored unless reported as a conflict of its complaint.
        left_out = sum(c.left_out for c in result.conflicts)
        assert len(imported & set(stored)) == result.new == len(rest) - left_out
        assert {e.id for e in written} <= set(stored)
        assert len(stored) == count + result.new + len(written)
        for n in range(count):
            row = store.row(f"C-{n}")
            assert row is not None
            assert row.version == store.load(f"C-{n}").version
    finally:
        thread.join()
        if other is not store:
            other.close()  # type: ignore[attr-defined]
        store.close()
