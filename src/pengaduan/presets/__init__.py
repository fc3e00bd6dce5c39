"""Ready-made definitions: the SP4N-LAPOR! workflow, its calendars, clocks and ladder.

Each preset is a function returning an immutable value, built on first use and cached, so that
``import pengaduan`` stays cheap. Derive your own from them instead of editing library code.
"""

from __future__ import annotations

from pengaduan.presets._lapor import lapor_workflow

__all__ = ["lapor_workflow"]
