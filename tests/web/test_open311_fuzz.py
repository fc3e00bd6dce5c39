"""Malformed parameters always get the spec's error body with a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from pengaduan import Desk
from pengaduan.testing import ManualClock
from pengaduan.web import create_app

from .conftest import API_KEY, NOW, fill

BASE = "/open311/v2"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    desk = Desk.open(":memory:", clock=ManualClock(NOW), backoff=0)
    fill(desk)
    yield TestClient(
        create_app(desk, api_key=API_KEY, jurisdiction_id="muaraenimkab.go.id"),
        raise_server_exceptions=False,
    )
    desk.store.close()


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(
    [
        "2026-03-01T00:00:00Z",
        "2026-03-01",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "open",
        "closed,open",
        "pengaduan",
        "-1",
        "0",
        "1e9",
        "99999999999",
        "C-PUB,C-NEW",
        "\x00",
        "muaraenimkab.go.id",
    ]
)
_GET_NAMES = st.sampled_from(
    [
        "service_request_id",
        "service_code",
        "start_date",
        "end_date",
        "status",
        "page",
        "page_size",
        "jurisdiction_id",
        "other",
    ]
)
_POST_NAMES = st.sampled_from(
    [
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "description",
        "first_name",
        "last_name",
        "phone",
        "email",
        "account_id",
        "media_url",
        "device_id",
        "jurisdiction_id",
        "attribute[anonymous]",
        "attribute[confidential]",
        "attribute[title]",
        "attribute[x]",
        "attribute[",
    ]
)


def _check(response: Any, fmt: str, allowed: set[int]) -> None:
    assert response.status_code in allowed, response.text
    if response.status_code < 400:
        return
    if fmt == "xml":
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(response.status_code)
        assert root.findtext("error/description")
    else:
        (error,) = response.json()
        assert error["code"] == response.status_code
        assert error["description"]


@given(
    pairs=st.lists(st.tuples(_GET_NAMES, _TEXT), max_size=6),
    fmt=st.sampled_from(["json", "xml"]),
)
def test_any_query_of_get_requests_is_answered_or_refused_with_a_400(
    client: TestClient, pairs: list[tuple[str, str]], fmt: str
) -> None:
    response = client.get(f"{BASE}/requests.{fmt}?{urlencode(pairs)}")
    _check(response, fmt, {200, 400, 404})
    if response.status_code == 404:  # only another jurisdiction is not found here
        assert "jurisdiction_id" in response.text
    elif response.status_code == 200 and fmt == "xml":
        assert ElementTree.fromstring(response.content).tag == "service_requests"


@given(
    pairs=st.lists(st.tuples(_POST_NAMES, _TEXT), max_size=8),
    fmt=st.sampled_from(["json", "xml"]),
    key=st.none() | _TEXT,
)
def test_any_form_of_post_requests_is_created_or_refused_in_the_specs_format(
    client: TestClient, pairs: list[tuple[str, str]], fmt: str, key: str | None
) -> None:
    headers: dict[str, bytes] = {}
    if key is not None:  # any bytes a header may carry (no line breaks, no NUL)
        value = key.encode("utf-8")
        headers["Idempotency-Key"] = bytes(b for b in value if b not in b"\r\n\x00").strip()
    form = [("api_key", API_KEY), ("service_code", "pengaduan"), ("lat", "-3"), ("long", "104")]
    names = {name for name, _ in pairs}
    form = [(name, value) for name, value in form if name not in names] + pairs
    response = client.post(
        f"{BASE}/requests.{fmt}",
        content=urlencode(form).encode(),
        headers={"content-type": b"application/x-www-form-urlencoded", **headers},
    )
    _check(response, fmt, {200, 201, 400, 404})


@given(
    path=st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="/?#%"),
        max_size=20,
    ),
    fmt=st.sampled_from(["json", "xml", "html", ""]),
)
def test_any_id_or_token_is_found_or_404(client: TestClient, path: str, fmt: str) -> None:
    for resource in ("requests", "tokens", "services"):
        response = client.get(f"{BASE}/{resource}/{path}.{fmt}")
        _check(response, fmt if fmt == "xml" else "json", {200, 404})
