"""The Open311 GeoReport v2 projection: public only, no personal data, SLA-based expectation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from store_helpers import ADMIN, OPERATOR, START, event

from pengaduan.model import Complaint, Event
from pengaduan.open311 import DESCRIPTION_LIMIT, service_request, to_open311
from pengaduan.presets import lapor_policy, lapor_workflow

PERSONAL = {
    "name": "Siti Aminah",
    "phone": "081234567890",
    "email": "siti@example.id",
    "nik": "1603010101010001",
}


def build(events: list[Event]) -> Complaint:
    workflow = lapor_workflow()
    complaint = workflow.new(events[0].complaint)
    for item in events:
        complaint = workflow.apply_event(complaint, item)
    return complaint


def history(
    privacy: dict | None = None,
    body: str = "Lubang besar",
    closed: bool = False,
    location: dict | None = None,
) -> list[Event]:
    from store_helpers import REPORTER

    data = {"title": "Jalan", "body": body, "channel": "web", "reporter": PERSONAL}
    if privacy is not None:
        data["privacy"] = privacy
    if location is not None:
        data["location"] = location
    events = [
        event("C-1", 1, "submit", REPORTER, data, 0),
        event("C-1", 2, "verify", ADMIN, {"classification": "pengaduan", "category": "jalan"}, 1),
        event("C-1", 3, "dispatch", ADMIN, {"unit": "dinas-pu"}, 2),
        event("C-1", 4, "follow_up", OPERATOR, {"response": "Ditambal"}, 3),
    ]
    if closed:
        events.append(event("C-1", 5, "close", ADMIN, {}, 300))
    return events


def test_an_open_complaint_projects_every_field() -> None:
    request = service_request(
        build(
            history(
                location={
                    "address": "Jl. Merdeka 1",
                    "district": "Lawang Kidul",
                    "latitude": -3.7,
                    "longitude": 103.8,
                }
            )
        ),
        workflow=lapor_workflow(),
    )
    assert request == {
        "service_request_id": "C-1",
        "status": "open",
        "status_notes": "Ditindaklanjuti",
        "agency_responsible": "dinas-pu",
        "service_name": "Pengaduan",
        "service_code": "jalan",
        "description": "Lubang besar",
        "requested_datetime": START.isoformat(),
        "updated_datetime": (START + timedelta(hours=3)).isoformat(),
        "expected_datetime": None,
        "address": "Lawang Kidul",  # the street address is personal by default
        "lat": -3.7,
        "long": 103.8,
    }


def test_a_closed_complaint_is_closed_with_notes_and_no_expectation() -> None:
    request = service_request(
        build(history(closed=True)), expected=START, workflow=lapor_workflow()
    )
    assert request is not None
    assert (request["status"], request["status_notes"]) == ("closed", "Selesai")
    assert request["expected_datetime"] is None


@pytest.mark.parametrize(
    "privacy",
    [{"confidential": True}, {"confidential": True, "anonymous": True}],
    ids=["rahasia", "both"],
)
def test_a_confidential_complaint_never_appears(privacy: dict) -> None:
    complaint = build(history(privacy=privacy))
    assert service_request(complaint, workflow=lapor_workflow()) is None
    assert to_open311([complaint, build(history())], workflow=lapor_workflow()) != []
    assert [
        r["service_request_id"] for r in to_open311([complaint], workflow=lapor_workflow())
    ] == []


@pytest.mark.parametrize("privacy", [None, {"anonymous": True}], ids=["plain", "anonim"])
def test_no_reporter_personal_data_ever_appears(privacy: dict | None) -> None:
    request = service_request(build(history(privacy=privacy)), workflow=lapor_workflow())
    assert request is not None
    text = repr(request)
    for value in [*PERSONAL.values(), "warga-17"]:
        assert value not in text


def test_an_unpublished_complaint_does_not_appear() -> None:
    assert service_request(build(history()[:1]), workflow=lapor_workflow()) is None


def test_the_description_is_cut_at_the_open311_limit() -> None:
    request = service_request(build(history(body="x" * 5000)), workflow=lapor_workflow())
    assert request is not None
    assert len(request["description"]) == DESCRIPTION_LIMIT


def test_expected_datetime_from_a_value_or_a_function() -> None:
    complaint = build(history())
    due = datetime(2026, 3, 20, 9, tzinfo=UTC)
    assert (
        service_request(complaint, expected=due, workflow=lapor_workflow())["expected_datetime"]
        == due.isoformat()
    )  # type: ignore[index]
    by_function = service_request(
        complaint, expected=lambda c: due + timedelta(days=c.version), workflow=lapor_workflow()
    )
    assert by_function["expected_datetime"] == (due + timedelta(days=4)).isoformat()  # type: ignore[index]


def test_expected_datetime_from_the_sla_policy() -> None:
    from pengaduan.sla import expected_datetime

    complaint = build(history())
    as_of = START + timedelta(days=1)
    policy = lapor_policy()
    request = service_request(
        complaint, policy=policy, as_of=as_of, clock="closure", workflow=lapor_workflow()
    )
    wanted = expected_datetime(complaint, as_of, policy=policy, clock="closure")
    assert request is not None
    assert wanted is not None
    assert request["expected_datetime"] == wanted.isoformat()


def test_a_policy_without_an_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="as_of"):
        service_request(build(history()), policy=lapor_policy(), workflow=lapor_workflow())


def test_another_viewer_sees_the_confidential_complaints_they_may_see() -> None:
    from pengaduan.access import Viewer

    complaint = build(history(privacy={"confidential": True, "anonymous": True}))
    assert service_request(complaint, workflow=lapor_workflow()) is None
    handler = service_request(
        complaint, viewer=Viewer.staff("unit_operator", "dinas-pu"), workflow=lapor_workflow()
    )
    assert handler is not None
    assert handler["agency_responsible"] == "dinas-pu"
    assert (
        service_request(
            complaint, viewer=Viewer.staff("unit_operator", "rsud"), workflow=lapor_workflow()
        )
        is None
    )
    assert [
        r["service_request_id"]
        for r in to_open311(
            [complaint], viewer=Viewer.staff("admin_agency"), workflow=lapor_workflow()
        )
    ] == ["C-1"]
    for value in [*PERSONAL.values(), "warga-17"]:
        assert value not in repr(handler)


def test_fields_the_privacy_policy_marks_personal_are_withheld_not_crashed_on() -> None:
    from pengaduan.access import DEFAULT_POLICY, Viewer

    privacy = DEFAULT_POLICY.with_personal_fields("body", "location")
    complaint = build(
        history(body="Rumah Pak Harun", location={"latitude": -3.7, "longitude": 103.8})
    )
    public = service_request(complaint, privacy=privacy, workflow=lapor_workflow())
    assert public is not None
    assert (public["description"], public["lat"], public["address"]) == (None, None, None)
    admin = service_request(
        complaint, privacy=privacy, viewer=Viewer.staff("admin_agency"), workflow=lapor_workflow()
    )
    assert admin is not None
    assert (admin["description"], admin["lat"]) == ("Rumah Pak Harun", -3.7)
