"""``pengaduan serve``: the web app over a store, with uvicorn, in a process of its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pengaduan import Desk
from pengaduan._cli import main
from pengaduan._cli._serve import _listening, is_loopback
from pengaduan.testing import ManualClock

from .conftest import NOW, fill, free_port

SRC = Path(__file__).parents[2] / "src"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "pengaduan.sqlite"
    desk = Desk.open(path, clock=ManualClock(NOW))
    fill(desk)
    desk.store.close()
    return path


class _Process:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        environment = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pengaduan", "serve", "--port", str(self.port), *args],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("services.json")
                return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"serve did not start: {self.process.stderr}") from None
                time.sleep(0.1)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/{path}"

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.url(path), timeout=10) as response:
            return json.load(response)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, object]:
        data = urllib.parse.urlencode(form).encode()
        try:
            with urllib.request.urlopen(self.url(path), data=data, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def serve(store: Path) -> Iterator[type[_Process]]:
    started: list[_Process] = []

    class Started(_Process):
        def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
            super().__init__("--db", str(store), *args, env=env)
            started.append(self)

    yield Started
    for process in started:
        process.stop()


def _ids(records: object) -> list[str]:
    assert isinstance(records, list)
    return [record["service_request_id"] for record in records]


def test_serve_answers_open311_for_the_public_and_creates_with_the_key(
    serve: type[_Process],
) -> None:
    server = serve(env={"PENGADUAN_API_KEY": "kunci-env"})
    window = "requests.json?start_date=2026-03-01T00:00:00Z&end_date=2026-03-20T00:00:00Z"
    assert _ids(server.get(window)) == ["C-ANON", "C-DONE", "C-PUB"]
    form = {"service_code": "pengaduan", "address_string": "Pasar", "api_key": "salah"}
    assert server.post("requests.json", form)[0] == 403
    status, body = server.post("requests.json", {**form, "api_key": "kunci-env"})
    assert status == 201
    assert _ids(body)[0].startswith("C-")


def test_serve_staff_on_the_loopback_shows_every_complaint(serve: type[_Process]) -> None:
    server = serve("--staff", "--host", "127.0.0.1")
    window = "requests.json?start_date=2026-03-01T00:00:00Z&end_date=2026-03-20T00:00:00Z"
    assert "C-RAHASIA" in _ids(server.get(window))
    status, _body = server.post("requests.json", {"service_code": "pengaduan", "lat": "1"})
    assert status == 403  # no key given: nothing can be created


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.org", "::"])
def test_staff_is_refused_off_the_loopback_without_a_traceback(
    store: Path, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(store), "--staff", "--host", host]) == 2
    err = capsys.readouterr().err
    assert "--staff" in err
    assert "loopback" in err
    assert "Traceback" not in err


def test_a_missing_store_is_refused_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "none.sqlite")]) == 2
    assert "pengaduan demo --db" in capsys.readouterr().err


def test_a_bad_port_is_a_usage_error(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--db", str(store), "--port", "70000"])
    assert exited.value.code == 2
    assert "port" in capsys.readouterr().err


def test_a_port_in_use_is_one_line_and_exit_2_before_serving_is_announced(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # uvicorn logged "[Errno 98] error while attempting to bind" and exited with 3, after
    # "serving ... at" had been printed.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--db", str(store), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "another server uses that port: pass --port" in err
    assert "serving" not in err
    assert "Traceback" not in err


def test_serve_listens_on_a_bracketed_ipv6_loopback(store: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        listening = _listening("[::1]", 0)
    except OSError as error:
        pytest.skip(f"::1 cannot be bound here: {error}")
    with listening:
        assert listening.family == socket.AF_INET6
        assert listening.getsockname()[0] == "::1"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.1", False),
        ("localhost.example.org", False),
    ],
)
def test_which_hosts_are_the_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
