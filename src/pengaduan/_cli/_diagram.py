"""``pengaduan diagram``: the workflow as a diagram."""

from __future__ import annotations

import argparse
from typing import Any

from pengaduan._cli._definitions import add_definition_arguments, definitions


def register(subparsers: Any) -> None:
    """Add the ``diagram`` command."""
    parser = subparsers.add_parser(
        "diagram",
        help="print the SP4N-LAPOR! workflow (or --workflow FILE) as a state diagram",
        description="Print the SP4N-LAPOR! workflow, or a --workflow file, as a Mermaid state "
        "diagram.",
    )
    add_definition_arguments(parser, policy=False)
    parser.add_argument(
        "--format", choices=("mermaid",), default="mermaid", help="diagram language"
    )
    parser.add_argument(
        "--no-labels", action="store_true", help="leave out the Bahasa Indonesia state labels"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan diagram``."""
    workflow = definitions(args).workflow
    print(workflow.to_mermaid(labels=not args.no_labels), end="")
    return 0
