"""The API reference documents every public module exactly once, so it cannot miss a new one."""

from __future__ import annotations

import pkgutil
import re
from collections import Counter
from pathlib import Path

import pengaduan

DOCS = Path(__file__).parents[1] / "docs"


def _public_modules() -> set[str]:
    return {"pengaduan"} | {
        f"pengaduan.{info.name}"
        for info in pkgutil.iter_modules(pengaduan.__path__)
        if not info.name.startswith("_")
    }


def _rendered() -> Counter[tuple[str, str]]:
    """(page, module) of every mkdocstrings `::: module` directive in the docs."""
    return Counter(
        (str(page.relative_to(DOCS)), name)
        for page in DOCS.rglob("*.md")
        for name in re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M)
    )


def test_every_public_module_is_rendered_exactly_once() -> None:
    counts = Counter(module for _page, module in _rendered().elements())
    assert {m: counts[m] for m in _public_modules() if counts[m] != 1} == {}


def test_only_the_reference_pages_render_modules_and_only_public_ones() -> None:
    for page, module in _rendered():
        assert page.startswith("reference/"), f"{page} renders {module}"
        assert module in _public_modules(), f"{page} renders {module}, which is not public"


def test_the_reference_index_lists_every_public_module() -> None:
    index = (DOCS / "reference" / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([\w.]+)` \|", index, re.M))
    assert listed == _public_modules()
