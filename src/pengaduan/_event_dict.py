"""The JSON object form of an event (`pengaduan.interchange.event_to_dict`).

Kept apart from `pengaduan.interchange` so that `pengaduan.access`, which sits below the
escalation layer that interchange also serialises, can write events without importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pengaduan.model import Event

__all__ = ["event_to_dict"]


def event_to_dict(event: Event) -> dict[str, Any]:
    """Return the JSON object form of an event."""
    actor = event.actor
    return {
        "id": event.id,
        "complaint": event.complaint,
        "action": event.action,
        "at": event.at.isoformat(),
        "actor": {"id": actor.id, "role": str(actor.role), "unit": actor.unit},
        "data": dict(event.data),
    }
