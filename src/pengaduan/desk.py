"""The complaint desk: the application layer an app embeds, over one event store.

A `Desk` binds a store to the definitions that judge what is stored (the workflow, the SLA
policy, the escalation ladder, the privacy policy) and to a time source. It does for an app
what every app otherwise writes by hand:

- **Writes** (`Desk.submit`, `Desk.act`): load the complaint, let the workflow judge the action
  and append it at the version read. If another writer appended in between (a
  `ConflictError`), the desk loads the fresh complaint, judges the action again against it
  (it may now be refused, with the usual explaining `RefusedError`) and retries, a bounded
  number of times (then `RetriesExhaustedError`). A caller-supplied ``request_id`` makes a
  retried HTTP request a no-op: the same request again appends nothing and returns what the
  first one did; the same id for another request is a `RequestReusedError`.
- **Reads** (`Desk.get`, `Desk.clocks`, `Desk.explain`, `Desk.history`, `Desk.overdue`): always
  for a `pengaduan.access.Viewer`, redacted by the privacy policy; a viewer who may not see a
  complaint gets `NotVisibleError`, never its data.
- **Scheduling** (`Desk.tick`, `Desk.next_wakeup`): what the escalation ladder has due is
  recorded as events through the same append path, safe to run from several processes at
  once (every escalation event's id is its idempotency key).

Every write, refusal, retried conflict and tick is logged under the ``pengaduan.desk`` logger
with structured ``extra`` fields (``complaint_id``, ``action``, ``version``, ``attempt``, ...);
never a title, a body, a name or an actor id.

```pycon
>>> from datetime import datetime, timezone
>>> from pengaduan.access import Viewer
>>> from pengaduan.model import Actor
>>> from pengaduan.store import InMemoryStore
>>> from pengaduan.testing import ManualClock
>>> clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
>>> from pengaduan.presets import lapor_workflow
>>> desk = Desk(InMemoryStore(workflow=lapor_workflow()), clock=clock)
>>> done = desk.submit(Actor("warga-17", "reporter"),
...                    {"title": "Jalan rusak", "body": "Lubang besar", "channel": "web"},
...                    complaint_id="C-1", request_id="req-1")
>>> done.state, done.version, done.clocks["verification"].status.value
('submitted', 1, 'running')
>>> desk.submit(Actor("warga-17", "reporter"),
...             {"title": "Jalan rusak", "body": "Lubang besar", "channel": "web"},
...             complaint_id="C-1", request_id="req-1").appended  # a retried request
False
>>> desk.get("C-1", Viewer.staff("admin_agency")).facts.title
'Jalan rusak'

```
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs

from pengaduan import escalation
from pengaduan.access import PrivacyPolicy, Viewer, view
from pengaduan.clock import SystemClock, TimeSource, instant_of, now_of
from pengaduan.escalation import DueAction, Ladder, Notifier
from pengaduan.exceptions import (
    ConflictError,
    DuplicateEventError,
    NotVisibleError,
    PengaduanError,
    RefusedError,
    RequestReusedError,
    RetriesExhaustedError,
    StaleReadModelError,
    StoreError,
    TickInterruptedError,
    UnknownComplaintError,
)
from pengaduan.model import Actor, Complaint, Event
from pengaduan.readmodel import ReadModel
from pengaduan.sla import Evaluation, Policy, Timeline, evaluate
from pengaduan.store import EventStore
from pengaduan.workflow import Workflow

_T = TypeVar("_T")

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_RETRIES",
    "AsyncDesk",
    "Desk",
    "Outcome",
    "Snapshot",
    "TickReport",
]

DEFAULT_RETRIES = 10
"""How many times a desk retries an action on fresh state after a conflict, by default."""

DEFAULT_BACKOFF = 0.005
"""The first pause between retries, in seconds, by default (doubled at each retry, jittered)."""

_BACKOFF_CAP = 0.25

_LOG = logging.getLogger("pengaduan.desk")
_REQUEST_PREFIX = "request:"


@attrs.frozen
class Outcome:
    """What a write (`Desk.submit`, `Desk.act`) did, and the complaint after it.

    Attributes:
        complaint_id: The complaint's id.
        state: Its state right after the action.
        version: Its version right after the action (the number of events up to it).
        event_id: The id of the event recorded for the action.
        appended: Whether this call appended the event; ``False`` when the request id was
            already recorded (a retried request: nothing was written, the first result is
            returned again).
        attempts: How many times the action was judged (1 without any conflict).
        complaint: The complaint right after the action, as the actor may see it (redacted by
            the privacy policy), or ``None`` if the actor may not see it at all.
        clocks: Its clock states as of the action's instant (``None`` with `complaint`).
    """

    complaint_id: str
    state: str
    version: int
    event_id: str
    appended: bool
    attempts: int
    complaint: Complaint | None = attrs.field(repr=False)
    clocks: Evaluation | None = attrs.field(repr=False)


@attrs.frozen(repr=False)
class Snapshot:
    """A complaint as a viewer may see it, with its clock states as of an instant.

    Attributes:
        complaint: The complaint, redacted for the viewer.
        clocks: Its clock states.
    """

    complaint: Complaint = attrs.field(repr=False)
    clocks: Evaluation = attrs.field(repr=False)

    @property
    def id(self) -> str:
        """The complaint's id."""
        return self.complaint.id

    def __repr__(self) -> str:
        return f"Snapshot({self.complaint.id!r}, state={self.complaint.state!r})"


@attrs.frozen
class TickReport:
    """What one `Desk.tick` recorded.

    Attributes:
        as_of: The instant of the tick.
        events: The events this tick appended, in order (another scheduler's events are not
            counted twice: an event already recorded is not in here); with ``dry_run``, the
            events it would append.
        actions: The due actions carried out by this tick, in the order of `events`; each was
            handed to the desk's notifier once, after it was recorded (with ``dry_run``: the
            actions it would carry out, none notified).
        refused: The due actions the workflow refused, with the refusal.
        retried: How many conflicts with other writers were met and retried on fresh state.
        gave_up: The complaints still conflicting after every retry (nothing was recorded for
            them; the next tick tries again).
    """

    as_of: datetime
    events: tuple[Event, ...]
    actions: tuple[DueAction, ...]
    refused: tuple[tuple[DueAction, RefusedError], ...] = ()
    retried: int = 0
    gave_up: tuple[str, ...] = ()


def _plain(value: Any) -> Any:
    """`value` as it reads back from a store (JSON), to compare a request with its record."""
    try:
        return json.loads(json.dumps(value, sort_keys=True, default=str))
    except (TypeError, ValueError):
        return value


def _request_event_id(request_id: str) -> str:
    if not isinstance(request_id, str) or not request_id:
        raise ValueError("request_id must be a non-empty string")
    return _REQUEST_PREFIX + request_id


def _unreadable(complaint_id: str, error: PengaduanError) -> None:
    _LOG.warning(
        "skipped complaint %s: its history cannot be read (%s)",
        complaint_id,
        type(error).__name__,
        extra={
            "complaint_id": complaint_id,
            "outcome": "unreadable",
            "error": type(error).__name__,
        },
    )


def _new_complaint_id() -> str:
    return "C-" + uuid.uuid4().hex[:16].upper()


class Desk:
    """A complaint desk over one event store: writes with retries, private reads, scheduling.

    Args:
        store: The event store (`pengaduan.store.InMemoryStore`, ``SQLiteStore``,
            ``PostgresStore`` or anything honouring `pengaduan.store.EventStore`).
        workflow: The workflow that judges actions; by default the store's own (which
            validates every append again).
        policy: The SLA policy; by default the SP4N-LAPOR! preset (``lapor_policy``).
        ladder: The escalation ladder for `tick`; by default the SP4N-LAPOR! ladder on
            `policy`.
        privacy: The privacy policy of every read; by default
            `pengaduan.access.DEFAULT_POLICY`.
        clock: Where "now" comes from when a call gives no instant; by default
            `pengaduan.clock.SystemClock`. Tests pass `pengaduan.testing.ManualClock`.
        retries: How many times an action is judged again on fresh state after a conflict
            before `RetriesExhaustedError`.
        notifier: Gets every due action `tick` records (once, after it is recorded).
        language: The language of escalation messages, ``"id"`` or ``"en"``.
        new_id: Makes the id of a complaint submitted without one (by default ``C-`` and 16
            random hex digits). With a ``request_id`` and no complaint id, the id is derived
            from the request id instead, so that a retried submission finds its complaint.
        backoff: The pause before the first retry, in seconds; each further retry waits up
            to twice as long (a random share of it, at most a quarter of a second), so that
            writers racing for one complaint spread out instead of colliding again. 0 retries
            at once.

    Raises:
        ValueError: If `retries` or `backoff` is negative.
    """

    def __init__(
        self,
        store: EventStore,
        *,
        workflow: Workflow | None = None,
        policy: Policy | None = None,
        ladder: Ladder | None = None,
        privacy: PrivacyPolicy | None = None,
        clock: TimeSource | None = None,
        retries: int = DEFAULT_RETRIES,
        notifier: Notifier | None = None,
        language: str = "id",
        new_id: Callable[[], str] | None = None,
        backoff: float = DEFAULT_BACKOFF,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        if backoff < 0:
            raise ValueError(f"backoff must be 0 or more seconds, got {backoff}")
        # The desk is the top layer: it binds the presets where nothing else is given.
        from pengaduan.access import DEFAULT_POLICY
        from pengaduan.presets import lapor_ladder, lapor_policy

        self.store = store
        self.workflow: Workflow = store.workflow if workflow is None else workflow
        self.policy: Policy = lapor_policy() if policy is None else policy
        self.ladder: Ladder = lapor_ladder(self.policy) if ladder is None else ladder
        self.privacy: PrivacyPolicy = DEFAULT_POLICY if privacy is None else privacy
        self.clock: TimeSource = SystemClock() if clock is None else clock
        self.retries = retries
        self.notifier = notifier
        self.language = language
        self._new_id = _new_complaint_id if new_id is None else new_id
        self.backoff = backoff
        model = store.read_model
        self._indexed = (
            model is not None
            and store.read_model_mismatch is None
            and model.fingerprint == ReadModel(policy=self.policy, ladder=self.ladder).fingerprint
        )
        if not self._indexed:
            # A store without rows for these definitions still gives every right answer,
            # by reading every complaint; rows computed with other ones are worth a warning.
            _LOG.log(
                logging.INFO if model is None else logging.WARNING,
                "the store's read model is not this desk's: tick, next_wakeup and overdue "
                "read every complaint (open the store with the desk's read_model, or rebuild)",
                extra={"pengaduan_store": type(store).__name__},
            )

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        workflow: Workflow | None = None,
        policy: Policy | None = None,
        ladder: Ladder | None = None,
        **options: Any,
    ) -> Desk:
        """Open the store at `target` with this desk's read model, and the desk on it.

        The store (`pengaduan.store.open_store`: a SQLite path or a ``postgresql://`` URL)
        keeps the rows of the policy and ladder the desk runs on, so `tick`, `next_wakeup`
        and `overdue` read only what they need. Close it with ``desk.store.close()``.

        Args:
            target: The store.
            workflow: The workflow (by default SP4N-LAPOR!).
            policy: The SLA policy (by default SP4N-LAPOR!'s).
            ladder: The ladder (by default SP4N-LAPOR!'s on the policy).
            **options: The desk's other options (`privacy`, `clock`, `retries`, ...).
        """
        from pengaduan.store import open_store

        return cls._opened(open_store, target, workflow, policy, ladder, options)

    @classmethod
    def _opened(
        cls,
        opener: Callable[..., EventStore],
        target: str | os.PathLike[str],
        workflow: Workflow | None,
        policy: Policy | None,
        ladder: Ladder | None,
        options: Mapping[str, Any],
    ) -> Desk:
        """`open`, with the store made by ``opener(target, workflow, read_model=...)``."""
        from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow

        if workflow is None:
            workflow = lapor_workflow()
        chosen = lapor_policy() if policy is None else policy
        steps = lapor_ladder(chosen) if ladder is None else ladder
        store = opener(target, workflow, read_model=ReadModel(policy=chosen, ladder=steps))
        return cls(store, workflow=workflow, policy=chosen, ladder=steps, **options)

    @property
    def read_model(self) -> ReadModel:
        """The read model this desk's definitions give (open its store with it)."""
        return ReadModel(policy=self.policy, ladder=self.ladder)

    @property
    def indexed(self) -> bool:
        """Whether the store's read-model rows are current for this desk's definitions.

        Then `tick`, `next_wakeup` and `overdue` read only the complaints the rows point at;
        otherwise (a store opened without the desk's `read_model`, or one whose rows were
        computed with other definitions: see the store's ``read_model_mismatch``) they read
        every complaint, with the same answers, more slowly.
        """
        return self._indexed

    def __repr__(self) -> str:
        return (
            f"Desk({type(self.store).__name__}, workflow={self.workflow.name} "
            f"{self.workflow.version}, policy={self.policy.name} {self.policy.version}, "
            f"ladder={self.ladder.name} {self.ladder.version})"
        )

    @property
    def aio(self) -> AsyncDesk:
        """This desk's asyncio face (see `AsyncDesk`)."""
        return AsyncDesk(self)

    def now(self) -> datetime:
        """The desk's current instant (its time source asked once)."""
        return now_of(self.clock)

    def _pause(self, attempt: int) -> None:
        """Wait a jittered, doubling share of `backoff` after the `attempt`-th conflict."""
        if self.backoff > 0:
            window = min(_BACKOFF_CAP, self.backoff * 2 ** (attempt - 1))
            # A store on an event loop waits there (see `AsyncDesk`), not in the thread.
            sleep: Callable[[float], None] = getattr(self.store, "_sleep", time.sleep)
            sleep(random.uniform(0, window))  # jitter, not a secret

    def _instant(self, at: datetime | TimeSource | None, what: str = "at") -> datetime:
        return self.now() if at is None else instant_of(at, what)

    # -- writes --------------------------------------------------------------------------

    def submit(
        self,
        actor: Actor,
        data: Mapping[str, Any],
        *,
        complaint_id: str | None = None,
        at: datetime | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        """Submit a new complaint (the workflow's ``submit`` action).

        Args:
            actor: Who submits it (a reporter, or staff recording a walk-in report).
            data: The submission's data (``title``, ``body``, ``channel``, ...).
            complaint_id: Its id (a tracking number); by default a new one (see `Desk`).
            at: When; by default the desk's time source.
            request_id: Makes a retried submission a no-op (see `act`).

        Returns:
            The `Outcome`.

        Raises:
            RefusedError: A subclass, if the workflow refuses the submission (for instance
                `ActionNotAllowedError` if a complaint of that id exists).
            RequestReusedError: If `request_id` was recorded for another request.
            RetriesExhaustedError: If other writers kept changing the complaint.
        """
        if complaint_id is None:
            if request_id is None:
                complaint_id = self._new_id()
            else:
                digest = hashlib.sha256(request_id.encode("utf-8")).hexdigest()
                complaint_id = "C-" + digest[:16].upper()
        return self._record(complaint_id, "submit", actor, data, at, request_id)

    def act(
        self,
        complaint_id: str,
        action: str,
        actor: Actor,
        data: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        """Take `action` on a complaint: load, judge, append at the version read; retry.

        On a `ConflictError` (another writer appended first) the complaint is loaded again
        and the action judged again on the fresh state, up to the desk's ``retries``.

        With `request_id` the event's id is ``"request:" + request_id``: the same request
        again (same complaint, action, actor and data; the instant is not compared, a retry
        comes later) appends nothing and returns the first `Outcome` again, with
        ``appended=False``. The id is global to the store; a request id must not be personal
        (it is stored and logged as the event id).

        Args:
            complaint_id: The complaint.
            action: The workflow action's name.
            actor: Who takes it.
            data: The action's data.
            at: When; by default the desk's time source (asked again on each attempt).
            request_id: The caller's id of this request (an HTTP idempotency key).

        Returns:
            The `Outcome`.

        Raises:
            RefusedError: A subclass, if the workflow refuses the action (on the state it
                finally met); nothing was written.
            RequestReusedError: If `request_id` was recorded for another request.
            RetriesExhaustedError: If other writers kept changing the complaint.
            NaiveDatetimeError: If `at` is naive.
        """
        return self._record(complaint_id, action, actor, data, at, request_id)

    def _record(
        self,
        complaint_id: str,
        action: str,
        actor: Actor,
        data: Mapping[str, Any] | None,
        at: datetime | None,
        request_id: str | None,
    ) -> Outcome:
        event_id = None if request_id is None else _request_event_id(request_id)
        data = {} if data is None else data
        expected = actual = 0
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            complaint = self.store.load(complaint_id)
            if event_id is not None:
                for index, recorded in enumerate(complaint.events):
                    if recorded.id == event_id:
                        return self._replayed(complaint, index, action, actor, data, attempt)
            instant = self._instant(at)
            extra = {
                "complaint_id": complaint_id,
                "action": action,
                "role": actor.role,
                "version": complaint.version,
                "attempt": attempt,
            }
            try:
                updated = self.workflow.apply(
                    complaint, action, actor, instant, data, event_id=event_id
                )
                event = updated.last_event
                assert event is not None
                appended = self.store.append(
                    complaint_id, [event], expected_version=complaint.version
                )
            except ConflictError as error:
                expected, actual = error.expected_version, error.actual_version
                self._conflict(complaint_id, action, expected, actual, extra, attempt)
                continue
            except DuplicateEventError as error:
                fresh = self.store.load(complaint_id)
                if event_id is not None and error.event_id == event_id:
                    if any(e.id == event_id for e in fresh.events):
                        continue  # the same request, recorded meanwhile: answered above
                    _LOG.info(
                        "refused %s on complaint %s: request id recorded on another complaint",
                        action,
                        complaint_id,
                        extra={**extra, "outcome": "refused", "error": "RequestReusedError"},
                    )
                    raise RequestReusedError(
                        complaint_id=complaint_id,
                        action=action,
                        recorded_action=None,
                        reason="it is recorded on another complaint",
                    ) from None
                if fresh.version != complaint.version:
                    # Our default event id was taken by a writer who appended first.
                    expected, actual = complaint.version, fresh.version
                    self._conflict(complaint_id, action, expected, actual, extra, attempt)
                    continue
                self._log_refused(error, extra)
                raise
            except RefusedError as error:
                self._log_refused(error, extra)
                raise
            if not appended.new:
                continue  # this very event was recorded meanwhile (a retried request)
            stored = appended.complaint
            _LOG.info(
                "appended %s to complaint %s (version %d)",
                action,
                complaint_id,
                stored.version,
                extra={**extra, "version": stored.version, "outcome": "appended"},
            )
            return self._outcome(stored, event, appended=True, attempts=attempt)
        _LOG.warning(
            "gave up %s on complaint %s after %d attempts",
            action,
            complaint_id,
            attempts,
            extra={
                "complaint_id": complaint_id,
                "action": action,
                "role": actor.role,
                "version": expected,
                "actual_version": actual,
                "attempt": attempts,
                "outcome": "gave_up",
            },
        )
        raise RetriesExhaustedError(
            complaint_id=complaint_id,
            action=action,
            attempts=attempts,
            expected_version=expected,
            actual_version=actual,
        )

    def _conflict(
        self,
        complaint_id: str,
        action: str,
        expected: int,
        actual: int,
        extra: dict[str, Any],
        attempt: int,
    ) -> None:
        """Log a conflict met by an action and wait before it is decided again."""
        _LOG.info(
            "conflict on complaint %s (%s at version %d, the store holds %d): retrying",
            complaint_id,
            action,
            expected,
            actual,
            extra={**extra, "actual_version": actual, "outcome": "conflict"},
        )
        self._pause(attempt)

    def _log_refused(self, error: RefusedError, extra: dict[str, Any]) -> None:
        _LOG.info(
            "refused %s on complaint %s in state %s (%s)",
            extra["action"],
            extra["complaint_id"],
            error.state,
            type(error).__name__,
            extra={
                **extra,
                "state": error.state,
                "outcome": "refused",
                "error": type(error).__name__,
            },
        )

    def _replayed(
        self,
        complaint: Complaint,
        index: int,
        action: str,
        actor: Actor,
        data: Mapping[str, Any],
        attempt: int,
    ) -> Outcome:
        recorded = complaint.events[index]
        differs = [
            name
            for name, same in (
                ("action", recorded.action == action),
                ("actor", recorded.actor == actor),
                ("data", _plain(dict(recorded.data)) == _plain(dict(data))),
            )
            if not same
        ]
        extra = {
            "complaint_id": complaint.id,
            "action": action,
            "role": actor.role,
            "version": index + 1,
            "attempt": attempt,
        }
        if differs:
            _LOG.info(
                "refused %s on complaint %s: request id recorded for another request",
                action,
                complaint.id,
                extra={**extra, "outcome": "refused", "error": "RequestReusedError"},
            )
            raise RequestReusedError(
                complaint_id=complaint.id,
                action=action,
                recorded_action=recorded.action,
                reason="its " + " and ".join(differs) + " differ",
            )
        _LOG.info(
            "request already recorded: %s on complaint %s (version %d), nothing appended",
            action,
            complaint.id,
            index + 1,
            extra={**extra, "outcome": "replayed"},
        )
        before = self.workflow.replay(complaint.events[: index + 1])[complaint.id]
        return self._outcome(before, recorded, appended=False, attempts=attempt)

    def _outcome(
        self, complaint: Complaint, event: Event, *, appended: bool, attempts: int
    ) -> Outcome:
        seen: Complaint | None
        clocks: Evaluation | None = None
        try:
            seen = self._view(complaint, Viewer.of(event.actor))
        except NotVisibleError:
            seen = None
        if seen is not None:
            clocks = evaluate(seen, event.at, policy=self.policy)
        return Outcome(
            complaint_id=complaint.id,
            state=complaint.state,
            version=complaint.version,
            event_id=event.id,
            appended=appended,
            attempts=attempts,
            complaint=seen,
            clocks=clocks,
        )

    # -- reads ---------------------------------------------------------------------------

    def _view(self, complaint: Complaint, viewer: Viewer) -> Complaint:
        return view(complaint, viewer, workflow=self.workflow, privacy=self.privacy)

    def _load(self, complaint_id: str, viewer: Viewer, what: str) -> Complaint:
        complaint = self.store.load(complaint_id)
        if not complaint.events:
            raise UnknownComplaintError(
                complaint_id=complaint_id,
                state=complaint.state,
                action=what,
                allowed=self.workflow.allowed_actions(complaint),
            )
        return self._view(complaint, viewer)

    def get(self, complaint_id: str, viewer: Viewer) -> Complaint:
        """The complaint as `viewer` may see it (personal fields withheld as the policy says).

        Raises:
            UnknownComplaintError: If no such complaint was submitted.
            NotVisibleError: If the viewer may not see it at all.
        """
        return self._load(complaint_id, viewer, "get")

    def history(self, complaint_id: str, viewer: Viewer) -> tuple[Event, ...]:
        """The complaint's events, oldest first, as `viewer` may see them.

        Raises:
            UnknownComplaintError: If no such complaint was submitted.
            NotVisibleError: If the viewer may not see it at all.
        """
        return self._load(complaint_id, viewer, "history").events

    def clocks(
        self, complaint_id: str, viewer: Viewer, *, as_of: datetime | TimeSource | None = None
    ) -> Evaluation:
        """The complaint's clock states as of `as_of` (by default now).

        Raises:
            UnknownComplaintError: If no such complaint was submitted.
            NotVisibleError: If the viewer may not see it at all.
            NaiveDatetimeError: If `as_of` is naive.
        """
        instant = self._instant(as_of, "as_of")
        return evaluate(self._load(complaint_id, viewer, "clocks"), instant, policy=self.policy)

    def explain(
        self, complaint_id: str, viewer: Viewer, *, as_of: datetime | TimeSource | None = None
    ) -> Timeline:
        """The timeline of the complaint's clocks (why each deadline is where it is).

        Raises:
            UnknownComplaintError: If no such complaint was submitted.
            NotVisibleError: If the viewer may not see it at all.
            NaiveDatetimeError: If `as_of` is naive.
        """
        return self.clocks(complaint_id, viewer, as_of=as_of).explain()

    def overdue(
        self,
        viewer: Viewer,
        *,
        as_of: datetime | TimeSource | None = None,
        clock: str | None = None,
        unit: str | None = None,
    ) -> tuple[Snapshot, ...]:
        """The complaints `viewer` may see with a clock breached and still open, as of `as_of`.

        Args:
            viewer: Who looks; the complaints they may not see are left out.
            as_of: The instant; by default now.
            clock: Only this clock (by name); by default any clock of the policy.
            unit: Only the complaints dispatched to this unit.

        Returns:
            One `Snapshot` per complaint, in the store's order.
        """
        instant = self._instant(as_of, "as_of")
        if clock is not None:
            self.policy.clock(clock)  # an unknown name is an UnknownClockError
        out: list[Snapshot] = []
        for complaint in self._candidates(instant, unit=unit):
            if not complaint.events or (unit is not None and complaint.unit != unit):
                continue
            try:
                seen = self._view(complaint, viewer)
            except NotVisibleError:
                continue
            clocks = evaluate(seen, instant, policy=self.policy)
            if any(
                state.breached and state.current is not None and state.current.open
                for state in clocks
                if clock is None or state.name == clock
            ):
                out.append(Snapshot(seen, clocks))
        return tuple(out)

    # -- scheduling ----------------------------------------------------------------------

    def _candidates(
        self, as_of: datetime, *, due: bool = False, unit: str | None = None
    ) -> Iterable[Complaint]:
        """The complaints that may have something due (``due``) or overdue at `as_of`.

        With current read-model rows (`indexed`): those whose ``next_due_at`` has come, or
        those with an open clock whose deadline has passed (in `unit`, if given); each is
        then judged exactly on its history. Otherwise every complaint of the store.
        """
        if not self._indexed:
            yield from self.store.complaints(on_error=_unreadable)
            return
        try:
            ids = list(self.store.due_ids(as_of) if due else self._overdue_ids(as_of, unit))
        except StaleReadModelError as error:  # e.g. another process wrote with other rules
            _LOG.warning(
                "read-model rows not current (%s): reading every complaint",
                type(error).__name__,
                extra={"outcome": "stale_rows", "error": type(error).__name__},
            )
            yield from self.store.complaints(on_error=_unreadable)
            return
        # A page of histories per query: at the morning peak most open complaints are due.
        yield from self.store.load_many(ids, on_error=_unreadable)

    def _overdue_ids(self, as_of: datetime, unit: str | None) -> Iterator[str]:
        after: str | None = None
        while True:
            page = self.store.rows(overdue_as_of=as_of, unit=unit, after=after, limit=500)
            for row in page.rows:
                yield row.id
            if page.next_after is None:
                return
            after = page.next_after

    def due(self, as_of: datetime | TimeSource | None = None) -> tuple[DueAction, ...]:
        """What the ladder has due at `as_of` (by default now) and not yet recorded.

        Nothing is written (`tick` records it). With current read-model rows only the
        complaints whose ``next_due_at`` has come are read.

        Returns:
            The due actions, ordered as `pengaduan.escalation.due` orders them.

        Raises:
            NaiveDatetimeError: If `as_of` is naive.
        """
        instant = self._instant(as_of, "as_of")
        return escalation.due(
            self._candidates(instant, due=True), instant, ladder=self.ladder, language=self.language
        )

    def tick(
        self, as_of: datetime | TimeSource | None = None, *, dry_run: bool = False
    ) -> TickReport:
        """Record what the ladder has due at `as_of` (by default now), and notify.

        For each complaint, what `pengaduan.escalation.tick` decides (an ``escalate`` event
        per message, the automatic action as ``system``) is appended at the version read. A
        conflict with another writer (a user's action, another scheduler) reloads the
        complaint and decides again on the fresh state, so nothing is recorded on a stale
        history and nothing twice: every escalation event's id is its idempotency key, so a
        second scheduler writing the same events is a no-op, and one that decided at another
        instant meets the recorded key and finds nothing left to do. Only the actions this
        tick appended go to the notifier.

        Ticking twice at the same instant adds nothing.

        Args:
            as_of: The tick's instant; by default the desk's time source.
            dry_run: Decide only: the report holds what would be recorded, and nothing is
                appended or notified (the store may be read-only).

        Returns:
            A `TickReport`.

        Raises:
            NaiveDatetimeError: If `as_of` is naive.
            TickInterruptedError: If the store failed part way (it says how many events of how
                many complaints were written before; each complaint is written whole).
        """
        instant = self._instant(as_of, "as_of")
        parts = list(self.ticking(instant, dry_run=dry_run))
        return TickReport(
            instant,
            tuple(e for part in parts for e in part.events),
            tuple(a for part in parts for a in part.actions),
            tuple(r for part in parts for r in part.refused),
            sum(part.retried for part in parts),
            tuple(c for part in parts for c in part.gave_up),
        )

    def ticking(
        self, as_of: datetime | TimeSource | None = None, *, dry_run: bool = False
    ) -> Iterator[TickReport]:
        """`tick`, one complaint at a time: a report per complaint with something to say.

        What `tick` does, yielded as it goes, so that a scheduler over a national store
        holds one complaint's events at a time (the command line's ``tick --db`` prints
        them so). A complaint's report comes after its events are recorded.

        Raises:
            NaiveDatetimeError: If `as_of` is naive.
            TickInterruptedError: If the store failed part way (it says how many events of how
                many complaints were written before; each complaint is written whole).
        """
        instant = self._instant(as_of, "as_of")
        seen = recorded = written = refusals = retries = 0
        for complaint in self._candidates(instant, due=True):
            seen += 1
            part = self._tick_one(complaint, instant, dry_run, recorded, written)
            recorded += len(part.events) if not dry_run else 0
            written += 1 if part.events and not dry_run else 0
            refusals += len(part.refused)
            retries += part.retried
            if part.events or part.refused or part.gave_up or part.retried:
                yield part
        _LOG.info(
            "tick as of %s: %d complaints read, %d events recorded, %d refused, %d retried",
            instant.isoformat(),
            seen,
            recorded,
            refusals,
            retries,
            extra={
                "action": "tick",
                "as_of": instant.isoformat(),
                "complaints": seen,
                "events": recorded,
                "refused": refusals,
                "retried": retries,
            },
        )

    def _tick_one(
        self, complaint: Complaint, instant: datetime, dry_run: bool, recorded: int, written: int
    ) -> TickReport:
        """Decide and record one complaint's due actions, deciding again after a conflict."""
        events: list[Event] = []
        actions: list[DueAction] = []
        refused: list[tuple[DueAction, RefusedError]] = []
        gave_up: list[str] = []
        retried = 0
        current = complaint
        for attempt in range(1, self.retries + 2):
            result = escalation.tick(
                {current.id: current},
                instant,
                ladder=self.ladder,
                language=self.language,
                workflow=self.workflow,
            )
            if not result.events or dry_run:
                refused.extend(result.refused)
                events.extend(result.events)
                actions.extend(result.actions)
                break
            extra = {
                "complaint_id": current.id,
                "action": "tick",
                "version": current.version,
                "attempt": attempt,
            }
            try:
                appended = self.store.append(
                    current.id, result.events, expected_version=current.version
                )
            except (StoreError, OSError) as error:  # a full disk, a lost connection
                raise TickInterruptedError(
                    as_of=instant,
                    events_written=recorded,
                    complaints_written=written,
                    reason=str(error) if isinstance(error, PengaduanError) else repr(error),
                ) from error
            except (ConflictError, DuplicateEventError) as error:
                retried += 1
                _LOG.info(
                    "tick conflict on complaint %s at version %d (%s): deciding again",
                    current.id,
                    current.version,
                    type(error).__name__,
                    extra={**extra, "outcome": "conflict", "error": type(error).__name__},
                )
                self._pause(attempt)
                current = self.store.load(current.id)
                continue
            refused.extend(result.refused)
            new = {event.id for event in appended.new}
            events.extend(appended.new)
            for action in result.actions:
                if action.key in new:
                    actions.append(action)
                    if self.notifier is not None:
                        self.notifier.notify(action)
            if new:
                _LOG.info(
                    "tick recorded %d events on complaint %s (version %d)",
                    len(new),
                    current.id,
                    appended.complaint.version,
                    extra={
                        **extra,
                        "version": appended.complaint.version,
                        "events": len(new),
                        "outcome": "appended",
                    },
                )
            break
        else:
            gave_up.append(current.id)
            _LOG.warning(
                "tick gave up on complaint %s after %d attempts",
                current.id,
                self.retries + 1,
                extra={
                    "complaint_id": current.id,
                    "action": "tick",
                    "version": current.version,
                    "attempt": self.retries + 1,
                    "outcome": "gave_up",
                },
            )
        for action, refusal in refused:
            _LOG.info(
                "tick: %s of rule %s refused on complaint %s in state %s (%s)",
                action.action,
                action.rule,
                action.complaint,
                refusal.state,
                type(refusal).__name__,
                extra={
                    "complaint_id": action.complaint,
                    "action": action.action,
                    "state": refusal.state,
                    "outcome": "refused",
                    "error": type(refusal).__name__,
                },
            )
        return TickReport(
            instant, tuple(events), tuple(actions), tuple(refused), retried, tuple(gave_up)
        )

    def next_wakeup(self, as_of: datetime | TimeSource | None = None) -> datetime | None:
        """When to call `tick` next: the earliest instant anything can fall due.

        An instant at or before now means something is due already (call `tick` now);
        ``None`` means nothing can fall due until a new event is recorded (call it again
        after the next write, or on a slow safety timer).

        Args:
            as_of: The instant the host asks at; by default now.

        Raises:
            NaiveDatetimeError: If `as_of` is naive.
        """
        instant = self._instant(as_of, "as_of")
        if self._indexed:
            return self.store.next_due_at()
        best: datetime | None = None
        for complaint in self._candidates(instant):
            at = escalation.next_due_at(complaint, ladder=self.ladder)
            if at is not None and (best is None or at < best):
                best = at
        return best


class AsyncDesk:
    """The asyncio face of a `Desk`: the same methods, awaitable, never blocking the loop.

    On a desk opened with `AsyncDesk.open` on a ``postgresql://`` URL, the store runs on
    psycopg's asyncio connection: every query is awaited on the event loop, with no thread.
    Such a desk serves one call at a time (calls queue on an `asyncio.Lock`; for more
    throughput, open a desk per worker). Any other desk's calls run in a worker thread
    (`asyncio.to_thread`): ``sqlite3`` and psycopg's synchronous connection block, so the
    event loop hands them to a thread and goes on serving other requests; every store
    guards its connection with a lock, so concurrent calls on one desk are safe. Get one
    with `AsyncDesk.open`, ``desk.aio`` or ``AsyncDesk(desk)``.

    Args:
        desk: The desk to run.
    """

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._one_at_a_time = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        target: str | os.PathLike[str],
        *,
        workflow: Workflow | None = None,
        policy: Policy | None = None,
        ladder: Ladder | None = None,
        schema: str = "public",
        **options: Any,
    ) -> AsyncDesk:
        """`Desk.open`, awaited: on PostgreSQL, over psycopg's asyncio connection.

        A ``postgresql://`` (or ``postgres://``) URL opens the store on
        `psycopg.AsyncConnection` (the ``postgres`` extra, which brings ``greenlet`` for the
        bridge); a SQLite path opens in a worker thread. Close it with `close`.

        Args:
            target: The store.
            workflow: The workflow (by default SP4N-LAPOR!).
            policy: The SLA policy (by default SP4N-LAPOR!'s).
            ladder: The ladder (by default SP4N-LAPOR!'s on the policy).
            schema: On PostgreSQL, the schema the store's tables are in.
            **options: The desk's other options (`privacy`, `clock`, `retries`, ...).
        """
        text = os.fspath(target)
        if text.partition("://")[0].lower() in ("postgresql", "postgres"):
            from pengaduan._store_postgres_async import BridgedPostgresStore, run

            def opener(url: str, chosen: Workflow, read_model: ReadModel) -> EventStore:
                return BridgedPostgresStore(url, chosen, schema=schema, read_model=read_model)

            desk = await run(Desk._opened, opener, text, workflow, policy, ladder, options)
        else:
            desk = await asyncio.to_thread(
                Desk.open, target, workflow=workflow, policy=policy, ladder=ladder, **options
            )
        return cls(desk)

    @property
    def on_event_loop(self) -> bool:
        """Whether the store runs on the event loop (psycopg's asyncio connection)."""
        return bool(getattr(self.desk.store, "on_event_loop", False))

    async def _call(self, function: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        if self.on_event_loop:
            from pengaduan._store_postgres_async import run

            async with self._one_at_a_time:
                return await run(function, *args, **kwargs)
        return await asyncio.to_thread(function, *args, **kwargs)

    async def close(self) -> None:
        """Close the desk's store (its connection)."""
        await self._call(self.desk.store.close)

    async def __aenter__(self) -> AsyncDesk:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def submit(
        self,
        actor: Actor,
        data: Mapping[str, Any],
        *,
        complaint_id: str | None = None,
        at: datetime | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        """`Desk.submit`, awaited."""
        return await self._call(
            self.desk.submit,
            actor,
            data,
            complaint_id=complaint_id,
            at=at,
            request_id=request_id,
        )

    async def act(
        self,
        complaint_id: str,
        action: str,
        actor: Actor,
        data: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        """`Desk.act`, awaited."""
        return await self._call(
            self.desk.act, complaint_id, action, actor, data, at=at, request_id=request_id
        )

    async def get(self, complaint_id: str, viewer: Viewer) -> Complaint:
        """`Desk.get`, awaited."""
        return await self._call(self.desk.get, complaint_id, viewer)

    async def history(self, complaint_id: str, viewer: Viewer) -> tuple[Event, ...]:
        """`Desk.history`, awaited."""
        return await self._call(self.desk.history, complaint_id, viewer)

    async def clocks(
        self, complaint_id: str, viewer: Viewer, *, as_of: datetime | TimeSource | None = None
    ) -> Evaluation:
        """`Desk.clocks`, awaited."""
        return await self._call(self.desk.clocks, complaint_id, viewer, as_of=as_of)

    async def explain(
        self, complaint_id: str, viewer: Viewer, *, as_of: datetime | TimeSource | None = None
    ) -> Timeline:
        """`Desk.explain`, awaited."""
        return await self._call(self.desk.explain, complaint_id, viewer, as_of=as_of)

    async def overdue(
        self,
        viewer: Viewer,
        *,
        as_of: datetime | TimeSource | None = None,
        clock: str | None = None,
        unit: str | None = None,
    ) -> tuple[Snapshot, ...]:
        """`Desk.overdue`, awaited."""
        return await self._call(self.desk.overdue, viewer, as_of=as_of, clock=clock, unit=unit)

    async def tick(self, as_of: datetime | TimeSource | None = None) -> TickReport:
        """`Desk.tick`, awaited."""
        return await self._call(self.desk.tick, as_of)

    async def next_wakeup(self, as_of: datetime | TimeSource | None = None) -> datetime | None:
        """`Desk.next_wakeup`, awaited."""
        return await self._call(self.desk.next_wakeup, as_of)

    async def run_scheduler(
        self, *, idle: float = 300.0, least: float = 1.0, stop: asyncio.Event | None = None
    ) -> None:
        """Tick whenever something falls due, until `stop` is set: an asyncio host's loop.

        It ticks, asks `Desk.next_wakeup`, and sleeps until then: at most `idle` seconds (so
        that what new writes brought forward is seen) and at least `least` (an action the
        workflow keeps refusing stays due, and must not make the loop spin).

        Args:
            idle: The longest sleep, in seconds.
            least: The shortest sleep, in seconds.
            stop: Set it to end the loop.
        """
        stop = asyncio.Event() if stop is None else stop
        while not stop.is_set():
            await self.tick()
            wake = await self.next_wakeup()
            delay = idle
            if wake is not None:
                delay = min(idle, (wake - self.desk.now()).total_seconds())
            delay = max(least, delay)
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                continue
