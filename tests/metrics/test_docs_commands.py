"""The command lines shown in docs/metrics.md run as shown (in a scratch directory)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from pengaduan._cli import main

PAGE = Path(__file__).parents[2] / "docs" / "metrics.md"


def _commands() -> list[list[str]]:
    blocks = re.findall(r"```console\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    return [shlex.split(line[2:], comments=True) for line in lines if line.startswith("$ ")]


def test_the_page_shows_commands() -> None:
    assert [c[:2] for c in _commands()][:2] == [
        ["pengaduan", "simulate"],
        ["pengaduan", "report"],
    ]


def test_every_command_on_the_page_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in _commands():
        assert command[0] == "pengaduan"
        assert main(command[1:]) == 0, command
        out = capsys.readouterr().out
        if "--json" in command:
            assert "received" in json.loads(out)
        elif command[1] in ("report", "demo"):
            assert "Diterima / received" in out
