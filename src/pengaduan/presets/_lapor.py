"""The SP4N-LAPOR! workflow (PermenPANRB 5/2025; LAPOR! v3 admin manual).

The vocabulary here (state, action and role names) is a contract: apps and data files rely on
it. Change labels freely; change names only with a new workflow version.
"""

from __future__ import annotations

from functools import cache

from pengaduan.model import Complaint, Event, Role
from pengaduan.workflow import Action, Field, FieldKind, State, Workflow

ADMINS = frozenset({Role.ADMIN_NATIONAL, Role.ADMIN_AGENCY})
UNIT_ROLES = frozenset({Role.UNIT_OPERATOR, Role.UNIT_HEAD})
# States in which a complaint is still being handled (comments and escalations allowed).
OPEN_STATES = ("submitted", "on_hold", "verified", "dispatched", "followed_up")


def to_another_unit(complaint: Complaint, event: Event) -> str | None:
    """Refuse forwarding a complaint to the unit it is already dispatched to."""
    if event.data.get("unit") == complaint.unit:
        return f"it is already dispatched to unit {complaint.unit!r}"
    return None


def reporter_acts_on_own_complaint(complaint: Complaint, event: Event) -> str | None:
    """Refuse a reporter acting on a complaint another reporter submitted.

    Complaints entered by staff on a reporter's behalf (walk-in, paper, village visit) have no
    reporter account, so no reporter may act on them through this rule.
    """
    if event.actor.role != Role.REPORTER:
        return None
    submitter = complaint.events[0].actor if complaint.events else None
    if submitter is None or submitter.role != Role.REPORTER or submitter.id != event.actor.id:
        return "a reporter acts only on complaints they submitted themselves"
    return None


@cache
def lapor_workflow() -> Workflow:
    """The SP4N-LAPOR! complaint lifecycle.

    States: ``new`` (before submission), ``submitted`` *Belum Terverifikasi*, ``on_hold``
    *Ditunda*, ``verified`` *Terverifikasi*, ``dispatched`` *Terdisposisi*, ``followed_up``
    *Ditindaklanjuti*, ``closed`` *Selesai* and ``archived`` *Diarsipkan* (both terminal).
    Unit operators and unit heads act only on complaints dispatched to their own unit.

    Returns:
        The workflow ``sp4n-lapor``, version ``2025.1`` (built once, then cached).

    Example:
        >>> workflow = lapor_workflow()
        >>> workflow.state("followed_up").label
        'Ditindaklanjuti'
        >>> sorted(workflow.action("dispatch").roles)
        ['admin_agency', 'admin_national']
    """
    reason = (Field("reason"),)
    unit = (Field("unit", FieldKind.UNIT),)
    states = (
        State("new", "Baru", "New"),
        State("submitted", "Belum Terverifikasi", "Not yet verified"),
        State("on_hold", "Ditunda", "On hold"),
        State("verified", "Terverifikasi", "Verified"),
        State("dispatched", "Terdisposisi", "Dispatched"),
        State("followed_up", "Ditindaklanjuti", "Followed up"),
        State("closed", "Selesai", "Closed", terminal=True),
        State("archived", "Diarsipkan", "Archived", terminal=True),
    )
    own = (reporter_acts_on_own_complaint,)
    actions = (
        Action(
            "submit",
            ("new",),
            "submitted",
            {Role.REPORTER, *ADMINS, Role.UNIT_OPERATOR},
            (
                Field("title", FieldKind.TEXT),
                Field("body", FieldKind.TEXT),
                Field("channel", FieldKind.CHANNEL),
                Field("classification", FieldKind.CLASSIFICATION, required=False),
                Field("category", FieldKind.TEXT, required=False),
                Field("privacy", FieldKind.PRIVACY, required=False),
                Field("reporter", FieldKind.REPORTER, required=False),
                Field("location", FieldKind.LOCATION, required=False),
                Field("external_ids", FieldKind.EXTERNAL_IDS, required=False),
            ),
            label="Sampaikan Laporan",
            label_en="Submit",
            updates_facts=True,
            unit_scoped=False,
        ),
        Action("hold", ("submitted",), "on_hold", ADMINS, reason, label="Tunda", label_en="Hold"),
        Action(
            "resume",
            ("on_hold",),
            "submitted",
            {Role.REPORTER, *ADMINS},
            guards=own,
            label="Lanjutkan",
            label_en="Resume",
        ),
        Action(
            "verify",
            ("submitted",),
            "verified",
            ADMINS,
            (
                Field("classification", FieldKind.CLASSIFICATION),
                Field("category", FieldKind.TEXT, required=False),
                Field("title", FieldKind.TEXT, required=False),
                Field("privacy", FieldKind.PRIVACY, required=False),
            ),
            label="Verifikasi",
            label_en="Verify",
            updates_facts=True,
        ),
        Action(
            "archive",
            ("submitted", "on_hold", "verified"),
            "archived",
            ADMINS,
            reason,
            label="Arsipkan",
            label_en="Archive",
        ),
        Action(
            "dispatch",
            ("verified",),
            "dispatched",
            ADMINS,
            unit,
            label="Disposisi",
            label_en="Dispatch",
            unit_from="unit",
        ),
        Action(
            "forward",
            ("dispatched",),
            None,
            {Role.ADMIN_AGENCY, *UNIT_ROLES},
            unit,
            guards=(to_another_unit,),
            label="Teruskan",
            label_en="Forward",
            unit_from="unit",
        ),
        Action(
            "decline",
            ("dispatched",),
            "verified",
            UNIT_ROLES,
            reason,
            label="Bukan Wewenang",
            label_en="Decline (not our remit)",
            clears_unit=True,
        ),
        Action(
            "follow_up",
            ("dispatched",),
            "followed_up",
            UNIT_ROLES,
            (Field("response"),),
            label="Tindak Lanjut",
            label_en="Follow up",
        ),
        Action(
            "reply",
            ("followed_up",),
            "dispatched",
            {Role.REPORTER, *ADMINS},
            (Field("message"),),
            guards=own,
            label="Tanggapi",
            label_en="Reply",
        ),
        Action(
            "close",
            ("followed_up",),
            "closed",
            {Role.SYSTEM, *ADMINS, Role.REPORTER},
            guards=own,
            label="Selesaikan",
            label_en="Close",
        ),
        Action(
            "reopen",
            ("closed",),
            "dispatched",
            ADMINS,
            reason,
            label="Buka Kembali",
            label_en="Reopen",
        ),
        Action(
            "comment",
            OPEN_STATES,
            None,
            frozenset(Role),
            (Field("message"),),
            guards=own,
            label="Komentar",
            label_en="Comment",
        ),
        Action(
            "escalate",
            OPEN_STATES,
            None,
            {Role.SYSTEM, *ADMINS, Role.REGIONAL_HEAD},
            (Field("level", FieldKind.LEVEL), Field("to", FieldKind.ROLE)),
            label="Eskalasi",
            label_en="Escalate",
        ),
    )
    return Workflow("sp4n-lapor", "2025.1", states, actions, "new", UNIT_ROLES)
