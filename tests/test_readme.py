"""README's Quick start is what CI runs, and what the docs tell a newcomer to run.

CI (`.ci/run`) runs README's second command (install the dev tools, run the tests) in its own
checkout, and README's first command (install, run the demo) in a fresh clone: the newcomer
check. These tests keep the three places in step, so that a change to README's commands that
CI does not run, or docs that tell another story, fails here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"
DOCS = ROOT / "docs"


def _section(text: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next one."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def _shell_commands(text: str) -> list[str]:
    """The non-empty lines of every ```sh block, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _quick_start() -> list[str]:
    return _shell_commands(_section(README.read_text(encoding="utf-8"), "Quick start"))


def test_readme_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start()
    assert len(commands) == 2, commands
    assert all(command.startswith("python3 -m venv .venv && ") for command in commands)


def test_the_first_command_installs_and_runs_the_demo_and_the_second_runs_the_tests() -> None:
    first, second = _quick_start()
    assert "pip install -q -e . " in first
    assert first.endswith("pengaduan demo")
    assert "pip install -q -e '.[dev]'" in second
    assert second.endswith("python -m pytest")


@pytest.mark.parametrize("index", [0, 1], ids=["install-and-demo", "dev-and-tests"])
def test_ci_runs_each_quick_start_command_verbatim_on_a_line_of_its_own(index: int) -> None:
    command = _quick_start()[index]
    lines = [line.strip() for line in CI.read_text(encoding="utf-8").splitlines()]
    assert command in lines, f"{CI} does not run README's command: {command}"


def test_ci_runs_the_first_command_in_a_fresh_clone_after_everything_else() -> None:
    lines = [line.strip() for line in CI.read_text(encoding="utf-8").splitlines()]
    first, second = _quick_start()
    clone = next(i for i, line in enumerate(lines) if line.startswith("git clone"))
    assert lines.index(second) < clone < lines.index(first)
    assert "mktemp -d" in " ".join(lines[clone - 1 : clone + 1])
    cd = next(i for i, line in enumerate(lines) if line.startswith("cd ") and i > clone)
    assert cd < lines.index(first)


def test_getting_started_installs_with_readmes_commands() -> None:
    install = _section((DOCS / "index.md").read_text(encoding="utf-8"), "Install")
    assert _shell_commands(install) == _quick_start()


def _pip_installs() -> list[tuple[str, str]]:
    """(page, command) for every `pip install` the docs show, in code blocks or inline code."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for command in re.findall(r"[^`\n]*pip install[^`\n]*", text):
            found.append((str(page.relative_to(ROOT)), command.strip()))
    return found


def test_the_docs_show_some_install_command() -> None:
    assert _pip_installs()


@pytest.mark.parametrize(("page", "command"), _pip_installs())
def test_every_install_command_in_the_docs_is_readmes_or_adds_a_declared_extra(
    page: str, command: str
) -> None:
    if command in _quick_start():
        return
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    match = re.fullmatch(r"\.venv/bin/pip install -q -e '\.\[([a-z0-9_,-]+)\]'", command)
    assert match, f"{page}: {command!r} is neither README's command nor an extra of the clone"
    assert set(match.group(1).split(",")) <= set(extras), f"{page}: unknown extra in {command!r}"
