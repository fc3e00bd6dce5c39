"""Properties: no output path leaks a generated reporter's name or phone number where the
viewer may not see them, and confidential complaints never reach public outputs."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from pengaduan import Actor, Complaint, NotVisibleError, PengaduanError, Role
from pengaduan.access import (
    PUBLIC,
    Standing,
    Viewer,
    json_feed,
    standing,
    summary,
    view,
    views,
    visible,
)
from pengaduan.interchange import dumps_event
from pengaduan.open311 import to_open311
from pengaduan.presets import lapor_workflow

from .conftest import ADMIN, NATIONAL, OPERATOR, OTHER_OPERATOR, REGENT, SYSTEM, at
from .test_matrix import strings

WORKFLOW = lapor_workflow()
LABELS = {s.label for s in WORKFLOW.states} | {r.label for r in Role}

names = st.from_regex(r"[A-Z][a-z]{3,10} [A-Z][a-z]{3,10}", fullmatch=True).filter(
    lambda name: name not in LABELS
)
phones = st.from_regex(r"08[1-9][0-9]{7,10}", fullmatch=True)

VIEWERS = [
    PUBLIC,
    Viewer.reporter("warga-99"),
    Viewer.staff("unit_operator", "dinas-pu"),
    Viewer.staff("unit_head", "dinas-kesehatan"),
    Viewer.staff("regional_head"),
    Viewer.staff("ombudsman"),
    Viewer.staff("system"),
    Viewer.staff("admin_agency"),
    Viewer.staff("auditor"),
]

DATA: dict[str, dict[str, Any]] = {
    "hold": {"reason": "Data kurang"},
    "resume": {},
    "archive": {"reason": "Terlalu umum"},
    "dispatch": {"unit": "dinas-pu"},
    "forward": {"unit": "dinas-kesehatan"},
    "decline": {"reason": "Bukan wewenang"},
    "follow_up": {"response": "Sudah ditangani"},
    "reply": {"message": "Belum selesai"},
    "close": {},
    "reopen": {"reason": "Belum tuntas"},
    "comment": {"message": "Mohon kabar"},
    "escalate": {"level": 1, "to": "unit_head"},
}


@st.composite
def histories(draw: st.DrawFn) -> tuple[Complaint, str, str, str]:
    """A complaint with a generated reporter, walked through random allowed actions.

    Returns the complaint, the reporter's name and phone, and the owner's account id.
    """
    name, phone = draw(names), draw(phones)
    by_staff = draw(st.booleans())
    owner = Actor("akun-77" if by_staff else "warga-17", "reporter")
    submit: dict[str, Any] = {
        "title": "Pungutan liar",
        "body": "Petugas meminta uang.",
        "channel": "walk_in" if by_staff else "sms",
        "privacy": {"anonymous": draw(st.booleans()), "confidential": draw(st.booleans())},
        "reporter": {"name": name, "phone": phone},
    }
    if by_staff:
        submit["reporter_account"] = owner.id
    complaint = WORKFLOW.apply(
        WORKFLOW.new("C-1"), "submit", ADMIN if by_staff else owner, at(0), submit
    )
    actors = [owner, ADMIN, NATIONAL, OPERATOR, OTHER_OPERATOR, SYSTEM, REGENT]
    for hour in range(1, draw(st.integers(0, 12)) + 1):
        actor = draw(st.sampled_from(actors))
        allowed = WORKFLOW.allowed_actions(complaint, actor)
        if not allowed:
            continue
        action = draw(st.sampled_from(allowed))
        if action == "verify":
            data: dict[str, Any] = {"classification": "pengaduan"}
            if draw(st.booleans()):  # the admin sets the flags at verification
                data["privacy"] = {
                    "anonymous": draw(st.booleans()),
                    "confidential": draw(st.booleans()),
                }
        else:
            data = DATA[action]
        try:
            complaint = WORKFLOW.apply(complaint, action, actor, at(hour), data)
        except PengaduanError:  # a guard (forward to its own unit); nothing changed
            continue
    return complaint, name, phone, owner.id


def leaks(text: str, *secrets: str) -> bool:
    return any(secret in text for secret in secrets)


@given(histories())
def test_no_output_leaks_an_anonymous_reporters_name_or_phone(
    history: tuple[Complaint, str, str, str],
) -> None:
    complaint, name, phone, _owner = history
    assert complaint.facts is not None
    assume(complaint.facts.privacy.anonymous)
    open311 = json.dumps(to_open311([complaint], workflow=lapor_workflow()), ensure_ascii=False)
    assert not leaks(open311, name, phone)
    for viewer in VIEWERS:
        place = standing(complaint, viewer, workflow=lapor_workflow())
        entitled = place in (Standing.OWNER, Standing.TRUSTED)
        feed = json.dumps(
            json_feed([complaint], viewer, workflow=lapor_workflow()), ensure_ascii=False
        )
        brief = json.dumps(
            summary(complaint, viewer, workflow=lapor_workflow()), ensure_ascii=False
        )
        listed = list(views([complaint], viewer, workflow=lapor_workflow()))
        open311_for_viewer = json.dumps(
            to_open311([complaint], viewer=viewer, workflow=lapor_workflow()), ensure_ascii=False
        )
        assert not leaks(open311_for_viewer, name, phone), "Open311 carries no reporter data"
        outputs = [feed, brief, *(repr(c) for c in listed)]
        outputs += [s for c in listed for s in strings(c)]
        outputs += [dumps_event(e) for c in listed for e in c.events]
        try:
            outputs.append(repr(view(complaint, viewer, workflow=lapor_workflow())))
        except NotVisibleError as error:
            outputs.append(str(error))
        if entitled:
            assert leaks(feed, name, phone), "admins see the reporter's details"
        else:
            for text in outputs:
                assert not leaks(text, name, phone), (viewer, text)


@given(histories())
def test_reprs_and_refusals_never_show_personal_data_whoever_reads_them(
    history: tuple[Complaint, str, str, str],
) -> None:
    complaint, name, phone, owner = history
    texts = [repr(complaint), str(complaint), repr(complaint.facts)]
    texts += [repr(event) for event in complaint.events]
    # Refused attempts whose data carries the reporter's details: the messages must not echo
    # them (nor the reporter's account id, which may be a phone number).
    for action in ("submit", "verify", "reply", "follow_up", "comment", "nonsense"):
        for actor in (Actor(phone, "reporter"), Actor(name, "unit_operator", "dinas-x"), SYSTEM):
            data = {"reporter": {"name": name, "phone": phone}, "message": 7, "unit": ""}
            try:
                WORKFLOW.apply(complaint, action, actor, at(100), data)
            except PengaduanError as error:
                texts.append(str(error))
    for viewer in VIEWERS:
        try:
            view(complaint, viewer, workflow=lapor_workflow())
        except NotVisibleError as error:
            texts.append(str(error))
    for text in texts:
        assert not leaks(text, name, phone), text
    # Nor the reporter's account id (it may be their phone number), not even in a repr.
    assert not any(owner in text for text in texts), owner


@given(histories())
def test_confidential_complaints_never_appear_in_public_outputs(
    history: tuple[Complaint, str, str, str],
) -> None:
    complaint, _name, _phone, _owner = history
    assert complaint.facts is not None
    assume(complaint.facts.privacy.confidential)
    other = WORKFLOW.apply(
        WORKFLOW.apply(
            WORKFLOW.new("C-2"),
            "submit",
            Actor("warga-2", "reporter"),
            at(0),
            {"title": "Lampu jalan", "body": "Mati", "channel": "web"},
        ),
        "verify",
        ADMIN,
        at(1),
        {"classification": "aspirasi"},
    )
    feed = json_feed([complaint, other], workflow=lapor_workflow())
    assert [record["id"] for record in feed] == ["C-2"]
    assert [
        r["service_request_id"] for r in to_open311([complaint, other], workflow=lapor_workflow())
    ] == ["C-2"]
    assert [c.id for c in views([complaint, other], workflow=lapor_workflow())] == ["C-2"]
    assert not visible(complaint, workflow=lapor_workflow())
    assert summary(complaint, workflow=lapor_workflow()) == {
        "id": "C-1",
        "state": complaint.state,
        "hidden": True,
    }
    text = json.dumps(feed, ensure_ascii=False)
    assert complaint.facts.title not in text
    assert complaint.facts.body not in text
    for viewer in (Viewer.reporter("warga-99"), Viewer.staff("auditor")):
        assert json_feed([complaint], viewer, workflow=lapor_workflow()) == []
