"""A complaint as an HTML fragment, without free text or personal data.

`pengaduan.reports.complaint_html` adds the state's label from a workflow;
``Complaint._repr_html_`` (a notebook) shows this without one.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from pengaduan._present import html_table, styled

if TYPE_CHECKING:
    from pengaduan.model import Complaint

__all__ = ["complaint_html"]

_SAFE_DATA = ("unit", "level", "to", "classification", "channel")


def _key(value: str | None) -> str:
    return "-" if value is None else value


def complaint_html(complaint: Complaint, state_label: str = "") -> str:
    """`complaint` as HTML: state (and `state_label`), unit, channel, flags, history."""
    label = state_label
    facts = complaint.facts
    rows = [
        ["state", f"{complaint.state} ({label})" if label else complaint.state],
        ["unit", _key(complaint.unit)],
        ["events", str(len(complaint.events))],
    ]
    if facts is not None:
        rows.append(["channel", f"{facts.channel.value} ({facts.channel.label})"])
        rows.append(["classification", facts.classification.value if facts.classification else "-"])
        flags = ", ".join(sorted(f.label for f in facts.privacy.flags)) or "-"
        rows.append(["privacy", flags])
    history = []
    for event in complaint.events:
        details = ", ".join(
            f"{k}={event.data[k]}"
            for k in _SAFE_DATA
            if k in event.data and event.data[k] is not None
        )
        history.append(
            [
                event.at.isoformat(),
                event.action,
                event.actor.role,
                _key(event.actor.unit),
                details,
            ]
        )
    return styled(
        f"<h4>Complaint {html.escape(complaint.id)}</h4>"
        + html_table(("", ""), rows)
        + html_table(("at", "action", "role", "actor unit", "details"), history)
    )
