"""The dashboard in a real browser: headless Chromium against uvicorn on 127.0.0.1.

Skipped only when Chromium is missing and ``PENGADUAN_REQUIRE_BROWSER`` is unset (CI sets it and
installs Chromium, so there a missing browser fails). Screenshots go to a tmp dir; set
``PENGADUAN_DASHBOARD_SCREENSHOTS=docs/images`` to write the docs' copies too (or run
``python tests/web/dashboard/dashboard_world.py docs/images``).
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dashboard_world import (
    AS_OF,
    CONFIDENTIAL_TITLE,
    SECRET_NAME,
    SECRET_PHONE,
    SHOTS,
    STAFF,
    World,
    chromium,
    ladder_file,
    load,
    page_rows,
    screenshot,
    serving,
    with_viewer,
)
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pengaduan._cli import main
from pengaduan.web._dashboard import dashboard_routes

pytest.importorskip("uvicorn")

if chromium() is None:
    if os.environ.get("PENGADUAN_REQUIRE_BROWSER"):
        pytest.fail(
            "PENGADUAN_REQUIRE_BROWSER is set but chromium is not installed "
            "(apt-get install -y chromium)",
            pytrace=False,
        )
    pytest.skip("chromium is not installed", allow_module_level=True)


class Recorder:
    """ASGI middleware that notes the path and status of every request the browser makes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[tuple[str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def noting(message: dict) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((path, message["status"]))
            await send(message)

        await self.app(scope, receive, noting)


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


def _served(world: World, viewer) -> tuple[Recorder, Starlette]:
    app = Starlette(routes=dashboard_routes(with_viewer(world.config, viewer)))
    return Recorder(app), app


@pytest.fixture(scope="module")
def staff_site(world: World) -> Iterator[tuple[str, Recorder]]:
    recorder, _app = _served(world, STAFF)
    with serving(recorder) as base:
        yield base, recorder


@pytest.fixture(scope="module")
def public_site(world: World) -> Iterator[tuple[str, Recorder]]:
    recorder, _app = _served(world, None)
    with serving(recorder) as base:
        yield base, recorder


def test_the_console_check_catches_a_page_error(profile):
    # The detector itself: a script's error, and a style the page's CSP refuses, are caught.
    async def failing(_request):
        return HTMLResponse("<html><body>x<script>console.error('boom')</script></body></html>")

    async def refused(_request):
        return HTMLResponse(
            "<html><body style='color:red'>x</body></html>",
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'self'"},
        )

    app = Starlette(routes=[Route("/failing", failing), Route("/refused", refused)])
    with serving(app) as base:
        assert any("boom" in line for line in load(base + "/failing", profile).console)
        csp = load(base + "/refused", profile).console
    assert any("Content Security Policy" in line for line in csp)


@pytest.mark.parametrize(
    "path", ["/", "/?lang=en", "/complaints/LPR-2612-01", "/complaints/LPR-2612-02?lang=en"]
)
def test_staff_pages_load_without_console_errors_and_every_asset_loads(staff_site, profile, path):
    base, recorder = staff_site
    before = len(recorder.seen)
    loaded = load(base + path, profile)
    assert loaded.console == ()
    assert "</html>" in loaded.dom
    fetched = recorder.seen[before:]
    assert ("/static/dashboard.css", 200) in fetched
    assert all(status == 200 for _path, status in fetched), fetched


def test_under_a_prefix_the_page_loads_its_stylesheet_from_the_prefix(world, profile):
    from starlette.routing import Mount

    inner = Starlette(routes=dashboard_routes(with_viewer(world.config, STAFF)))
    recorder = Recorder(Starlette(routes=[Mount("/dasbor", app=inner)]))
    with serving(recorder) as base:
        loaded = load(base + "/dasbor/complaints/LPR-2612-01", profile)
    assert loaded.console == ()
    assert ("/dasbor/static/dashboard.css", 200) in recorder.seen
    assert all(status == 200 for _path, status in recorder.seen), recorder.seen


def test_the_browsers_overdue_table_lists_what_pengaduan_list_overdue_lists(
    world, staff_site, profile, tmp_path, capsys
):
    base, _recorder = staff_site
    dom = load(base + "/", profile).dom
    code = main(
        [
            "list",
            "--db",
            str(world.path),
            "--overdue",
            "--include-confidential",
            "--as-of",
            AS_OF.isoformat(),
            "--ladder",
            str(ladder_file(world.desk, tmp_path)),
            "--limit",
            "10000",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    listed = [row["id"] for row in json.loads(out)]
    assert listed
    assert {row.complaint for row in page_rows(dom, "overdue")} == set(listed)


def test_the_whatsapp_links_in_the_browser_carry_the_message(world, staff_site, profile):
    base, _recorder = staff_site
    rows = [r for r in page_rows(load(base + "/", profile).dom, "overdue") if r.whatsapp]
    assert rows
    for row in rows:
        parts = urlsplit(row.whatsapp)
        assert parts.netloc == "wa.me"
        assert parse_qs(parts.query)["text"][0] == world.messages(row.complaint)[0].message


def test_a_public_viewer_sees_no_personal_data_in_the_browser(world, public_site, profile):
    base, _recorder = public_site
    dom = load(base + "/", profile).dom
    assert load(base + "/", profile).console == ()
    forbidden = load(base + "/complaints/LPR-2612-02", profile).dom
    for page in (dom, forbidden):
        assert SECRET_NAME not in page
        assert SECRET_PHONE not in page
        assert CONFIDENTIAL_TITLE not in page
        for complaint in world.desk.store.complaints():
            assert complaint.facts is None or complaint.facts.title not in page
    assert "LPR-" not in dom
    assert "wa.me" not in dom


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_screenshot_of_each_page_is_written(world, tmp_path, profile):
    folders = [tmp_path]
    docs = os.environ.get("PENGADUAN_DASHBOARD_SCREENSHOTS")
    if docs:
        folders.append(Path(docs))
    for name, path, viewer, height in SHOTS:
        recorder, _app = _served(world, viewer)
        with serving(recorder) as base:
            for folder in folders:
                shot = screenshot(base + path, folder / name, profile, height=height)
                assert _png_size(shot) == (1280, height)
                assert shot.stat().st_size > 20_000  # a page, not a blank window
