"""The SP4N-LAPOR! workflow (PermenPANRB 5/2025; LAPOR! v3 admin manual).

The vocabulary here (state, action and role names) is a contract: apps and data files rely on
it. Change labels freely; change names only with a new workflow version.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from pengaduan.codecs import guard_reference
from pengaduan.model import Complaint, Event, Role
from pengaduan.workflow import REPORTER_ACCOUNT, Action, Field, FieldKind, State, Workflow

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
    """Refuse a reporter acting on a complaint that is not theirs.

    The preset no longer needs this guard: the workflow itself enforces ownership for its
    owner roles (``owner_roles={"reporter"}``, refusing with `NotOwnComplaintError`) on every
    action. It stays for custom workflows built from the preset's former definition, and
    applies the same rule: a reporter's complaints are those they submitted and those staff
    entered naming their account (`REPORTER_ACCOUNT`).
    """
    if event.actor.role != Role.REPORTER:
        return None
    owner = lapor_workflow().owner(complaint)
    if owner is None or owner != event.actor.id:
        return (
            "a reporter acts only on complaints they submitted themselves or that staff "
            "entered naming their account"
        )
    return None


@cache
def lapor_workflow() -> Workflow:
    """The SP4N-LAPOR! complaint lifecycle.

    States: ``new`` (before submission), ``submitted`` *Belum Terverifikasi*, ``on_hold``
    *Ditunda*, ``verified`` *Terverifikasi*, ``dispatched`` *Terdisposisi*, ``followed_up``
    *Ditindaklanjuti*, ``closed`` *Selesai* and ``archived`` *Diarsipkan* (both terminal).
    Unit operators and unit heads act only on complaints dispatched to their own unit; a
    reporter acts only on their own complaints (those they submitted, and those staff entered
    with their account id as ``reporter_account``). The submitted ``reporter`` details and
    ``reporter_account`` are personal fields, withheld by `pengaduan.access.view`.
    Privacy flags are set by the reporter at ``submit`` or by an admin at ``verify``; an update
    merges into the flags, and only an admin may clear one (``verify`` with an explicit
    ``false``); a unit role never changes them.

    Returns:
        The workflow ``sp4n-lapor``, version ``2025.1`` (built once, then cached).

    Example:
        ```pycon
        >>> from pengaduan.presets import lapor_workflow
        >>> workflow = lapor_workflow()
        >>> workflow.state("followed_up").label
        'Ditindaklanjuti'
        >>> sorted(workflow.action("dispatch").roles)
        ['admin_agency', 'admin_national']

        ```
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
                Field("reporter", FieldKind.REPORTER, required=False, personal=True),
                Field(REPORTER_ACCOUNT, FieldKind.TEXT, required=False, personal=True),
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
            clears_privacy=ADMINS,
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
            label="Tanggapi",
            label_en="Reply",
        ),
        Action(
            "close",
            ("followed_up",),
            "closed",
            {Role.SYSTEM, *ADMINS, Role.REPORTER},
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
    return Workflow(
        "sp4n-lapor", "2025.1", states, actions, "new", UNIT_ROLES, owner_roles={Role.REPORTER}
    )


def lapor_guards() -> dict[str, Callable[..., Any]]:
    """The guards the preset workflow names, by reference: what decoding it needs.

    Pass them to `pengaduan.codecs.from_dict` / `loads` (``guards=``) to decode a workflow
    file built from the preset; a file names guards, it never imports them.
    """
    return {
        guard_reference(guard): guard for guard in (to_another_unit, reporter_acts_on_own_complaint)
    }
