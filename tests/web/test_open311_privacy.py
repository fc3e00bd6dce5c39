"""Privacy of the Open311 endpoint: no anonymous reporter, no confidential complaint, ever."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.testclient import TestClient

from pengaduan import Actor, Desk
from pengaduan.access import Viewer
from pengaduan.testing import ManualClock
from pengaduan.web import create_app

from .conftest import ADMIN, API_KEY, NOW, SECRETS, START

BASE = "/open311/v2"


def _bodies(client: TestClient, ids: list[str]) -> list[bytes]:
    paths = ["services.json", "services.xml", "services/pengaduan.xml"]
    for fmt in ("json", "xml"):
        paths.append(f"requests.{fmt}")
        paths.append(f"requests.{fmt}?service_request_id={','.join(ids)}")
        paths.append(f"requests.{fmt}?status=open,closed&page_size=1")
        paths.extend(f"requests/{complaint_id}.{fmt}" for complaint_id in ids)
    return [client.get(f"{BASE}/{path}").content for path in paths]


ALL = ["C-PUB", "C-ANON", "C-RAHASIA", "C-NEW", "C-DONE"]


def test_no_public_answer_holds_a_reporters_personal_data(desk: Desk) -> None:
    client = TestClient(create_app(desk))
    for body in _bodies(client, ALL):
        text = body.decode("utf-8")
        assert not [secret for secret in SECRETS if secret in text], text[:300]
    for fmt in ("json", "xml"):
        for query in ("", "?status=open,closed", "?service_request_id=C-RAHASIA,C-PUB"):
            assert "C-RAHASIA" not in client.get(f"{BASE}/requests.{fmt}{query}").text


def test_staff_outside_the_handling_unit_see_no_anonymous_reporters_data(desk: Desk) -> None:
    def viewer(request: Request) -> Viewer:
        return Viewer.staff("unit_operator", unit="dinas-kesehatan")

    client = TestClient(create_app(desk, viewer=viewer))
    for body in _bodies(client, ALL):
        text = body.decode("utf-8")
        assert "Budi Santoso" not in text
        assert "Jl. Mawar 7" not in text


def test_the_post_answer_echoes_nothing_personal(desk: Desk) -> None:
    client = TestClient(create_app(desk, api_key=API_KEY))
    form = {
        "api_key": API_KEY,
        "service_code": "pengaduan",
        "address_string": "Jl. Mawar 7",
        "first_name": "Budi",
        "last_name": "Santoso",
        "phone": "0813999",
        "email": "budi@example.org",
        "account_id": "0813999",
        "attribute[anonymous]": "true",
    }
    for fmt in ("json", "xml"):
        text = client.post(f"{BASE}/requests.{fmt}", data=form).text
        assert not [secret for secret in SECRETS if secret in text]


def test_a_refused_posts_error_names_no_submitted_value(desk: Desk) -> None:
    client = TestClient(create_app(desk, api_key=API_KEY))
    form = {
        "api_key": API_KEY,
        "service_code": "pengaduan",
        "lat": "Budi Santoso",
        "long": "1",
        "first_name": "Budi",
        "last_name": "Santoso",
    }
    response = client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 400
    assert "Budi" not in response.text


_FLAGS = st.fixed_dictionaries(
    {"anonymous": st.booleans(), "confidential": st.booleans(), "verified": st.booleans()}
)


@given(complaints=st.lists(_FLAGS, min_size=1, max_size=6))
def test_the_public_list_never_holds_a_confidential_complaint_or_an_anonymous_name(
    complaints: list[dict[str, bool]],
) -> None:
    desk = Desk.open(":memory:", clock=ManualClock(NOW), backoff=0)
    try:
        at: datetime = START
        for index, flags in enumerate(complaints):
            complaint_id = f"C-{index}"
            desk.submit(
                Actor(f"warga-{index}", "reporter"),
                {
                    "title": "Laporan",
                    "body": "Uraian",
                    "channel": "web",
                    "privacy": {k: flags[k] for k in ("anonymous", "confidential")},
                    "reporter": {"name": f"Nama{index}Rahasia", "phone": f"08{index}9999"},
                },
                complaint_id=complaint_id,
                at=at + timedelta(minutes=index),
            )
            if flags["verified"]:
                desk.act(
                    complaint_id,
                    "verify",
                    ADMIN,
                    {"classification": "pengaduan"},
                    at=at + timedelta(days=1),
                )
        client = TestClient(create_app(desk))
        listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
        expected = {
            f"C-{i}" for i, f in enumerate(complaints) if f["verified"] and not f["confidential"]
        }
        assert listed == expected
        for fmt in ("json", "xml"):
            text = client.get(f"{BASE}/requests.{fmt}").text
            assert "Nama" not in text
            assert "9999" not in text
    finally:
        desk.store.close()
