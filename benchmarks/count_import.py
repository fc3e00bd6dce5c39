"""Instructions an SQLite import executes (callgrind): a figure the noise of the machine spares.

Run:  PYTHONPATH=src .venv/bin/python benchmarks/count_import.py --events FILE
      [--batch-size 5000]   (FILE from ``pengaduan simulate``; needs ``valgrind``)

Wall-clock and CPU seconds on a shared virtual machine move by a fifth from run to run, more
than most single changes to the import; the count of instructions executed does not (the
same code and input give the same count to a few parts in a thousand). This runs one script
twice under callgrind, side by side: both import the events once into a throwaway store
(the calendars' indexes and every lazy import built, as in `bench_store.py`'s reference
import), then one imports them again into a fresh store with the read model of
`bench_store.py` (SLA clocks and the ladder) and the other stops. The difference is the
import's own count. Compare two versions of the code by running this with each on
``PYTHONPATH``. Keep the file small (2,500 complaints take about two minutes): callgrind
runs fifty times slower than the interpreter.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def child(events_path: str, batch_size: int, do_import: bool) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_store as b

    from pengaduan.store import SQLiteStore

    events = b.history(0, events_path)
    read_model = b.ReadModel(policy=b.lapor_policy(), ladder=b.lapor_ladder())
    with tempfile.TemporaryDirectory() as directory:
        b.sqlite_import(Path(directory) / "warm.db", events, read_model)
        with SQLiteStore(Path(directory) / "x.db", b.WORKFLOW, read_model=read_model) as store:
            if do_import:
                store.import_events(events, batch_size=batch_size)


def counted(events_path: str, batch_size: int, do_import: bool) -> subprocess.Popen[str]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--events",
        events_path,
        "--batch-size",
        str(batch_size),
        "--child",
        "import" if do_import else "setup",
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def collected(process: subprocess.Popen[str]) -> int:
    _out, err = process.communicate()
    found = re.search(r"Collected : (\d+)", err)
    if process.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{err[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", required=True, help="an event file (pengaduan simulate)")
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--child", choices=("import", "setup"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.events, args.batch_size, args.child == "import")
        return 0
    with_import = counted(args.events, args.batch_size, True)
    without = counted(args.events, args.batch_size, False)
    difference = collected(with_import) - collected(without)
    print(f"import of {args.events} at {args.batch_size:,} a batch: {difference:,} instructions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
