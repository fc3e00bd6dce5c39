"""The dashboard tests' world: a seeded Muara Enim regency in SQLite, and a real browser.

``python tests/web/dashboard/dashboard_world.py docs/images`` writes the screenshots of the docs
(``dashboard-*.png``) from this very world; the browser tests write the same into a tmp dir.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs

from pengaduan import codecs
from pengaduan.access import Viewer
from pengaduan.desk import Desk, TickReport
from pengaduan.escalation import DueAction
from pengaduan.model import Actor
from pengaduan.simulation import muara_enim, muara_enim_ladder, simulate
from pengaduan.testing import ManualClock, a_complaint
from pengaduan.web._config import WebConfig

WIB = ZoneInfo("Asia/Jakarta")
AS_OF = datetime(2027, 1, 6, 10, 0, tzinfo=WIB)
"""The dashboard's "now": the first Wednesday after the two simulated years."""

STAFF = Viewer.staff("admin_national")
UNIT_VIEWER = Viewer.staff("unit_operator", unit="dinas-pupr")

# Unit heads' WhatsApp numbers (made up); dishub has none, to show a row without a link.
DIRECTORY = {
    "dinas-pupr": "6281200000001",
    "dinas-kesehatan": "6281200000002",
    "rsud": "6281200000003",
    "disdukcapil": "6281200000004",
    "dinas-pendidikan": "6281200000005",
    "dlh": "6281200000006",
}

# Personal data the public (and staff who may not see it) must never find in a page.
SECRET_NAME = "Siti Rahmawati"
SECRET_PHONE = "081377712345"
CONFIDENTIAL_TITLE = "Dugaan pungli perizinan oleh oknum"
ANONYMOUS_TITLE = "Ancaman kepada pelapor jalan rusak"


def _at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    year, month, dom = (int(part) for part in day.split("-"))
    return datetime(year, month, dom, hour, minute, tzinfo=WIB)


# (id, submitted, dispatched, unit, title, anonymous, confidential)
_LATE = (
    (
        "LPR-2612-01",
        "2026-12-01",
        "2026-12-02",
        "dinas-pupr",
        "Jalan Lintas Sumatera amblas",
        False,
        False,
    ),
    ("LPR-2612-02", "2026-12-07", "2026-12-08", "dinas-pupr", ANONYMOUS_TITLE, True, False),
    (
        "LPR-2612-03",
        "2026-12-09",
        "2026-12-10",
        "rsud",
        "Antrean IGD lebih dari enam jam",
        False,
        False,
    ),
    (
        "LPR-2612-04",
        "2026-12-14",
        "2026-12-15",
        "dishub",
        "Lampu lalu lintas Simpang Belimbing mati",
        False,
        False,
    ),
    ("LPR-2612-05", "2026-12-16", "2026-12-17", "disdukcapil", CONFIDENTIAL_TITLE, False, True),
    (
        "LPR-2612-06",
        "2026-12-21",
        "2026-12-22",
        "dinas-kesehatan",
        "Stok obat puskesmas kosong",
        False,
        False,
    ),
    (
        "LPR-2701-07",
        "2027-01-04",
        "2027-01-05",
        "dlh",
        "Sampah menumpuk di Pasar Inpres",
        False,
        False,
    ),
)


@attrs.frozen
class World:
    """The regency: its desk, the dashboard's config, and what the last tick sent."""

    desk: Desk
    config: WebConfig
    path: Path
    tick: TickReport

    def messages(self, complaint_id: str) -> list[DueAction]:
        """The messages the tick at `AS_OF` sent about a complaint, highest level first."""
        sent = [a for a in self.tick.actions if a.complaint == complaint_id and a.message]
        return sorted(sent, key=lambda a: -a.level)


def build_world(path: Path, *, seed: int = 1) -> World:
    """The regency's desk on a SQLite file at `path`, ticked as of `AS_OF`, and its config."""
    scenario = muara_enim()
    ladder = muara_enim_ladder()
    history = simulate(scenario, seed=seed)
    clock = ManualClock(AS_OF)
    desk = Desk.open(path, policy=ladder.policy, ladder=ladder, clock=clock)
    by_complaint: dict[str, list] = {}
    for event in history.events:
        by_complaint.setdefault(event.complaint, []).append(event)
    for complaint_id, events in by_complaint.items():
        desk.store.append(complaint_id, events)
    workflow = desk.workflow
    for cid, submitted, dispatched, unit, title, anonymous, confidential in _LATE:
        reporter = Actor(f"warga-{cid[-2:]}", "reporter")
        data = {}
        if anonymous or cid.endswith("01"):
            data["reporter"] = {"name": SECRET_NAME, "phone": SECRET_PHONE}
        built = (
            a_complaint(cid, workflow=workflow, reporter=reporter)
            .submitted(
                at=_at(submitted, 8, 12),
                title=title,
                body=f"{title}. Mohon segera ditangani (hubungi {SECRET_PHONE}).",
                channel="whatsapp",
                anonymous=anonymous,
                confidential=confidential,
                **data,
            )
            .verified(at=_at(submitted, 13, 40))
            .dispatched(at=_at(dispatched, 10, 5), to=unit)
        )
        desk.store.append(cid, list(built.complaint.events))
    report = desk.tick(AS_OF)
    config = WebConfig(
        desk=desk,
        directory=DIRECTORY,
        reminders_since=scenario.reminders.since.date() if scenario.reminders else None,
    )
    return World(desk, config, path, report)


def ladder_file(desk: Desk, folder: Path) -> Path:
    """The desk's ladder as JSON, for the command line's ``--ladder``."""
    path = folder / "ladder.json"
    path.write_text(codecs.dumps(desk.ladder), encoding="utf-8")
    return path


def with_viewer(config: WebConfig, viewer: Viewer | None) -> WebConfig:
    """The config with a host hook that always answers `viewer`."""
    return attrs.evolve(config, viewer=None if viewer is None else (lambda _request: viewer))


# -- a real server and a real browser --------------------------------------------------------


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", http="h11", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def chromium() -> str | None:
    """The Chromium executable, if installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@attrs.frozen
class Loaded:
    """What the browser made of a page: its DOM after load, and its console errors."""

    dom: str
    console: tuple[str, ...]


def _run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium is not installed")
    profile.mkdir(parents=True, exist_ok=True)
    # A fresh profile per run: nothing cached, every asset fetched again.
    with tempfile.TemporaryDirectory(dir=profile) as fresh:
        return _chromium_in(exe, args, Path(fresh))


def _chromium_in(exe: str, args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console(stderr: str) -> tuple[str, ...]:
    # Chromium logs a page's console messages as "...:CONSOLE(line)] "text", source: url".
    return tuple(line for line in stderr.splitlines() if "CONSOLE" in line)


def load(url: str, profile: Path) -> Loaded:
    """Load `url` in headless Chromium; the DOM it rendered and the console messages."""
    done = _run_chromium(["--dump-dom", url], profile)
    if done.returncode != 0:
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return Loaded(done.stdout, _console(done.stderr))


def screenshot(url: str, target: Path, profile: Path, *, width: int = 1280, height: int) -> Path:
    """A PNG of `url` at `width` x `height` CSS pixels."""
    done = _run_chromium(
        [f"--screenshot={target}", f"--window-size={width},{height}", url], profile
    )
    if done.returncode != 0 or not target.exists():
        raise RuntimeError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
    return target


# The pages of the docs: (file, path, viewer, window height).
SHOTS = (
    ("dashboard-overview.png", "/", STAFF, 2290),
    ("dashboard-overview-en.png", "/?lang=en", STAFF, 1010),
    ("dashboard-complaint.png", "/complaints/LPR-2612-01", STAFF, 1370),
    ("dashboard-public.png", "/", None, 1250),
)


def write_screenshots(folder: Path, work: Path) -> list[Path]:
    """Build the world in `work`, serve it per viewer and write every screenshot to `folder`."""
    from starlette.applications import Starlette

    from pengaduan.web._dashboard import dashboard_routes

    world = build_world(work / "regency.sqlite")
    written = []
    try:
        for name, path, viewer, height in SHOTS:
            app = Starlette(routes=dashboard_routes(with_viewer(world.config, viewer)))
            with serving(app) as base:
                written.append(
                    screenshot(base + path, folder / name, work / "profile", height=height)
                )
    finally:
        world.desk.store.close()
    return written


if __name__ == "__main__":  # pragma: no cover - the docs' screenshots, by hand
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for shot in write_screenshots(out, Path(tmp)):
            print(shot)
    os._exit(0)


# -- reading the pages back -------------------------------------------------------------------


@attrs.frozen
class PageRow:
    """One row of the overdue or soon-due table, as the page has it."""

    complaint: str
    clock: str
    cells: tuple[str, ...]
    whatsapp: str | None


_ROW = re.compile(r'<tr data-complaint="([^"]*)" data-clock="([^"]*)">(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAG = re.compile(r"<[^>]+>")
_WA = re.compile(r'<a class="wa" href="([^"]*)"')


def _plain(fragment: str) -> str:
    return html.unescape(" ".join(_TAG.sub(" ", fragment).split()))


def section(page: str, name: str) -> str:
    """The HTML of ``<section id=name>`` (empty when the page has none)."""
    start = page.find(f'<section id="{name}"')
    if start < 0:
        return ""
    return page[start : page.index("</section>", start)]


def page_rows(page: str, name: str) -> list[PageRow]:
    """The rows of the ``overdue`` or ``soon`` section, in page order."""
    out = []
    for complaint, clock, body in _ROW.findall(section(page, name)):
        link = _WA.search(body)
        out.append(
            PageRow(
                html.unescape(complaint),
                html.unescape(clock),
                tuple(_plain(cell) for cell in _CELL.findall(body)),
                html.unescape(link.group(1)) if link else None,
            )
        )
    return out


def page_text(page: str) -> str:
    """The page's visible text, tags stripped and entities decoded."""
    return _plain(page)
