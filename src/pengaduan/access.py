"""Who may act on a complaint, and who may see what of it (*anonim*, *rahasia*).

Two questions, one module:

- **Acting**: `can` answers whether an actor may take an action on a complaint now, with the
  reason, as a `Decision`. It asks the workflow itself (`Workflow.refusal`), so it never
  disagrees with `Workflow.apply`, which enforces the same rules: the action's roles, unit
  scope for unit roles, and ownership for the reporter.
- **Seeing**: `view` returns a redacted copy of a complaint for a `Viewer` (the public, a role,
  a role in a unit, or the reporter), following a `PrivacyPolicy`: which fields are personal,
  which roles are trusted with the reporter's identity, and in which states a complaint is
  public. `json_feed` and `summary` build on `view`, so every output obeys the same policy.

What each viewer sees (the viewer's *standing* towards the complaint, see `Standing`):

| standing | not flagged | *anonim* | *rahasia* | both |
|---|---|---|---|---|
| owner (the reporter) | all | all | all | all |
| trusted (admins) | all | all | all | all |
| handler (unit role of its unit) | all | no personal | all | no personal |
| staff (other roles of the workflow) | all | no personal | hidden | hidden |
| staff in a confidential role (by default the ombudsman) | all | no personal | all | no personal |
| public | no personal | no personal | hidden | hidden |

("no personal": personal fields and the reporter's actor ids withheld; the unit role's unit is
the one the complaint is currently dispatched to. The Ombudsman is a confidential role by
default because the preset ladder copies resolution breaches to it; see
`pengaduan.escalation.due` for the ladder's side of that agreement.)

The public sees a complaint only once it is published (by default: verified, so that an admin
had the chance to set the flags) and never sees personal data or actor ids.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan import Actor
>>> from pengaduan.presets import lapor_workflow
>>> workflow = lapor_workflow()
>>> reporter = Actor("warga-17", "reporter")
>>> complaint = workflow.apply(
...     workflow.new("C-1"), "submit", reporter, datetime(2026, 3, 17, 2, 15, tzinfo=timezone.utc),
...     {"title": "Pungutan liar", "body": "...", "channel": "web",
...      "privacy": {"anonymous": True}, "reporter": {"name": "Siti", "phone": "0812555"}},
... )
>>> bool(can(Actor("warga-99", "reporter"), "comment", complaint, workflow=workflow))
False
>>> view(complaint, Viewer.reporter("warga-17"), workflow=workflow).facts.reporter.name
'Siti'
>>> print(
...     view(
...         complaint, Viewer.staff("unit_operator", unit="dinas-pu"), workflow=workflow
...     ).facts.reporter
... )
None

```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any

import attrs

from pengaduan._event_dict import event_to_dict
from pengaduan.exceptions import NotVisibleError, PengaduanError, RefusedError
from pengaduan.model import Actor, Complaint, Event, Facts, Role
from pengaduan.workflow import REPORTER_ACCOUNT, Workflow

__all__ = [
    "ANONYMOUS_ACTOR_ID",
    "DEFAULT_POLICY",
    "HANDLING",
    "PUBLIC",
    "Decision",
    "PrivacyPolicy",
    "Standing",
    "Viewer",
    "can",
    "json_feed",
    "personal_paths",
    "standing",
    "summary",
    "view",
    "views",
    "visible",
]

ANONYMOUS_ACTOR_ID = "anonim"
"""The actor id a redacted view shows in place of one it withholds."""


# -- acting ------------------------------------------------------------------------------


@attrs.frozen
class Decision:
    """The answer to "may they?", with the reason. Truthy when allowed.

    Attributes:
        allowed: Whether it is allowed.
        reason: An English sentence saying why (never with personal data).
        error: When refused, the class of the error the refusal is (e.g.
            `pengaduan.exceptions.OutsideUnitError`); ``None`` when allowed.
        refusal: When refused, the error itself, ready to raise (`require` does).
    """

    allowed: bool
    reason: str
    error: type[PengaduanError] | None = None
    refusal: PengaduanError | None = attrs.field(default=None, eq=False, repr=False)

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Raise the refusal, if this is one; do nothing when allowed.

        Raises:
            PengaduanError: The specific refusal, e.g. `RoleNotPermittedError`.
        """
        if self.refusal is not None:
            raise self.refusal

    @classmethod
    def refused(cls, error: PengaduanError) -> Decision:
        """A refusal carrying `error` (its message is the reason)."""
        return cls(False, str(error), type(error), error)


def can(actor: Actor, action: str, complaint: Complaint, *, workflow: Workflow) -> Decision:
    """May `actor` take `action` on `complaint` now?

    Answers what depends on who acts and when: the action exists, the complaint's state allows
    it, the actor's role may take it, a unit role acts only on complaints dispatched to its
    unit, and the reporter only on their own complaints. `Workflow.apply` enforces exactly
    these rules (and checks the event's data and guards besides), so an allowed decision
    means the only refusals left are about the data.

    Args:
        actor: Who would act.
        action: The action's name.
        complaint: The complaint as it is now (`Workflow.new` for one not yet submitted).
        workflow: The workflow.

    Returns:
        A `Decision`, truthy when allowed; when refused its `error` is the class `apply` would
        raise (`UnknownActionError`, `UnknownComplaintError`, `ActionNotAllowedError`,
        `RoleNotPermittedError`, `OutsideUnitError` or `NotOwnComplaintError`).

    Example:
        ```pycon
        >>> from pengaduan.presets import lapor_workflow
        >>> workflow = lapor_workflow()
        >>> decision = can(Actor("op-1", "unit_operator", "dinas-pu"), "follow_up",
        ...                workflow.new("C-9"), workflow=workflow)
        >>> decision.allowed, decision.error.__name__
        (False, 'UnknownComplaintError')

        ```
    """
    wf = workflow
    refusal: RefusedError | None = wf.refusal(complaint, actor, action)
    if refusal is not None:
        return Decision.refused(refusal)
    where = f" of unit {actor.unit!r}" if actor.unit is not None else ""
    return Decision(
        True,
        f"role {actor.role!r}{where} may {action!r} complaint {complaint.id!r} in state "
        f"{complaint.state!r}",
    )


# -- seeing ------------------------------------------------------------------------------


@attrs.frozen
class Viewer:
    """Who is looking: the public, a role (optionally in a unit), or a reporter.

    Build one with `Viewer.public`, `Viewer.staff`, `Viewer.reporter` or `Viewer.of` (from
    an `Actor`).

    Attributes:
        role: The viewer's role, or ``None`` for the public.
        unit: The viewer's unit, for unit roles.
        account: The viewer's account id; it matters for the reporter, who sees their own
            complaints in full.
    """

    role: str | None = attrs.field(
        default=None, converter=attrs.converters.optional(str), kw_only=True
    )
    unit: str | None = attrs.field(default=None, kw_only=True)
    account: str | None = attrs.field(default=None, kw_only=True, repr=False)

    @classmethod
    def public(cls) -> Viewer:
        """Anyone: the public feed, a published page, a log."""
        return cls()

    @classmethod
    def staff(cls, role: str, unit: str | None = None) -> Viewer:
        """Someone acting in `role` (e.g. ``"admin_agency"``), in `unit` for unit roles."""
        return cls(role=role, unit=unit)

    @classmethod
    def reporter(cls, account: str, role: str = Role.REPORTER) -> Viewer:
        """The reporter with account id `account`."""
        return cls(role=role, account=account)

    @classmethod
    def of(cls, actor: Actor) -> Viewer:
        """The viewer an actor is: its role, unit and id as account."""
        return cls(role=actor.role, unit=actor.unit, account=actor.id)

    @property
    def is_public(self) -> bool:
        """Whether this is the public (no role)."""
        return self.role is None

    def describe(self) -> str:
        """Who this is, in words, without the account id (e.g. for an error message)."""
        if self.role is None:
            return "the public"
        where = f" of unit {self.unit!r}" if self.unit is not None else ""
        return f"role {self.role!r}{where}"


PUBLIC = Viewer.public()
"""The public viewer (the default of every output)."""


class Standing(StrEnum):
    """A viewer's standing towards one complaint, which decides what they see."""

    OWNER = "owner"
    """The reporter whose complaint it is: sees it in full."""
    TRUSTED = "trusted"
    """A trusted role (by default the admins): sees every complaint in full."""
    HANDLER = "handler"
    """A unit role of the unit the complaint is dispatched to: sees it, *rahasia* or not;
    not the reporter's identity if it is *anonim*."""
    STAFF = "staff"
    """Any other role of the workflow: sees complaints that are not *rahasia*, and the
    reporter's identity unless it is *anonim*."""
    PUBLIC = "public"
    """The public (and a reporter looking at someone else's complaint, and roles the workflow
    does not know): sees published complaints that are not *rahasia*, without personal data."""


def _frozen(value: Iterable[str]) -> frozenset[str]:
    return frozenset(str(item) for item in value)


def _optional_frozen(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else _frozen(value)


def _check_paths(_instance: object, _attribute: object, value: Iterable[str]) -> None:
    for path in value:
        if not path or any(not part for part in path.split(".")):
            raise ValueError(
                f"a personal field is a dotted path like 'reporter.phone', got {path!r}"
            )


def _restrictions(value: Mapping[str, Iterable[Standing | str]]) -> dict[str, frozenset[Standing]]:
    return {str(path): frozenset(Standing(item) for item in who) for path, who in value.items()}


HANDLING = frozenset({Standing.OWNER, Standing.TRUSTED, Standing.HANDLER})
"""The standings that handle a complaint: the reporter, the trusted roles and its unit (the
default of `PrivacyPolicy.restrict`)."""


@attrs.frozen(repr=False)
class PrivacyPolicy:
    """What is personal, who is trusted with it, and when a complaint is public.

    A workflow adds to `personal_fields` the data fields it marks ``personal=True`` (see
    `pengaduan.workflow.Field`); extend the policy for anything else with
    `with_personal_fields`.

    Attributes:
        personal_fields: Dotted paths of personal data. A path names the same thing in an
            event's data and in a complaint's facts: ``"reporter"`` is the submitted
            ``reporter`` object and `Facts.reporter`; ``"location.address"`` is the address
            inside ``location``. By default ``reporter``, ``reporter_account`` and
            ``location.address`` (an address may be someone's home).
        trusted_roles: Roles that see every complaint in full (by default the admins).
        confidential_roles: Further roles that see *rahasia* complaints (without the
            reporter's identity if *anonim*). By default the ``ombudsman``: the preset ladder
            copies every resolution breach to it, and an oversight body that receives a copy
            must be able to read it (the ``regional_head``, whom the ladder's third
            follow-up level addresses, is not: that step is skipped for a *rahasia*
            complaint, with the reason recorded, see `pengaduan.escalation.tick`).
        public_states: The states in which the public may see a complaint, or ``None`` for
            every state after the initial one. By default the preset's published states:
            verified, dispatched, followed up and closed (not before verification, when an
            admin may still set the flags, and not archived).
    """

    personal_fields: frozenset[str] = attrs.field(
        default=frozenset({"reporter", REPORTER_ACCOUNT, "location.address"}),
        converter=_frozen,
        validator=_check_paths,
    )
    trusted_roles: frozenset[str] = attrs.field(
        default=frozenset({Role.ADMIN_NATIONAL, Role.ADMIN_AGENCY}), converter=_frozen
    )
    confidential_roles: frozenset[str] = attrs.field(
        default=frozenset({Role.OMBUDSMAN}), converter=_frozen
    )
    public_states: frozenset[str] | None = attrs.field(
        default=frozenset({"verified", "dispatched", "followed_up", "closed"}),
        converter=_optional_frozen,
    )
    restricted_fields: Mapping[str, frozenset[Standing]] = attrs.field(
        factory=dict, converter=_restrictions, validator=_check_paths, hash=False
    )

    def __repr__(self) -> str:
        # Sorted (frozensets print in no fixed order), and counted when a list would be long.
        def names(values: Iterable[str] | None) -> str:
            if values is None:
                return "None"
            ordered = sorted(values)
            text = "[" + ", ".join(ordered) + "]"
            return text if len(text) <= 60 else f"<{len(ordered)}>"

        return (
            f"PrivacyPolicy(personal_fields={names(self.personal_fields)}, "
            f"trusted_roles={names(self.trusted_roles)}, "
            f"confidential_roles={names(self.confidential_roles)}, "
            f"public_states={names(self.public_states)}, "
            f"restricted_fields={names(self.restricted_fields)})"
        )

    def with_personal_fields(self, *paths: str) -> PrivacyPolicy:
        """Return a copy with more personal fields, e.g. ``"location.village"``."""
        return attrs.evolve(self, personal_fields=self.personal_fields | set(paths))

    def restrict(self, *paths: str, to: Iterable[Standing | str] = HANDLING) -> PrivacyPolicy:
        """Return a copy in which the fields `paths` are seen only by the standings `to`.

        For free text that may name people (``"body"``, ``"title"``, ``"response"``,
        ``"message"``): by default (`HANDLING`) the reporter, the trusted roles and the unit
        handling the complaint still see it, while the public and every other role do not,
        whatever the flags. The field is withheld like a personal one (``None`` in the facts,
        the key left out of each event's data).

        ```pycon
        >>> policy = DEFAULT_POLICY.restrict("body", "response")
        >>> sorted(str(who) for who in policy.restricted_fields["body"])
        ['handler', 'owner', 'trusted']

        ```
        """
        who = tuple(to)  # made standings by the field's converter
        return attrs.evolve(
            self, restricted_fields={**self.restricted_fields, **dict.fromkeys(paths, who)}
        )


DEFAULT_POLICY = PrivacyPolicy()
"""The policy every function uses unless given another."""


def personal_paths(workflow: Workflow, privacy: PrivacyPolicy | None = None) -> frozenset[str]:
    """Every personal field: the policy's plus the workflow's fields marked ``personal``.

    ```pycon
    >>> from pengaduan.presets import lapor_workflow
    >>> sorted(personal_paths(lapor_workflow()))
    ['location.address', 'reporter', 'reporter_account']

    ```
    """
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    marked = {field.name for action in wf.actions for field in action.fields if field.personal}
    return pol.personal_fields | marked


def _not_a_viewer(value: object) -> TypeError:
    # An Actor has a role and a unit, so staff roles passed for a while and a reporter's
    # failed on the missing `account`: say what to pass instead.
    hint = (
        "Viewer.of(actor) is the viewer an actor is"
        if isinstance(value, Actor)
        else "build one with Viewer.public(), Viewer.staff(role, unit), Viewer.reporter(account) "
        "or Viewer.of(actor)"
    )
    return TypeError(
        f"a viewer must be a pengaduan.access.Viewer, not {type(value).__name__}: {hint}"
    )


def standing(
    complaint: Complaint,
    viewer: Viewer,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> Standing:
    """The viewer's `Standing` towards the complaint.

    Raises:
        TypeError: If `viewer` is not a `Viewer` (an `Actor` included: see `Viewer.of`).
    """
    if not isinstance(viewer, Viewer):
        raise _not_a_viewer(viewer)
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    role = viewer.role
    if role is None:
        return Standing.PUBLIC
    if role in wf.owner_roles:
        owner = wf.owner(complaint)
        if owner is not None and viewer.account == owner:
            return Standing.OWNER
        return Standing.PUBLIC
    if role in pol.trusted_roles:
        return Standing.TRUSTED
    if role in wf.unit_roles and complaint.unit is not None and viewer.unit == complaint.unit:
        return Standing.HANDLER
    if role in wf.roles:
        return Standing.STAFF
    return Standing.PUBLIC


def _privacy(complaint: Complaint) -> tuple[bool, bool]:
    facts = complaint.facts
    if facts is None:
        return False, False
    return facts.privacy.anonymous, facts.privacy.confidential


def _described(viewer: Viewer, wf: Workflow) -> str:
    # The viewer in words for a refusal: no unit and no role the workflow does not know
    # (both are input and may be anything).
    if viewer.role is None:
        return "the public"
    if viewer.role not in wf.roles:
        return "a role the workflow does not know"
    if viewer.unit is not None:
        return f"role {viewer.role!r} of a unit it is not dispatched to"
    return f"role {viewer.role!r}"


def _hidden_because(
    complaint: Complaint, viewer: Viewer, place: Standing, policy: PrivacyPolicy
) -> str | None:
    _, confidential = _privacy(complaint)
    if place in (Standing.OWNER, Standing.TRUSTED, Standing.HANDLER):
        return None
    if confidential and not (place is Standing.STAFF and viewer.role in policy.confidential_roles):
        return "it is confidential (rahasia)"
    if place is Standing.PUBLIC:
        if not complaint.events:
            return "it has not been submitted"
        if policy.public_states is not None and complaint.state not in policy.public_states:
            return f"it is not published in state {complaint.state!r}"
    return None


def visible(
    complaint: Complaint,
    viewer: Viewer = PUBLIC,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> Decision:
    """May `viewer` see `complaint` at all? Refusals carry a `NotVisibleError`."""
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    place = standing(complaint, viewer, workflow=wf, privacy=pol)
    reason = _hidden_because(complaint, viewer, place, pol)
    if reason is not None:
        return Decision.refused(
            NotVisibleError(complaint_id=complaint.id, viewer=_described(viewer, wf), reason=reason)
        )
    return Decision(True, f"complaint {complaint.id!r} is visible to {viewer.describe()}")


def _shows_identity(complaint: Complaint, place: Standing) -> bool:
    if place in (Standing.OWNER, Standing.TRUSTED):
        return True
    if place is Standing.PUBLIC:
        return False
    anonymous, _ = _privacy(complaint)
    return not anonymous


_Tree = dict[str, "_Tree | None"]


def _tree(paths: Iterable[str]) -> _Tree:
    """Turn dotted paths into a tree; a leaf (None) withholds the whole value."""
    root: _Tree = {}
    for path in sorted(paths, key=lambda p: p.count(".")):
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if child is None:  # a shorter path already withholds all of it
                break
            node = child
        else:
            node[parts[-1]] = None
    return root


def _strip_mapping(data: Mapping[str, Any], tree: _Tree) -> dict[str, Any]:
    kept = dict(data)
    for key, sub in tree.items():
        if key not in kept:
            continue
        value = kept[key]
        if sub is None or not isinstance(value, Mapping):
            del kept[key]
        else:
            kept[key] = _strip_mapping(value, sub)
    return kept


def _strip_record(record: Any, tree: _Tree) -> Any:
    """Withhold (set to None) the attributes of an attrs record named by `tree`."""
    if record is None:
        return None
    if isinstance(record, Mapping):
        return _strip_mapping(record, tree)
    if not attrs.has(type(record)):
        return None  # a scalar where the path goes deeper: withhold all of it
    names = {field.name for field in attrs.fields(type(record))}
    changes = {
        key: None if sub is None else _strip_record(getattr(record, key), sub)
        for key, sub in tree.items()
        if key in names
    }
    return attrs.evolve(record, **changes) if changes else record


def _redact_event(event: Event, tree: _Tree, hide_actor: bool) -> Event:
    actor, data = event.actor, event.data
    hide_actor = hide_actor and actor.id != ANONYMOUS_ACTOR_ID
    touched = any(key in data for key in tree)
    if not (hide_actor or touched):
        return event  # nothing to withhold: share the immutable event
    if hide_actor:
        actor = Actor(ANONYMOUS_ACTOR_ID, actor.role, actor.unit)
    if touched:
        data = _strip_mapping(data, tree)
    return Event(event.id, event.complaint, event.action, event.at, actor, data)


def _redacted(complaint: Complaint, place: Standing, wf: Workflow, pol: PrivacyPolicy) -> Complaint:
    identity = _shows_identity(complaint, place)
    restricted = {path for path, who in pol.restricted_fields.items() if place not in who}
    if identity and not restricted:
        return complaint
    tree = _tree(restricted if identity else personal_paths(wf, pol) | restricted)
    everyone = place is Standing.PUBLIC
    events = tuple(
        _redact_event(
            event, tree, not identity and (everyone or event.actor.role in wf.owner_roles)
        )
        for event in complaint.events
    )
    facts: Facts | None = _strip_record(complaint.facts, tree)
    return attrs.evolve(complaint, events=events, facts=facts)


def view(
    complaint: Complaint,
    viewer: Viewer = PUBLIC,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> Complaint:
    """Return the complaint as `viewer` may see it.

    Personal fields (`personal_paths`) are withheld by field, in the facts (set to ``None``)
    and in every event's data (the key is left out), from viewers who may not see the
    reporter's identity; so are the reporter's actor ids (shown as `ANONYMOUS_ACTOR_ID`),
    and, for the public, every actor id. Nothing else is changed. Use this (or `summary`) for
    anything leaving the library towards a person: pages, feeds, exports, notifications.

    Args:
        complaint: The complaint.
        viewer: Who looks; the public by default.
        workflow: Its workflow (roles, unit roles, owner).
        privacy: The privacy policy; `DEFAULT_POLICY` by default.

    Returns:
        A redacted copy (or the complaint itself, when the viewer may see all of it).

    Raises:
        NotVisibleError: If the viewer may not see the complaint at all (*rahasia* for the
            public and for staff not handling it; not yet published for the public).
    """
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    place = standing(complaint, viewer, workflow=wf, privacy=pol)
    reason = _hidden_because(complaint, viewer, place, pol)
    if reason is not None:
        raise NotVisibleError(
            complaint_id=complaint.id, viewer=_described(viewer, wf), reason=reason
        )
    return _redacted(complaint, place, wf, pol)


def views(
    complaints: Iterable[Complaint],
    viewer: Viewer = PUBLIC,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> Iterator[Complaint]:
    """The complaints `viewer` may see, each redacted for them; the others are left out."""
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    for complaint in complaints:
        place = standing(complaint, viewer, workflow=wf, privacy=pol)
        if _hidden_because(complaint, viewer, place, pol) is None:
            yield _redacted(complaint, place, wf, pol)


def _facts_record(facts: Facts | None) -> dict[str, Any]:
    if facts is None:
        return {}
    return {
        "title": facts.title,
        "body": facts.body,
        "channel": None if facts.channel is None else str(facts.channel),
        "classification": None if facts.classification is None else str(facts.classification),
        "category": facts.category,
        "privacy": {
            "anonymous": facts.privacy.anonymous,
            "confidential": facts.privacy.confidential,
        },
        "reporter": None if facts.reporter is None else attrs.asdict(facts.reporter),
        "location": None if facts.location is None else attrs.asdict(facts.location),
        "external_ids": dict(facts.external_ids),
    }


def _record(original: Complaint, seen: Complaint, wf: Workflow) -> dict[str, Any]:
    state = wf.state(seen.state)
    return {
        "id": seen.id,
        "state": seen.state,
        "state_label": state.label,
        "state_label_en": state.label_en,
        "unit": seen.unit,
        "submitted_at": None if seen.submitted_at is None else seen.submitted_at.isoformat(),
        "updated_at": None if seen.updated_at is None else seen.updated_at.isoformat(),
        **_facts_record(seen.facts),
        "redacted": seen is not original,
        "events": [event_to_dict(event) for event in seen.events],
    }


def json_feed(
    complaints: Iterable[Complaint],
    viewer: Viewer = PUBLIC,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> list[dict[str, Any]]:
    """The JSON feed of the complaints `viewer` may see, redacted for them.

    With the default viewer this is the **public feed**: only published complaints that are
    not *rahasia*, with no personal data and no actor ids. Each record holds the complaint's
    id, state (and labels), unit, submission and update instants, facts (title, body,
    channel, classification, category, privacy flags, reporter, location, external ids),
    ``redacted`` (whether anything was withheld) and its events as in event files.

    Returns:
        JSON-compatible records (``json.dumps`` them), in the order given.
    """
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    records = []
    for complaint in complaints:
        place = standing(complaint, viewer, workflow=wf, privacy=pol)
        if _hidden_because(complaint, viewer, place, pol) is None:
            records.append(_record(complaint, _redacted(complaint, place, wf, pol), wf))
    return records


def summary(
    complaint: Complaint,
    viewer: Viewer = PUBLIC,
    *,
    workflow: Workflow,
    privacy: PrivacyPolicy | None = None,
) -> dict[str, Any]:
    """A short JSON-compatible summary of a complaint for a message to `viewer`; never raises.

    Meant for notifications and escalation messages: a complaint the recipient may see gives
    its id, state, state label, unit, title, classification and privacy flags (no reporter
    details unless the recipient may see them, under ``reporter``); one they may not see
    gives only its id, state and ``"hidden": true``, so that a reminder can still say that
    complaint X is late without saying what it is about.

    ```pycon
    >>> from pengaduan.presets import lapor_workflow
    >>> summary(lapor_workflow().new("C-7"), workflow=lapor_workflow())
    {'id': 'C-7', 'state': 'new', 'hidden': True}

    ```
    """
    wf = workflow
    pol = DEFAULT_POLICY if privacy is None else privacy
    place = standing(complaint, viewer, workflow=wf, privacy=pol)
    if _hidden_because(complaint, viewer, place, pol) is not None:
        return {"id": complaint.id, "state": complaint.state, "hidden": True}
    seen = _redacted(complaint, place, wf, pol)
    facts = seen.facts
    record: dict[str, Any] = {
        "id": seen.id,
        "state": seen.state,
        "state_label": wf.state(seen.state).label,
        "unit": seen.unit,
        "hidden": False,
    }
    if facts is not None:
        record.update(
            title=facts.title,
            classification=None if facts.classification is None else str(facts.classification),
            anonymous=facts.privacy.anonymous,
            confidential=facts.privacy.confidential,
            reporter=None if facts.reporter is None else attrs.asdict(facts.reporter),
        )
    return record
