"""The files the CLI writes are all or nothing, and the files it reads refuse hostile values.

A full disk (a real small tmpfs), a file size limit (RLIMIT_FSIZE in a subprocess) and an
injected OSError must leave an event file exactly as it was; every hostile value in a file
read is a one-line error naming the line and field, exit 2, never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from escalation_support import Lapor, wib

from pengaduan._cli import _common, main
from pengaduan.interchange import read_events, write_events
from pengaduan.presets import lapor_workflow

AS_OF = "2026-06-17T08:00:00+07:00"
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _history(path: Path, *, pad_to_page: bool = False) -> Path:
    """Two complaints dispatched Mon 8 June 2026: both have reminders due by 17 June."""
    one = Lapor("C-1").routed(wib(2026, 6, 8, 9)).complaint
    two = Lapor("C-2").routed(wib(2026, 6, 8, 10)).complaint
    with path.open("w", encoding="utf-8") as target:
        write_events(sorted((*one.events, *two.events), key=lambda e: e.at), target)
        if pad_to_page:  # blank lines are skipped; a full last page leaves no slack to fill
            size = target.tell()
            target.write("\n" * (-size % 4096))
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(directory: Path) -> None:
    """Write zeros until the disk is full (ENOSPC)."""
    with (directory / "filler").open("wb", buffering=0) as filler:
        written = 1
        while written:
            try:
                written = filler.write(b"\0" * 4096) or 0
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                written = 0


def test_tick_write_on_a_full_disk_leaves_the_file_as_it_was(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _history(small_disk / "events.jsonl", pad_to_page=True)
    before = path.read_bytes()
    _fill(small_disk)
    assert main(["tick", str(path), "--as-of", AS_OF, "--write"]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before
    (small_disk / "filler").unlink()
    assert main(["tick", str(path), "--as-of", AS_OF, "--write"]) == 0
    after = path.read_bytes()
    assert after.startswith(before)
    assert len(list(read_events(str(path)))) == 6 + 4  # and two reminders for each complaint


def test_simulate_out_on_a_full_disk_leaves_no_file_and_no_temporary(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(small_disk)
    out = small_disk / "history.jsonl"
    assert main(["simulate", "--complaints", "40", "--out", str(out)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_tick_write_under_a_file_size_limit_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = _history(tmp_path / "events.jsonl")
    before = path.read_bytes()
    limit = len(before) + 10  # room for a few bytes of the new lines, not for all of them

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "pengaduan", "tick", str(path), "--as-of", AS_OF, "--write"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        preexec_fn=limited,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_tick_write_interrupted_by_an_os_error_truncates_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _history(tmp_path / "events.jsonl")
    with path.open("ab") as target:  # no final newline: the append must add one, then undo it
        target.write(b"   ")
    before = path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        view = memoryview(data)
        if len(view) > 8:
            return real_write(fd, view[: len(view) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_common.os, "write", half_then_full)
    assert main(["tick", str(path), "--as-of", AS_OF, "--write"]) == 2
    assert "No space left" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_tick_db_write_says_how_much_was_written_when_it_stops_part_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pengaduan import store as store_module
    from pengaduan.exceptions import StoreError
    from pengaduan.store import open_store

    events = _history(tmp_path / "events.jsonl")
    db = tmp_path / "events.sqlite"
    store = open_store(str(db), workflow=lapor_workflow())
    try:
        for event in read_events(str(events)):
            store.append(event.complaint, [event])
    finally:
        store.close()
    real_open = store_module.open_store

    def failing_on_the_second_complaint(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened = real_open(*args, **kwargs)
        real_append = opened.append
        calls = []

        def append(*a, **k):  # type: ignore[no-untyped-def]
            calls.append(a)
            if len(calls) == 2:
                raise StoreError(store="s", operation="append", reason="the disk is full")
            return real_append(*a, **k)

        opened.append = append
        return opened

    monkeypatch.setattr(store_module, "open_store", failing_on_the_second_complaint)
    assert main(["tick", "--db", str(db), "--as-of", AS_OF, "--write"]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" not in err
    assert "2 new events of 1 complaints were written before it" in err


# --- hostile values in a file read ------------------------------------------------------

_SUBMIT = {
    "id": "e2",
    "complaint": "C-9",
    "action": "submit",
    "at": "2026-03-17T09:15:00+07:00",
    "actor": {"id": "w", "role": "reporter", "unit": None},
    "data": {"title": "Jalan rusak", "body": "...", "channel": "web"},
}
_PERSONAL = "Budi Santoso 0812-3456-7890"


def _line(**changes: object) -> str:
    return json.dumps({**_SUBMIT, **changes})


HOSTILE = {
    "huge-integer": _line().replace('"web"}', '"web", "n": ' + "9" * 5000 + "}"),
    "lone-surrogate": _line().replace('"..."', '"\\ud800"'),
    "year-1": _line(at="0001-01-01T00:00:00+07:00"),
    "year-9999": _line(at="9999-12-31T23:59:59-07:00"),
    "nan": _line().replace('"web"}', '"web", "n": NaN}'),
    "infinity": _line().replace('"web"}', '"web", "n": -Infinity}'),
    "duplicate-key": _line().replace('"action": "submit"', '"action": "submit", "action": "x"'),
    "unknown-key-personal": _line().replace('"id": "e2"', f'"id": "e2", "{_PERSONAL}": 1'),
    "unknown-actor-key": _line().replace('"id": "w"', f'"id": "w", "{_PERSONAL}": 1'),
    "bad-utf8": "not \xff utf-8",
    "truncated": _line()[:40],
}


@pytest.mark.parametrize("command", ["replay", "sla", "due", "tick", "export", "report"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_value_is_a_one_line_error_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, name: str
) -> None:
    path = tmp_path / "hostile.jsonl"
    good = _line(id="e1", complaint="C-1")
    encoded = HOSTILE[name].encode("utf-8", "surrogateescape")
    if name == "bad-utf8":
        encoded = b"not \xff utf-8"
    path.write_bytes(good.encode() + b"\n" + encoded + b"\n")
    args = [command, str(path)] + (["--as-of", AS_OF] if command != "export" else [])
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "line 2" in lines[0]
    assert "Budi" not in captured.err
    assert "0812" not in captured.err


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_import_counts_a_hostile_line_as_refused_and_stores_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    from pengaduan.store import open_store

    path = tmp_path / "hostile.jsonl"
    encoded = b"not \xff utf-8" if name == "bad-utf8" else HOSTILE[name].encode()
    path.write_bytes(_line(id="e1", complaint="C-1").encode() + b"\n" + encoded + b"\n")
    db = tmp_path / "s.sqlite"
    assert main(["import", str(path), "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert "line 2" in captured.err
    assert "Budi" not in captured.err
    assert "new: 1, duplicate: 0, refused: 1" in captured.out
    store = open_store(str(db), workflow=lapor_workflow())
    try:
        assert [e.id for _position, e in store.events()] == ["e1"]
    finally:
        store.close()


@pytest.mark.parametrize("as_of", [None, "2026-06-08T09:30:00+07:00", "2000-01-01T00:00:00+07:00"])
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_replay_of_a_store_prints_what_replay_of_its_file_prints(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    as_of: str | None,
    json_flag: list[str],
) -> None:
    events = _history(tmp_path / "events.jsonl")
    db = tmp_path / "events.sqlite"
    assert main(["import", str(events), "--db", str(db)]) == 0
    capsys.readouterr()
    cut = ["--as-of", as_of] if as_of else []
    assert main(["replay", str(events), *cut, *json_flag]) == 0
    from_file = capsys.readouterr().out
    assert main(["replay", "--db", str(db), *cut, *json_flag]) == 0
    assert capsys.readouterr().out == from_file
