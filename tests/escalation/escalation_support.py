"""Builders shared by the escalation tests: the preset's actors and complaint histories."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from pengaduan import Actor, Complaint
from pengaduan.presets import lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")

REPORTER = Actor("warga-17", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
OPERATOR = Actor("op-pu", "unit_operator", "dinas-pu")
SYSTEM = Actor("sistem", "system")

SUBMIT = {"title": "Jalan berlubang", "body": "Jalan desa rusak", "channel": "web"}


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)  # type: ignore[misc]


class Lapor:
    """Drives one complaint through the SP4N-LAPOR! workflow at explicit instants."""

    def __init__(self, complaint_id: str = "C-1") -> None:
        self.workflow = lapor_workflow()
        self.complaint: Complaint = self.workflow.new(complaint_id)

    def do(self, action: str, when: datetime, actor: Actor = ADMIN, **data: Any) -> Lapor:
        self.complaint = self.workflow.apply(self.complaint, action, actor, when, data)
        return self

    def submit(self, when: datetime, **extra: Any) -> Lapor:
        return self.do("submit", when, REPORTER, **{**SUBMIT, **extra})

    def hold(self, when: datetime) -> Lapor:
        return self.do("hold", when, reason="Data belum lengkap")

    def resume(self, when: datetime) -> Lapor:
        return self.do("resume", when, REPORTER)

    def verify(self, when: datetime) -> Lapor:
        return self.do("verify", when, classification="pengaduan")

    def dispatch(self, when: datetime, unit: str = "dinas-pu") -> Lapor:
        return self.do("dispatch", when, unit=unit)

    def follow_up(self, when: datetime) -> Lapor:
        return self.do("follow_up", when, OPERATOR, response="Sudah diperbaiki")

    def reply(self, when: datetime) -> Lapor:
        return self.do("reply", when, REPORTER, message="Belum selesai")

    def routed(self, when: datetime) -> Lapor:
        """Submit, verify and dispatch at `when` (one minute apart)."""
        minute = timedelta(minutes=1)
        return self.submit(when).verify(when + minute).dispatch(when + 2 * minute)


# Each step: (action, actor, data). The walk takes those the state allows.
_STEPS: dict[str, tuple[Actor, dict[str, Any]]] = {
    "hold": (ADMIN, {"reason": "Data belum lengkap"}),
    "resume": (REPORTER, {}),
    "verify": (ADMIN, {"classification": "pengaduan"}),
    "dispatch": (ADMIN, {"unit": "dinas-pu"}),
    "decline": (OPERATOR, {"reason": "Bukan wewenang"}),
    "follow_up": (OPERATOR, {"response": "Sudah diperbaiki"}),
    "reply": (REPORTER, {"message": "Belum selesai"}),
    "close": (ADMIN, {}),
    "reopen": (ADMIN, {"reason": "Dibuka kembali"}),
    "comment": (ADMIN, {"message": "Catatan"}),
}

# Instants spread over 2026 (holidays, Ramadan hours, weekends, nights).
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda t: t.replace(second=0, microsecond=0, tzinfo=WIB)
)

gaps = st.one_of(
    st.integers(min_value=0, max_value=48 * 60),
    st.integers(min_value=0, max_value=30 * 24 * 60),
).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def histories(draw: st.DrawFn, complaint_id: str = "C-1") -> Complaint:
    """A random history of the preset workflow: a submit, then allowed steps at random gaps."""
    workflow = lapor_workflow()
    at = draw(instants)
    complaint = workflow.apply(workflow.new(complaint_id), "submit", REPORTER, at, SUBMIT)
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        allowed = [a for a in workflow.allowed_actions(complaint) if a in _STEPS]
        if not allowed:
            break
        action = draw(st.sampled_from(allowed))
        at = at + draw(gaps)
        actor, data = _STEPS[action]
        complaint = workflow.apply(complaint, action, actor, at, data)
    return complaint
