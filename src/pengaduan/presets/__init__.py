"""Ready-made definitions: the SP4N-LAPOR! workflow, its calendars, clocks and ladder.

Each preset is a function returning an immutable value, built on first use and cached, so that
``import pengaduan`` stays cheap. Derive your own from them instead of editing library code.
"""

from __future__ import annotations

from pengaduan.presets._calendars import (
    calendar_24x7,
    calendar_by_name,
    id_gov_calendar,
    id_gov_days_calendar,
)
from pengaduan.presets._ladder import lapor_ladder
from pengaduan.presets._lapor import lapor_guards, lapor_workflow
from pengaduan.presets._policy import lapor_policy

__all__ = [
    "calendar_24x7",
    "calendar_by_name",
    "id_gov_calendar",
    "id_gov_days_calendar",
    "lapor_guards",
    "lapor_ladder",
    "lapor_policy",
    "lapor_workflow",
]
