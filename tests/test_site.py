"""The built documentation site reads as intended: examples as code, report tables styled.

Builds the site once (``mkdocs build --strict``, the notebook executed against this checkout)
into a temporary directory and parses its HTML with the standard library's parser.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")
pytest.importorskip("mkdocs_jupyter")

ROOT = Path(__file__).parents[1]


class _Page(HTMLParser):
    """Collects the facts the tests look at, with each element's ancestors' classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.quotes_in_docstrings = 0
        self.prose_prompts: list[str] = []
        self.code_examples = 0
        self.tables: list[tuple[dict[str, str | None], list[str]]] = []
        self._pre: list[str] | None = None
        self._p: list[str] | None = None

    def _inside(self, cls: str) -> bool:
        return any(cls in (attrs.get("class") or "").split() for _, attrs in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "input", "meta", "link", "hr", "col", "wbr", "source"):
            return
        values = dict(attrs)
        if tag == "blockquote" and self._inside("doc-contents"):
            self.quotes_in_docstrings += 1
        if tag == "pre":
            self._pre = []
        if tag == "p" and self._inside("doc-contents"):
            self._p = []
        if tag == "table":
            self.tables.append((values, [a.get("class") or "" for _, a in self.stack]))
        if tag in ("th", "td") and self.tables and "style" not in values:
            table = self.tables[-1][0]
            table.setdefault("unstyled-cells", "")
            table["unstyled-cells"] = (table["unstyled-cells"] or "") + tag
        self.stack.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre is not None:
            if ">>>" in "".join(self._pre):
                self.code_examples += 1
            self._pre = None
        if tag == "p" and self._p is not None:
            text = "".join(self._p).strip()
            if text.startswith((">>>", ">>")):
                self.prose_prompts.append(text[:80])
            self._p = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._pre is not None:
            self._pre.append(data)
        if self._p is not None:
            self._p.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # The notebook's kernel and mkdocstrings read this checkout, not an installed copy.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return out


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_docstring_examples_render_as_code_on_the_reference_pages(site: Path) -> None:
    pages = sorted((site / "reference").glob("*/index.html"))
    assert len(pages) >= 6
    examples = 0
    for path in pages:
        page = _parse(path)
        where = path.parent.name
        # A bare ``>>>`` in a docstring becomes three nested blockquotes of run-together text.
        assert page.quotes_in_docstrings == 0, where
        assert not page.prose_prompts, (where, page.prose_prompts[:3])
        examples += page.code_examples
    fenced = sum(
        path.read_text(encoding="utf-8").count("```pycon")
        for path in (ROOT / "src" / "pengaduan").rglob("*.py")
        if "_cli" not in path.parts
    )
    assert examples >= fenced > 30


def test_report_tables_on_the_notebook_page_carry_their_own_styles(site: Path) -> None:
    page = _parse(site / "notebooks" / "sla-rules" / "index.html")
    ours = [(t, a) for t, a in page.tables if any("pengaduan" in c.split() for c in a)]
    assert len(ours) >= 4  # the report's summary, two sections and its reminders
    for table, _ancestors in ours:
        assert "border-collapse" in (table.get("style") or "")
        assert "unstyled-cells" not in table, table.get("unstyled-cells")
