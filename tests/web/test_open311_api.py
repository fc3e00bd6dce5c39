"""Open311 GeoReport v2 as the specification has it, through Starlette's TestClient."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from pengaduan import Desk
from pengaduan.access import Viewer
from pengaduan.presets import calendar_by_name, lapor_policy
from pengaduan.sla import expected_datetime
from pengaduan.testing import ManualClock
from pengaduan.web import create_app

from .conftest import API_KEY, NOW, fill

BASE = "/open311/v2"


def _client(desk: Desk, **options: Any) -> TestClient:
    return TestClient(create_app(desk, **options))


@pytest.fixture
def client(desk: Desk) -> TestClient:
    return _client(desk, api_key=API_KEY, categories={"jalan": "Jalan dan jembatan"})


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [record["service_request_id"] for record in response.json()]


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status
    description: str = body[0]["description"]
    assert description
    return description


def _xml_error(response: Any, status: int) -> str:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    assert [e.tag for e in root] == ["error"]
    assert root.findtext("error/code") == str(status)
    return root.findtext("error/description") or ""


# -- services --------------------------------------------------------------------------------


def test_services_are_the_classifications_and_the_hosts_categories(client: TestClient) -> None:
    response = client.get(f"{BASE}/services.json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == [
        "aspirasi",
        "pengaduan",
        "permintaan_informasi",
        "whistleblowing",
        "jalan",
    ]
    assert services[1]["service_name"] == "Pengaduan"
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    assert services[-1]["group"] == "kategori"


def test_services_in_xml_have_the_specs_root_and_elements(client: TestClient) -> None:
    response = client.get(f"{BASE}/services.xml")
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert [child.tag for child in first] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert first.findtext("metadata") == "true"


def test_a_service_definition_lists_its_attributes(client: TestClient) -> None:
    definition = client.get(f"{BASE}/services/pengaduan.json").json()
    assert definition["service_code"] == "pengaduan"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["title", "village", "district", "anonymous", "confidential"]
    anonymous = definition["attributes"][3]
    assert anonymous["datatype"] == "singlevaluelist"
    assert anonymous["order"] == 4
    assert [v["key"] for v in anonymous["values"]] == ["false", "true"]
    root = ElementTree.fromstring(client.get(f"{BASE}/services/jalan.xml").content)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "jalan"
    assert [v.findtext("key") for v in root.findall("attributes/attribute[4]/values/value")] == [
        "false",
        "true",
    ]


def test_an_unknown_service_is_404_in_the_specs_error_format(client: TestClient) -> None:
    assert "not found" in _error(client.get(f"{BASE}/services/sampah.json"), 404)
    assert "not found" in _xml_error(client.get(f"{BASE}/services/sampah.xml"), 404)


def test_english_services(desk: Desk) -> None:
    services = _client(desk, language="en").get(f"{BASE}/services.json").json()
    assert services[1]["description"] == "A complaint about a public service."


# -- GET requests ------------------------------------------------------------------------------


def test_the_public_list_leaves_out_confidential_and_unpublished_complaints(
    client: TestClient,
) -> None:
    assert _ids(client.get(f"{BASE}/requests.json")) == ["C-ANON", "C-DONE", "C-PUB"]


def test_a_request_holds_the_specs_fields_and_the_slas_expected_datetime(
    client: TestClient, desk: Desk
) -> None:
    (record,) = client.get(f"{BASE}/requests/C-PUB.json").json()
    assert record["status"] == "open"
    assert record["status_notes"] == "Terverifikasi"
    assert record["service_code"] == "pengaduan"
    assert record["service_name"] == "Pengaduan"
    assert (record["lat"], record["long"], record["address"]) == (-3.7, 103.8, "Karang Raja")
    due = expected_datetime(desk.store.load("C-PUB"), NOW, policy=desk.policy, clock="resolution")
    assert due is not None
    assert record["expected_datetime"] == due.isoformat()
    assert due.utcoffset() == timedelta(hours=7)  # on the calendar's zone (WIB)
    (closed,) = client.get(f"{BASE}/requests/C-DONE.json").json()
    assert closed["status"] == "closed"
    assert closed["expected_datetime"] is None


def test_a_category_is_the_service_code_of_a_complaint_that_has_one(client: TestClient) -> None:
    assert _ids(client.get(f"{BASE}/requests.json", params={"service_code": "jalan"})) == ["C-ANON"]
    found = client.get(f"{BASE}/requests.json", params={"service_code": "pengaduan,aspirasi"})
    assert _ids(found) == ["C-DONE", "C-PUB"]


def test_requests_filter_by_status(client: TestClient) -> None:
    assert _ids(client.get(f"{BASE}/requests.json?status=closed")) == ["C-DONE"]
    assert _ids(client.get(f"{BASE}/requests.json?status=open")) == ["C-ANON", "C-PUB"]
    assert len(_ids(client.get(f"{BASE}/requests.json?status=open,closed"))) == 3


def test_requests_filter_by_dates_of_request(client: TestClient) -> None:
    window = {"start_date": "2026-03-02T02:30:00Z", "end_date": "2026-03-02T05:00:00Z"}
    assert _ids(client.get(f"{BASE}/requests.json", params=window)) == ["C-ANON"]
    later = {"start_date": "2026-03-03T00:00:00+07:00"}
    assert _ids(client.get(f"{BASE}/requests.json", params=later)) == []


def test_a_list_of_ids_overrides_every_other_filter_and_skips_the_unseen(
    client: TestClient,
) -> None:
    asked = {"service_request_id": "C-DONE,C-RAHASIA,C-NOPE,C-PUB", "status": "open"}
    assert _ids(client.get(f"{BASE}/requests.json", params=asked)) == ["C-DONE", "C-PUB"]


def test_requests_are_paged_with_a_link_to_the_next_page(client: TestClient) -> None:
    first = client.get(f"{BASE}/requests.json?page_size=2")
    assert _ids(first) == ["C-ANON", "C-DONE"]
    assert first.headers["link"].endswith('page=2>; rel="next"')
    second = client.get(f"{BASE}/requests.json?page_size=2&page=2")
    assert _ids(second) == ["C-PUB"]
    assert "link" not in second.headers


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("start_date=2026-03-01", "w3 date and time with its zone"),
        ("start_date=yesterday", "w3 date and time"),
        ("start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "90 days"),
        ("start_date=2026-03-05T00:00:00Z&end_date=2026-03-01T00:00:00Z", "after end_date"),
        ("status=pending", "open, closed"),
        ("service_code=sampah", "unknown service_code"),
        ("page=0", "page must be"),
        ("page_size=1001", "page_size must be"),
        ("page_size=-5", "page_size must be"),
        ("page=50&page_size=1000", "narrow"),
        ("status=open&status=closed", "given 2 times"),
    ],
)
def test_malformed_parameters_get_400_saying_why(
    client: TestClient, query: str, words: str
) -> None:
    assert words in _error(client.get(f"{BASE}/requests.json?{query}"), 400)
    assert words in _xml_error(client.get(f"{BASE}/requests.xml?{query}"), 400)


def test_an_empty_parameter_is_the_same_as_none(client: TestClient) -> None:
    empty = "service_code=&status=&start_date=&end_date=&page=&service_request_id="
    assert _ids(client.get(f"{BASE}/requests.json?{empty}")) == ["C-ANON", "C-DONE", "C-PUB"]


def test_requests_in_xml(client: TestClient) -> None:
    root = ElementTree.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        "C-ANON",
        "C-DONE",
        "C-PUB",
    ]
    pub = root.find("request[3]")
    assert pub is not None
    assert pub.findtext("lat") == "-3.7"
    assert pub.find("agency_responsible") is not None  # present, empty: null in XML


def test_a_request_the_public_may_not_see_is_not_found_like_an_unknown_one(
    client: TestClient,
) -> None:
    hidden = _error(client.get(f"{BASE}/requests/C-RAHASIA.json"), 404)
    unknown = _error(client.get(f"{BASE}/requests/C-XYZ.json"), 404)
    assert hidden.replace("C-RAHASIA", "?") == unknown.replace("C-XYZ", "?")
    _error(client.get(f"{BASE}/requests/C-NEW.json"), 404)
    _xml_error(client.get(f"{BASE}/requests/C-NEW.xml"), 404)


# -- the viewer hook -------------------------------------------------------------------------


def test_the_hosts_viewer_hook_changes_the_view(desk: Desk) -> None:
    def viewer(request: Request) -> Viewer | None:
        return Viewer.staff("admin_national") if request.headers.get("x-staff") else None

    client = _client(desk, viewer=viewer)
    staff = _ids(client.get(f"{BASE}/requests.json", headers={"x-staff": "1"}))
    assert staff == ["C-ANON", "C-DONE", "C-NEW", "C-PUB", "C-RAHASIA"]
    assert _ids(client.get(f"{BASE}/requests.json")) == ["C-ANON", "C-DONE", "C-PUB"]


def test_an_async_viewer_hook_is_awaited(desk: Desk) -> None:
    async def viewer(request: Request) -> Viewer:
        return Viewer.staff("unit_operator", unit="dinas-pu")

    client = _client(desk, viewer=viewer)
    assert "C-RAHASIA" not in _ids(client.get(f"{BASE}/requests.json"))
    (anonymous,) = client.get(f"{BASE}/requests/C-ANON.json").json()
    assert anonymous["agency_responsible"] == "dinas-pu"


# -- jurisdiction --------------------------------------------------------------------------


def test_another_jurisdiction_is_not_found(desk: Desk) -> None:
    client = _client(desk, jurisdiction_id="muaraenimkab.go.id")
    assert client.get(f"{BASE}/services.json?jurisdiction_id=muaraenimkab.go.id").status_code == 200
    assert client.get(f"{BASE}/services.json").status_code == 200  # one jurisdiction: optional
    described = _error(client.get(f"{BASE}/requests.json?jurisdiction_id=sfgov.org"), 404)
    assert "jurisdiction_id" in described
    assert "muaraenimkab.go.id" in described


# -- unknown routes, formats and methods ------------------------------------------------------


def test_unknown_resources_formats_and_methods_answer_in_the_specs_format(
    client: TestClient,
) -> None:
    _error(client.get(f"{BASE}/requests.html"), 404)
    _error(client.get(f"{BASE}/nothing.json"), 404)
    _xml_error(client.get(f"{BASE}/nothing.xml"), 404)
    _error(client.put(f"{BASE}/requests.json"), 405)
    _error(client.post(f"{BASE}/services.json"), 405)


def test_the_dashboards_routes_are_served_at_the_root_beside_open311(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from pengaduan.web import WebConfig

    seen: list[WebConfig] = []

    def dashboard_routes(config: WebConfig) -> list[Route]:
        seen.append(config)
        return [Route("/", lambda request: PlainTextResponse("dasbor"))]

    fake = types.ModuleType("pengaduan.web._dashboard")
    fake.dashboard_routes = dashboard_routes  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pengaduan.web._dashboard", fake)
    client = _client(desk, directory={"dinas-pu": "6281234"}, language="en")
    assert client.get("/").text == "dasbor"
    assert client.get(f"{BASE}/services.json").status_code == 200
    (config,) = seen
    assert config.desk is desk
    assert config.directory == {"dinas-pu": "6281234"}
    assert config.language == "en"


def test_the_dashboard_is_mounted_at_the_root_once_it_is_there(desk: Desk) -> None:
    pytest.importorskip("pengaduan.web._dashboard")
    app = create_app(desk)
    paths = [getattr(route, "path", None) for route in app.routes]
    assert paths[0] == BASE
    assert len(paths) > 1


@pytest.mark.parametrize("code", ["pengaduan", "", "jalan/rusak", "x" * 65])
def test_a_category_that_cannot_be_a_service_code_is_refused(desk: Desk, code: str) -> None:
    with pytest.raises(ValueError, match="cannot be a service_code"):
        create_app(desk, categories={code: "Nama"})


def test_a_store_whose_rows_are_stale_is_listed_from_its_histories(tmp_path: Path) -> None:
    path = tmp_path / "pengaduan.sqlite"
    written = Desk.open(path, clock=ManualClock(NOW))
    fill(written)
    written.store.close()
    policy = lapor_policy(calendar=calendar_by_name("24x7"))
    desk = Desk.open(path, policy=policy, clock=ManualClock(NOW))
    try:
        assert not desk.indexed
        client = _client(desk)
        # in the store's order, not the rows' id order
        assert sorted(_ids(client.get(f"{BASE}/requests.json"))) == ["C-ANON", "C-DONE", "C-PUB"]
        assert _ids(client.get(f"{BASE}/requests.json?status=closed")) == ["C-DONE"]
    finally:
        desk.store.close()
