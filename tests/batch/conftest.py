"""Make the SLA and calendar tests' builders and strategies importable here too."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
for folder in (HERE, HERE.parent / "sla", HERE.parent / "calendar"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
