"""A command whose output is cut short (``| head``) ends quietly, as ``cat`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pengaduan._cli import main

SRC = Path(__file__).parents[1] / "src"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pipes")
    path = folder / "events.jsonl"
    assert main(["simulate", "--complaints", "200", "--quiet", "--out", str(path)]) == 0
    assert main(["import", str(path), "--db", str(folder / "store.sqlite")]) == 0
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["replay", "{history}"],
        ["sla", "{history}"],
        ["export", "{history}"],
        ["export", "--db", "{store}"],
        ["export", "--db", "{store}", "--format", "open311"],
        ["simulate", "--complaints", "200", "--quiet"],
    ],
    ids=lambda argv: " ".join(a for a in argv if not a.startswith("{")),
)
def test_output_cut_short_ends_quietly_with_no_error(history: Path, argv: list[str]) -> None:
    # `export | head` reported "cannot read events.jsonl: Broken pipe" and exit 2: the
    # command's catch of OSError (for the file it reads) took the closed stdout for it.
    store = history.parent / "store.sqlite"
    command = [a.format(history=history, store=store) for a in argv]
    process = subprocess.Popen(
        [sys.executable, "-m", "pengaduan", *command],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.read(10)  # it has begun to write, then the reader goes away
    process.stdout.close()
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, err
    assert err == ""
