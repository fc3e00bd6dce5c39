"""``pengaduan diagram``: the workflow as a diagram."""

from __future__ import annotations

import argparse
from typing import Any

from pengaduan.presets import lapor_workflow


def register(subparsers: Any) -> None:
    """Add the ``diagram`` command."""
    parser = subparsers.add_parser(
        "diagram",
        help="print the SP4N-LAPOR! workflow as a state diagram",
        description="Print the SP4N-LAPOR! workflow as a Mermaid state diagram.",
    )
    parser.add_argument(
        "--format", choices=("mermaid",), default="mermaid", help="diagram language"
    )
    parser.add_argument(
        "--no-labels", action="store_true", help="leave out the Bahasa Indonesia state labels"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan diagram``."""
    print(lapor_workflow().to_mermaid(labels=not args.no_labels), end="")
    return 0
