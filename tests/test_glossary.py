"""The glossary lists every label the code defines, in both directions, so it cannot go stale."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import pengaduan
from pengaduan._labelled import LabelledEnum
from pengaduan.presets import lapor_policy, lapor_workflow

GLOSSARY = Path(__file__).parents[1] / "docs" / "glossary.md"


def _public_modules() -> list[str]:
    return [
        f"pengaduan.{info.name}"
        for info in pkgutil.iter_modules(pengaduan.__path__)
        if not info.name.startswith("_")
    ]


def _labelled_enums() -> list[type[LabelledEnum]]:
    for name in _public_modules():
        importlib.import_module(name)
    found: list[type[LabelledEnum]] = []
    todo = list(LabelledEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("pengaduan."):
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def _table(heading: str) -> list[list[str]]:
    """The rows of the table under a level-2 heading, cells stripped of bold markers."""
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    cells = [[cell.strip().strip("*") for cell in row.strip("|").split(" | ")] for row in rows]
    return cells[1:]  # without the header row


def _indonesian_terms() -> dict[str, set[str]]:
    """Each direction's set of Indonesian terms."""
    return {
        "id-en": {row[0] for row in _table("Bahasa Indonesia → English")},
        "en-id": {row[1] for row in _table("English → Bahasa Indonesia")},
    }


def _code_labels() -> list[tuple[str, str]]:
    """(where, label) for every label the code defines."""
    labels = [
        (f"{cls.__name__}.{member.name}", member.label)
        for cls in _labelled_enums()
        for member in cls
    ]
    workflow = lapor_workflow()
    labels += [(f"state `{state.name}`", state.label) for state in workflow.states]
    labels += [(f"action `{action.name}`", action.label) for action in workflow.actions]
    labels += [(f"clock `{clock.name}`", clock.label) for clock in lapor_policy().clocks]
    return labels


def test_the_enumerations_found_include_every_known_one() -> None:
    names = {cls.__name__ for cls in _labelled_enums()}
    assert {"Role", "Classification", "Channel", "PrivacyFlag", "HolidayKind"} <= names


@pytest.mark.parametrize(("where", "label"), _code_labels(), ids=lambda value: str(value))
def test_every_label_in_the_code_is_a_term_of_the_glossary_both_ways(
    where: str, label: str
) -> None:
    terms = _indonesian_terms()
    assert label, f"{where} has no label"
    assert label in terms["id-en"], (
        f"{where} label {label!r} missing from Bahasa Indonesia → English"
    )
    assert label in terms["en-id"], (
        f"{where} label {label!r} missing from English → Bahasa Indonesia"
    )


@pytest.mark.parametrize(("where", "label"), _code_labels(), ids=lambda value: str(value))
def test_the_glossary_names_where_each_label_is_used(where: str, label: str) -> None:
    rows = [row for row in _table("Bahasa Indonesia → English") if row[0] == label]
    assert any(where in row[-1] for row in rows), f"the row of {label!r} does not name {where}"


def test_both_directions_list_the_same_terms_with_the_same_english() -> None:
    id_en = {(row[0], row[1]) for row in _table("Bahasa Indonesia → English")}
    en_id = {(row[1], row[0]) for row in _table("English → Bahasa Indonesia")}
    assert id_en == en_id


def test_each_direction_is_in_alphabetical_order() -> None:
    def key(term: str) -> str:
        return re.sub(r"[^a-z0-9 ]", "", term.lower())

    for heading, column in (("Bahasa Indonesia → English", 0), ("English → Bahasa Indonesia", 0)):
        terms = [row[column] for row in _table(heading)]
        assert terms == sorted(terms, key=key), heading
