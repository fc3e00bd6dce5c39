"""Safe sync: ingest status updates from another system (SP4N-LAPOR!, an Open311 endpoint).

Other systems send duplicates and late, out-of-order updates (FixMyStreet PR #2069). A
`SyncBridge` maps the other system's statuses to workflow actions and ingests its updates
into an event store so that:

- an update already received (same system and update id) is a no-op, reported ``duplicate``;
- an update older than the complaint's last change of state (or than the last update from
  the same system) is recorded but never moves the state back: ``stale``; local escalations
  and comments, which leave the state as it is, do not make an update stale;
- an update whose status the complaint already has is recorded as ``current``, no event;
- an update the workflow refuses (or whose status, complaint or data is unknown or bad) is
  recorded and reported ``refused`` with the reason, never dropped silently and never
  half-applied; it is judged again when re-sent under the same id, when another update of
  its external id applies, and on `SyncBridge.rejudge` (e.g. after an import);
- every other update becomes one event, ``applied``, whose id is derived from the update's id
  (``"<system>:<update id>"``), so that two workers ingesting the same update write it once.

Every update received is kept in the store (`EventStore.updates`) with its outcome.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan.model import Actor, Event, _data_keys
>>> from pengaduan.store import InMemoryStore
>>> from pengaduan.presets import lapor_workflow
>>> store = InMemoryStore(workflow=lapor_workflow())
>>> at = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
>>> _ = store.append("SPIKM-001", [Event("e1", "SPIKM-001", "submit", at,
...     Actor("a", "admin_agency"),
...     {"title": "Jalan rusak", "body": "...", "channel": "web",
...      "external_ids": {"lapor": "1916449"}})])
>>> bridge = SyncBridge(store, "lapor", {"Terverifikasi": "verify"},
...                     Actor("lapor-sync", "admin_national"))
>>> update = ExternalUpdate("u-1", "1916449", "Terverifikasi", at.replace(hour=9),
...                         {"classification": "pengaduan"})
>>> bridge.ingest([update, update]).counts()
{'applied': 1, 'duplicate': 1, 'stale': 0, 'current': 0, 'refused': 0}
>>> store.load("SPIKM-001").state
'verified'

```
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs

from pengaduan._store_base import check_text
from pengaduan._time import require_aware
from pengaduan.exceptions import ConflictError, DefinitionError, EventFormatError, RefusedError
from pengaduan.interchange import _text_kind
from pengaduan.model import Actor, Complaint, Event, _data_keys
from pengaduan.store import EventStore

__all__ = ["ExternalUpdate", "Outcome", "SyncBridge", "SyncReport", "SyncResult"]

_RETRIES = 5


class Outcome(StrEnum):
    """What became of an external update."""

    APPLIED = "applied"
    """Recorded as a new event."""
    DUPLICATE = "duplicate"
    """Received before; nothing done."""
    STALE = "stale"
    """Older than the complaint's last event: recorded, state unchanged."""
    CURRENT = "current"
    """The complaint already has that status: recorded, no event."""
    REFUSED = "refused"
    """Unknown status or complaint, or refused by the workflow: recorded with the reason."""


def _check_at(_instance: object, _attribute: object, value: datetime) -> None:
    require_aware(value, "ExternalUpdate.at")


@attrs.frozen
class ExternalUpdate:
    """A status update received from another system.

    Attributes:
        update_id: The other system's id of this update (the idempotency key).
        external_id: The complaint's id in the other system, e.g. a LAPOR! tracking id; a
            complaint is found by its ``Facts.external_ids[system]``.
        status: The other system's status name.
        at: When the change happened there; timezone-aware.
        data: The data of the workflow action the status maps to (its ``repr`` shows the
            keys only, as an event's does: the values may be personal).
        actor: Who acted, when the other system says so (else the bridge's actor).
    """

    update_id: str
    external_id: str
    status: str
    at: datetime = attrs.field(validator=_check_at)
    data: Mapping[str, Any] = attrs.field(factory=dict, hash=False, repr=_data_keys)
    actor: Actor | None = None

    def to_record(self) -> dict[str, Any]:
        """The JSON form kept in the store."""
        actor = self.actor
        return {
            "update_id": self.update_id,
            "external_id": self.external_id,
            "status": self.status,
            "at": self.at.isoformat(),
            "data": dict(self.data),
            "actor": None
            if actor is None
            else {"id": actor.id, "role": str(actor.role), "unit": actor.unit},
        }


@attrs.frozen
class SyncResult:
    """The outcome of one update.

    Attributes:
        update: The update.
        outcome: What became of it.
        complaint_id: Our complaint's id, when it was found.
        event_id: The event recorded for it (``applied``, or ``duplicate`` of an applied one).
        reason: Why it was refused, stale or current (English; no personal data).
        error: The library error behind a refusal, when there was one.
    """

    update: ExternalUpdate
    outcome: Outcome
    complaint_id: str | None = None
    event_id: str | None = None
    reason: str | None = None
    error: Exception | None = attrs.field(default=None, eq=False)


@attrs.frozen
class SyncReport:
    """The outcomes of a batch of updates, in the order they were ingested.

    Attributes:
        results: One result per update.
    """

    results: tuple[SyncResult, ...]

    def counts(self) -> dict[str, int]:
        """How many updates had each outcome (every outcome listed, zeros included)."""
        counts = dict.fromkeys((o.value for o in Outcome), 0)
        for result in self.results:
            counts[result.outcome.value] += 1
        return counts

    def of(self, outcome: Outcome) -> tuple[SyncResult, ...]:
        """The results with one outcome, e.g. ``report.of(Outcome.REFUSED)``."""
        return tuple(r for r in self.results if r.outcome is outcome)


class SyncBridge:
    """Ingests one external system's status updates into an event store.

    Args:
        store: The event store (its workflow validates every event).
        system: The other system's name, as used in ``Facts.external_ids`` (e.g. ``"lapor"``).
        actions: The workflow action each external status maps to.
        actor: Who the recorded events are by, unless an update names its own actor.
        complaint_for: Finds our complaint id from the other system's id; by default the
            store's own index (`EventStore.complaint_for_external_id`), in which each
            external id of a system is held by one complaint only.

    Raises:
        DefinitionError: If `actions` maps a status to an action the store's workflow does
            not define (caught here, not at the first update that carries that status).
    """

    def __init__(
        self,
        store: EventStore,
        system: str,
        actions: Mapping[str, str],
        actor: Actor,
        *,
        complaint_for: Callable[[str], str | None] | None = None,
    ) -> None:
        known = {action.name for action in store.workflow.actions}
        unknown = sorted(name for name in set(actions.values()) if name not in known)
        if unknown:
            raise DefinitionError(
                f"SyncBridge {system!r}",
                f"statuses map to actions the workflow {store.workflow.name!r} does not "
                f"define: {', '.join(map(repr, unknown))}",
            )
        self.store = store
        self.system = system
        self.actions = dict(actions)
        self.actor = actor
        self._complaint_for = complaint_for

    def event_id(self, update: ExternalUpdate) -> str:
        """The id of the event an update is recorded as."""
        return f"{self.system}:{update.update_id}"

    def ingest(self, updates: Iterable[ExternalUpdate]) -> SyncReport:
        """Ingest updates in the order given; see the module documentation.

        Raises:
            StoreError: If the store cannot read or write (what was ingested before stays).
        """
        return SyncReport(tuple(self.ingest_one(update) for update in updates))

    def ingest_one(self, update: ExternalUpdate) -> SyncResult:
        """Ingest one update and record its outcome.

        An update received before is a duplicate, unless it was refused: then it is judged
        again (its complaint or its predecessor may have arrived since). After an update
        applies, the refused updates of the same external id are judged again.
        """
        for name in ("update_id", "external_id", "status"):
            value = getattr(update, name)
            if not isinstance(value, str) or not value:
                # Without an id there is no key to record it under (and a store refuses an
                # empty one in the event it would become): report it only.
                return SyncResult(
                    update,
                    Outcome.REFUSED,
                    reason=f"its {name} must be a non-empty string, not {_text_kind(value)}; "
                    "nothing was recorded",
                )
        record = update.to_record()
        try:
            check_text({key: value for key, value in record.items() if key != "data"})
        except EventFormatError as error:
            # No store keeps such an id, so there is nothing to record: report it only.
            return SyncResult(
                update,
                Outcome.REFUSED,
                reason=f"{error.path} holds text no store keeps (a NUL character or a lone "
                "surrogate); nothing was recorded",
                error=error,
            )
        result: SyncResult | None = None
        try:
            json.dumps(record, allow_nan=False)
            check_text(record["data"], "data")
        except EventFormatError as error:
            record["data"] = None
            result = SyncResult(
                update,
                Outcome.REFUSED,
                reason=f"its {error.path} holds text no store keeps (a NUL character or a "
                "lone surrogate)",
                error=error,
            )
        except (TypeError, ValueError, RecursionError):
            record["data"] = None  # kept without its data, which no store can hold
            result = SyncResult(
                update, Outcome.REFUSED, reason="its data holds values JSON cannot represent"
            )
        earlier = self.store.recall_update(self.system, update.update_id)
        if earlier is not None:
            if result is not None or earlier.get("outcome") != Outcome.REFUSED.value:
                return self._duplicate(update, record, earlier)
            if not self._same(record, earlier):
                return self._duplicate(update, record, earlier)
            return self._judge_again(update, record)
        if result is None:
            result = self._decide(update)
        earlier = self.store.remember_update(
            self.system, update.update_id, self._kept(record, result)
        )
        if earlier is not None:  # another worker recorded it meanwhile
            return self._duplicate(update, record, earlier)
        if result.outcome is Outcome.APPLIED:
            self.rejudge(update.external_id)
        return result

    def rejudge(self, external_id: str | None = None) -> SyncReport:
        """Judge again the refused updates (of one external id), oldest instant first.

        Call it after importing complaints, so that updates that arrived before their
        complaint apply; `ingest_one` calls it for an external id after an update applies.
        Goes on while an update applies (one may be the predecessor of another).

        Returns:
            The outcome of each update judged again, in the order judged.
        """
        results: list[SyncResult] = []
        progress = True
        while progress:
            progress = False
            pending = [
                kept
                for kept in self.store.updates(self.system)
                if kept.get("outcome") == Outcome.REFUSED.value
                and kept.get("data") is not None
                and (external_id is None or kept.get("external_id") == external_id)
            ]
            for update in sorted(
                (u for u in map(_update_from_record, pending) if u is not None),
                key=lambda u: u.at,
            ):
                result = self._judge_again(update, update.to_record(), cascade=False)
                results.append(result)
                progress = progress or result.outcome is Outcome.APPLIED
        return SyncReport(tuple(results))

    def _judge_again(
        self, update: ExternalUpdate, record: dict[str, Any], *, cascade: bool = True
    ) -> SyncResult:
        result = self._decide(update)
        kept = self.store.replace_update(self.system, update.update_id, self._kept(record, result))
        if kept is not None:  # judged final meanwhile by another worker
            return self._duplicate(update, record, kept)
        if cascade and result.outcome is Outcome.APPLIED:
            self.rejudge(update.external_id)
        return result

    @staticmethod
    def _kept(record: dict[str, Any], result: SyncResult) -> dict[str, Any]:
        return {
            **record,
            "outcome": result.outcome.value,
            "complaint": result.complaint_id,
            "event_id": result.event_id,
            "reason": result.reason,
            "attempts": [],
        }

    @staticmethod
    def _same(record: dict[str, Any], earlier: dict[str, Any]) -> bool:
        return all(
            _same_instant(earlier.get(key), value) if key == "at" else earlier.get(key) == value
            for key, value in record.items()
        )

    def _duplicate(
        self, update: ExternalUpdate, record: dict[str, Any], earlier: dict[str, Any]
    ) -> SyncResult:
        if not self._same(record, earlier):
            return SyncResult(
                update,
                Outcome.REFUSED,
                earlier.get("complaint"),
                reason=f"update id {update.update_id!r} of {self.system!r} was already "
                "received with other content; the first one is kept",
            )
        return SyncResult(
            update, Outcome.DUPLICATE, earlier.get("complaint"), earlier.get("event_id")
        )

    def _find(self, external_id: str) -> str | None:
        if self._complaint_for is not None:
            return self._complaint_for(external_id)
        return self.store.complaint_for_external_id(self.system, external_id)

    def _last_relevant(self, complaint: Complaint) -> Event | None:
        """The last event that changed the state, or came from this system, if later."""
        # The history was accepted already: each action's destination gives the state after
        # it, with no second replay (an action without one keeps the state).
        prefix = f"{self.system}:"
        workflow = self.store.workflow
        last = None
        state = workflow.initial
        for event in complaint.events:
            try:
                dest = workflow.action(event.action).dest
            except KeyError:  # written by another workflow version: assume it moved the state
                last = event
                continue
            if (dest is not None and dest != state) or event.id.startswith(prefix):
                last = event
            state = state if dest is None else dest
        return last

    def _decide(self, update: ExternalUpdate) -> SyncResult:
        action_name = self.actions.get(update.status)
        if action_name is None:
            known = ", ".join(sorted(self.actions)) or "none"
            return SyncResult(
                update,
                Outcome.REFUSED,
                # The status is not echoed: a shifted column may put anything there.
                reason=f"its status is not one of the {self.system!r} statuses mapped: {known}",
            )
        complaint_id = self._find(update.external_id)
        if complaint_id is None:
            return SyncResult(
                update,
                Outcome.REFUSED,
                reason=f"no complaint holds its {self.system!r} id (external_id) yet; it is "
                "judged again when re-sent or on rejudge() after the complaint is stored",
            )
        workflow = self.store.workflow
        action = workflow.action(action_name)
        for _attempt in range(_RETRIES):
            complaint = self.store.load(complaint_id)
            # A change made there before a local comment or escalation was written here is
            # recorded when it was learnt (history is append-only, in time order); the
            # update's own instant stays in its record.
            at = update.at
            if complaint.events and at < complaint.events[-1].at:
                at = complaint.events[-1].at
            event = Event(
                self.event_id(update),
                complaint_id,
                action_name,
                at,
                update.actor or self.actor,
                dict(update.data),
            )
            if any(e.id == event.id for e in complaint.events):
                return SyncResult(update, Outcome.APPLIED, complaint_id, event.id)
            last = self._last_relevant(complaint)
            if last is not None and update.at < last.at:
                return SyncResult(
                    update,
                    Outcome.STALE,
                    complaint_id,
                    reason=f"older than the complaint's last change of state or last update "
                    f"from {self.system!r} ({last.at.isoformat()}); "
                    f"the state stays {complaint.state!r}",
                )
            if action.dest is not None and action.dest == complaint.state:
                return SyncResult(
                    update,
                    Outcome.CURRENT,
                    complaint_id,
                    reason=f"the complaint is already {complaint.state!r}",
                )
            try:
                self.store.append(complaint_id, [event], expected_version=complaint.version)
            except ConflictError:
                continue  # another writer got there first: read again and re-decide
            except (RefusedError, EventFormatError) as error:
                return SyncResult(
                    update, Outcome.REFUSED, complaint_id, reason=str(error), error=error
                )
            return SyncResult(update, Outcome.APPLIED, complaint_id, event.id)
        return SyncResult(
            update,
            Outcome.REFUSED,
            complaint_id,
            reason=f"the complaint kept changing under {_RETRIES} attempts; send it again",
        )


def _same_instant(earlier: object, now: object) -> bool:
    """Whether two recorded ``at`` texts name the same instant, whatever their UTC offsets."""
    if earlier == now:
        return True
    try:
        return datetime.fromisoformat(str(earlier)) == datetime.fromisoformat(str(now))
    except ValueError:
        return False


def _update_from_record(record: Mapping[str, Any]) -> ExternalUpdate | None:
    """The update a kept record describes, or ``None`` if the record is not one."""
    try:
        actor = record.get("actor")
        return ExternalUpdate(
            str(record["update_id"]),
            str(record["external_id"]),
            str(record["status"]),
            datetime.fromisoformat(str(record["at"])),
            dict(record["data"]),
            None if actor is None else Actor(actor["id"], actor["role"], actor["unit"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
