"""National scale: Parquet export throughput, Spark local mode against one process, memory.

For each size N (complaints; about 6 events each, one year of the Muara Enim-shaped
scenario scaled up), in one run:

1. ``pengaduan simulate --complaints N --years 1 --stream --out FILE`` (bounded memory);
2. ``pengaduan export FILE --format parquet --out DIR --viewer admin_national`` (the
   columnar export with the clocks evaluated in the process): complaints/s, events/s;
3. the clocks evaluated again from ``DIR/events`` in one process (`read_complaints`,
   `evaluate`, `clock_rows`) and by Spark in local mode with 2 executor threads
   (``local[2]``, `pengaduan.spark.evaluate_events` + `write_clocks`), session start-up
   timed apart; both sides' rows are checked equal (an order-free digest: a sum of row hashes).

Each step runs in a subprocess; its peak memory is the peak of the summed RSS of its
process tree (the JVM and Spark's Python workers included), sampled from /proc every 50 ms.
Then it extrapolates to 10^7 complaints from the largest size and states what a cluster of
E executors would take if Spark's per-core throughput held (a linear model: no shuffle or
skew costs, which a real cluster adds).

Run (from the repository root; needs the parquet and spark extras and Java)::

    PYTHONPATH=src python benchmarks/bench_columnar.py                  # 10^4 and 10^5
    PYTHONPATH=src python benchmarks/bench_columnar.py --sizes 1000000   # about an hour here
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

AS_OF = "2026-01-01T00:00:00+07:00"
PAGE = os.sysconf("SC_PAGE_SIZE")

LOCAL_EVAL = """
import hashlib, sys
from datetime import datetime
from pengaduan.columnar import clock_rows, read_complaints
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.sla import evaluate
workflow, policy = lapor_workflow(), lapor_policy()
as_of = datetime.fromisoformat(sys.argv[2])
from zoneinfo import ZoneInfo
wib = ZoneInfo("Asia/Jakarta")
def shown(row):
    items = ((k, v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items())
    return repr(sorted(items))
count = digest = 0  # an order-free digest (a sum of row hashes), in constant memory
for c in read_complaints(sys.argv[1] + "/events", workflow=workflow):
    e = evaluate(c, as_of=as_of, policy=policy)
    year = c.events[0].at.astimezone(wib).year
    for r in clock_rows(e, policy=policy, year=year):
        count += 1
        digest += int.from_bytes(hashlib.sha256(shown(r).encode()).digest()[:8], "big")
print(count, f"{digest % 2**64:016x}")
"""

SPARK_EVAL = """
import hashlib, os, sys, time, warnings
warnings.simplefilter("ignore")
from datetime import datetime
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
t0 = time.perf_counter()
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "8").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
started = time.perf_counter() - t0
from pengaduan.columnar import open_dataset
from pengaduan.presets import lapor_policy, lapor_workflow
from pengaduan.spark import evaluate_events, write_clocks
workflow, policy = lapor_workflow(), lapor_policy()
t1 = time.perf_counter()
clocks = evaluate_events(spark, sys.argv[1] + "/events", datetime.fromisoformat(sys.argv[2]),
                         policy=policy, workflow=workflow)
write_clocks(clocks, sys.argv[1] + "/spark-clocks")
job = time.perf_counter() - t1
spark.stop()
def shown(row):
    items = ((k, v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items())
    return repr(sorted(items))
count = digest = 0
for batch in open_dataset(sys.argv[1] + "/spark-clocks").to_batches():
    for r in batch.to_pylist():
        count += 1
        digest += int.from_bytes(hashlib.sha256(shown(r).encode()).digest()[:8], "big")
print(count, f"{digest % 2**64:016x}", f"{started:.1f}", f"{job:.2f}")
"""


def _tree_rss(root: int) -> int:
    """The summed RSS in bytes of `root` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def run(args: list[str]) -> tuple[float, int, str]:
    """Run a command; its wall time, the peak RSS of its process tree, its stdout."""
    env = dict(os.environ, PYTHONPATH=str(Path("src").resolve()))
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{err.decode()[-3000:]}")
    return wall, peak, out.decode()


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def measure(size: int, workdir: Path) -> dict[str, float]:
    """Run the steps at one size, printing each as it ends (a long run shows its progress)."""
    py = sys.executable
    history, out = workdir / f"history-{size}.jsonl", workdir / f"national-{size}"
    cli = [py, "-m", "pengaduan"]
    print(f"\n== {size:,} complaints ==", flush=True)
    sim_s, sim_rss, _ = run(
        [*cli, "simulate", "--complaints", str(size), "--years", "1", "--stream", "--out",
         str(history), "-q"]
    )  # fmt: skip
    events = sum(1 for _ in history.open(encoding="utf-8"))
    print(f"simulate --stream     {sim_s:8.1f} s   peak {mib(sim_rss)}   {events:,} events",
          flush=True)  # fmt: skip
    exp_s, exp_rss, _ = run(
        [*cli, "export", str(history), "--format", "parquet", "--out", str(out), "--viewer",
         "admin_national", "--as-of", AS_OF, "-q"]
    )  # fmt: skip
    print(
        f"export parquet        {exp_s:8.1f} s   peak {mib(exp_rss)}   "
        f"{size / exp_s:,.0f} complaints/s, {events / exp_s:,.0f} events/s",
        flush=True,
    )
    one_s, one_rss, one_out = run([py, "-c", LOCAL_EVAL, str(out), AS_OF])
    rows, digest = one_out.split()
    print(
        f"one process: replay+evaluate from Parquet {one_s:8.1f} s   peak {mib(one_rss)}   "
        f"{int(rows):,} clock cycles",
        flush=True,
    )
    spark_s, spark_rss, spark_out = run([py, "-c", SPARK_EVAL, str(out), AS_OF])
    spark_rows, spark_digest, started, job = spark_out.split()
    assert (rows, digest) == (spark_rows, spark_digest), "Spark and one process disagree"
    print(
        f"Spark local[2]: {spark_s:8.1f} s in all (session {float(started):.1f} s, job "
        f"{float(job):.1f} s)   peak {mib(spark_rss)} (JVM included)"
    )
    print(
        f"ratio Spark job / one process: {float(job) / one_s:.2f}  "
        f"(rows equal: {rows} rows, digest {digest})",
        flush=True,
    )
    return {"size": size, "export": exp_s, "one": one_s, "spark_job": float(job)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, help="keep the files here")
    options = parser.parse_args()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="bench-columnar-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = [measure(size, workdir) for size in options.sizes]
    last = results[-1]
    n = last["size"]
    target = 10_000_000
    print(f"\n== extrapolated to {target:,} complaints (linear, from {n:,}) ==")
    print(f"export parquet, one process: {last['export'] / n * target / 3600:.1f} h")
    print(f"evaluation, one process:     {last['one'] / n * target / 3600:.1f} h")
    per_core = last["spark_job"] * 2 / n  # core-seconds per complaint in local[2]
    for executors in (2, 16, 64, 256):
        print(
            f"Spark, {executors:>3} executor cores: {per_core * target / executors / 60:8.1f} min"
            " (same per-core throughput; shuffle and start-up extra)"
        )


if __name__ == "__main__":
    main()
