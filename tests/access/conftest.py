"""Builders for the access tests: complaints of the preset with chosen flags and reporter."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pengaduan import Actor, Complaint
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Workflow

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 17, 9, 15, tzinfo=WIB)

REPORTER = Actor("warga-17", "reporter")
OTHER_REPORTER = Actor("warga-99", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
NATIONAL = Actor("admin-pusat", "admin_national")
OPERATOR = Actor("op-pu", "unit_operator", "dinas-pu")
HEAD = Actor("kadis-pu", "unit_head", "dinas-pu")
OTHER_OPERATOR = Actor("op-dinkes", "unit_operator", "dinas-kesehatan")
SYSTEM = Actor("sistem", "system")
REGENT = Actor("bupati", "regional_head")
OMBUDSMAN = Actor("ori", "ombudsman")

NAME = "Siti Rahmawati"
PHONE = "081234567890"
EMAIL = "siti.rahma@contoh.id"
NIK = "1603014502900001"
ACCOUNT = "akun-siti-77"  # a reporter account named by staff entering a walk-in complaint

PERSONAL = {"name": NAME, "phone": PHONE, "email": EMAIL, "nik": NIK}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def build(
    *,
    anonymous: bool = False,
    confidential: bool = False,
    stage: str = "followed_up",
    by_staff: bool = False,
    reporter: dict[str, Any] | None = None,
    complaint_id: str = "C-1",
    workflow: Workflow | None = None,
    reporter_account: str = ACCOUNT,
    extra_submit: dict[str, Any] | None = None,
) -> Complaint:
    """A complaint carrying the reporter's details, walked through the preset up to `stage`.

    With `by_staff`, an admin enters it (walk-in) naming `reporter_account`; else the
    reporter REPORTER submits it. The reporter replies and comments along the way, so that
    their actor id appears in several events.
    """
    wf = workflow or lapor_workflow()
    data: dict[str, Any] = {
        "title": "Pungutan liar di kantor desa",
        "body": "Petugas meminta uang untuk surat pengantar.",
        "channel": "walk_in" if by_staff else "web",
        "privacy": {"anonymous": anonymous, "confidential": confidential},
        "reporter": dict(PERSONAL if reporter is None else reporter),
        **(extra_submit or {}),
    }
    if by_staff:
        data["reporter_account"] = reporter_account
    owner = Actor(reporter_account, "reporter") if by_staff else REPORTER
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        ("submit", ADMIN if by_staff else REPORTER, data),
        ("comment", owner, {"message": "Mohon segera ditindaklanjuti"}),
        ("verify", ADMIN, {"classification": "pengaduan"}),
        ("dispatch", ADMIN, {"unit": "dinas-pu"}),
        ("follow_up", OPERATOR, {"response": "Sedang diperiksa"}),
        ("reply", owner, {"message": "Belum ada perubahan"}),
        ("follow_up", OPERATOR, {"response": "Petugas sudah ditegur"}),
        ("close", owner, {}),
    ]
    stop = {"submitted": 2, "verified": 3, "dispatched": 4, "followed_up": 7, "closed": 8}[stage]
    complaint = wf.new(complaint_id)
    for hour, (action, actor, payload) in enumerate(steps[:stop], start=1):
        complaint = wf.apply(complaint, action, actor, at(hour), payload)
    assert complaint.state == stage
    return complaint
