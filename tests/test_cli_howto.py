"""The how-to "Run the command line on a regency's own rules" runs as shown.

Its Python blocks write the regency's files into a folder; its command lines then run there
and print what the page shows (standard output, or the error on standard error).
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from pengaduan._cli import main

PAGE = Path(__file__).parents[1] / "docs" / "howto.md"
TITLE = "## Run the command line on a regency's own rules"


def _section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(TITLE)
    end = text.find("\n## ", start + len(TITLE))
    return text[start : end if end != -1 else len(text)]


def _consoles(section: str) -> list[tuple[list[str], str]]:
    """Each command line of the section with the output shown under it."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        lines = block.splitlines()
        assert lines[0].startswith("$ pengaduan "), block
        found.append((shlex.split(lines[0][2:])[1:], "\n".join(lines[1:])))
    return found


def test_the_section_shows_commands_with_their_output() -> None:
    consoles = _consoles(_section())
    assert len(consoles) >= 3
    assert all(output for _argv, output in consoles)


def test_the_how_to_runs_as_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    section = _section()
    test = doctest.DocTestParser().get_doctest(section, {}, "howto", str(PAGE), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, clear_globs=False)
    assert runner.failures == 0
    folder = test.globs["folder"]
    assert isinstance(folder, Path)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("COLUMNS", "80")
    for argv, shown in _consoles(section):
        code = main(argv)
        captured = capsys.readouterr()
        if shown.startswith("pengaduan: error:"):
            assert code == 2, argv
            printed = captured.err
        else:
            assert code == 0, (argv, captured.err)
            printed = captured.out
        checker = doctest.OutputChecker()
        assert checker.check_output(shown + "\n", printed, doctest.ELLIPSIS), (argv, printed)
