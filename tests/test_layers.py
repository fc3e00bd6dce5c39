"""Layers one way: no module imports one above it, not even inside a function.

Every module of the package has a layer; an import of a module of a higher layer is a
failure, wherever it is written (at the top, inside a function, or only for type checking).
The presets sit above everything they define defaults for: the desk, the CLI and the web
app bind them, nothing below does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pengaduan"

# Lower numbers are lower layers; a module may import its own layer and those below.
LAYERS: dict[str, float] = {
    # Time, errors and presentation primitives: they know no record.
    "_time": 0,
    "_labelled": 0,
    "exceptions": 0,
    "clock": 0,
    "_calendar_index": 0,
    "_present": 0,
    "_table": 0,
    "_dates": 0,
    # Records and calendars.
    "model": 1,
    "_present_complaint": 1,
    "calendar": 1,
    "_calendar_id": 1,
    "_present_calendar": 1,
    "_event_dict": 1.5,
    # Lifecycle and clocks.
    "workflow": 2,
    "sla": 2,
    "_sla_explain": 2,
    "access": 2.5,
    "escalation": 3,
    "_escalation_messages": 3,
    # Forms of records and results.
    "interchange": 4,
    "codecs": 4,
    "readmodel": 4,
    "batch": 4.5,
    "_batch_calendar": 4.5,
    "_batch_engine": 4.5,
    "_batch_input": 4.5,
    # Figures, stores and exchange.
    "metrics": 5,
    "_present_metrics": 5,
    "store": 5,
    "_store_base": 5,
    "_store_memory": 5,
    "_store_sqlite": 5,
    "_store_postgres": 5,
    "_store_postgres_async": 5,
    "_store_bulk": 5,
    "sync": 5,
    "open311": 5,
    "reports": 6,
    "plots": 6,
    "columnar": 6,
    "spark": 6.5,
    # Defaults, and what is built on them.
    "presets": 7,
    "simulation": 8,
    "testing": 8,
    "desk": 8,
    "_pytest_plugin": 9,
    "_cli": 9,
    "web": 9,
    "__init__": 10,
    "__main__": 10,
}


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        parts = node.module.split(".")
        if parts[0] != "pengaduan":
            return []
        return [alias.name for alias in node.names] if len(parts) == 1 else [parts[1]]
    if isinstance(node, ast.Import):
        return [
            alias.name.split(".")[1] for alias in node.names if alias.name.startswith("pengaduan.")
        ]
    return []


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert sorted({_top(p) for p in MODULES} - set(LAYERS)) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_nothing_above_its_layer(path: Path) -> None:
    own = _top(path)
    upward = [
        f"line {node.lineno}: {other} (layer {LAYERS[other]})"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for other in _imported(node)
        if other in LAYERS and other != own and LAYERS[other] > LAYERS.get(own, 0)
    ]
    assert upward == [], f"{own} (layer {LAYERS.get(own)}) imports upward: {upward}"
