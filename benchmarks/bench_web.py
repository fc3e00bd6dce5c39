"""A load test of the Open311 endpoint: concurrent POST and GET requests on 127.0.0.1.

Run:  .venv/bin/python benchmarks/bench_web.py [--clients 8] [--requests 60] [--seconds 60]

``pengaduan serve`` runs in a subprocess over a fresh SQLite store holding ``--complaints``
published complaints. ``--clients`` threads (each with its own keep-alive connection) send up
to ``--requests`` requests each, within ``--seconds``: half ``POST requests.json`` (each with
its own Idempotency-Key; every fourth one is sent twice, as a client retrying after a lost
answer would) and half ``GET requests.json?page_size=50``. Afterwards the store is read back:
every acknowledged submission must be there exactly once (none lost, none doubled, a retry
answered with the first one's id), and no answer may be a 5xx.

The limit it is measured against, in the same run and interleaved: the same GETs against a
bare Starlette app on the same uvicorn that returns the very bytes of one page (the floor of
the stack: HTTP, the event loop, JSON bytes, without pengaduan). Printed: requests per second
and p50/p95/p99 latency per kind, and the ratio of GET throughput to the floor's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pengaduan import Actor, Desk

SRC = Path(__file__).parents[1] / "src"
API_KEY = "bench-key"
ADMIN = Actor("adm", "admin_agency")
GET_PATH = "/open311/v2/requests.json?page_size=50"

FLOOR_APP = textwrap.dedent(
    """
    import os, sys
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = open(sys.argv[2], "rb").read()

    async def page(request):
        return Response(body, media_type="application/json; charset=utf-8")

    app = Starlette(routes=[Route("/open311/v2/requests.json", page)])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
    """
)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prefill(path: Path, count: int) -> None:
    desk = Desk.open(path, backoff=0)
    now = datetime.now(UTC)  # the served desk reads the wall clock: stay in its 90 days
    try:
        for index in range(count):
            at = now - timedelta(days=5, minutes=index)
            complaint_id = f"B-{index:05d}"
            desk.submit(
                Actor(f"warga-{index}", "reporter"),
                {
                    "title": "Jalan rusak",
                    "body": "Lubang di jalan desa",
                    "channel": "web",
                    "reporter": {"name": "Siti", "phone": "0812"},
                    "location": {"village": "Karang Raja", "latitude": -3.7, "longitude": 103.8},
                },
                complaint_id=complaint_id,
                at=at,
            )
            desk.act(
                complaint_id,
                "verify",
                ADMIN,
                {"classification": "pengaduan"},
                at=at + timedelta(hours=1),
            )
    finally:
        desk.store.close()


def wait_until_up(port: int, path: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"the server exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


@dataclass
class Tally:
    post: list[float] = field(default_factory=list)
    get: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> service_request_id
    retried: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _timed(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    return time.perf_counter() - start, response.status, data


def client(index: int, port: int, floor_port: int, count: int, until: float, tally: Tally) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    floor = http.client.HTTPConnection("127.0.0.1", floor_port, timeout=60)
    form = {
        "api_key": API_KEY,
        "service_code": "pengaduan",
        "lat": "-3.7",
        "long": "103.8",
        "first_name": "Budi",
        "description": "Lampu jalan padam",
    }
    body = urllib.parse.urlencode(form).encode()
    for step in range(count):
        if time.monotonic() > until:
            break
        if step % 2 == 0:
            key = f"bench-{index}-{step}"
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": key,
            }
            sends = 2 if step % 8 == 0 else 1  # every fourth POST is retried
            ids = set()
            for _ in range(sends):
                elapsed, status, data = _timed(
                    connection, "POST", "/open311/v2/requests.json", body, headers
                )
                with tally.lock:
                    tally.post.append(elapsed)
                if status not in (200, 201):
                    with tally.lock:
                        tally.failures.append(f"POST {status}: {data[:200]!r}")
                    break
                ids.add(json.loads(data)[0]["service_request_id"])
            with tally.lock:
                tally.retried += sends - 1
                if len(ids) != 1:
                    tally.failures.append(f"key {key} answered with ids {sorted(ids)}")
                elif ids:
                    tally.acknowledged[key] = ids.pop()
        else:
            # Ours, then the floor's, interleaved: both meet the same moment of the run.
            elapsed, status, data = _timed(connection, "GET", GET_PATH)
            floor_elapsed, floor_status, _ = _timed(floor, "GET", "/open311/v2/requests.json")
            with tally.lock:
                tally.get.append(elapsed)
                tally.floor.append(floor_elapsed)
                if status != 200 or floor_status != 200:
                    tally.failures.append(f"GET {status} / floor {floor_status}")
    connection.close()
    floor.close()


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    p50, p95, p99 = (cuts[i] * 1000 for i in (49, 94, 98))
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=60, help="requests per client")
    parser.add_argument("--seconds", type=float, default=60.0, help="time bound of the run")
    parser.add_argument("--complaints", type=int, default=200, help="published beforehand")
    args = parser.parse_args()
    if not (1 <= args.clients <= 64 and 1 <= args.requests <= 10_000):
        parser.error("--clients 1..64 and --requests 1..10000")

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.sqlite"
        prefill(store, args.complaints)
        port, floor_port = free_port(), free_port()
        env = {**os.environ, "PYTHONPATH": str(SRC), "PENGADUAN_API_KEY": API_KEY}
        server = subprocess.Popen(
            [sys.executable, "-m", "pengaduan", "serve", "--db", str(store), "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        floor_server: subprocess.Popen[bytes] | None = None
        try:
            wait_until_up(port, GET_PATH, server)
            page = Path(folder) / "page.json"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", GET_PATH)
            page.write_bytes(connection.getresponse().read())
            connection.close()
            floor_server = subprocess.Popen(
                [sys.executable, "-c", FLOOR_APP, str(floor_port), str(page)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            wait_until_up(floor_port, "/open311/v2/requests.json", floor_server)
            tally = Tally()
            until = time.monotonic() + args.seconds
            threads = [
                threading.Thread(
                    target=client, args=(i, port, floor_port, args.requests, until, tally)
                )
                for i in range(args.clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            for process in (server, floor_server):
                if process is not None:
                    process.terminate()
                    process.wait(20)

        # Read the store back: each acknowledged key is one complaint, and nothing else came.
        desk = Desk.open(store)
        try:
            submitted = []
            after = None
            while True:
                rows = desk.store.rows(channel="connected_app", limit=500, after=after)
                submitted.extend(row.id for row in rows.rows)
                if rows.next_after is None:
                    break
                after = rows.next_after
            versions = {cid: desk.store.load(cid).version for cid in submitted}
        finally:
            desk.store.close()
    acknowledged = set(tally.acknowledged.values())
    lost = acknowledged - set(submitted)
    extra = set(submitted) - acknowledged
    doubled = [cid for cid, version in versions.items() if version != 1]
    same_page = len(tally.get) == len(tally.floor)

    total = len(tally.post) + len(tally.get)
    print(f"pengaduan serve on 127.0.0.1, SQLite, {args.complaints} published complaints")
    print(
        f"{args.clients} clients, {total} requests to pengaduan in {wall:.1f} s "
        f"(+ {len(tally.floor)} to the floor app, interleaved)"
    )
    print(f"  all requests  {total / wall:8.1f} req/s (with the floor's share of the time)")
    print(f"  POST requests {len(tally.post):5d}  {percentiles(tally.post)}")
    print(f"  GET requests  {len(tally.get):5d}  {percentiles(tally.get)}")
    print(f"  GET floor     {len(tally.floor):5d}  {percentiles(tally.floor)}")
    if tally.get and tally.floor:
        ratio = statistics.median(tally.get) / statistics.median(tally.floor)
        print(f"  median GET latency: {ratio:.1f}x the floor's (same bytes, no pengaduan)")
    print(
        f"submissions acknowledged {len(acknowledged)} (+{tally.retried} retries answered "
        f"with the first id); in the store {len(submitted)}; lost {len(lost)}; "
        f"unacknowledged extra {len(extra)}; doubled {len(doubled)}"
    )
    ok = not (lost or extra or doubled or tally.failures) and same_page
    for failure in tally.failures[:10]:
        print("FAILURE:", failure)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
