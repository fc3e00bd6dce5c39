"""Open311 GeoReport v2, served from a desk (see ``docs/serving.md``).

The routes follow the specification (wiki.open311.org/GeoReport_v2): every resource in
``.json`` and ``.xml``, errors as a list of ``code``/``description`` with 400 for bad input,
403 for a missing or wrong ``api_key`` and 404 for what does not exist (or what the viewer may
not see: the two are not told apart). Service requests are projected by
`pengaduan.open311.service_request`, for the request's viewer (the public unless the host's
hook names another), so that a public listing never holds a confidential complaint nor an
anonymous reporter's details. Listings read the store's read-model rows first and replay
only the complaints a page needs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pengaduan.access import Viewer
from pengaduan.desk import Desk
from pengaduan.exceptions import (
    EventFormatError,
    PengaduanError,
    RefusedError,
    RequestReusedError,
    RetriesExhaustedError,
    StaleReadModelError,
    StoreError,
)
from pengaduan.model import Actor, Classification, Complaint
from pengaduan.open311 import DESCRIPTION_LIMIT, service_request
from pengaduan.web._config import WebConfig, viewer_of

BODY_LIMIT = 64 * 1024
"""The largest request body accepted, in bytes (a larger one gets 413)."""

PAGE_SIZE = 100
"""Service requests per page of ``GET requests`` by default."""

MAX_PAGE_SIZE = 1000
"""The largest ``page_size`` (the specification's "first 1000 requests")."""

MAX_SCAN = 10_000
"""How deep ``GET requests`` pages may reach (``page * page_size``); narrow the dates beyond."""

MAX_IDS = 1000
"""The most ids one ``service_request_id`` list may name."""

MAX_SPAN = timedelta(days=90)
"""The longest ``start_date``..``end_date`` range, and the default range (the spec's)."""

IDEMPOTENCY_HEADER = "Idempotency-Key"
"""The header that makes a retried ``POST requests`` a no-op (IETF httpapi draft)."""

_FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
_CHANNEL = "connected_app"  # Aplikasi Terhubung: a report through a connected app
_ACTOR_ROLE = "reporter"
_ANONYMOUS_CLIENT = "open311"  # the actor id of a report sent without an account_id
_TITLE_LIMIT = 120
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
_ATTRIBUTE = re.compile(r"attribute\[([A-Za-z0-9_]+)\]")
# Characters XML 1.0 cannot carry at all (ElementTree would write them as they are).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_EARLIEST = datetime(2, 1, 1, tzinfo=UTC)
_LATEST = datetime(9998, 12, 31, tzinfo=UTC)

_DESCRIPTIONS = {
    "id": {
        Classification.ASPIRATION: "Usulan atau saran bagi penyelenggaraan layanan publik.",
        Classification.COMPLAINT: "Keluhan atas penyelenggaraan layanan publik.",
        Classification.INFORMATION_REQUEST: "Permintaan informasi publik.",
        Classification.WHISTLEBLOWING: "Laporan pelanggaran oleh aparatur (sebaiknya rahasia).",
    },
    "en": {
        Classification.ASPIRATION: "A suggestion for a public service.",
        Classification.COMPLAINT: "A complaint about a public service.",
        Classification.INFORMATION_REQUEST: "A request for public information.",
        Classification.WHISTLEBLOWING: "A report of misconduct by officials (best confidential).",
    },
}

# The attributes every service takes (GET services/{code}: its service definition).
_ATTRIBUTES: tuple[tuple[str, str, str, bool, dict[str, str]], ...] = (
    # code, datatype, description (id), required, values
    ("title", "string", "Judul laporan (singkat).", False, {}),
    ("village", "string", "Desa atau kelurahan tempat masalah.", False, {}),
    ("district", "string", "Kecamatan tempat masalah.", False, {}),
    (
        "anonymous",
        "singlevaluelist",
        "Anonim: identitas pelapor tidak ditampilkan kepada publik.",
        False,
        {"false": "Tidak", "true": "Ya"},
    ),
    (
        "confidential",
        "singlevaluelist",
        "Rahasia: laporan tidak dipublikasikan sama sekali.",
        False,
        {"false": "Tidak", "true": "Ya"},
    ),
)
_ATTRIBUTES_EN = {
    "title": "A short title of the report.",
    "village": "The village (desa/kelurahan) where the matter is.",
    "district": "The district (kecamatan) where the matter is.",
    "anonymous": "Anonymous: the reporter's identity is not shown to the public.",
    "confidential": "Confidential: the report is not published at all.",
}


class Open311Error(Exception):
    """An Open311 error response: its HTTP status and the description the client sees."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# -- rendering -----------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _xml_element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _xml_element(child, key, item)
    elif isinstance(value, list | tuple):
        singular = {"attributes": "attribute", "values": "value"}.get(name, "item")
        for item in value:
            _xml_element(child, singular, item)
    else:
        child.text = _xml_text(value)


def _xml(root: str, item: str | None, body: Any) -> bytes:
    element = ElementTree.Element(root)
    if item is None:
        for key, value in body.items():
            _xml_element(element, key, value)
    else:
        for record in body:
            _xml_element(element, item, record)
    text = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")


def render(
    fmt: str,
    root: str,
    item: str | None,
    body: Any,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A response in `fmt`: JSON as the list (or object) `body`, XML under `root`/`item`."""
    if fmt == "xml":
        content = _xml(root, item, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Response(content, status, headers=dict(headers or {}), media_type=_FORMATS[fmt])


def error_response(fmt: str, status: int, description: str) -> Response:
    """The specification's error body (a list of one ``code``/``description``)."""
    return render(
        fmt if fmt in _FORMATS else "json",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status,
    )


def _format_of_path(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"


# -- parameters ----------------------------------------------------------------------------


class _Params:
    """The query (and form) parameters of a request: one value each, empty as absent."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self._seen: dict[str, list[str]] = {}
        for key, value in pairs:
            self._seen.setdefault(key, []).append(value)

    def get(self, name: str) -> str | None:
        values = self._seen.get(name, [])
        if len(values) > 1:
            raise Open311Error(400, f"{name} was given {len(values)} times; give it once")
        value = values[0].strip() if values else ""
        return value or None

    def items(self) -> Iterator[tuple[str, str]]:
        yield from self.pairs


def _fmt(request: Request) -> str:
    fmt = str(request.path_params.get("fmt", ""))
    if fmt not in _FORMATS:
        raise Open311Error(404, f"unknown format {fmt[:20]!r}: use .json or .xml")
    return fmt


def _instant_param(params: _Params, name: str) -> datetime | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None or value.utcoffset() is None:
        raise Open311Error(
            400,
            f"{name} must be a w3 date and time with its zone, e.g. 2026-03-01T00:00:00Z",
        )
    try:
        return min(max(value.astimezone(UTC), _EARLIEST), _LATEST)
    except (OverflowError, ValueError):  # an offset pushing it out of datetime's range
        raise Open311Error(400, f"{name} is out of range") from None


def _whole(params: _Params, name: str, default: int, least: int, most: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isdigit() or len(text) > 9:
        raise Open311Error(400, f"{name} must be a whole number from {least} to {most}")
    value = int(text)
    if not least <= value <= most:
        raise Open311Error(400, f"{name} must be a whole number from {least} to {most}")
    return value


def _listed(params: _Params, name: str) -> list[str]:
    text = params.get(name)
    if text is None:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


def _jurisdiction(config: WebConfig, params: _Params) -> None:
    given = params.get("jurisdiction_id")
    served = config.jurisdiction_id
    if given is not None and served is not None and given != served:
        raise Open311Error(
            404,
            f"jurisdiction_id {given[:100]!r} was not found: this endpoint serves {served!r}",
        )


# -- services ------------------------------------------------------------------------------


def services(config: WebConfig) -> list[dict[str, Any]]:
    """The services of the endpoint: the classifications, then the host's categories."""
    language = "en" if config.language == "en" else "id"
    out: list[dict[str, Any]] = [
        {
            "service_code": item.value,
            "service_name": item.label,
            "description": _DESCRIPTIONS[language][item],
            "metadata": True,
            "type": "realtime",
            "keywords": item.value.replace("_", " "),
            "group": "klasifikasi" if language == "id" else "classification",
        }
        for item in Classification
    ]
    for code, name in config.categories.items():
        out.append(
            {
                "service_code": code,
                "service_name": name,
                "description": name,
                "metadata": True,
                "type": "realtime",
                "keywords": code.replace("_", " "),
                "group": "kategori" if language == "id" else "category",
            }
        )
    return out


def _service(config: WebConfig, code: str) -> dict[str, Any] | None:
    return next((s for s in services(config) if s["service_code"] == code), None)


def service_definition(config: WebConfig, code: str) -> dict[str, Any]:
    """The service definition (its attributes) of service `code`."""
    english = config.language == "en"
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": name,
                "datatype": datatype,
                "required": required,
                "datatype_description": None,
                "order": order,
                "description": _ATTRIBUTES_EN[name] if english else description,
                "values": [{"key": key, "name": label} for key, label in values.items()],
            }
            for order, (name, datatype, description, required, values) in enumerate(
                _ATTRIBUTES, start=1
            )
        ],
    }


# -- service requests ------------------------------------------------------------------------


def _clock_name(desk: Desk) -> str:
    names = [clock.name for clock in desk.policy.clocks]
    return "resolution" if "resolution" in names or not names else names[-1]


def _project(
    desk: Desk, complaint: Complaint, viewer: Viewer, as_of: datetime
) -> dict[str, Any] | None:
    if not desk.policy.clocks:
        return service_request(
            complaint, workflow=desk.workflow, viewer=viewer, privacy=desk.privacy
        )
    return service_request(
        complaint,
        workflow=desk.workflow,
        policy=desk.policy,
        clock=_clock_name(desk),
        as_of=as_of,
        viewer=viewer,
        privacy=desk.privacy,
    )


def _load(desk: Desk, complaint_id: str) -> Complaint | None:
    try:
        complaint = desk.store.load(complaint_id)
    except PengaduanError:  # an unreadable history is not shown
        return None
    return complaint if complaint.events else None


class _Query:
    """What ``GET requests`` asks for, parsed and checked."""

    def __init__(self, config: WebConfig, params: _Params, now: datetime) -> None:
        self.ids = _listed(params, "service_request_id")
        if len(self.ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id may list at most {MAX_IDS} ids")
        self.codes = set(_listed(params, "service_code"))
        known = {s["service_code"] for s in services(config)}
        unknown = sorted(self.codes - known)
        if unknown and not self.ids:
            raise Open311Error(400, f"unknown service_code {unknown[0][:60]!r}")
        self.statuses = set(_listed(params, "status"))
        if self.statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma separated)")
        start = _instant_param(params, "start_date")
        end = _instant_param(params, "end_date")
        if start is None and end is None:
            end = now
        if start is None:
            assert end is not None
            start = max(end - MAX_SPAN, _EARLIEST)
        if end is None:
            end = min(start + MAX_SPAN, _LATEST)
        if start > end:
            raise Open311Error(400, "start_date must not be after end_date")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        self.start, self.end = start, end
        self.page_size = _whole(params, "page_size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        self.page = _whole(params, "page", 1, 1, MAX_SCAN)
        if self.page * self.page_size > MAX_SCAN:
            raise Open311Error(
                400,
                f"page * page_size may not exceed {MAX_SCAN}: narrow start_date and end_date",
            )
        classifications = {item.value for item in Classification}
        # Rows know the classification, not the category: only then may they rule one out.
        self.row_codes = self.codes if self.codes and self.codes <= classifications else None

    def keeps(self, record: Mapping[str, Any]) -> bool:
        if self.codes and record["service_code"] not in self.codes:
            return False
        return not self.statuses or record["status"] in self.statuses


def _candidates(desk: Desk, query: _Query, viewer: Viewer) -> Iterator[Complaint]:
    """The complaints that may pass the query, from the read-model rows when they are usable."""
    public = viewer.is_public
    published = desk.privacy.public_states
    terminal = {s.name for s in desk.workflow.states if s.terminal}
    before = query.end + timedelta(microseconds=1)
    after: str | None = None
    given: set[str] = set()
    while True:
        try:
            page = desk.store.rows(
                submitted_from=query.start, submitted_before=before, limit=200, after=after
            )
        except StaleReadModelError:
            break
        for row in page.rows:
            if public and (
                row.confidential or (published is not None and row.state not in published)
            ):
                continue
            if (
                query.statuses
                and ("closed" if row.state in terminal else "open") not in query.statuses
            ):
                continue
            if query.row_codes is not None and row.classification not in query.row_codes:
                continue
            complaint = _load(desk, row.id)
            if complaint is not None:
                given.add(row.id)
                yield complaint
        if page.next_after is None:
            return
        after = page.next_after
    # Rows computed with other definitions: every complaint, judged on its history (after
    # those already given, if the rows went stale part way).
    for complaint in desk.store.complaints(on_error=lambda _id, _error: None):
        submitted = complaint.submitted_at
        fits = submitted is not None and query.start <= submitted <= query.end
        if fits and complaint.id not in given:
            yield complaint


def _list_requests(
    desk: Desk, query: _Query, viewer: Viewer, now: datetime
) -> tuple[list[dict[str, Any]], bool]:
    """One page of service requests, and whether there are more."""
    if query.ids:
        found = []
        for complaint_id in dict.fromkeys(query.ids):
            complaint = _load(desk, complaint_id)
            record = None if complaint is None else _project(desk, complaint, viewer, now)
            if record is not None:
                found.append(record)
        return found, False
    skip = (query.page - 1) * query.page_size
    out: list[dict[str, Any]] = []
    for complaint in _candidates(desk, query, viewer):
        record = _project(desk, complaint, viewer, now)
        if record is None or not query.keeps(record):
            continue
        if skip:
            skip -= 1
            continue
        if len(out) == query.page_size:
            return out, True
        out.append(record)
    return out, False


# -- creating a service request ---------------------------------------------------------------


def request_id_of(key: str) -> str:
    """The desk request id of an ``Idempotency-Key`` (a digest: the key is not stored)."""
    return "open311:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def complaint_id_of(key: str) -> str:
    """The id of the complaint a POST with idempotency key `key` creates."""
    return (
        "C-" + hashlib.sha256(("open311-complaint:" + key).encode("utf-8")).hexdigest()[:16].upper()
    )


def _coordinate(params: _Params, name: str, bound: float) -> float | None:
    text = params.get(name)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} must be a WGS84 number from -{bound:g} to {bound:g}")
    return value


def _attributes(params: _Params) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in params.items():
        if not key.startswith("attribute"):
            continue
        match = _ATTRIBUTE.fullmatch(key)
        names = {name for name, *_ in _ATTRIBUTES}
        if match is None or match.group(1) not in names:
            raise Open311Error(400, f"unknown attribute {key[:60]!r}")
        if match.group(1) in found:
            raise Open311Error(400, f"{key[:60]} was given more than once")
        found[match.group(1)] = value.strip()
    for flag in ("anonymous", "confidential"):
        if flag in found and found[flag] not in ("true", "false"):
            raise Open311Error(400, f"attribute[{flag}] must be true or false")
    return found


def submission(config: WebConfig, params: _Params) -> tuple[Actor, dict[str, Any]]:
    """The actor and the ``submit`` data of a ``POST requests``, checked as the spec says."""
    code = params.get("service_code")
    if code is None:
        raise Open311Error(400, "service_code was not provided")
    service = _service(config, code)
    if service is None:
        raise Open311Error(404, f"service_code {code[:60]!r} was not found")
    lat = _coordinate(params, "lat", 90.0)
    long = _coordinate(params, "long", 180.0)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long must be given together")
    address = params.get("address_string")
    address_id = params.get("address_id")
    if lat is None and address is None and address_id is None:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise Open311Error(400, f"description may hold at most {DESCRIPTION_LIMIT} characters")
    attributes = _attributes(params)
    title = attributes.get("title") or (
        description.splitlines()[0] if description else service["service_name"]
    )
    data: dict[str, Any] = {
        "title": title[:_TITLE_LIMIT],
        "body": description or title,
        "channel": _CHANNEL,
    }
    if code in {item.value for item in Classification}:
        data["classification"] = code
    else:
        data["category"] = code
    location: dict[str, Any] = {}
    if address is not None or address_id is not None:
        location["address"] = address or address_id
    for name in ("village", "district"):
        if attributes.get(name):
            location[name] = attributes[name]
    if lat is not None:
        location["latitude"], location["longitude"] = lat, long
    if location:
        data["location"] = location
    privacy = {
        flag: attributes[flag] == "true"
        for flag in ("anonymous", "confidential")
        if flag in attributes
    }
    if privacy:
        data["privacy"] = privacy
    names = [params.get("first_name"), params.get("last_name")]
    reporter = {
        key: value
        for key, value in (
            ("name", " ".join(n for n in names if n) or None),
            ("phone", params.get("phone")),
            ("email", params.get("email")),
        )
        if value is not None
    }
    if reporter:
        data["reporter"] = reporter
    account = params.get("account_id")
    return Actor(account if account is not None else _ANONYMOUS_CLIENT, _ACTOR_ROLE), data


def _notice(config: WebConfig, desk: Desk, clocks: Any) -> str | None:
    if clocks is None:
        return None
    english = config.language == "en"
    for state in clocks:
        deadline = state.deadline
        if deadline is not None and state.current is not None and state.current.open:
            local = deadline.astimezone(state.clock.calendar.tz).isoformat()
            if english:
                label = state.clock.label_en or state.name
                return f"Report received; {label} is due by {local}."
            return f"Laporan diterima; batas waktu {state.clock.label.lower()}: {local}."
    return "Report received." if english else "Laporan diterima."


# -- the routes ------------------------------------------------------------------------------


Handler = Callable[[WebConfig, Request, str, _Params], Any]


def _endpoint(config: WebConfig, handler: Handler) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        fmt = _format_of_path(request.url.path)
        try:
            fmt = _fmt(request)
            params = _Params(list(request.query_params.multi_items()))
            _jurisdiction(config, params)
            response: Response = await handler(config, request, fmt, params)
            return response
        except Open311Error as error:
            return error_response(fmt, error.status, error.description)

    return endpoint


async def _get_services(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    return render(fmt, "services", "service", services(config))


async def _get_service(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    code = str(request.path_params["code"])
    if _service(config, code) is None:
        raise Open311Error(404, f"service_code {code[:60]!r} was not found")
    return render(fmt, "service_definition", None, service_definition(config, code))


async def _get_requests(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    desk = config.desk
    viewer = await viewer_of(config, request)
    now = desk.now()
    query = _Query(config, params, now)
    records, more = await run_in_threadpool(_list_requests, desk, query, viewer, now)
    headers = {}
    if more:
        pairs = [(k, v) for k, v in params.items() if k != "page"]
        pairs.append(("page", str(query.page + 1)))
        headers["Link"] = f'<{request.url.path}?{urlencode(pairs)}>; rel="next"'
    return render(fmt, "service_requests", "request", records, headers=headers)


async def _get_request(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    desk = config.desk
    complaint_id = str(request.path_params["id"])
    viewer = await viewer_of(config, request)
    now = desk.now()

    def one() -> dict[str, Any] | None:
        complaint = _load(desk, complaint_id)
        return None if complaint is None else _project(desk, complaint, viewer, now)

    record = await run_in_threadpool(one)
    if record is None:
        raise Open311Error(404, f"service_request_id {complaint_id[:60]!r} was not found")
    return render(fmt, "service_requests", "request", [record])


async def _get_token(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    token = str(request.path_params["token"])
    missing = Open311Error(404, "token was not found")
    if _KEY_PATTERN.fullmatch(token) is None:
        raise missing
    complaint_id = complaint_id_of(token)
    event_id = "request:" + request_id_of(token)
    complaint = await run_in_threadpool(_load, config.desk, complaint_id)
    if complaint is None or not any(event.id == event_id for event in complaint.events):
        raise missing
    return render(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": complaint_id, "token": token}],
    )


async def _form(request: Request) -> list[tuple[str, str]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if body and kind != "application/x-www-form-urlencoded":
        raise Open311Error(400, "POST requests takes application/x-www-form-urlencoded data")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Open311Error(400, "the request body is not UTF-8") from None
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        raise Open311Error(400, "the request body holds too many fields (at most 200)") from None


async def _post_request(config: WebConfig, request: Request, fmt: str, params: _Params) -> Response:
    form = _Params([*params.items(), *await _form(request)])
    _jurisdiction(config, form)
    given = form.get("api_key")
    if config.api_key is None:
        raise Open311Error(403, "this endpoint takes no service requests (no api_key is set)")
    if given is None or not hmac.compare_digest(given.encode(), config.api_key.encode()):
        raise Open311Error(403, "missing or invalid api_key: cannot create the request")
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and _KEY_PATTERN.fullmatch(key) is None:
        raise Open311Error(400, f"{IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters")
    actor, data = submission(config, form)
    desk = config.desk
    try:
        outcome = await run_in_threadpool(
            lambda: desk.submit(
                actor,
                data,
                complaint_id=None if key is None else complaint_id_of(key),
                request_id=None if key is None else request_id_of(key),
            )
        )
    except RequestReusedError:
        raise Open311Error(
            400, f"this {IDEMPOTENCY_HEADER} was already used for another request"
        ) from None
    except (RetriesExhaustedError, StoreError):
        raise Open311Error(503, "the request could not be stored now; try again") from None
    except (RefusedError, EventFormatError) as error:  # messages name fields, never values
        raise Open311Error(400, str(error)) from None
    record = {
        "service_request_id": outcome.complaint_id,
        "service_notice": _notice(config, desk, outcome.clocks),
        "account_id": None,
    }
    return render(
        fmt, "service_requests", "request", [record], status=201 if outcome.appended else 200
    )


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    status = error.status_code
    description = {404: "no such resource", 405: "method not allowed here"}.get(
        status, str(error.detail)
    )
    return error_response(_format_of_path(request.url.path), status, description)


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes gets 413, in the spec's format."""

    def __init__(self, app: ASGIApp, limit: int = BODY_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fmt = _format_of_path(scope.get("path", ""))
        too_large = error_response(
            fmt, 413, f"the request body may hold at most {self.limit} bytes"
        )
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


_CATEGORY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def open311_app(config: WebConfig) -> ASGIApp:
    """The Open311 GeoReport v2 endpoint of `config`, to mount (e.g. at ``/open311/v2``).

    Raises:
        ValueError: If a category's code is not 1 to 64 letters, digits, ``_`` or ``-``, or
            is a classification's (a service code names one service).
    """
    classifications = {item.value for item in Classification}
    for code in config.categories:
        if _CATEGORY.fullmatch(code) is None or code in classifications:
            raise ValueError(
                f"category code {code[:70]!r} cannot be a service_code: use 1 to 64 letters, "
                "digits, _ or -, and no classification's value"
            )

    def route(path: str, handler: Handler, methods: list[str] | None = None) -> Route:
        return Route(path, _endpoint(config, handler), methods=methods or ["GET"])

    routes = [
        route("/services.{fmt}", _get_services),
        route("/services/{code}.{fmt}", _get_service),
        route("/requests.{fmt}", _get_requests),
        route("/requests.{fmt}", _post_request, ["POST"]),
        route("/requests/{id}.{fmt}", _get_request),
        route("/tokens/{token}.{fmt}", _get_token),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    return BodyLimit(app)
