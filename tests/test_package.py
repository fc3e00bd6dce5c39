"""House rules that hold for the whole package."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import pengaduan

PUBLIC_MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(pengaduan.__path__, "pengaduan.")
    if not any(part.startswith("_") for part in name.split("."))
)


def test_the_package_is_typed() -> None:
    assert (Path(pengaduan.__file__).parent / "py.typed").is_file()


def test_importing_pengaduan_needs_no_optional_extra() -> None:
    code = (
        "import sys, pengaduan, pengaduan.testing;"
        "print(sorted(m for m in ('numpy', 'pandas', 'matplotlib', 'psycopg', 'nbclient')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _isort_key(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions.
    if name.isupper():
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@pytest.mark.parametrize("name", ["pengaduan", *PUBLIC_MODULES])
def test_public_modules_declare_a_sorted_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it lacks"


@pytest.mark.parametrize("name", ["pengaduan", *PUBLIC_MODULES])
def test_every_public_name_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"
    for item in module.__all__:
        value = getattr(module, item)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name}.{item} has no docstring"


def test_every_exception_derives_from_the_base_and_a_builtin() -> None:
    from pengaduan import exceptions

    for item in exceptions.__all__:
        error = getattr(exceptions, item)
        assert issubclass(error, exceptions.PengaduanError)
        if error is not exceptions.PengaduanError:
            builtins = [base for base in error.__mro__[1:] if base.__module__ == "builtins"]
            assert builtins[0] is not Exception, f"{item} derives from no specific builtin"


def test_the_exceptions_tree_in_the_docstring_names_every_error() -> None:
    from pengaduan import exceptions

    assert exceptions.__doc__ is not None
    for item in exceptions.__all__:
        assert item in exceptions.__doc__, f"{item} is missing from the tree"


def test_library_code_never_reads_the_wall_clock() -> None:
    """Only the CLI's default for --as-of and `SystemClock` may, and they say so."""
    root = Path(pengaduan.__file__).parent
    clock_reads = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}
    offenders = []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in clock_reads
                and "wall-clock ok" not in lines[node.lineno - 1]
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


def test_the_library_logs_nothing_to_standard_error_unless_the_app_configures_logging() -> None:
    import subprocess
    import sys

    code = "import logging, pengaduan; logging.getLogger('pengaduan.store').warning('a record')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == ""
