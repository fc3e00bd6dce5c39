"""A real Open311 client from PyPI against the app served by uvicorn on 127.0.0.1.

The client is `georeport` 0.3.1 (requests + xmltodict; JSON and XML). It has no call for
``POST requests`` or tokens, so those go through `requests` itself, as the spec's form.
(The older ``open311`` 1.1 on PyPI is Python 2 code and does not import on Python 3.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pengaduan import Desk
from pengaduan.web import create_app

from .conftest import API_KEY, SECRETS, Served

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")

JURISDICTION = "muaraenimkab.go.id"


@pytest.fixture
def served(desk: Desk) -> Iterator[Served]:
    server = Served(create_app(desk, api_key=API_KEY, jurisdiction_id=JURISDICTION))
    yield server
    server.stop()


def _client(served: Served, fmt: str) -> object:
    return georeport.GeoReport(
        f"{served.url}/open311/v2", jurisdiction=JURISDICTION, api_key=API_KEY, output_format=fmt
    )


def _listed(records: object) -> list[dict[str, str]]:
    # xmltodict gives one element as a dict, several as a list
    return [records] if isinstance(records, dict) else list(records)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_a_definition(served: Served, fmt: str) -> None:
    client = _client(served, fmt)
    codes = [s["service_code"] for s in client.get_service_list()]  # type: ignore[attr-defined]
    assert codes == ["aspirasi", "pengaduan", "permintaan_informasi", "whistleblowing"]
    definition = client.get_service_definition("pengaduan")  # type: ignore[attr-defined]
    attributes = _listed(
        definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    )
    assert [a["code"] for a in attributes][-2:] == ["anonymous", "confidential"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_lists_and_reads_requests_with_filters(served: Served, fmt: str) -> None:
    client = _client(served, fmt)
    every = _listed(client.get_service_requests())  # type: ignore[attr-defined]
    assert [r["service_request_id"] for r in every] == ["C-ANON", "C-DONE", "C-PUB"]
    closed = _listed(client.get_service_requests(status="closed"))  # type: ignore[attr-defined]
    assert [r["service_request_id"] for r in closed] == ["C-DONE"]
    chosen = client.get_service_requests(  # type: ignore[attr-defined]
        service_request_id="C-PUB,C-RAHASIA",
        start_date="2026-03-01T00:00:00Z",
        end_date="2026-03-20T00:00:00Z",
    )
    assert [r["service_request_id"] for r in _listed(chosen)] == ["C-PUB"]
    one = client.get_service_request("C-PUB")  # type: ignore[attr-defined]
    assert one["service_request_id"] == "C-PUB"
    assert one["status"] == "open"
    assert str(one["lat"]) == "-3.7"
    assert one["expected_datetime"].endswith("+07:00")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_meets_the_specs_errors(served: Served, fmt: str) -> None:
    client = _client(served, fmt)
    for hidden in ("C-RAHASIA", "C-NOPE"):
        with pytest.raises(requests.HTTPError) as raised:
            client.get_service_request(hidden)  # type: ignore[attr-defined]
        assert raised.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_requests(status="pending")  # type: ignore[attr-defined]
    assert raised.value.response.status_code == 400
    other = georeport.GeoReport(f"{served.url}/open311/v2", jurisdiction="sfgov.org")
    with pytest.raises(requests.HTTPError) as raised:
        other.get_service_list()
    assert raised.value.response.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_form_post_over_http_creates_one_request_and_its_token_finds_it(
    served: Served, desk: Desk, fmt: str
) -> None:
    form = {
        "api_key": API_KEY,
        "jurisdiction_id": JURISDICTION,
        "service_code": "pengaduan",
        "address_string": "Jl. Mawar 7",
        "first_name": "Budi",
        "last_name": "Santoso",
        "description": "Saluran tersumbat",
    }
    url = f"{served.url}/open311/v2/requests.{fmt}"
    headers = {"Idempotency-Key": f"uji-{fmt}-1"}
    first = requests.post(url, data=form, headers=headers, timeout=10)
    again = requests.post(url, data=form, headers=headers, timeout=10)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.text == again.text
    assert not [s for s in SECRETS if s in first.text]
    token = requests.get(f"{served.url}/open311/v2/tokens/uji-{fmt}-1.json", timeout=10).json()
    complaint = desk.store.load(token[0]["service_request_id"])
    assert complaint.version == 1
    assert complaint.state == "submitted"
    refused = requests.post(url, data={**form, "api_key": "salah"}, timeout=10)
    assert refused.status_code == 403
    assert "api_key" in refused.text
