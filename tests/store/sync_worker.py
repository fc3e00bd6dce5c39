"""A worker process for the sync races: ingests one update through its own bridge.

Run as ``python sync_worker.py SPEC``; it waits for ``go`` on stdin (so that every worker
starts together), ingests the update and prints its outcome.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from store_helpers import START, open_spec

from pengaduan.model import Actor, Role
from pengaduan.sync import ExternalUpdate, SyncBridge

SYNC = Actor("lapor-sync", Role.ADMIN_NATIONAL)
STATUSES = {"Terverifikasi": "verify", "Terdisposisi": "dispatch"}
UPDATE = ExternalUpdate(
    "u1", "1916449", "Terverifikasi", START + timedelta(hours=1), {"classification": "pengaduan"}
)


def main(spec: str) -> None:
    store = open_spec(spec)
    bridge = SyncBridge(store, "lapor", STATUSES, SYNC)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "go":
        return
    result = bridge.ingest_one(UPDATE)
    sys.stdout.write(f"{result.outcome.value}\n")
    sys.stdout.flush()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1])
