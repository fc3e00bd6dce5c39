"""The visibility matrix: every viewer x privacy flags x personal field.

The expectations are written out by hand below (not derived from the code under test), from
the rules of issue 8: *anonim* hides the reporter's identity from the public and from unit
roles, *rahasia* hides the whole complaint from the public (and from staff not handling it),
admins and the reporter see everything, and the public never sees personal data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pytest

from pengaduan import Complaint, NotVisibleError
from pengaduan.access import Standing, Viewer, json_feed, standing, summary, view, views, visible
from pengaduan.presets import lapor_workflow

from .conftest import ACCOUNT, EMAIL, NAME, NIK, PHONE, REPORTER, build

# flags: (anonymous, confidential)
FLAGS = {
    "none": (False, False),
    "anonim": (True, False),
    "rahasia": (False, True),
    "both": (True, True),
}

V = True
H = False  # hidden
Y = True
N = False
X = None  # not applicable: the complaint is hidden

# viewer -> (standing, visible per flag, identity shown per flag), flags in FLAGS order.
# The complaint is followed up, dispatched to unit "dinas-pu".
MATRIX: dict[str, tuple[Viewer, Standing, tuple[bool, ...], tuple[bool | None, ...]]] = {
    "public": (Viewer.public(), Standing.PUBLIC, (V, V, H, H), (N, N, X, X)),
    "reporter (own)": (Viewer.reporter("OWNER"), Standing.OWNER, (V, V, V, V), (Y, Y, Y, Y)),
    "reporter (other)": (
        Viewer.reporter("warga-99"),
        Standing.PUBLIC,
        (V, V, H, H),
        (N, N, X, X),
    ),
    "admin_national": (
        Viewer.staff("admin_national"),
        Standing.TRUSTED,
        (V, V, V, V),
        (Y, Y, Y, Y),
    ),
    "admin_agency": (Viewer.staff("admin_agency"), Standing.TRUSTED, (V, V, V, V), (Y, Y, Y, Y)),
    "unit_operator (its unit)": (
        Viewer.staff("unit_operator", "dinas-pu"),
        Standing.HANDLER,
        (V, V, V, V),
        (Y, N, Y, N),
    ),
    "unit_head (its unit)": (
        Viewer.staff("unit_head", "dinas-pu"),
        Standing.HANDLER,
        (V, V, V, V),
        (Y, N, Y, N),
    ),
    "unit_operator (other unit)": (
        Viewer.staff("unit_operator", "dinas-kesehatan"),
        Standing.STAFF,
        (V, V, H, H),
        (Y, N, X, X),
    ),
    "unit_head (no unit)": (
        Viewer.staff("unit_head"),
        Standing.STAFF,
        (V, V, H, H),
        (Y, N, X, X),
    ),
    "regional_head": (Viewer.staff("regional_head"), Standing.STAFF, (V, V, H, H), (Y, N, X, X)),
    # Issue 14: the preset ladder copies breaches to the Ombudsman, so it sees rahasia
    # complaints (a confidential role), still without the identity of an anonim reporter.
    "ombudsman": (Viewer.staff("ombudsman"), Standing.STAFF, (V, V, V, V), (Y, N, Y, N)),
    "system": (Viewer.staff("system"), Standing.STAFF, (V, V, H, H), (Y, N, X, X)),
    "unknown role": (Viewer.staff("auditor"), Standing.PUBLIC, (V, V, H, H), (N, N, X, X)),
}

# personal field -> (how the complaint is entered, the value that must be hidden or shown)
FIELDS: dict[str, tuple[bool, str]] = {
    "reporter.name (self)": (False, NAME),
    "reporter.phone (self)": (False, PHONE),
    "reporter.email (self)": (False, EMAIL),
    "reporter.nik (self)": (False, NIK),
    "reporter actor id (self)": (False, REPORTER.id),
    "reporter.name (by staff)": (True, NAME),
    "reporter.phone (by staff)": (True, PHONE),
    "reporter.email (by staff)": (True, EMAIL),
    "reporter.nik (by staff)": (True, NIK),
    "reporter_account (by staff)": (True, ACCOUNT),
}


def strings(value: Any) -> Iterator[str]:
    """Every string inside a record, however deep (attrs records, mappings, sequences)."""
    if isinstance(value, str):
        yield value
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from strings(getattr(value, field.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, Sequence | set | frozenset):  # Complaint._events: a Sequence
        for item in value:
            yield from strings(item)


def contains(value: Any, secret: str) -> bool:
    return any(secret in text for text in strings(value))


def viewer_for(viewer: Viewer, by_staff: bool) -> Viewer:
    if viewer.account == "OWNER":
        return Viewer.reporter(ACCOUNT if by_staff else REPORTER.id)
    return viewer


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("who", MATRIX)
def test_each_viewer_sees_each_personal_field_exactly_as_the_flags_allow(
    who: str, flags: str, field: str
) -> None:
    base_viewer, expected_standing, visibility, identity = MATRIX[who]
    by_staff, secret = FIELDS[field]
    anonymous, confidential = FLAGS[flags]
    complaint = build(anonymous=anonymous, confidential=confidential, by_staff=by_staff)
    viewer = viewer_for(base_viewer, by_staff)
    column = list(FLAGS).index(flags)

    assert contains(complaint, secret), "the test complaint must carry the value"
    assert standing(complaint, viewer, workflow=lapor_workflow()) is expected_standing
    feed = json.dumps(json_feed([complaint], viewer, workflow=lapor_workflow()), ensure_ascii=False)
    brief = json.dumps(summary(complaint, viewer, workflow=lapor_workflow()), ensure_ascii=False)
    listed = list(views([complaint], viewer, workflow=lapor_workflow()))

    if not visibility[column]:
        assert not visible(complaint, viewer, workflow=lapor_workflow())
        with pytest.raises(NotVisibleError) as info:
            view(complaint, viewer, workflow=lapor_workflow())
        assert "confidential (rahasia)" in str(info.value)
        assert secret not in str(info.value)
        assert listed == []
        assert feed == "[]"
        assert json.loads(brief) == {"id": "C-1", "state": "followed_up", "hidden": True}
        return

    seen = view(complaint, viewer, workflow=lapor_workflow())
    assert visible(complaint, viewer, workflow=lapor_workflow())
    assert listed == [seen]
    shown = identity[column]
    assert contains(seen, secret) is shown
    assert (secret in feed) is shown
    if shown:
        assert seen == complaint, "a viewer entitled to everything gets the complaint unchanged"
    else:
        assert seen.facts is not None
        assert seen.facts.reporter is None
        assert all(
            "reporter" not in e.data and "reporter_account" not in e.data for e in seen.events
        )
        assert json.loads(feed)[0]["redacted"] is True
    if "reporter" not in field or "actor id" in field or "account" in field:
        return
    # Everything that is not personal survives redaction untouched.
    assert seen.facts.title == complaint.facts.title  # type: ignore[union-attr]
    assert seen.facts.body == complaint.facts.body  # type: ignore[union-attr]
    assert seen.state == complaint.state
    assert seen.unit == complaint.unit
    assert [e.action for e in seen.events] == [e.action for e in complaint.events]
    assert [e.data.get("response") for e in seen.events] == [
        e.data.get("response") for e in complaint.events
    ]


@pytest.mark.parametrize("flags", FLAGS)
def test_the_public_sees_nothing_before_verification_or_once_archived(flags: str) -> None:
    anonymous, confidential = FLAGS[flags]
    for stage in ("submitted",):
        complaint = build(anonymous=anonymous, confidential=confidential, stage=stage)
        decision = visible(complaint, workflow=lapor_workflow())
        assert not decision
        assert decision.error is NotVisibleError
        assert json_feed([complaint], workflow=lapor_workflow()) == []
    for stage in ("verified", "dispatched", "followed_up", "closed"):
        complaint = build(anonymous=anonymous, confidential=confidential, stage=stage)
        assert bool(visible(complaint, workflow=lapor_workflow())) is not confidential, stage


def test_an_archived_complaint_is_not_public() -> None:
    from pengaduan.presets import lapor_workflow

    from .conftest import ADMIN, at

    complaint = build(stage="verified")
    archived = lapor_workflow().apply(complaint, "archive", ADMIN, at(50), {"reason": "umum"})
    assert (
        "not published in state 'archived'" in visible(archived, workflow=lapor_workflow()).reason
    )
    assert visible(archived, Viewer.staff("admin_national"), workflow=lapor_workflow())


def test_a_unit_handles_a_complaint_only_while_it_is_dispatched_to_it() -> None:
    complaint = build(confidential=True, stage="verified")
    operator = Viewer.staff("unit_operator", "dinas-pu")
    assert standing(complaint, operator, workflow=lapor_workflow()) is Standing.STAFF
    assert not visible(complaint, operator, workflow=lapor_workflow())
    assert (
        standing(build(confidential=True, stage="dispatched"), operator, workflow=lapor_workflow())
        is Standing.HANDLER
    )


def test_a_complaint_never_submitted_is_hidden_from_the_public() -> None:
    from pengaduan.presets import lapor_workflow

    fresh: Complaint = lapor_workflow().new("C-0")
    assert "not been submitted" in visible(fresh, workflow=lapor_workflow()).reason
    assert visible(fresh, Viewer.staff("admin_agency"), workflow=lapor_workflow())


def test_reporter_details_are_withheld_field_by_field_not_by_string_edits() -> None:
    complaint = build(anonymous=True, reporter={"name": "Budi"})
    seen = view(complaint, Viewer.staff("unit_operator", "dinas-pu"), workflow=lapor_workflow())
    # The body mentions nothing personal and is kept verbatim; only the fields go.
    assert seen.facts is not None
    assert complaint.facts is not None
    assert seen.facts.body == complaint.facts.body
    assert seen.facts.privacy == complaint.facts.privacy
    assert seen.events[0].data.keys() == complaint.events[0].data.keys() - {"reporter"}


def test_redacted_actor_ids_keep_role_and_unit() -> None:
    complaint = build(anonymous=True)
    seen = view(complaint, Viewer.staff("unit_operator", "dinas-pu"), workflow=lapor_workflow())
    for original, redacted in zip(complaint.events, seen.events, strict=True):
        assert (redacted.actor.role, redacted.actor.unit) == (
            original.actor.role,
            original.actor.unit,
        )
        if original.actor.role == "reporter":
            assert redacted.actor.id == "anonim"
        else:
            assert redacted.actor.id == original.actor.id, "staff ids stay for staff"
    public = view(complaint, workflow=lapor_workflow())
    assert {e.actor.id for e in public.events} == {"anonim"}, "the public sees no actor id"
