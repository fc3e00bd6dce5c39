"""Builders shared by the SLA tests: the preset's actors, a generic workflow, histories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pengaduan import Actor, Complaint, Event
from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.presets import lapor_workflow
from pengaduan.sla import Clock, Condition, Policy, Target
from pengaduan.workflow import Action, State, Workflow

WIB = ZoneInfo("Asia/Jakarta")

REPORTER = Actor("warga-17", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
OPERATOR = Actor("op-pu", "unit_operator", "dinas-pu")
SYSTEM = Actor("sistem", "system")

SUBMIT = {"title": "Jalan berlubang", "body": "Jalan desa rusak", "channel": "web"}

# An office calendar with no holidays: Mon-Fri 09:00-12:00 and 13:00-17:00 (7 hours a day).
OFFICE = WorkCalendar(
    name="office",
    zone="Asia/Jakarta",
    hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-17:00"}),
)


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

    def submit(self, when: datetime) -> Lapor:
        return self.do("submit", when, REPORTER, **SUBMIT)

    def hold(self, when: datetime, reason: str = "Data belum lengkap") -> Lapor:
        return self.do("hold", when, reason=reason)

    def resume(self, when: datetime) -> Lapor:
        return self.do("resume", when, REPORTER)

    def verify(self, when: datetime) -> Lapor:
        return self.do("verify", when, classification="pengaduan")

    def dispatch(self, when: datetime, unit: str = "dinas-pu") -> Lapor:
        return self.do("dispatch", when, unit=unit)

    def decline(self, when: datetime) -> Lapor:
        return self.do(
            "decline",
            when,
            Actor("op", "unit_operator", self.complaint.unit),
            reason="Bukan wewenang",
        )

    def follow_up(self, when: datetime) -> Lapor:
        return self.do(
            "follow_up",
            when,
            Actor("op", "unit_operator", self.complaint.unit),
            response="Sudah diperbaiki",
        )

    def reply(self, when: datetime) -> Lapor:
        return self.do("reply", when, REPORTER, message="Belum beres")

    def close(self, when: datetime) -> Lapor:
        return self.do("close", when, SYSTEM)

    def archive(self, when: datetime) -> Lapor:
        return self.do("archive", when, reason="Tidak jelas")


# -- a generic workflow in which any action may follow any other ---------------------------

_ALL = ("new", "open", "held", "done")


def generic_workflow() -> Workflow:
    states = (
        State("new", "Baru"),
        State("open", "Terbuka"),
        State("held", "Ditahan"),
        State("done", "Selesai"),
    )
    actions = (
        Action("begin", _ALL, "open", {"x"}),
        Action("hold", _ALL, "held", {"x"}),
        Action("release", _ALL, "open", {"x"}),
        Action("finish", _ALL, "done", {"x"}),
        Action("again", _ALL, "open", {"x"}),
        Action("pause", _ALL, None, {"x"}),
        Action("resume", _ALL, None, {"x"}),
        Action("note", _ALL, None, {"x"}),
    )
    return Workflow("generic", "1", states, actions, "new")


GENERIC = generic_workflow()
ACTIONS = tuple(a.name for a in GENERIC.actions)


def generic_clock(target: Target, calendar: WorkCalendar = OFFICE, **changes: Any) -> Clock:
    fields: dict[str, Any] = {
        "start": "begin",
        "stop": "finish",
        "reset": "again",
        "pause_while": "held",
        "pause_on": "pause",
        "resume_on": "resume",
    }
    fields.update(changes)
    return Clock("c", "Jam", target, calendar, **fields)


def generic_policy(target: Target, calendar: WorkCalendar = OFFICE, **changes: Any) -> Policy:
    return Policy("test", "1", (generic_clock(target, calendar, **changes),), GENERIC)


def history(steps: Iterable[tuple[str, datetime]], complaint_id: str = "G-1") -> Complaint:
    """A complaint whose events are the given (action, instant) pairs, in that order."""
    actor = Actor("a", "x")
    events = tuple(
        Event(f"{complaint_id}#{i}", complaint_id, action, when, actor, {"reason": f"r{i}"})
        for i, (action, when) in enumerate(steps, 1)
    )
    return Complaint(complaint_id, "open", events)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


__all__ = ["Condition"]
