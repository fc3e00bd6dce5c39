"""The web app: Open311 under ``/open311/v2`` and the dashboard at ``/``, from one config."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from pengaduan.desk import Desk
from pengaduan.exceptions import MissingExtraError
from pengaduan.web._config import ViewerHook, WebConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

OPEN311_PATH = "/open311/v2"
"""Where the Open311 GeoReport v2 endpoint is mounted inside the app."""


_DASHBOARD = "pengaduan.web._dashboard"


def _dashboard(config: WebConfig) -> list[BaseRoute]:
    """The dashboard's routes (`pengaduan.web._dashboard.dashboard_routes`), if it is built."""
    try:
        module = importlib.import_module(_DASHBOARD)
    except ModuleNotFoundError as error:  # a build without the dashboard: Open311 only
        if error.name != _DASHBOARD:
            raise
        return []
    routes: list[BaseRoute] = list(module.dashboard_routes(config))
    return routes


def app_of(config: WebConfig) -> Starlette:
    """The app of `config` (what `create_app` builds from its arguments).

    Raises:
        MissingExtraError: If Starlette (the ``web`` extra) is not installed.
    """
    try:
        from starlette.applications import Starlette
        from starlette.routing import Mount
    except ImportError:
        raise MissingExtraError("pengaduan.web.create_app", "web") from None
    from pengaduan.web._open311 import open311_app

    routes = [Mount(OPEN311_PATH, app=open311_app(config)), *_dashboard(config)]
    app = Starlette(routes=routes)
    app.state.config = config
    return app


def create_app(
    desk: Desk,
    *,
    viewer: ViewerHook | None = None,
    api_key: str | None = None,
    directory: Mapping[str, str] | None = None,
    jurisdiction_id: str | None = None,
    reminders_since: date | None = None,
    language: str = "id",
    categories: Mapping[str, str] | None = None,
) -> Starlette:
    """The ASGI app of a desk: Open311 GeoReport v2 under ``/open311/v2``, the dashboard at ``/``.

    Mount it in a Starlette or FastAPI host under any prefix. Authentication stays the
    host's: `viewer` gets each request and answers who is asking (a `pengaduan.access.Viewer`,
    sync or async); without it every request is the public's, which sees no confidential
    complaint and no reporter's details.

    Args:
        desk: The desk the app reads and writes through.
        viewer: The host's hook: the viewer of a request, or ``None`` for the public.
        api_key: The key ``POST requests`` needs; without it no request can be created.
        directory: WhatsApp numbers of agency heads by unit (for the dashboard's links).
        jurisdiction_id: The Open311 jurisdiction served; a request naming another gets 404.
        reminders_since: The day reminders were switched on (marked on the trend chart).
        language: ``"id"`` (Bahasa Indonesia, the default) or ``"en"``.
        categories: Categories (id to name) offered as Open311 services besides the
            classifications.

    Returns:
        A Starlette application (its ``state.config`` is the `WebConfig` it serves).

    Raises:
        MissingExtraError: If the ``web`` extra (Starlette) is not installed.
        ValueError: If a category's code cannot be a service code (see `categories`).
    """
    config = WebConfig(
        desk,
        viewer=viewer,
        api_key=api_key,
        directory=dict(directory or {}),
        jurisdiction_id=jurisdiction_id,
        reminders_since=reminders_since,
        language=language,
        categories=dict(categories or {}),
    )
    return app_of(config)
