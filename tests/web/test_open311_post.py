"""POST requests (creating a complaint through the desk) and GET tokens."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from pengaduan import Desk
from pengaduan.access import Viewer
from pengaduan.web import create_app

from .conftest import API_KEY

BASE = "/open311/v2"
FORM = {
    "api_key": API_KEY,
    "service_code": "pengaduan",
    "lat": "-3.71",
    "long": "103.77",
    "description": "Lampu jalan padam sejak seminggu.\nDi depan masjid.",
    "first_name": "Budi",
    "last_name": "Santoso",
    "phone": "0813999",
    "email": "budi@example.org",
    "attribute[anonymous]": "true",
    "attribute[village]": "Tanjung Enim",
}


@pytest.fixture
def client(desk: Desk) -> TestClient:
    return TestClient(create_app(desk, api_key=API_KEY, categories={"jalan": "Jalan"}))


def _created(response: Any) -> str:
    assert response.status_code in (200, 201), response.text
    (record,) = response.json()
    assert set(record) == {"service_request_id", "service_notice", "account_id"}
    complaint_id: str = record["service_request_id"]
    return complaint_id


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    (error,) = response.json()
    assert error["code"] == status
    description: str = error["description"]
    return description


def test_a_post_creates_a_submitted_complaint_through_the_desk(
    client: TestClient, desk: Desk
) -> None:
    response = client.post(f"{BASE}/requests.json", data=FORM)
    assert response.status_code == 201
    complaint_id = _created(response)
    complaint = desk.get(complaint_id, Viewer.staff("admin_national"))
    assert complaint.state == "submitted"
    facts = complaint.facts
    assert facts is not None
    assert facts.channel.value == "connected_app"
    assert facts.classification is not None
    assert facts.classification.value == "pengaduan"
    assert facts.title == "Lampu jalan padam sejak seminggu."
    assert facts.body == FORM["description"]
    assert facts.privacy.anonymous
    assert not facts.privacy.confidential
    assert facts.reporter is not None
    assert facts.reporter.name == "Budi Santoso"
    assert facts.location is not None
    assert facts.location.village == "Tanjung Enim"
    assert (facts.location.latitude, facts.location.longitude) == (-3.71, 103.77)
    notice = response.json()[0]["service_notice"]
    assert notice.startswith("Laporan diterima; batas waktu verifikasi: 2026-")
    assert notice.endswith("+07:00.")


def test_a_category_service_is_submitted_as_a_category(client: TestClient, desk: Desk) -> None:
    form = {"api_key": API_KEY, "service_code": "jalan", "address_string": "Jl. Merdeka 1"}
    complaint = desk.get(
        _created(client.post(f"{BASE}/requests.json", data=form)), Viewer.staff("admin_national")
    )
    assert complaint.facts is not None
    assert complaint.facts.category == "jalan"
    assert complaint.facts.title == "Jalan"
    assert complaint.facts.location is not None
    assert complaint.facts.location.address == "Jl. Merdeka 1"


def test_the_new_complaint_is_not_public_before_verification(client: TestClient) -> None:
    complaint_id = _created(client.post(f"{BASE}/requests.json", data=FORM))
    assert client.get(f"{BASE}/requests/{complaint_id}.json").status_code == 404


def test_a_post_in_xml(client: TestClient) -> None:
    response = client.post(f"{BASE}/requests.xml", data=FORM)
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    assert (root.findtext("request/service_request_id") or "").startswith("C-")
    assert root.find("request/token") is None  # realtime: an id, never both


def test_without_a_configured_key_no_request_can_be_created(desk: Desk) -> None:
    client = TestClient(create_app(desk))
    assert "no api_key" in _error(client.post(f"{BASE}/requests.json", data=FORM), 403)


@pytest.mark.parametrize("key", [None, "", "salah", API_KEY + "x"])
def test_a_missing_or_wrong_key_is_403(client: TestClient, desk: Desk, key: str | None) -> None:
    form = {k: v for k, v in FORM.items() if k != "api_key"}
    if key is not None:
        form["api_key"] = key
    before = desk.store.position()
    assert "api_key" in _error(client.post(f"{BASE}/requests.json", data=form), 403)
    assert desk.store.position() == before


def test_the_key_may_come_in_the_query_string(client: TestClient) -> None:
    form = {k: v for k, v in FORM.items() if k != "api_key"}
    _created(client.post(f"{BASE}/requests.json?api_key={API_KEY}", data=form))


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"service_code": None}, 400, "service_code was not provided"),
        ({"service_code": "sampah"}, 404, "not found"),
        ({"lat": None, "long": None}, 400, "a location is required"),
        ({"long": None}, 400, "together"),
        ({"lat": "91"}, 400, "lat must be"),
        ({"lat": "nan"}, 400, "lat must be"),
        ({"long": "timur"}, 400, "long must be"),
        ({"description": "x" * 4001}, 400, "4000"),
        ({"attribute[anonymous]": "ya"}, 400, "true or false"),
        ({"attribute[warna]": "merah"}, 400, "unknown attribute"),
        ({"attribute[title][]": "dua"}, 400, "unknown attribute"),
        ({"address_string": "Jl.\x00Mawar"}, 400, "NUL character"),
        ({"jurisdiction_id": "sfgov.org"}, 200, ""),  # no jurisdiction configured: ignored
    ],
)
def test_bad_submissions_are_refused_with_the_specs_codes_and_nothing_is_stored(
    client: TestClient, desk: Desk, change: dict[str, str | None], status: int, words: str
) -> None:
    form = {**FORM, **change}
    form = {k: v for k, v in form.items() if v is not None}
    before = desk.store.position()
    response = client.post(f"{BASE}/requests.json", data=form)
    if status == 200:
        _created(response)
        return
    assert words in _error(response, status)
    assert desk.store.position() == before


def test_a_body_that_is_not_a_form_is_400(client: TestClient) -> None:
    response = client.post(f"{BASE}/requests.json", json=FORM)
    assert "x-www-form-urlencoded" in _error(response, 400)
    bad = client.post(
        f"{BASE}/requests.json",
        content=b"api_key=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert "UTF-8" in _error(bad, 400)


def test_a_body_over_the_limit_is_413(client: TestClient, desk: Desk) -> None:
    before = desk.store.position()
    response = client.post(f"{BASE}/requests.json", data={**FORM, "media_url": "x" * 70_000})
    assert "at most 65536 bytes" in _error(response, 413)
    chunked = client.post(
        f"{BASE}/requests.xml",
        content=iter([b"a=" + b"x" * 40_000, b"x" * 40_000]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    assert chunked.headers["content-type"].startswith("text/xml")
    assert desk.store.position() == before


# -- idempotency and tokens --------------------------------------------------------------------


def test_without_an_idempotency_key_two_identical_posts_are_two_reports(
    client: TestClient, desk: Desk
) -> None:
    first = _created(client.post(f"{BASE}/requests.json", data=FORM))
    second = _created(client.post(f"{BASE}/requests.json", data=FORM))
    assert first != second


def test_a_retried_post_with_the_same_idempotency_key_creates_one_complaint(
    client: TestClient, desk: Desk
) -> None:
    headers = {"Idempotency-Key": "app-7f3a-0001"}
    first = client.post(f"{BASE}/requests.json", data=FORM, headers=headers)
    again = client.post(f"{BASE}/requests.json", data=FORM, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert _created(first) == _created(again)
    complaint = desk.store.load(_created(first))
    assert complaint.version == 1


def test_an_idempotency_key_reused_for_another_request_is_400(
    client: TestClient, desk: Desk
) -> None:
    headers = {"Idempotency-Key": "app-7f3a-0002"}
    _created(client.post(f"{BASE}/requests.json", data=FORM, headers=headers))
    before = desk.store.position()
    other = {**FORM, "description": "Lain hal"}
    response = client.post(f"{BASE}/requests.json", data=other, headers=headers)
    assert "already used" in _error(response, 400)
    assert desk.store.position() == before


def test_a_malformed_idempotency_key_is_400(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/requests.json", data=FORM, headers={"Idempotency-Key": "x" * 256}
    )
    assert "Idempotency-Key" in _error(response, 400)


def test_a_token_is_the_idempotency_key_and_names_the_request(client: TestClient) -> None:
    headers = {"Idempotency-Key": "app-7f3a-0003"}
    complaint_id = _created(client.post(f"{BASE}/requests.json", data=FORM, headers=headers))
    assert client.get(f"{BASE}/tokens/app-7f3a-0003.json").json() == [
        {"service_request_id": complaint_id, "token": "app-7f3a-0003"}
    ]
    root = ElementTree.fromstring(client.get(f"{BASE}/tokens/app-7f3a-0003.xml").content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == complaint_id
    assert "token" in _error(client.get(f"{BASE}/tokens/app-never-used.json"), 404)


def test_the_notice_in_english(desk: Desk) -> None:
    client = TestClient(create_app(desk, api_key=API_KEY, language="en"))
    (record,) = client.post(f"{BASE}/requests.json", data=FORM).json()
    assert record["service_notice"].startswith("Report received; Verification is due by 2026-")
