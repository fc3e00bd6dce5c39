"""Ingesting external status updates: duplicates, late updates, refusals, racing workers."""

from __future__ import annotations

import threading
from datetime import timedelta

import attrs
import pytest
from store_helpers import ADMIN, OPERATOR, START, event

from pengaduan.model import Actor, Role
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore
from pengaduan.sync import ExternalUpdate, Outcome, SyncBridge, SyncResult

SYNC = Actor("lapor-sync", Role.ADMIN_NATIONAL)
STATUSES = {
    "Terverifikasi": "verify",
    "Terdisposisi": "dispatch",
    "Ditindaklanjuti": "follow_up",
    "Selesai": "close",
}


def seed(store: EventStore, complaint: str = "SPIKM-1", tracking: str = "1916449") -> None:
    data = {
        "title": "Jalan",
        "body": "Lubang",
        "channel": "web",
        "external_ids": {"lapor": tracking},
    }
    store.append(complaint, [event(complaint, 1, "submit", ADMIN, data, 0)])


def update(number: int, status: str, hours: float, tracking: str = "1916449", **data: object):
    return ExternalUpdate(f"u{number}", tracking, status, START + timedelta(hours=hours), data)


@pytest.fixture
def bridge(store: EventStore) -> SyncBridge:
    seed(store)
    return SyncBridge(store, "lapor", STATUSES, SYNC)


def test_an_update_becomes_an_event_keyed_by_its_id(store: EventStore, bridge: SyncBridge) -> None:
    result = bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    assert result.outcome is Outcome.APPLIED
    assert result.complaint_id == "SPIKM-1"
    assert result.event_id == "lapor:u1"
    complaint = store.load("SPIKM-1")
    assert complaint.state == "verified"
    assert complaint.events[-1].actor == SYNC


def test_a_duplicate_update_is_a_no_op(store: EventStore, bridge: SyncBridge) -> None:
    first = update(1, "Terverifikasi", 1, classification="pengaduan")
    bridge.ingest_one(first)
    before = list(store.events())
    report = bridge.ingest([first, first])
    assert [r.outcome for r in report.results] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert report.results[0].event_id == "lapor:u1"
    assert list(store.events()) == before


def test_a_duplicate_after_a_new_bridge_is_still_a_no_op(store: EventStore) -> None:
    seed(store)
    first = update(1, "Terverifikasi", 1, classification="pengaduan")
    SyncBridge(store, "lapor", STATUSES, SYNC).ingest_one(first)
    again = SyncBridge(store, "lapor", STATUSES, SYNC).ingest_one(first)
    assert again.outcome is Outcome.DUPLICATE


def test_an_older_update_is_recorded_but_never_moves_the_state_back(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    bridge.ingest_one(update(2, "Terdisposisi", 3, unit="dinas-pu"))
    late = bridge.ingest_one(update(3, "Terverifikasi", 2, classification="aspirasi"))
    assert late.outcome is Outcome.STALE
    assert store.load("SPIKM-1").state == "dispatched"
    assert store.recall_update("lapor", "u3")["outcome"] == "stale"  # type: ignore[index]


def test_an_update_to_the_status_already_held_is_current(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    again = bridge.ingest_one(update(2, "Terverifikasi", 2, classification="pengaduan"))
    assert again.outcome is Outcome.CURRENT
    assert store.load("SPIKM-1").version == 2


def test_an_update_the_workflow_refuses_is_reported_and_recorded(
    store: EventStore, bridge: SyncBridge
) -> None:
    before = list(store.events())
    result = bridge.ingest_one(update(1, "Selesai", 1))
    assert result.outcome is Outcome.REFUSED
    assert result.error is not None
    assert "close" in (result.reason or "")
    assert list(store.events()) == before
    assert store.recall_update("lapor", "u1")["outcome"] == "refused"  # type: ignore[index]


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        (lambda: update(1, "Dibatalkan", 1), "status is not one of"),
        (lambda: update(1, "Terverifikasi", 1, tracking="999"), "no complaint holds"),
        (lambda: update(1, "Terverifikasi", 1, classification=float("nan")), "JSON"),
    ],
    ids=["status", "complaint", "data"],
)
def test_unknown_statuses_complaints_and_bad_data_are_refused(
    store: EventStore, bridge: SyncBridge, made, reason: str
) -> None:
    result = bridge.ingest_one(made())
    assert result.outcome is Outcome.REFUSED
    assert reason in (result.reason or "")
    assert store.load("SPIKM-1").version == 1
    assert store.recall_update("lapor", "u1") is not None


def test_an_update_id_reused_with_other_content_is_refused_and_the_first_kept(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    other = bridge.ingest_one(update(1, "Terdisposisi", 2, unit="x"))
    assert other.outcome is Outcome.REFUSED
    assert store.recall_update("lapor", "u1")["status"] == "Terverifikasi"  # type: ignore[index]


def test_an_update_may_name_its_own_actor(store: EventStore, bridge: SyncBridge) -> None:
    bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    bridge.ingest_one(update(2, "Terdisposisi", 2, unit="dinas-pu"))
    follow = ExternalUpdate(
        "u3", "1916449", "Ditindaklanjuti", START + timedelta(hours=3), {"response": "ok"}, OPERATOR
    )
    assert bridge.ingest_one(follow).outcome is Outcome.APPLIED


def test_a_complaint_created_after_the_bridge_started_is_found(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(1, "Terverifikasi", 1, classification="pengaduan"))
    seed(store, "SPIKM-2", "2000")
    result = bridge.ingest_one(
        update(2, "Terverifikasi", 1, tracking="2000", classification="aspirasi")
    )
    assert (result.outcome, result.complaint_id) == (Outcome.APPLIED, "SPIKM-2")


def test_a_refused_update_explains_itself_without_personal_data(
    store: EventStore, bridge: SyncBridge
) -> None:
    result = bridge.ingest_one(update(1, "Terdisposisi", 1, unit="dinas-pu"))
    assert result.outcome is Outcome.REFUSED
    assert "Lubang" not in (result.reason or "")


def test_the_report_counts_every_outcome(store: EventStore, bridge: SyncBridge) -> None:
    ok = update(1, "Terverifikasi", 1, classification="pengaduan")
    report = bridge.ingest(
        [ok, ok, update(2, "Terverifikasi", 0.5, classification="x"), update(3, "Nope", 2)]
    )
    assert report.counts() == {"applied": 1, "duplicate": 1, "stale": 1, "current": 0, "refused": 1}
    assert len(report.of(Outcome.REFUSED)) == 1


def test_two_workers_ingesting_the_same_updates_write_each_once(store: EventStore) -> None:
    seed(store)
    updates = [
        update(1, "Terverifikasi", 1, classification="pengaduan"),
        update(2, "Terdisposisi", 2, unit="dinas-pu"),
    ]
    reports = []

    def work() -> None:
        reports.append(SyncBridge(store, "lapor", STATUSES, SYNC).ingest(updates))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.load("SPIKM-1").version == 3
    outcomes = sorted(r.outcome for report in reports for r in report.results)
    assert outcomes.count(Outcome.APPLIED) == 2
    assert outcomes.count(Outcome.DUPLICATE) == 2


def test_a_naive_instant_is_refused() -> None:
    from pengaduan.exceptions import NaiveDatetimeError

    with pytest.raises(NaiveDatetimeError):
        ExternalUpdate("u1", "1", "x", START.replace(tzinfo=None))


def test_a_status_mapped_to_an_action_the_workflow_lacks_is_refused_at_construction() -> None:
    from pengaduan.exceptions import DefinitionError
    from pengaduan.store import InMemoryStore

    store = InMemoryStore(workflow=lapor_workflow())
    with pytest.raises(DefinitionError, match="'teleport'"):
        SyncBridge(store, "lapor", {**STATUSES, "Dipindahkan": "teleport"}, SYNC)
    assert list(store.updates()) == []


def test_an_update_prints_no_personal_values() -> None:
    reporter = {"name": "Siti Aminah", "phone": "081234567890"}
    received = ExternalUpdate("u1", "1916449", "Selesai", START, {"reporter": reporter})
    refused = SyncResult(received, Outcome.REFUSED, reason="unknown status")
    for text in (repr(received), repr(refused)):
        assert "data={'reporter': ...}" in text
        assert "Siti" not in text
        assert "0812" not in text


def test_the_same_update_in_another_utc_offset_is_a_duplicate_not_other_content(
    store: EventStore, bridge: SyncBridge
) -> None:
    from datetime import UTC

    first = update(1, "Terverifikasi", 1, classification="pengaduan")
    bridge.ingest_one(first)
    again = ExternalUpdate(
        first.update_id, first.external_id, first.status, first.at.astimezone(UTC), first.data
    )
    assert bridge.ingest_one(again).outcome is Outcome.DUPLICATE


def test_an_update_holding_a_nul_is_refused_and_recorded_without_its_data(
    store: EventStore, bridge: SyncBridge
) -> None:
    before = list(store.events())
    result = bridge.ingest_one(update(1, "Terverifikasi", 1, classification="peng\x00aduan"))
    assert result.outcome is Outcome.REFUSED
    assert "NUL" in (result.reason or "")
    assert list(store.events()) == before
    recorded = store.recall_update("lapor", "u1")
    assert recorded is not None
    assert recorded["data"] is None


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("update_id", "", "an empty one"),
        ("update_id", None, "NoneType"),
        ("external_id", "", "an empty one"),
        ("external_id", 1916449, "int"),
        ("status", "", "an empty one"),
    ],
)
def test_an_update_without_a_usable_id_or_status_is_refused_and_nothing_recorded(
    store: EventStore, bridge: SyncBridge, field: str, value: object, said: str
) -> None:
    # A None update_id reached the database ("NOT NULL constraint failed", a StoreError); an
    # empty one was recorded under "" and became the event id "lapor:".
    before = list(store.events())
    bad = attrs.evolve(update(1, "Terverifikasi", 1, classification="pengaduan"), **{field: value})
    result = bridge.ingest_one(bad)
    assert result.outcome is Outcome.REFUSED
    assert (
        result.reason == f"its {field} must be a non-empty string, not {said}; nothing was recorded"
    )
    assert list(store.events()) == before
    assert list(store.updates("lapor")) == []  # no key to record it under


def test_an_update_whose_actor_no_store_keeps_is_refused_naming_the_field(
    store: EventStore, bridge: SyncBridge
) -> None:
    before = list(store.events())
    bad = attrs.evolve(
        update(1, "Terverifikasi", 1, classification="pengaduan"),
        actor=Actor("", Role.ADMIN_NATIONAL),
    )
    result = bridge.ingest_one(bad)
    assert result.outcome is Outcome.REFUSED
    assert "actor.id" in (result.reason or "")
    assert list(store.events()) == before


def test_refusals_of_unknown_statuses_and_ids_do_not_echo_them(bridge: SyncBridge) -> None:
    unknown_status = bridge.ingest_one(update(1, "Siti 0812345678", 1))
    unknown_id = bridge.ingest_one(update(2, "Terverifikasi", 1, tracking="0812999999"))
    assert unknown_status.outcome is Outcome.REFUSED
    assert unknown_id.outcome is Outcome.REFUSED
    assert "0812345678" not in (unknown_status.reason or "")
    assert "0812999999" not in (unknown_id.reason or "")
    assert "external_id" in (unknown_id.reason or "")
