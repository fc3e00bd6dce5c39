"""What the web app is built from: a desk, the host's viewer hook and its directories.

Both faces of the app (the Open311 endpoint and the dashboard) read one `WebConfig`; the
host builds it once and `pengaduan.web.create_app` mounts both.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING

import attrs

from pengaduan.access import PUBLIC, Viewer
from pengaduan.desk import Desk

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["ViewerHook", "WebConfig", "viewer_of"]

ViewerHook = Callable[["Request"], "Viewer | Awaitable[Viewer | None] | None"]
"""The host's authentication, as one function: who is asking (``None``: the public)."""


@attrs.frozen
class WebConfig:
    """Everything the web app serves from.

    Attributes:
        desk: The desk the app reads and writes through (its store, definitions, clock).
        viewer: The host's hook: the `Viewer` of a request (sync or async), or ``None`` for
            the public. Without a hook every request is the public's.
        api_key: The key ``POST requests`` needs (Open311's ``api_key`` parameter); ``None``
            disables creating requests.
        directory: WhatsApp numbers of agency heads by unit (digits with country code, e.g.
            ``"62812..."``); a unit missing here gets no "remind" link.
        jurisdiction_id: The Open311 jurisdiction this endpoint serves, if it names one.
        reminders_since: The day the escalation reminders were switched on, marked on the
            follow-up trend chart.
        language: ``"id"`` (Bahasa Indonesia, the default) or ``"en"``.
        categories: Categories (a category id, as submitted in ``category``, to its name)
            that Open311 offers as services besides the workflow's classifications.
    """

    desk: Desk
    viewer: ViewerHook | None = None
    api_key: str | None = attrs.field(default=None, repr=False)
    directory: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    jurisdiction_id: str | None = None
    reminders_since: date | None = None
    language: str = "id"
    categories: Mapping[str, str] = attrs.field(factory=dict)


async def viewer_of(config: WebConfig, request: Request) -> Viewer:
    """The viewer of `request`: the host hook's answer, or the public."""
    if config.viewer is None:
        return PUBLIC
    found = config.viewer(request)
    if inspect.isawaitable(found):
        found = await found
    return PUBLIC if found is None else found
