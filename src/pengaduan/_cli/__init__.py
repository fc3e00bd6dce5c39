"""The ``pengaduan`` command: a thin layer over the public API.

Each sub-command lives in its own module with a ``register(subparsers)`` function that adds
its parser and sets ``handler`` to a function taking the parsed arguments and returning an exit
code. The CLI is the one place allowed to read the wall clock (for defaults such as "as of now").
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Sub-command modules, in the order `--help` lists them.
_COMMANDS = (
    "demo",
    "replay",
    "sla",
    "due",
    "tick",
    "list",
    "rebuild",
    "report",
    "simulate",
    "calendar",
    "diagram",
    "import",
    "export",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``pengaduan`` command."""
    from pengaduan import __version__

    parser = argparse.ArgumentParser(
        prog="pengaduan",
        description="Public-service complaint handling: lifecycle, SLA clocks, escalation.",
    )
    parser.add_argument("--version", action="version", version=f"pengaduan {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in _COMMANDS:
        importlib.import_module(f"pengaduan._cli._{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pengaduan`` command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from pengaduan._cli._common import fail, unreadable_exit
    from pengaduan._cli._definitions import DefinitionsError
    from pengaduan.exceptions import PengaduanError

    try:
        code: int = args.handler(args)
    except BrokenPipeError:  # e.g. `pengaduan replay big.jsonl | head`
        sys.stderr.close()
        return 0
    except (DefinitionsError, PengaduanError) as error:  # e.g. MissingExtraError: never a traceback
        return fail(str(error))

    return unreadable_exit(args, code)
