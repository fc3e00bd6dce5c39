"""The regent's dashboard: server-rendered pages over a desk, for the host to mount.

`dashboard_routes` gives the routes (relative to the dashboard's root):

- ``/``: for staff viewers, the overdue complaints by unit (most late first: clock, deadline,
  time over, escalation level reached, a "remind on WhatsApp" link to the unit head with the
  ladder's own message) and those due soon; for everyone, the follow-up trend (monthly mean,
  with the day the reminders were switched on) and compliance per unit over the complaints the
  viewer may see. The public (no viewer hook, or the hook says ``None``) and reporters get
  these aggregate figures only and a note that the staff view needs signing in.
- ``/complaints/{id}``: a complaint's facts as the viewer may see them, its clocks, the clock
  timeline and its history (staff only; the public and reporters get 403, a complaint the
  viewer may not see is a 404 like an unknown one).
- ``/static/``: the stylesheet.

Bahasa Indonesia first (`WebConfig.language`), English with ``?lang=en``. Pages carry no
script, and a Content-Security-Policy that allows none.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, tzinfo
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from pengaduan.access import Viewer
from pengaduan.exceptions import NotVisibleError, UnknownComplaintError
from pengaduan.sla import evaluate
from pengaduan.web._config import WebConfig, viewer_of
from pengaduan.web._dashboard_data import board
from pengaduan.web._dashboard_html import complaint_page, message_page, overview_page, text

__all__ = ["LANGUAGES", "dashboard_routes"]

LANGUAGES = ("id", "en")
"""The languages the pages come in (``?lang=``)."""

STATIC = Path(__file__).with_name("static")

_HEADERS = {
    # Nothing runs on these pages; styles come from the dashboard's own stylesheet only.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    # A WhatsApp link opened from a complaint page must not carry its address along.
    "Referrer-Policy": "no-referrer",
    # Staff pages hold complaints: no shared cache keeps them.
    "Cache-Control": "no-store",
}


def _page(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=_HEADERS)


def _default(config: WebConfig) -> str:
    return config.language if config.language in LANGUAGES else "id"


def _language(config: WebConfig, request: Request) -> str | None:
    """The page's language: ``?lang=`` or the config's; ``None`` for an unknown one."""
    asked = request.query_params.get("lang")
    if asked is None:
        return _default(config)
    return asked if asked in LANGUAGES else None


def _bad_language(config: WebConfig, request: Request, root: str) -> HTMLResponse:
    language = _default(config)
    asked = request.query_params.get("lang", "")
    return _page(
        message_page(
            text(language, "bad_lang", lang=repr(asked[:20])),
            title=text(language, "app"),
            language=language,
            default=language,
            root=root,
        ),
        400,
    )


def _zone(config: WebConfig) -> tzinfo:
    """The zone pages show instants in: the first clock's calendar's (UTC without clocks)."""
    clocks = config.desk.policy.clocks
    return clocks[0].calendar.tz if clocks else UTC


def dashboard_routes(config: WebConfig) -> list[BaseRoute]:
    """The dashboard's routes, to mount at the dashboard's root (e.g. ``/``).

    Args:
        config: What the dashboard serves from: the desk, the host's viewer hook, the
            directory of unit heads' WhatsApp numbers, the day reminders were switched on and
            the default language.

    Returns:
        ``/`` (the overview), ``/complaints/{complaint_id}`` and ``/static`` (the stylesheet).
    """
    desk = config.desk
    default = _default(config)
    labels = {
        clock.name: {"id": clock.label or clock.name, "en": clock.label_en or clock.name}
        for clock in desk.policy.clocks
    }

    async def overview(request: Request) -> Response:
        language = _language(config, request)
        if language is None:
            return _bad_language(config, request, "./")
        viewer = await viewer_of(config, request)
        as_of = desk.now()
        found = await asyncio.to_thread(
            board, desk, viewer, as_of, language=language, directory=config.directory
        )
        return _page(
            overview_page(
                found,
                labels={name: label[language] for name, label in labels.items()},
                tz=_zone(config),
                since=config.reminders_since,
                language=language,
                default=default,
            )
        )

    async def complaint(request: Request) -> Response:
        language = _language(config, request)
        if language is None:
            return _bad_language(config, request, "../")
        viewer: Viewer = await viewer_of(config, request)
        title = text(language, "app")
        if viewer.role is None or viewer.role in desk.workflow.owner_roles:
            return _page(
                message_page(
                    text(language, "forbidden"),
                    title=title,
                    language=language,
                    default=default,
                    root="../",
                ),
                403,
            )
        complaint_id = request.path_params["complaint_id"]
        as_of = desk.now()
        try:
            seen = await asyncio.to_thread(desk.get, complaint_id, viewer)
        except (UnknownComplaintError, NotVisibleError):
            # One answer for both: a hidden complaint's existence is not told either.
            return _page(
                message_page(
                    text(language, "not_found", id=complaint_id[:80]),
                    title=title,
                    language=language,
                    default=default,
                    root="../",
                ),
                404,
            )
        evaluation = evaluate(seen, as_of=as_of, policy=desk.policy)
        return _page(
            complaint_page(
                seen,
                evaluation,
                evaluation.explain(),
                workflow=desk.workflow,
                tz=_zone(config),
                language=language,
                default=default,
            )
        )

    return [
        Route("/", overview, methods=["GET"], name="dashboard"),
        Route(
            "/complaints/{complaint_id}",
            complaint,
            methods=["GET"],
            name="dashboard_complaint",
        ),
        Mount("/static", app=StaticFiles(directory=STATIC), name="dashboard_static"),
    ]
