"""The web app of a desk: Open311 GeoReport v2 and the dashboard, mountable (the ``web`` extra).

`create_app` builds one ASGI application (Starlette) from a `pengaduan.desk.Desk`: the Open311
GeoReport v2 endpoint under ``/open311/v2/`` (services, service definitions, requests with
their filters and paging, ``POST requests`` behind an API key, tokens; JSON and XML; the
specification's errors) and the staff dashboard at ``/``. A host mounts it under a prefix and
keeps its own authentication: a `ViewerHook` tells the app who each request comes from, and
without one every request is the public's. ``pengaduan serve`` runs it with uvicorn.

Every answer is redacted for its viewer by `pengaduan.access`: the public never sees a
confidential (*rahasia*) complaint nor anything of an anonymous reporter.

```pycon
>>> from datetime import datetime, timezone
>>> from starlette.testclient import TestClient
>>> from pengaduan import Actor, Desk
>>> from pengaduan.store import InMemoryStore
>>> from pengaduan.testing import ManualClock
>>> from pengaduan.presets import lapor_workflow
>>> desk = Desk(
...     InMemoryStore(workflow=lapor_workflow()),
...     clock=ManualClock(datetime(2026, 3, 2, 2, tzinfo=timezone.utc)),
... )
>>> _ = desk.submit(Actor("warga-17", "reporter"),
...                 {"title": "Jalan rusak", "body": "Lubang besar", "channel": "web",
...                  "reporter": {"name": "Siti", "phone": "0812555"}}, complaint_id="C-1")
>>> _ = desk.act("C-1", "verify", Actor("adm", "admin_agency"), {"classification": "pengaduan"})
>>> client = TestClient(create_app(desk, api_key="rahasia-app"))
>>> [r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()]
['C-1']
>>> "Siti" in client.get("/open311/v2/requests/C-1.xml").text
False
>>> response = client.post("/open311/v2/requests.json", data={"api_key": "wrong"})
>>> response.status_code, response.json()
(403, [{'code': 403, 'description': 'missing or invalid api_key: cannot create the request'}])

```
"""

from __future__ import annotations

from pengaduan.web._app import create_app
from pengaduan.web._config import ViewerHook, WebConfig

__all__ = ["ViewerHook", "WebConfig", "create_app"]
