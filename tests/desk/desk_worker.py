"""A scheduler process for the multi-process tick tests.

Run as ``python desk_worker.py SPEC AS_OF``: it opens a desk on the store, says ``ready``,
waits for ``go`` on stdin (so that every process ticks at once), ticks at ``AS_OF`` and prints
the ids of the events it appended and of the actions it notified, as one JSON object.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from desk_helpers import open_desk

from pengaduan.escalation import RecordingNotifier
from pengaduan.testing import ManualClock


def main(spec: str, as_of: str) -> None:
    notifier = RecordingNotifier()
    desk = open_desk(spec, ManualClock(datetime.fromisoformat(as_of)), notifier=notifier)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "go":
        return
    report = desk.tick()
    desk.store.close()
    record = {
        "events": [event.id for event in report.events],
        "notified": notifier.keys,
        "retried": report.retried,
        "gave_up": list(report.gave_up),
    }
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
