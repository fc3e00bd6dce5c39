"""A worker process of the read-model concurrency test: appends to shared complaints.

Run as ``python readmodel_worker.py SPEC NAME ROUNDS``; every append is at the version read,
retried on a conflict, so several workers interleave on the same complaints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).parent))

from store_helpers import comment, open_spec

from pengaduan.exceptions import ConflictError
from pengaduan.presets import lapor_ladder
from pengaduan.readmodel import ReadModel

COMPLAINTS = ("R-1", "R-2", "R-3")


def main(spec: str, name: str, rounds: int) -> None:
    store = open_spec(spec, read_model=ReadModel(ladder=lapor_ladder()))
    for number in range(rounds):
        complaint_id = COMPLAINTS[number % len(COMPLAINTS)]
        while True:
            complaint = store.load(complaint_id)
            event = attrs.evolve(
                comment(complaint_id, 0, 10 + complaint.version), id=f"{name}-{number}"
            )
            try:
                store.append(complaint_id, [event], expected_version=complaint.version)
            except ConflictError:
                continue
            break
    store.close()
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
