"""``pengaduan demo``: a small regency scenario, end to end, through the public API."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pengaduan._cli._common import table
from pengaduan.exceptions import RefusedError
from pengaduan.model import Actor, Complaint, Event, Role
from pengaduan.presets import lapor_workflow

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)

REPORTER = Actor("warga-17", Role.REPORTER)
ADMIN = Actor("admin-muaraenim", Role.ADMIN_AGENCY)
PU = Actor("op-pu", Role.UNIT_OPERATOR, "dinas-pu")
HEALTH = Actor("op-dinkes", Role.UNIT_OPERATOR, "dinas-kesehatan")
HOSPITAL = Actor("op-rsud", Role.UNIT_OPERATOR, "rsud")
SYSTEM = Actor("sistem", Role.SYSTEM)

# (complaint, hours after START, actor, action, data)
SCENARIO: tuple[tuple[str, float, Actor, str, dict[str, Any]], ...] = (
    (
        "SPIKM-001",
        1,
        REPORTER,
        "submit",
        {
            "title": "Jalan berlubang di Desa Karang Raja",
            "body": "Lubang besar di jalan desa membahayakan pengendara.",
            "channel": "web",
            "external_ids": {"lapor": "1916449"},
        },
    ),
    (
        "SPIKM-002",
        2,
        PU,
        "submit",
        {
            "title": "Puskesmas tutup pada jam layanan",
            "body": "Disampaikan saat Bunga Desa.",
            "channel": "village_visit",
            "privacy": {"anonymous": True, "confidential": False},
        },
    ),
    ("SPIKM-003", 3, REPORTER, "submit", {"title": "???", "body": "tes", "channel": "sms"}),
    ("SPIKM-001", 20, ADMIN, "verify", {"classification": "pengaduan"}),
    ("SPIKM-001", 21, ADMIN, "dispatch", {"unit": "dinas-pu"}),
    ("SPIKM-002", 22, ADMIN, "hold", {"reason": "Nama puskesmas belum disebutkan"}),
    ("SPIKM-003", 23, ADMIN, "archive", {"reason": "Tidak dapat dipahami"}),
    ("SPIKM-002", 46, ADMIN, "resume", {}),
    ("SPIKM-002", 47, ADMIN, "verify", {"classification": "pengaduan"}),
    ("SPIKM-002", 48, ADMIN, "dispatch", {"unit": "dinas-kesehatan"}),
    ("SPIKM-002", 70, HEALTH, "decline", {"reason": "Puskesmas dikelola RSUD"}),
    ("SPIKM-002", 71, ADMIN, "dispatch", {"unit": "rsud"}),
    ("SPIKM-001", 72, PU, "follow_up", {"response": "Lubang ditambal pada 5 Maret."}),
    ("SPIKM-002", 94, HOSPITAL, "follow_up", {"response": "Jadwal layanan diumumkan."}),
    ("SPIKM-002", 95, REPORTER, "reply", {"message": "Saya bukan pelapornya"}),
    ("SPIKM-001", 340, SYSTEM, "close", {}),
)


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo",
        help="run a small built-in scenario end to end",
        description=(
            "Run a small Muara Enim-style scenario through the SP4N-LAPOR! workflow: "
            "submissions by web and village visit, a hold, a decline (bukan wewenang), "
            "follow-ups, an automatic close, and a refused event."
        ),
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan demo``."""
    workflow = lapor_workflow()
    complaints: dict[str, Complaint] = {}
    refusals: list[tuple[Event, RefusedError]] = []
    for number, (complaint_id, hours, actor, action, data) in enumerate(SCENARIO, start=1):
        event = Event(
            f"ev-{number:03d}", complaint_id, action, START + timedelta(hours=hours), actor, data
        )
        complaint = complaints.get(complaint_id, workflow.new(complaint_id))
        try:
            complaints[complaint_id] = workflow.apply_event(complaint, event)
        except RefusedError as refused:
            refusals.append((event, refused))

    print(f"Workflow {workflow.name} {workflow.version}: {len(SCENARIO)} events replayed.\n")
    rows = []
    for complaint in complaints.values():
        state = workflow.state(complaint.state)
        last = complaint.events[-1]
        rows.append(
            [
                complaint.id,
                state.name,
                state.label,
                complaint.unit or "-",
                str(len(complaint.events)),
                f"{last.action} {last.at.astimezone(WIB):%a %d %b %H:%M}",
            ]
        )
    print(table(("complaint", "state", "label", "unit", "events", "last"), rows))
    print("\nHistory of SPIKM-002:")
    for event in complaints["SPIKM-002"].events:
        print(f"  {event.at.astimezone(WIB):%a %d %b %H:%M}  {event.action:<10} {event.actor.role}")
    print("\nRefused (nothing was recorded):")
    for event, error in refusals:
        print(f"  {event.id}: {error}")
    print("\nNext: `pengaduan diagram` draws the lifecycle; `pengaduan replay FILE` replays yours.")
    return 0
