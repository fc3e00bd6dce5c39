from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pengaduan import Actor, Complaint
from pengaduan.presets import lapor_workflow
from pengaduan.workflow import Workflow

WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 3, 17, 9, 15, tzinfo=WIB)

REPORTER = Actor("warga-17", "reporter")
ADMIN = Actor("admin-1", "admin_agency")
NATIONAL = Actor("admin-pusat", "admin_national")
OPERATOR = Actor("op-pu", "unit_operator", "dinas-pu")
HEAD = Actor("kadis-pu", "unit_head", "dinas-pu")
OTHER_OPERATOR = Actor("op-dinkes", "unit_operator", "dinas-kesehatan")
SYSTEM = Actor("sistem", "system")
REGENT = Actor("bupati", "regional_head")

SUBMIT = {"title": "Jalan berlubang", "body": "Jalan desa rusak", "channel": "web"}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def workflow() -> Workflow:
    return lapor_workflow()


class Story:
    """Drives one complaint through the preset, one step an hour."""

    def __init__(self, workflow: Workflow, complaint_id: str = "C-1") -> None:
        self.workflow = workflow
        self.complaint: Complaint = workflow.new(complaint_id)
        self.hour = 0

    def do(self, action: str, actor: Actor, data: dict[str, object] | None = None) -> Complaint:
        self.hour += 1
        self.complaint = self.workflow.apply(self.complaint, action, actor, at(self.hour), data)
        return self.complaint

    def submitted(self) -> Story:
        self.do("submit", REPORTER, SUBMIT)
        return self

    def dispatched(self, unit: str = "dinas-pu") -> Story:
        self.submitted()
        self.do("verify", ADMIN, {"classification": "pengaduan"})
        self.do("dispatch", ADMIN, {"unit": unit})
        return self

    def followed_up(self) -> Story:
        self.dispatched()
        self.do("follow_up", OPERATOR, {"response": "Sudah ditambal"})
        return self


@pytest.fixture
def story(workflow: Workflow) -> Story:
    return Story(workflow)
