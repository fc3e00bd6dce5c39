"""``pengaduan export --format parquet`` and ``pengaduan simulate --stream``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pengaduan import columnar
from pengaduan._cli import main
from pengaduan.interchange import read_events
from pengaduan.presets import lapor_workflow
from pengaduan.store import open_store

from .conftest import WORKFLOW
from .test_columnar import NAME, PHONE, SECRET, T0, _complaint, _strings

AS_OF = (T0 + timedelta(days=2)).isoformat()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "lapor.sqlite")
    store = open_store(path, workflow=lapor_workflow())
    try:
        for complaint in (
            _complaint("C-1", anonymous=True),
            _complaint("C-2", confidential=True),
            _complaint("C-4"),
        ):
            store.append(complaint.id, complaint.events)
    finally:
        store.close()
    return path


def test_export_parquet_writes_the_three_datasets_and_the_calendar(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "national"
    code = main(["export", "--db", db, "--format", "parquet", "--out", str(out),
                 "--as-of", AS_OF])  # fmt: skip
    assert code == 0
    assert "Wrote 2 complaints" in capsys.readouterr().err
    for name in ("events", "complaints", "clocks"):
        assert (out / name / "year=2026" / "part-0.parquet").is_file()
    assert (out / "calendar" / "part-0.parquet").is_file()
    text = "\n".join(_strings(out))
    for secret in (NAME, PHONE, SECRET, "C-2"):
        assert secret not in text  # the public by default


def test_export_parquet_for_staff_round_trips(db: str, tmp_path: Path) -> None:
    out = tmp_path / "staff"
    code = main(["export", "--db", db, "--format", "parquet", "--out", str(out),
                 "--as-of", AS_OF, "--viewer", "admin_national"])  # fmt: skip
    assert code == 0
    back = {c.id: c for c in columnar.read_complaints(out / "events", workflow=WORKFLOW)}
    store = open_store(db, readonly=True, workflow=lapor_workflow())
    try:
        assert back == {c.id: c for c in store.complaints()}
    finally:
        store.close()


def test_export_parquet_refuses_without_out_and_never_overwrites(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", db, "--format", "parquet"]) == 2
    assert "--out DIR" in capsys.readouterr().err
    out = tmp_path / "again"
    args = ["export", "--db", db, "--format", "parquet", "--out", str(out), "--as-of", AS_OF]
    assert main(args) == 0
    assert main(args) == 2
    assert "nothing was overwritten" in capsys.readouterr().err
    assert main(["export", "--db", db, "--format", "jsonl", "--engine", "spark"]) == 2


def test_simulate_stream_writes_the_same_events_complaint_by_complaint(tmp_path: Path) -> None:
    streamed, sorted_ = tmp_path / "stream.jsonl", tmp_path / "sorted.jsonl"
    assert main(["simulate", "--complaints", "120", "--stream", "--out", str(streamed), "-q"]) == 0
    assert main(["simulate", "--complaints", "120", "--out", str(sorted_), "-q"]) == 0
    with streamed.open() as a, sorted_.open() as b:
        one, other = list(read_events(a)), list(read_events(b))
    assert sorted(one, key=lambda e: e.id) == sorted(other, key=lambda e: e.id)
    runs = [
        cid
        for i, cid in enumerate(e.complaint for e in one)
        if i == 0 or one[i - 1].complaint != cid
    ]
    assert len(runs) == len(set(runs)) == 120  # each complaint's events together
