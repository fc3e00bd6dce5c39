"""The Escalation page's examples that cannot run as doctests (they need Celery, a store and a
gateway) are at least valid Python that uses the real API names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pengaduan.escalation

PAGE = Path(__file__).parents[2] / "docs" / "escalation.md"


def _plain_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if ">>> " not in b]


def test_the_celery_example_is_valid_python_calling_tick_by_its_signature() -> None:
    (celery,) = [b for b in _plain_blocks() if "shared_task" in b]
    tree = ast.parse(celery)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "pengaduan.escalation"
        for alias in node.names
    }
    assert imported == {"tick"}
    assert all(hasattr(pengaduan.escalation, name) for name in imported)
    (call,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tick"
    ]
    assert {k.arg for k in call.keywords} <= {"ladder", "notifier", "actor", "language"}
