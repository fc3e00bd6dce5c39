"""Workflow versions per event: each complaint replays with the workflow that wrote it."""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs
import pytest
from store_helpers import ADMIN, event, lifecycle, open_spec

from pengaduan.exceptions import PengaduanError, UnknownWorkflowVersionError
from pengaduan.model import Complaint
from pengaduan.presets import lapor_workflow
from pengaduan.store import EventStore, InMemoryStore, PostgresStore, SQLiteStore
from pengaduan.workflow import Action, Workflow

V1 = lapor_workflow()
V2 = attrs.evolve(
    V1,
    version="2026.1",
    actions=(*V1.actions, Action("investigate", ("dispatched",), None, {"admin_agency"})),
)


def reopen(spec: str, store: EventStore, **options: object) -> EventStore:
    """The same store opened again, with other workflows."""
    if isinstance(store, InMemoryStore):
        other = InMemoryStore(**options)  # type: ignore[arg-type]
        other._memory = store._memory
        return other
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path, **options)  # type: ignore[arg-type]
    assert isinstance(store, PostgresStore)
    dsn = spec.partition("|")[2]
    return PostgresStore(dsn, schema=store.schema, **options)  # type: ignore[arg-type]


def investigate(complaint: str) -> list:  # type: ignore[type-arg]
    return [*lifecycle(complaint)[:3], event(complaint, 4, "investigate", ADMIN, {}, 5)]


def test_a_v1_reader_reports_a_v2_complaint_and_reads_the_others(spec: str) -> None:
    writer = open_spec(spec)
    writer.close()
    v1 = reopen(spec, writer, workflow=V1)
    v1.append("C-1", lifecycle("C-1"))
    v2 = reopen(spec, v1, workflow=V2)  # a rolling deploy: v2 writes while v1 still reads
    v2.append("C-2", investigate("C-2"))
    v1.append("C-3", lifecycle("C-3"))
    try:
        with pytest.raises(UnknownWorkflowVersionError) as raised:
            v1.load("C-2")
        error = raised.value
        assert (error.complaint_id, error.workflow, error.version) == (
            "C-2",
            "sp4n-lapor",
            "2026.1",
        )
        assert error.known == ("sp4n-lapor 2025.1",)
        for part in ("'C-2'", "2026.1", "2025.1"):
            assert part in str(error)
        failed: list[tuple[str, PengaduanError]] = []
        read = [c.id for c in v1.complaints(on_error=lambda c, e: failed.append((c, e)))]
        assert read == ["C-1", "C-3"]
        assert [c for c, _e in failed] == ["C-2"]
        with pytest.raises(UnknownWorkflowVersionError):
            list(v1.complaints())
        # a v1 writer cannot append to a complaint it cannot read; nothing is written
        before = list(v1.events())
        with pytest.raises(UnknownWorkflowVersionError):
            v1.append("C-2", [event("C-2", 5, "comment", ADMIN, {"message": "x"}, 6)])
        assert list(v1.events()) == before
    finally:
        v1.close()
        v2.close()


def test_an_app_registering_both_versions_replays_each_complaint_with_its_own(
    spec: str,
) -> None:
    first = open_spec(spec)
    first.close()
    v1 = reopen(spec, first, workflow=V1)
    v1.append("C-1", lifecycle("C-1"))
    v2 = reopen(spec, v1, workflow=V2)
    v2.append("C-2", investigate("C-2"))
    both = reopen(spec, v2, workflow=V1, workflows=[V2])
    try:
        complaints: dict[str, Complaint] = {c.id: c for c in both.complaints()}
        assert complaints["C-2"].version == 4
        assert complaints["C-1"].state == "followed_up"
        assert {w.version for w in both.workflows} == {"2025.1", "2026.1"}  # type: ignore[attr-defined]
    finally:
        for store in (v1, v2, both):
            store.close()


def test_events_of_a_0_1_store_count_as_the_stores_workflow(tmp_path: Path) -> None:
    shutil.copyfile(Path(__file__).parent / "fixtures" / "store-0.1.sqlite", tmp_path / "s.db")
    newer: Workflow = V2
    with SQLiteStore(tmp_path / "s.db", workflow=newer) as store:
        assert store.load("C-2").state == "dispatched"
        store.append("C-2", [event("C-2", 5, "investigate", ADMIN, {}, 8)])
    with SQLiteStore(tmp_path / "s.db", workflow=lapor_workflow()) as old_reader:
        with pytest.raises(UnknownWorkflowVersionError):
            old_reader.load("C-2")
        assert old_reader.load("C-1").state == "closed"


def test_the_cli_reports_unreadable_complaints_reads_the_rest_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pengaduan._cli import main

    path = tmp_path / "s.db"
    with SQLiteStore(path, workflow=V1) as v1:
        v1.append("C-1", lifecycle("C-1"))
    with SQLiteStore(path, workflow=V2) as v2:
        v2.append("C-2", investigate("C-2"))
    assert main(["replay", "--db", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "C-1" in out
    assert "C-2" not in out
    assert "'C-2'" in err
    assert "2026.1" in err
    assert "Traceback" not in err
