"""The audit's sync scenarios (issue 12): hijacked routing, dropped forward changes, races."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from store_helpers import ADMIN, OPERATOR, REPORTER, START, event, open_spec

from pengaduan.exceptions import ExternalIdClashError
from pengaduan.model import Actor, Role
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore
from pengaduan.sync import ExternalUpdate, Outcome, SyncBridge

SYNC = Actor("lapor-sync", Role.ADMIN_NATIONAL)
STATUSES = {
    "Terverifikasi": "verify",
    "Terdisposisi": "dispatch",
    "Ditindaklanjuti": "follow_up",
}
WORKER = Path(__file__).with_name("sync_worker.py")


def seed(store: EventStore, complaint: str = "SPIKM-1", tracking: str = "1916449") -> None:
    data = {
        "title": "Jalan",
        "body": "Lubang",
        "channel": "web",
        "external_ids": {"lapor": tracking},
    }
    store.append(complaint, [event(complaint, 1, "submit", ADMIN, data, 0)])


def update(number: int, status: str, hours: float, tracking: str = "1916449", **data: object):
    actor = OPERATOR if status == "Ditindaklanjuti" else None
    return ExternalUpdate(
        f"u{number}", tracking, status, START + timedelta(hours=hours), data, actor
    )


VERIFY = (1, "Terverifikasi", 1)
DISPATCH = (2, "Terdisposisi", 2)


def verified_and_dispatched(bridge: SyncBridge) -> None:
    assert bridge.ingest_one(update(*VERIFY, classification="pengaduan")).outcome is Outcome.APPLIED
    assert bridge.ingest_one(update(*DISPATCH, unit="dinas-pu")).outcome is Outcome.APPLIED


@pytest.fixture
def bridge(store: EventStore) -> SyncBridge:
    seed(store)
    return SyncBridge(store, "lapor", STATUSES, SYNC)


def test_a_follow_up_made_before_a_local_escalation_still_applies(
    store: EventStore, bridge: SyncBridge
) -> None:
    verified_and_dispatched(bridge)
    escalate = event("SPIKM-1", 9, "escalate", ADMIN, {"level": 2, "to": "unit_head"}, 5)
    store.append("SPIKM-1", [escalate])
    result = bridge.ingest_one(update(3, "Ditindaklanjuti", 4, response="Sudah ditambal"))
    assert result.outcome is Outcome.APPLIED
    assert store.load("SPIKM-1").state == "followed_up"


def test_a_follow_up_made_before_a_local_comment_still_applies(
    store: EventStore, bridge: SyncBridge
) -> None:
    verified_and_dispatched(bridge)
    store.append("SPIKM-1", [event("SPIKM-1", 9, "comment", ADMIN, {"message": "cek"}, 5)])
    result = bridge.ingest_one(update(3, "Ditindaklanjuti", 4, response="Sudah ditambal"))
    assert result.outcome is Outcome.APPLIED
    complaint = store.load("SPIKM-1")
    assert complaint.state == "followed_up"
    assert complaint.events[-1].at >= complaint.events[-2].at  # history stays in time order


def test_an_update_before_its_dispatch_applies_when_re_sent_under_the_same_id(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(*VERIFY, classification="pengaduan"))
    follow = update(3, "Ditindaklanjuti", 3, response="ok")
    assert bridge.ingest_one(follow).outcome is Outcome.REFUSED
    # the dispatch is written locally (not through the bridge), then LAPOR! re-sends
    store.append("SPIKM-1", [event("SPIKM-1", 5, "dispatch", ADMIN, {"unit": "dinas-pu"}, 2)])
    again = bridge.ingest_one(follow)
    assert again.outcome is Outcome.APPLIED
    assert store.load("SPIKM-1").state == "followed_up"
    kept = store.recall_update("lapor", "u3")
    assert kept is not None
    assert kept["outcome"] == "applied"
    assert [a["outcome"] for a in kept["attempts"]] == ["refused"]


def test_an_update_before_its_complaint_applies_when_the_complaint_arrives(
    store: EventStore,
) -> None:
    bridge = SyncBridge(store, "lapor", STATUSES, SYNC)
    verify = update(*VERIFY, classification="pengaduan")
    assert bridge.ingest_one(verify).outcome is Outcome.REFUSED
    seed(store)  # e.g. imported afterwards
    report = bridge.rejudge()
    assert [r.outcome for r in report.results] == [Outcome.APPLIED]
    assert store.load("SPIKM-1").state == "verified"


def test_a_predecessor_arriving_later_re_judges_the_pending_update(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(*VERIFY, classification="pengaduan"))
    follow = bridge.ingest_one(update(3, "Ditindaklanjuti", 3, response="ok"))
    assert follow.outcome is Outcome.REFUSED
    assert bridge.ingest_one(update(*DISPATCH, unit="dinas-pu")).outcome is Outcome.APPLIED
    assert store.load("SPIKM-1").state == "followed_up"
    assert store.recall_update("lapor", "u3")["outcome"] == "applied"  # type: ignore[index]


def test_the_same_instant_in_another_offset_is_a_duplicate(
    store: EventStore, bridge: SyncBridge
) -> None:
    first = update(*VERIFY, classification="pengaduan")
    bridge.ingest_one(first)
    wib = timezone(timedelta(hours=7))
    again = ExternalUpdate(
        first.update_id, first.external_id, first.status, first.at.astimezone(wib), first.data
    )
    assert bridge.ingest_one(again).outcome is Outcome.DUPLICATE


def test_an_update_older_than_the_last_change_of_state_is_stale_and_recorded(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(*VERIFY, classification="pengaduan"))
    store.append("SPIKM-1", [event("SPIKM-1", 9, "dispatch", ADMIN, {"unit": "dinas-pu"}, 3)])
    late = bridge.ingest_one(update(4, "Terverifikasi", 2, classification="aspirasi"))
    assert late.outcome is Outcome.STALE
    assert store.recall_update("lapor", "u4")["outcome"] == "stale"  # type: ignore[index]
    assert store.load("SPIKM-1").state == "dispatched"


def test_an_update_older_than_the_last_from_the_same_system_is_stale(
    store: EventStore, bridge: SyncBridge
) -> None:
    verified_and_dispatched(bridge)
    bridge.ingest_one(update(3, "Ditindaklanjuti", 4, response="ok"))
    store.append("SPIKM-1", [event("SPIKM-1", 9, "reply", ADMIN, {"message": "kurang"}, 5)])
    late = bridge.ingest_one(update(4, "Ditindaklanjuti", 3, response="lama"))
    assert late.outcome is Outcome.STALE
    assert store.load("SPIKM-1").state == "dispatched"


def test_two_worker_processes_racing_the_same_update_apply_it_once(durable_spec: str) -> None:
    store = open_spec(durable_spec)
    seed(store)
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), durable_spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outcomes = sorted(worker.communicate(timeout=120)[0].strip() for worker in workers)
    assert all(worker.returncode == 0 for worker in workers)
    complaint = store.load("SPIKM-1")
    assert [e.id for e in complaint.events] == ["SPIKM-1#1", "lapor:u1"]
    assert set(outcomes) <= {"applied", "duplicate"}
    assert len(list(store.updates("lapor"))) == 1
    store.close()


def test_a_second_complaint_claiming_a_taken_external_id_is_refused(store: EventStore) -> None:
    seed(store)
    with pytest.raises(ExternalIdClashError) as raised:
        seed(store, "SPIKM-2")
    message = str(raised.value)
    assert "'lapor'" in message
    assert "1916449" not in message
    assert "Lubang" not in message
    assert store.load("SPIKM-2").version == 0  # nothing written
    assert store.complaint_for_external_id("lapor", "1916449") == "SPIKM-1"


def test_a_claimed_external_id_cannot_hijack_routing(store: EventStore) -> None:
    # the workflow half (owner roles may not set external_ids) is the privacy helper's; a staff
    # role entering a second report with the victim's LAPOR! id is refused by the store
    seed(store, "V-1")
    attacker = {"title": "Jalan", "body": "saya", "channel": "web"}
    steal = event("A-1", 1, "submit", ADMIN, {**attacker, "external_ids": {"lapor": "1916449"}}, 1)
    with pytest.raises(ExternalIdClashError):
        store.append("A-1", [steal])
    store.append("A-1", [event("A-1", 1, "submit", REPORTER, attacker, 1)])
    bridge = SyncBridge(store, "lapor", STATUSES, SYNC)
    result = bridge.ingest_one(update(*VERIFY, classification="pengaduan"))
    assert (result.outcome, result.complaint_id) == (Outcome.APPLIED, "V-1")
    assert store.load("A-1").state == "submitted"


def test_the_backfill_indexes_an_old_store_and_leaves_later_claimants_out(spec: str) -> None:
    store = open_spec(spec)
    seed(store)
    left_out = store._backfill_external_ids()  # type: ignore[attr-defined]
    assert left_out == []
    assert store.complaint_for_external_id("lapor", "1916449") == "SPIKM-1"
    store.close()


def test_an_update_id_reused_with_other_content_writes_nothing(
    store: EventStore, bridge: SyncBridge
) -> None:
    bridge.ingest_one(update(*VERIFY, classification="pengaduan"))
    before = list(store.events())
    other = bridge.ingest_one(update(1, "Terdisposisi", 2, unit="dinas-pu"))
    assert other.outcome is Outcome.REFUSED
    assert list(store.events()) == before
    assert store.load("SPIKM-1").state == "verified"


def test_the_backfill_gives_an_id_to_its_first_claimant_only(tmp_path: Path) -> None:
    import sqlite3

    from pengaduan.store import SQLiteStore

    path = tmp_path / "old.db"
    store = SQLiteStore(path, workflow=lapor_workflow())
    seed(store)
    with sqlite3.connect(path) as raw:  # as a store written before the index existed
        raw.execute("DELETE FROM external_ids")
    seed(store, "SPIKM-2")
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM external_ids")
    assert store.complaint_for_external_id("lapor", "1916449") is None
    assert store._backfill_external_ids() == [("lapor", "SPIKM-2", "SPIKM-1")]
    assert store.complaint_for_external_id("lapor", "1916449") == "SPIKM-1"
    store.close()
