"""Every error `pengaduan` raises, in one hierarchy.

```
PengaduanError (Exception)
├── NaiveDatetimeError (ValueError)           a datetime without a time zone
├── DefinitionError (ValueError)              an inconsistent workflow (or other) definition
├── MissingDefinitionError (TypeError)        a function not given a definition it needs
├── EventFormatError (ValueError)             a malformed event record or event-file line
│   └── InstantRangeError                     an event instant outside years 2..9998 (UTC)
├── CodecError (ValueError)                   a malformed serialised definition or record
├── ConflictError (RuntimeError)              the complaint changed since it was read; no write
│   └── RetriesExhaustedError                 the desk gave up: still conflicting after retries
├── RequestReusedError (ValueError)           a request id already recorded for another request
├── TickInterruptedError (RuntimeError)       a tick stopped by a store error part way; says how far
├── StoreError (OSError)                      the store cannot read or write (read-only, disk full)
│   ├── ConnectionLostError (ConnectionError) the server connection dropped mid-write; retry
│   ├── NotAStoreError                        the file or schema is not a pengaduan store
│   ├── StaleReadModelError                   the read-model rows are not current: rebuild
│   └── StoreVersionError                     the store's schema is newer than this library
├── UnknownWorkflowVersionError (LookupError)  an event written by a workflow version not registered
├── NoWorkingTimeError (LookupError)          a calendar has no working time where one is needed
├── UnknownCalendarError (LookupError)        no calendar preset of that name
├── UnknownHolidayError (LookupError)         no holiday on the date a calendar was asked to move
├── UnknownClockError (LookupError)           no SLA clock of that name in the policy
├── UnknownNameError (KeyError)               no state or action of that name in the workflow
├── UnknownRuleError (LookupError)            no escalation rule of that name in the ladder
├── UnknownLanguageError (LookupError)        messages asked for in a language they do not exist in
├── UnknownGroupingError (LookupError)        metrics grouped by something they cannot group by
├── InvalidPeriodError (ValueError)           a metrics period that ends before it starts
├── MissingExtraError (ImportError)           an optional extra (pandas, matplotlib) not installed
├── NotVisibleError (PermissionError)         a viewer asked for a complaint it may not see
└── RefusedError (ValueError)                 the workflow refused an event; nothing changed
    ├── UnknownActionError (LookupError)      the workflow has no such action
    ├── UnknownComplaintError (LookupError)   a non-`submit` event for a complaint never submitted
    ├── ActionNotAllowedError (ValueError)    the action is not possible in the current state
    ├── RoleNotPermittedError (PermissionError)   the actor's role may not take the action
    ├── OutsideUnitError (PermissionError)    a unit role acting outside its own unit
    ├── InvalidDataError (ValueError)         a required data field is missing or invalid
    ├── GuardRefusedError (ValueError)        a guard of the action said no, with its reason
    │   └── NotOwnComplaintError (PermissionError)  a reporter acting on another's complaint
    ├── PrivacyFlagClearError (PermissionError)  a role that may not clear a privacy flag tried
    ├── OutOfOrderEventError (ValueError)     an event earlier than the complaint's last event
    ├── DuplicateEventError (ValueError)      an event id reused with different content
    ├── ComplaintMismatchError (ValueError)   an event applied to another complaint than its own
    └── ExternalIdClashError (ValueError)     an external id another complaint already holds
```

Catch `PengaduanError` to handle anything from the library, or `RefusedError` for whatever the
workflow turned down. Each class also derives from the closest builtin, so code that already
catches `ValueError`, `LookupError` or `PermissionError` keeps working.

Every error carries structured attributes (`complaint_id`, `state`, `action`, `allowed`, ...)
so that an app can build its own message; `str(error)` is a complete English sentence that
names what was asked, of which complaint, in which state, and what is allowed instead. No
message ever contains a data value that could be personal: only complaint and event ids,
states, actions, roles, units and field names. Actor ids are kept out of messages too (a
reporter's account id may be a phone number, as on SMS 1708); they are on the `actor_id`
attribute for an app that needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

__all__ = [
    "ActionNotAllowedError",
    "CodecError",
    "ComplaintMismatchError",
    "ConflictError",
    "ConnectionLostError",
    "DefinitionError",
    "DuplicateEventError",
    "EventFormatError",
    "ExternalIdClashError",
    "GuardRefusedError",
    "InstantRangeError",
    "InvalidDataError",
    "InvalidPeriodError",
    "MissingDefinitionError",
    "MissingExtraError",
    "NaiveDatetimeError",
    "NoWorkingTimeError",
    "NotAStoreError",
    "NotOwnComplaintError",
    "NotVisibleError",
    "OutOfOrderEventError",
    "OutsideUnitError",
    "PengaduanError",
    "PrivacyFlagClearError",
    "RefusedError",
    "RequestReusedError",
    "RetriesExhaustedError",
    "RoleNotPermittedError",
    "StaleReadModelError",
    "StoreError",
    "StoreVersionError",
    "TickInterruptedError",
    "UnknownActionError",
    "UnknownCalendarError",
    "UnknownClockError",
    "UnknownComplaintError",
    "UnknownGroupingError",
    "UnknownHolidayError",
    "UnknownLanguageError",
    "UnknownNameError",
    "UnknownRuleError",
    "UnknownWorkflowVersionError",
]


def _names(names: Iterable[str]) -> str:
    listed = ", ".join(names)
    return listed if listed else "none"


class PengaduanError(Exception):
    """Base class of every error raised by `pengaduan`."""

    def __str__(self) -> str:
        # LookupError subclasses (KeyError in particular) would otherwise show a repr.
        return str(self.args[0]) if self.args else self.__class__.__name__


class NaiveDatetimeError(PengaduanError, ValueError):
    """A datetime without a time zone was given where an instant is needed.

    Attributes:
        what: What the datetime was for, e.g. ``"Event.at"``.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"{what} must be a timezone-aware datetime, got a naive one; "
            "attach a zone, e.g. datetime(..., tzinfo=ZoneInfo('Asia/Jakarta'))"
        )


class DefinitionError(PengaduanError, ValueError):
    """A definition (workflow, state, action, ...) is inconsistent.

    Attributes:
        definition: The name of the definition at fault.
        reason: What is wrong with it.
    """

    def __init__(self, definition: str, reason: str) -> None:
        self.definition = definition
        self.reason = reason
        super().__init__(f"invalid definition {definition!r}: {reason}")


class MissingDefinitionError(PengaduanError, TypeError):
    """A function was not given a definition it needs, and none of the others it was given has it.

    The library has no defaults of its own: the presets are bound where an app is built (the
    desk, the CLI, the web app).

    Attributes:
        function: What was asked, e.g. ``"measure"``.
        definition: What it needs, e.g. ``"workflow"``.
        instead: Where else it may come from, e.g. ``"a policy that has one"``.
    """

    def __init__(self, function: str, definition: str, instead: str = "") -> None:
        self.function = function
        self.definition = definition
        self.instead = instead
        alternative = f", or {instead}" if instead else ""
        super().__init__(
            f"{function} needs a {definition}: pass {definition}={alternative}"
            " (the presets, e.g. pengaduan.presets.lapor_workflow(), are one)"
        )


class EventFormatError(PengaduanError, ValueError):
    """A serialised event is malformed.

    Attributes:
        reason: What is wrong.
        path: Where in the record, e.g. ``"actor.role"`` (empty for the whole record).
        line: The 1-based line number in an event file, when read from one.
        source: The file name, when known.
    """

    def __init__(
        self, reason: str, *, path: str = "", line: int | None = None, source: str | None = None
    ) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        self.source = source
        where = []
        if source is not None:
            where.append(source)
        if line is not None:
            where.append(f"line {line}")
        prefix = ":".join(where) + ": " if where else ""
        field = f"field {path!r}: " if path else ""
        super().__init__(f"{prefix}{field}{reason}")

    def at_line(self, line: int, source: str | None = None) -> EventFormatError:
        """Return the same error located at a line of a file."""
        return EventFormatError(self.reason, path=self.path, line=line, source=source)


class NoWorkingTimeError(PengaduanError, LookupError):
    """A calendar has no working time where a computation needs some.

    Attributes:
        calendar: The calendar's name.
        reason: What was looked for and why it was not found.
    """

    def __init__(self, calendar: str, reason: str) -> None:
        self.calendar = calendar
        self.reason = reason
        super().__init__(f"calendar {calendar!r} has no working time to answer with: {reason}")


class UnknownCalendarError(PengaduanError, LookupError):
    """No calendar preset has the name asked for.

    Attributes:
        name: The name asked for.
        known: The names that exist.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"unknown calendar {name!r}; known calendars: {_names(self.known)}")


class UnknownHolidayError(PengaduanError, LookupError):
    """A calendar has no holiday on the date asked for (e.g. to move it).

    Attributes:
        calendar: The calendar's name.
        day: The date asked for.
    """

    def __init__(self, calendar: str, day: date) -> None:
        self.calendar = calendar
        self.day = day
        super().__init__(
            f"calendar {calendar!r} has no holiday on {day.isoformat()}; list its holidays "
            "with holidays_in(year)"
        )


class UnknownClockError(PengaduanError, LookupError):
    """An SLA policy (or an evaluation) has no clock of the name asked for.

    Attributes:
        name: The name asked for.
        known: The clocks that exist.
        policy: The policy's name, when known.
    """

    def __init__(self, name: str, known: Iterable[str], *, policy: str | None = None) -> None:
        self.name = name
        self.known = tuple(known)
        self.policy = policy
        where = f" in policy {policy!r}" if policy else ""
        super().__init__(f"unknown clock {name!r}{where}; its clocks: {_names(self.known)}")


class UnknownNameError(PengaduanError, KeyError):
    """A workflow has no state or action of the name asked for (`Workflow.state`, `.action`).

    Attributes:
        workflow: The workflow's name.
        kind: ``"state"`` or ``"action"``.
        name: The name asked for.
        known: The names of that kind the workflow has.
    """

    def __init__(self, name: str, known: Iterable[str], *, workflow: str, kind: str) -> None:
        self.name = name
        self.known = tuple(known)
        self.workflow = workflow
        self.kind = kind
        super().__init__(
            f"workflow {workflow!r} has no {kind} {name!r}; its {kind}s: {_names(self.known)}"
        )

    def __str__(self) -> str:  # KeyError would show the sentence as a quoted repr
        return str(self.args[0])


class UnknownRuleError(PengaduanError, LookupError):
    """An escalation ladder has no rule of the name asked for.

    Attributes:
        name: The name asked for.
        known: The rules that exist.
        ladder: The ladder's name.
    """

    def __init__(self, name: str, known: Iterable[str], *, ladder: str) -> None:
        self.name = name
        self.known = tuple(known)
        self.ladder = ladder
        super().__init__(
            f"unknown rule {name!r} in ladder {ladder!r}; its rules: {_names(self.known)}"
        )


class UnknownLanguageError(PengaduanError, LookupError):
    """Messages were asked for in a language they are not written in.

    Attributes:
        language: The language asked for.
        known: The languages that exist (``id``, ``en``).
    """

    def __init__(self, language: str, known: Iterable[str]) -> None:
        self.language = language
        self.known = tuple(known)
        super().__init__(
            f"no messages in language {language!r}; they exist in: {_names(self.known)}"
        )


class UnknownGroupingError(PengaduanError, LookupError):
    """Metrics were asked to group by something they cannot group by.

    Attributes:
        name: The grouping asked for.
        known: The groupings that exist.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(f"cannot group metrics by {name!r}; group by one of: {_names(self.known)}")


class InvalidPeriodError(PengaduanError, ValueError):
    """A metrics period ends before it starts (or at its very start).

    Attributes:
        since: The start asked for (ISO 8601).
        until: The end asked for (ISO 8601).
    """

    def __init__(self, since: str, until: str) -> None:
        self.since = since
        self.until = until
        super().__init__(
            f"the period from {since} until {until} is empty: 'until' must come after 'since'"
        )


class MissingExtraError(PengaduanError, ImportError):
    """A feature needs an optional dependency that is not installed.

    Attributes:
        feature: What was asked for, e.g. ``"Metrics.to_frame"``.
        extra: The extra that provides it, e.g. ``"pandas"``.
    """

    def __init__(self, feature: str, extra: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional {extra!r} extra, which is not installed; "
            f"install it with: pip install 'pengaduan[{extra}]'"
        )


class CodecError(PengaduanError, ValueError):
    """A serialised definition or record (JSON) is malformed.

    Attributes:
        kind: What was being decoded, e.g. ``"workflow"`` or ``"complaint"``.
        path: Where the bad value is, e.g. ``"actions[3].roles[0]"`` (empty for the whole).
        reason: What is wrong with it.
    """

    def __init__(self, kind: str, reason: str, *, path: str = "") -> None:
        self.kind = kind
        self.path = path
        self.reason = reason
        where = f" at {path!r}" if path else ""
        super().__init__(f"cannot decode {kind}{where}: {reason}")


class ConflictError(PengaduanError, RuntimeError):
    """Optimistic concurrency: the complaint changed since the caller read it.

    Nothing was written. Load the complaint again, re-decide and retry.

    Attributes:
        complaint_id: The complaint appended to.
        expected_version: The version the caller expected.
        actual_version: The version the store holds.
    """

    def __init__(self, *, complaint_id: str, expected_version: int, actual_version: int) -> None:
        self.complaint_id = complaint_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"cannot append to complaint {complaint_id!r}: expected version "
            f"{expected_version} but the store holds version {actual_version} (another writer "
            "appended first); nothing was written: load it again and retry"
        )


class RetriesExhaustedError(ConflictError):
    """The desk retried an action on fresh state as often as allowed and still met conflicts.

    Nothing of this action was written. The complaint is being changed by other writers
    faster than the action could be re-decided; try again later.

    Attributes:
        action: The action asked for.
        attempts: How many times it was tried.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        action: str,
        attempts: int,
        expected_version: int,
        actual_version: int,
    ) -> None:
        super().__init__(
            complaint_id=complaint_id,
            expected_version=expected_version,
            actual_version=actual_version,
        )
        self.action = action
        self.attempts = attempts
        self.args = (
            f"cannot {action!r} complaint {complaint_id!r}: other writers changed it during "
            f"each of {attempts} attempts (the last read version {expected_version}, the store "
            f"then held version {actual_version}); nothing was written: try again later",
        )


class RequestReusedError(PengaduanError, ValueError):
    """A request id was already recorded for a different request.

    A request id (``request_id=`` of `pengaduan.desk.Desk.act` and ``submit``) makes a retried
    request a no-op: the same request again returns what the first did. Reusing it for
    another action, actor, data or complaint is refused, and nothing is written.

    Attributes:
        complaint_id: The complaint the new request was for.
        action: The action the new request asked for.
        recorded_action: The action recorded under the request id (``None`` if it was
            recorded on another complaint).
        reason: What differs, in words (field names only, never values).
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        action: str,
        recorded_action: str | None,
        reason: str,
    ) -> None:
        self.complaint_id = complaint_id
        self.action = action
        self.recorded_action = recorded_action
        self.reason = reason
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r} under this request id: it is "
            f"already recorded for another request ({reason}); nothing was written: use a new "
            "request id for a new request"
        )


class TickInterruptedError(PengaduanError, RuntimeError):
    """A tick met a store error part way (a full disk, a lost connection) and stopped there.

    Each complaint's events are appended in one transaction, so every complaint is written
    whole or not at all; those before the error were written, the rest were not. Ticking
    again at the same instant writes nothing twice.

    Attributes:
        as_of: The tick's instant.
        events_written: How many new events were recorded before the error.
        complaints_written: Of how many complaints.
        reason: The store error's message.
    """

    def __init__(
        self, *, as_of: datetime, events_written: int, complaints_written: int, reason: str
    ) -> None:
        self.as_of = as_of
        self.events_written = events_written
        self.complaints_written = complaints_written
        self.reason = reason
        outcome = (
            "nothing was written"
            if complaints_written == 0
            else f"{events_written} new events of {complaints_written} complaints were written "
            "before it (each complaint whole), the rest were not"
        )
        super().__init__(
            f"the tick as of {as_of.isoformat()} stopped: {reason}; {outcome}; a retried tick "
            "writes nothing twice"
        )


class StoreError(PengaduanError, OSError):
    """An event store cannot read or write: read-only file, full disk, corrupt file, ...

    Nothing half-written is left behind: an append either happened whole or not at all.

    Attributes:
        store: The store's location (a file path or a database name; never a password).
        operation: What was asked, e.g. ``"append to complaint 'C-1'"``.
        reason: What went wrong, as the database reported it.
    """

    def __init__(self, *, store: str, operation: str, reason: str) -> None:
        self.store = store
        self.operation = operation
        self.reason = reason
        super().__init__(f"cannot {operation} in store {store!r}: {reason}")


class ConnectionLostError(StoreError, ConnectionError):
    """The connection to a database server dropped during a call (restart, killed backend).

    The store is not closed: its next call opens a new connection. Reads are retried on a new
    connection at once, so this is raised only by writes, whose outcome may be unknown.

    Attributes:
        written: ``False`` if nothing was written (the connection dropped before the commit
            was sent), ``None`` if unknown (it dropped during the commit). Retrying the same
            append is safe either way: events already recorded are recognised by their id.
    """

    def __init__(self, *, store: str, operation: str, reason: str, written: bool | None) -> None:
        self.written = written
        outcome = (
            "nothing was written"
            if written is False
            else "it may or may not have been written (retrying the same append is safe)"
        )
        super().__init__(
            store=store,
            operation=operation,
            reason=f"connection lost ({reason}); {outcome}; the store reconnects on the next call",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_store_error, (self.store, self.operation, self.reason))


def _rebuild_store_error(store: str, operation: str, reason: str) -> StoreError:
    return StoreError(store=store, operation=operation, reason=reason)


# -- store: schema versions, read-only opening, workflow versions, instants (store helper) --


class InstantRangeError(EventFormatError):
    """An event's instant is outside the years 2 to 9998, or its UTC conversion overflows.

    Every layer refuses such an instant alike (model, files, stores), so that encoding,
    comparing and retrying an event can never overflow.
    """

    def __init__(
        self,
        reason: str = "",
        *,
        path: str = "at",
        line: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(
            reason or "must be an instant between the years 2 and 9998 (in UTC)",
            path=path,
            line=line,
            source=source,
        )


class NotAStoreError(StoreError):
    """The file (or PostgreSQL schema) is not a pengaduan store; it was left untouched."""

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_subclass, (type(self), self.store, self.operation, self.reason))


class StaleReadModelError(StoreError):
    """A store's read model cannot answer as current: rebuild it (or open the store writable).

    Raised by the row queries (`row`, `rows`, `due_ids`, `next_due_at`) of a store whose rows
    were computed with other definitions than those it was opened with (see
    `read_model_mismatch`), or of a read-only store too old to hold rows. Nothing is served
    stale; ``store.rebuild()`` (``pengaduan rebuild``) recomputes the rows from history.
    """

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_subclass, (type(self), self.store, self.operation, self.reason))


class StoreVersionError(StoreError):
    """The store was written by a newer pengaduan (a newer schema version); nothing was changed.

    Attributes:
        found: The schema version the store records.
        supported: The newest schema version this library knows.
    """

    def __init__(self, *, store: str, operation: str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            store=store,
            operation=operation,
            reason=f"its schema version is {found} but this library knows versions up to "
            f"{supported}; upgrade pengaduan to read it",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_version_error,
            (self.store, self.operation, self.found, self.supported),
        )


def _rebuild_subclass(cls: type[StoreError], store: str, operation: str, reason: str) -> StoreError:
    return cls(store=store, operation=operation, reason=reason)


def _rebuild_version_error(
    store: str, operation: str, found: int, supported: int
) -> StoreVersionError:
    return StoreVersionError(store=store, operation=operation, found=found, supported=supported)


class UnknownWorkflowVersionError(PengaduanError, LookupError):
    """A complaint's events were written by a workflow (name, version) the reader does not know.

    Register that version with the store (``workflows=``) to read it; other complaints stay
    readable (see `pengaduan.store` and ``complaints(on_error=...)``).

    Attributes:
        complaint_id: The complaint that cannot be read.
        workflow: The name of the workflow that wrote its newest event.
        version: Its version.
        known: The ``name version`` pairs this reader knows.
    """

    def __init__(
        self, *, complaint_id: str, workflow: str, version: str, known: Iterable[str]
    ) -> None:
        self.complaint_id = complaint_id
        self.workflow = workflow
        self.version = version
        self.known = tuple(known)
        super().__init__(
            f"cannot read complaint {complaint_id!r}: its events were written by workflow "
            f"{workflow!r} version {version!r}, which this reader does not know (known: "
            f"{_names(self.known)}); register that version with workflows=... or upgrade"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_unknown_workflow,
            (self.complaint_id, self.workflow, self.version, self.known),
        )


def _rebuild_unknown_workflow(
    complaint_id: str, workflow: str, version: str, known: tuple[str, ...]
) -> UnknownWorkflowVersionError:
    return UnknownWorkflowVersionError(
        complaint_id=complaint_id, workflow=workflow, version=version, known=known
    )


class NotVisibleError(PengaduanError, PermissionError):
    """A viewer asked for a complaint it may not see (see `pengaduan.access.view`).

    Attributes:
        complaint_id: The complaint asked for.
        viewer: Who asked, described without personal data, e.g. ``"the public"``.
        reason: Why it is hidden from them, e.g. ``"it is confidential (rahasia)"``.
    """

    def __init__(self, *, complaint_id: str, viewer: str, reason: str) -> None:
        self.complaint_id = complaint_id
        self.viewer = viewer
        self.reason = reason
        super().__init__(f"complaint {complaint_id!r} is not visible to {viewer}: {reason}")


class RefusedError(PengaduanError, ValueError):
    """The workflow refused an event. Nothing was recorded and nothing changed.

    Attributes:
        complaint_id: The complaint the event was for.
        state: The complaint's state when the event was refused.
        action: The action that was asked for.
        allowed: The actions the complaint's state allows (for this actor, where known).
        event_id: The refused event's id, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        complaint_id: str,
        state: str,
        action: str,
        allowed: Iterable[str] = (),
        event_id: str | None = None,
    ) -> None:
        self.complaint_id = complaint_id
        self.state = state
        self.action = action
        self.allowed = tuple(allowed)
        self.event_id = event_id
        super().__init__(message)

    @staticmethod
    def _context(complaint_id: str, state: str, state_label: str | None) -> str:
        label = f" ({state_label})" if state_label and state_label != state else ""
        return f"complaint {complaint_id!r} is {state!r}{label}"


class UnknownActionError(RefusedError, LookupError):
    """The workflow defines no action of that name."""

    def __init__(
        self, *, complaint_id: str, state: str, action: str, known: Iterable[str], **kw: str | None
    ) -> None:
        known = tuple(known)
        # The name asked for is input, not a definition name: it is on `action`, not echoed.
        super().__init__(
            f"unknown action for complaint {complaint_id!r}: the action asked for is not one "
            f"of the workflow's actions, which are: {_names(known)}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            allowed=known,
            event_id=kw.get("event_id"),
        )


class UnknownComplaintError(RefusedError, LookupError):
    """An event other than the creating one (``submit``) names a complaint never submitted."""

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        allowed: Iterable[str],
        **kw: str | None,
    ) -> None:
        allowed = tuple(allowed)
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r}: no such complaint has been "
            f"submitted; a new complaint starts with: {_names(allowed)}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            allowed=allowed,
            event_id=kw.get("event_id"),
        )


class ActionNotAllowedError(RefusedError):
    """The action exists but is not possible in the complaint's current state."""

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        allowed: Iterable[str],
        state_label: str | None = None,
        event_id: str | None = None,
    ) -> None:
        allowed = tuple(allowed)
        super().__init__(
            f"cannot {action!r}: {self._context(complaint_id, state, state_label)}; "
            f"allowed there: {_names(allowed)}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            allowed=allowed,
            event_id=event_id,
        )


class RoleNotPermittedError(RefusedError, PermissionError):
    """The actor's role may not take this action.

    A role the workflow does not know is not echoed (it is input and may be anything, e.g. a
    name from a shifted column); it is on `role`.

    Attributes:
        role: The actor's role.
        roles: The roles that may take the action.
        actor_id: The actor's id.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        role: str,
        roles: Iterable[str],
        actor_id: str,
        allowed: Iterable[str] = (),
        state_label: str | None = None,
        event_id: str | None = None,
        known_role: bool = True,
    ) -> None:
        self.role = role
        self.roles = tuple(roles)
        self.actor_id = actor_id
        allowed = tuple(allowed)
        who = f"role {role!r}" if known_role else "the actor's role (not one of the workflow's)"
        super().__init__(
            f"{who} may not {action!r}: "
            f"{self._context(complaint_id, state, state_label)}; roles that may: "
            f"{_names(self.roles)}; this actor may: {_names(allowed)}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            allowed=allowed,
            event_id=event_id,
        )


class OutsideUnitError(RefusedError, PermissionError):
    """A unit-scoped role acted on a complaint not currently dispatched to its unit.

    The actor's unit is input and is not echoed (it is on `actor_unit`).

    Attributes:
        role: The actor's role.
        actor_unit: The actor's unit (``None`` if it has none).
        complaint_unit: The unit the complaint is dispatched to (``None`` if none).
        actor_id: The actor's id.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        role: str,
        actor_id: str,
        actor_unit: str | None,
        complaint_unit: str | None,
        state_label: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.role = role
        self.actor_id = actor_id
        self.actor_unit = actor_unit
        self.complaint_unit = complaint_unit
        where = (
            f"it is dispatched to unit {complaint_unit!r}"
            if complaint_unit is not None
            else "it is not dispatched to any unit"
        )
        own = "another unit" if actor_unit is not None else "no unit"
        super().__init__(
            f"{role!r} of {own} may not {action!r}: "
            f"{self._context(complaint_id, state, state_label)} and {where}; "
            f"a {role!r} acts only on complaints dispatched to its own unit",
            complaint_id=complaint_id,
            state=state,
            action=action,
            allowed=(),
            event_id=event_id,
        )


class InvalidDataError(RefusedError):
    """A data field of the event is missing or invalid.

    Attributes:
        field: The field's name.
        reason: What is wrong with it.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        field: str,
        reason: str,
        event_id: str | None = None,
    ) -> None:
        self.field = field
        self.reason = reason
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r} (state {state!r}): "
            f"data field {field!r} {reason}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class GuardRefusedError(RefusedError):
    """A guard of the action refused it.

    Attributes:
        guard: The guard's name.
        reason: The reason the guard gave.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        guard: str,
        reason: str,
        state_label: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.guard = guard
        self.reason = reason
        super().__init__(
            f"cannot {action!r}: {self._context(complaint_id, state, state_label)}; "
            f"refused by {guard!r}: {reason}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class NotOwnComplaintError(GuardRefusedError, PermissionError):
    """An owner role (the reporter) acted on a complaint that is not theirs.

    A reporter's complaints are those they submitted and those staff entered naming their
    account (see `pengaduan.workflow.Workflow.owner`). A `GuardRefusedError` (guard
    ``"own_complaint"``) so that code written against the preset's former ownership guard
    keeps working.

    Attributes:
        role: The actor's role.
        actor_id: The actor's id (kept out of the message: it may be personal).
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        role: str,
        actor_id: str,
        state_label: str | None = None,
        event_id: str | None = None,
    ) -> None:
        self.role = role
        self.actor_id = actor_id
        super().__init__(
            complaint_id=complaint_id,
            state=state,
            action=action,
            guard="own_complaint",
            reason=(
                f"a {role!r} acts only on complaints they submitted themselves or that staff "
                "entered naming their account"
            ),
            state_label=state_label,
            event_id=event_id,
        )


class PrivacyFlagClearError(RefusedError, PermissionError):
    """An event would clear a privacy flag (*anonim* or *rahasia*) its actor may not clear.

    A privacy update merges into the complaint's flags: a flag it does not name is kept, and
    clearing a set flag takes an explicit ``false`` from a role the action allows to clear it
    (`pengaduan.workflow.Action.clears_privacy`).

    Attributes:
        flag: The flag it would clear, ``"anonymous"`` or ``"confidential"``.
        role: The actor's role.
        roles: The roles that may clear a flag with this action (empty if none may).
        actor_id: The actor's id (kept out of the message: it may be personal).
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        flag: str,
        role: str,
        roles: Iterable[str],
        actor_id: str,
        event_id: str | None = None,
    ) -> None:
        self.flag = flag
        self.role = role
        self.roles = tuple(roles)
        self.actor_id = actor_id
        who = (
            f"only {_names(self.roles)} may clear it with {action!r}"
            if self.roles
            else f"no role may clear it with {action!r}"
        )
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r} (state {state!r}): data field "
            f"'privacy' would clear the {flag!r} flag, which is set; the actor's role may not "
            f"clear it ({who}); leave the flag out to keep it",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class OutOfOrderEventError(RefusedError):
    """The event is earlier than the complaint's last recorded event.

    Attributes:
        at: The refused event's instant (ISO 8601).
        last_at: The complaint's last event instant (ISO 8601).
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        at: str,
        last_at: str,
        event_id: str | None = None,
    ) -> None:
        self.at = at
        self.last_at = last_at
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r} (state {state!r}) at {at}: "
            f"that is earlier than its last event at {last_at}; events are appended in time "
            "order",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class DuplicateEventError(RefusedError):
    """An event id was already recorded with different content.

    Recording the very same event twice is not an error: the second time is a no-op.
    """

    def __init__(
        self, *, complaint_id: str, state: str, action: str, event_id: str, recorded_action: str
    ) -> None:
        super().__init__(
            f"event id {event_id!r} ({action!r} on complaint {complaint_id!r}) was already "
            f"recorded with different content (as {recorded_action!r}); "
            "an event id may be reused only for an identical event",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class ComplaintMismatchError(RefusedError):
    """An event was applied to a complaint other than the one it names.

    Attributes:
        event_complaint_id: The complaint id the event names.
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        event_complaint_id: str,
        event_id: str | None = None,
    ) -> None:
        self.event_complaint_id = event_complaint_id
        super().__init__(
            f"event {event_id!r} ({action!r}) is for complaint {event_complaint_id!r}, "
            f"not for complaint {complaint_id!r}",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )


class ExternalIdClashError(RefusedError):
    """An event gives a complaint an external id that another complaint already holds.

    External ids are unique per system across a store, so that a sync bridge routes another
    system's updates to one complaint only. The message names the system, never the id (it
    came from input) nor the complaint holding it.

    Attributes:
        system: The other system, e.g. ``"lapor"``.
        holder_id: The complaint that holds the id (not in the message).
    """

    def __init__(
        self,
        *,
        complaint_id: str,
        state: str,
        action: str,
        system: str,
        holder_id: str,
        event_id: str | None = None,
    ) -> None:
        self.system = system
        self.holder_id = holder_id
        super().__init__(
            f"cannot {action!r} complaint {complaint_id!r} (state {state!r}): its "
            f"external id of system {system!r} is already held by another complaint; "
            "external ids are unique per system, nothing was written",
            complaint_id=complaint_id,
            state=state,
            action=action,
            event_id=event_id,
        )
