"""The Open311 GeoReport v2 projection of complaints: what a public civic feed may show.

`service_request` turns one complaint into a GeoReport v2 *service request* (a dict ready for
JSON); `to_open311` does it for many. The projection is built from the complaint as a viewer
may see it (`pengaduan.access.view`), and the viewer is the public unless you name another:

- for the public, a confidential (*rahasia*) complaint never appears, nor one the public may
  not see yet (by default a complaint is public once verified); another viewer sees what
  `pengaduan.access` lets them see (an admin every complaint, a unit its own *rahasia* ones);
- no reporter personal data ever appears: none of the fields carries the reporter's details,
  and a free-text field the privacy policy marks personal (e.g. the description) is left
  empty for a viewer who may not see it;
- ``status`` is ``open`` or ``closed`` (a terminal state of the workflow), and
  ``status_notes`` names the state in Bahasa Indonesia: "closed" is not "fixed"
  (FixMyStreet's lesson), the notes say whether it was settled (*Selesai*) or archived;
- ``expected_datetime`` comes from the SLA (`pengaduan.sla.expected_datetime` of a policy's
  clock at an instant you give), or from a value or function you pass.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan.model import Actor
>>> from pengaduan.presets import lapor_workflow
>>> workflow = lapor_workflow()
>>> at = datetime(2026, 3, 2, 1, tzinfo=timezone.utc)
>>> c = workflow.apply(workflow.new("C-1"), "submit", Actor("warga-17", "reporter"), at,
...     {"title": "Jalan berlubang", "body": "Lubang di jalan desa", "channel": "web",
...      "reporter": {"name": "Siti", "phone": "0812555"},
...      "location": {"village": "Karang Raja", "latitude": -3.7, "longitude": 103.8}})
>>> service_request(c, workflow=workflow) is None  # not verified yet: not public
True
>>> c = workflow.apply(c, "verify", Actor("admin", "admin_agency"), at.replace(hour=3),
...                    {"classification": "pengaduan"})
>>> request = service_request(c, workflow=workflow)
>>> request["status"], request["status_notes"], request["lat"], request["address"]
('open', 'Terverifikasi', -3.7, 'Karang Raja')
>>> "Siti" in str(request)
False

```
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import NotVisibleError
from pengaduan.model import Complaint
from pengaduan.workflow import Workflow

if TYPE_CHECKING:
    from pengaduan.access import PrivacyPolicy, Viewer
    from pengaduan.sla import Policy

__all__ = ["DESCRIPTION_LIMIT", "service_request", "to_open311"]

DESCRIPTION_LIMIT = 4000
"""GeoReport v2 allows descriptions of at most 4,000 characters."""

Expected = datetime | Callable[[Complaint], "datetime | None"] | None


def _seen(
    complaint: Complaint,
    workflow: Workflow,
    viewer: Viewer | None,
    privacy: PrivacyPolicy | None,
) -> Complaint | None:
    from pengaduan.access import PUBLIC, view

    try:
        return view(
            complaint, PUBLIC if viewer is None else viewer, workflow=workflow, privacy=privacy
        )
    except NotVisibleError:
        return None


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def service_request(
    complaint: Complaint,
    as_of: datetime | TimeSource | None = None,
    *,
    workflow: Workflow,
    expected: Expected = None,
    policy: Policy | None = None,
    clock: str = "resolution",
    viewer: Viewer | None = None,
    privacy: PrivacyPolicy | None = None,
) -> dict[str, Any] | None:
    """The GeoReport v2 service request of a complaint, or ``None`` if the viewer may not see it.

    Args:
        complaint: The complaint (as stored, or already redacted).
        workflow: Its workflow (state labels, terminal states).
        expected: ``expected_datetime`` as a value, or a function of the complaint.
        policy: Else, the SLA policy whose `clock` gives ``expected_datetime`` at `as_of`.
        clock: The policy's clock to use (default ``"resolution"``).
        as_of: The instant the SLA is evaluated at (needed with `policy`), or a `TimeSource`
            to ask.
        viewer: Who the projection is for (`pengaduan.access.Viewer`); the public by default.
        privacy: The privacy policy (`pengaduan.access.PrivacyPolicy`); the default policy
            by default.

    Returns:
        A dict with ``service_request_id``, ``status``, ``status_notes``,
        ``agency_responsible``, ``service_name``, ``service_code``, ``description``,
        ``requested_datetime``, ``updated_datetime``, ``expected_datetime``, ``address``,
        ``lat`` and ``long`` (``None`` where unknown or withheld); or ``None`` for a complaint
        the viewer may not see (for the public: confidential, or not yet published).

    Raises:
        ValueError: If `policy` is given without `as_of`.
    """
    if policy is not None and as_of is None and expected is None:
        raise ValueError("an expected_datetime from a policy needs as_of (the instant)")
    public = _seen(complaint, workflow, viewer, privacy)
    if public is None or public.facts is None:
        return None
    facts = public.facts
    state = workflow.state(public.state)
    if callable(expected):
        due = expected(complaint)
    elif expected is not None:
        due = expected
    elif policy is not None and as_of is not None and not state.terminal:
        from pengaduan.sla import expected_datetime

        due = expected_datetime(complaint, as_of, policy=policy, clock=clock)
    else:
        due = None
    location = facts.location
    address = None
    if location is not None:
        parts = [p for p in (location.address, location.village, location.district) if p]
        address = ", ".join(parts) or None
    classification = facts.classification
    return {
        "service_request_id": public.id,
        "status": "closed" if state.terminal else "open",
        "status_notes": state.label,
        "agency_responsible": public.unit,
        "service_name": classification.label if classification is not None else None,
        "service_code": facts.category
        or (classification.value if classification is not None else None),
        "description": None if facts.body is None else facts.body[:DESCRIPTION_LIMIT],
        "requested_datetime": _instant(public.submitted_at),
        "updated_datetime": _instant(public.updated_at),
        "expected_datetime": None if state.terminal else _instant(due),
        "address": address,
        "lat": location.latitude if location is not None else None,
        "long": location.longitude if location is not None else None,
    }


def to_open311(
    complaints: Iterable[Complaint],
    as_of: datetime | TimeSource | None = None,
    *,
    workflow: Workflow,
    expected: Expected = None,
    policy: Policy | None = None,
    clock: str = "resolution",
    viewer: Viewer | None = None,
    privacy: PrivacyPolicy | None = None,
) -> list[dict[str, Any]]:
    """The GeoReport v2 service requests of the complaints the viewer may see, in order.

    The viewer is the public unless `viewer` names another.

    Takes the same arguments as `service_request`; complaints it returns ``None`` for are
    left out.
    """
    requests = []
    instant = None if as_of is None else instant_of(as_of)  # one instant for every request
    for complaint in complaints:
        request = service_request(
            complaint,
            workflow=workflow,
            expected=expected,
            policy=policy,
            clock=clock,
            as_of=instant,
            viewer=viewer,
            privacy=privacy,
        )
        if request is not None:
            requests.append(request)
    return requests
