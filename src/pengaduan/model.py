"""The records of the domain: complaints, their events and the actors behind them.

Everything here is an immutable `attrs` value. A `Complaint` is never edited: a workflow applies
an `Event` to it and returns a new complaint with the event appended (see
`pengaduan.workflow.Workflow.apply`). Its `state`, `unit` and `facts` are derived from its events
by the workflow; the events are the truth.

Enumerated values are strings (`enum.StrEnum`), so ``Role.REPORTER == "reporter"`` and they
serialise as themselves; each carries its official Bahasa Indonesia `label`:

```pycon
>>> from pengaduan.model import Channel, Role
>>> Role.UNIT_HEAD.label
'Kepala Unit Kerja'
>>> Channel("village_visit").label
'Kunjungan Desa'

```
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, overload

import attrs

from pengaduan._labelled import LabelledEnum
from pengaduan._time import require_aware
from pengaduan.exceptions import InstantRangeError

__all__ = [
    "Actor",
    "Channel",
    "Classification",
    "Complaint",
    "Event",
    "Facts",
    "Location",
    "Privacy",
    "PrivacyFlag",
    "Reporter",
    "Role",
]


class Role(LabelledEnum):
    """Who acts on a complaint (the roles of the SP4N-LAPOR! preset).

    Workflows may define further roles as plain strings; these are the preset's.
    """

    REPORTER = "reporter", "Pelapor"
    ADMIN_NATIONAL = "admin_national", "Admin Nasional"
    ADMIN_AGENCY = "admin_agency", "Admin Instansi"
    UNIT_OPERATOR = "unit_operator", "Operator Unit Kerja"
    UNIT_HEAD = "unit_head", "Kepala Unit Kerja"
    REGIONAL_HEAD = "regional_head", "Kepala Daerah"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    SYSTEM = "system", "Sistem"


class Classification(LabelledEnum):
    """The kind of report, set by the reporter or by the admin at verification."""

    ASPIRATION = "aspirasi", "Aspirasi"
    COMPLAINT = "pengaduan", "Pengaduan"
    INFORMATION_REQUEST = "permintaan_informasi", "Permintaan Informasi"
    WHISTLEBLOWING = "whistleblowing", "Whistle Blowing"


class Channel(LabelledEnum):
    """How the report reached the system."""

    WEB = "web", "Situs Web"
    SMS = "sms", "SMS 1708"
    APP = "app", "Aplikasi Seluler"
    SOCIAL_MEDIA = "social_media", "Media Sosial"
    WHATSAPP = "whatsapp", "WhatsApp"
    EMAIL = "email", "Surel"
    WALK_IN = "walk_in", "Datang Langsung"
    VILLAGE_VISIT = "village_visit", "Kunjungan Desa"
    CONNECTED_APP = "connected_app", "Aplikasi Terhubung"


class PrivacyFlag(LabelledEnum):
    """The two privacy flags of a report."""

    ANONYMOUS = "anonymous", "Anonim"
    CONFIDENTIAL = "confidential", "Rahasia"


def _hidden(value: object) -> str:
    """Repr of a personal value: whether it is set, never what it is."""
    return "None" if value is None else "<hidden>"


def _text_size(value: object) -> str:
    """Repr of free text (which may name people): its length only."""
    return f"<{len(value)} chars>" if isinstance(value, str) else _hidden(value)


def _data_keys(value: Mapping[str, Any]) -> str:
    """Repr of an event's data: its keys only, since values may be personal."""
    return "{" + ", ".join(f"{key!r}: ..." for key in value) + "}"


def _instant_in_range(value: datetime) -> bool:
    """Whether an aware instant lies within years 2..9998, in its offset and in UTC."""
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        return False
    return 2 <= year <= 9998 and 2 <= value.year <= 9998


def _event_instant(_instance: object, _attribute: object, value: datetime) -> None:
    """An event's instant: aware, and within years 2..9998 (so nothing overflows)."""
    require_aware(value, "Event.at")
    if not _instant_in_range(value):
        raise InstantRangeError()


@attrs.frozen
class Actor:
    """Someone (or something) acting on complaints.

    A reporter's id is their account, which may be their phone number (as on SMS 1708), so
    the ``repr`` of an actor in the ``reporter`` role does not show it.

    Attributes:
        id: A stable identifier of the person or process.
        role: The role they act in, e.g. ``Role.UNIT_OPERATOR`` or a custom role's name.
        unit: The organisational unit they belong to, for unit-scoped roles.
    """

    id: str
    role: str
    unit: str | None = None

    def __repr__(self) -> str:
        shown = _hidden(self.id) if self.role == Role.REPORTER else repr(self.id)
        return f"Actor(id={shown}, role={self.role!r}, unit={self.unit!r})"


@attrs.frozen
class Privacy:
    """The privacy flags of a report.

    Attributes:
        anonymous: *Anonim*: the reporter's identity is hidden from the public and from the
            party reported on.
        confidential: *Rahasia*: the whole report is hidden from the public.
    """

    anonymous: bool = False
    confidential: bool = False

    @property
    def flags(self) -> frozenset[PrivacyFlag]:
        """The flags that are set."""
        flags = set()
        if self.anonymous:
            flags.add(PrivacyFlag.ANONYMOUS)
        if self.confidential:
            flags.add(PrivacyFlag.CONFIDENTIAL)
        return frozenset(flags)


@attrs.frozen
class Reporter:
    """The reporter's personal details; every field is optional.

    Its `repr` says which fields are set, never their values, so that a log line or a
    traceback cannot leak them: ``Reporter(name=<hidden>, phone=None, ...)``.

    Attributes:
        name: Full name.
        phone: Phone number.
        email: E-mail address.
        nik: National identity number (Nomor Induk Kependudukan).
    """

    name: str | None = attrs.field(default=None, repr=_hidden)
    phone: str | None = attrs.field(default=None, repr=_hidden)
    email: str | None = attrs.field(default=None, repr=_hidden)
    nik: str | None = attrs.field(default=None, repr=_hidden)


@attrs.frozen
class Location:
    """Where the reported matter is.

    Its `repr` hides the free-text address, which may be someone's home.

    Attributes:
        address: Free-text address.
        village: Village (*desa* / *kelurahan*).
        district: District (*kecamatan*).
        latitude: WGS 84 latitude in degrees.
        longitude: WGS 84 longitude in degrees.
    """

    address: str | None = attrs.field(default=None, repr=_hidden)
    village: str | None = None
    district: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@attrs.frozen
class Facts:
    """What a complaint is about, as submitted and as corrected at verification.

    Its `repr` shows the title's and body's lengths, not their text (free text may name
    people), and the reporter's fields as hidden.

    Attributes:
        title: A short title.
        body: The report's text.
        channel: How it was received.
        classification: Its classification, once known.
        category: A category identifier, once known.
        privacy: Its privacy flags.
        reporter: The reporter's details, when given.
        location: Where the matter is, when given.
        external_ids: Identifiers in other systems, e.g. ``{"lapor": "1916449"}``.
    """

    title: str = attrs.field(repr=_text_size)
    body: str = attrs.field(repr=_text_size)
    channel: Channel
    classification: Classification | None = None
    category: str | None = None
    privacy: Privacy = Privacy()
    reporter: Reporter | None = None
    location: Location | None = None
    external_ids: Mapping[str, str] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class Event:
    """One thing that happened to a complaint: an action, by an actor, at an instant.

    Attributes:
        id: A unique id. Recording the same event twice is a no-op; reusing an id for another
            event is refused.
        complaint: The id of the complaint it belongs to.
        action: The workflow action's name, e.g. ``"dispatch"``.
        at: When it happened; timezone-aware, between the years 2 and 9998 (in UTC and in
            its own offset; anything else is an `InstantRangeError`, so that no layer can
            overflow converting it).
        actor: Who did it.
        data: The action's data (JSON-compatible values), e.g. ``{"unit": "dinas-pu"}``.
            Treat it as read-only. Its `repr` shows the keys only: values may be personal.
    """

    id: str
    complaint: str
    action: str
    at: datetime = attrs.field(validator=_event_instant)
    actor: Actor
    data: Mapping[str, Any] = attrs.field(factory=dict, hash=False, repr=_data_keys)


class _Shelf:
    """The storage behind the event logs of one line of a complaint's history.

    A complaint and every complaint derived from it by appending share one list: a log is a
    prefix of it (its first `_EventLog.length` items), so appending to the newest log is an
    ``list.append``, not a copy. Appending to an older log (a branch) copies its prefix into a
    shelf of its own. Items are only ever appended, never changed or removed, so a log's prefix
    never changes: the logs are immutable even though the list grows.
    """

    __slots__ = ("index", "indexed", "items")

    def __init__(self, items: list[Event]) -> None:
        self.items = items
        # Event id -> first position, built on the first id lookup and kept up to date.
        self.index: dict[str, int] | None = None
        self.indexed = 0


class _EventLog(Sequence[Event]):
    """An immutable sequence of events (a prefix of a shared `_Shelf`); see `Complaint.events`.

    It compares equal to another log or a tuple with the same events, hashes like that tuple,
    and appends in constant (amortised) time.
    """

    __slots__ = ("_tuple", "length", "shelf")

    def __init__(self, shelf: _Shelf, length: int) -> None:
        self.shelf = shelf
        self.length = length
        self._tuple: tuple[Event, ...] | None = None

    @classmethod
    def of(cls, events: tuple[Event, ...]) -> _EventLog:
        log = cls(_Shelf(list(events)), len(events))
        log._tuple = events
        return log

    def as_tuple(self) -> tuple[Event, ...]:
        """The events as a tuple, built once (in time linear in their number) and kept."""
        cached = self._tuple
        if cached is None:
            # islice, not a length test: another thread may append to the shelf meanwhile.
            cached = tuple(itertools.islice(self.shelf.items, self.length))
            self._tuple = cached
        return cached

    def appended(self, event: Event) -> _EventLog:
        """This log with `event` added at the end (this one is unchanged)."""
        items = self.shelf.items
        count = self.length
        if len(items) == count:
            items.append(event)
            # Another thread may have appended to the same shelf in between: then our event
            # landed after its, and this branch gets a shelf of its own.
            if items[count] is event:
                return _EventLog(self.shelf, count + 1)
        return _EventLog(self._branch(event), count + 1)

    def _branch(self, event: Event) -> _Shelf:
        """A shelf of its own for this log plus `event`, keeping the id index if built."""
        shelf = self.shelf
        count = self.length
        branch = _Shelf([*shelf.items[:count], event])
        index = shelf.index
        if index is not None:
            done = shelf.indexed  # read first: every position before it is in the index
            copied = dict(index)
            items = shelf.items
            # Ids first seen beyond this log's prefix belong to another branch: drop them.
            for position in range(count, len(items)):
                event_id = items[position].id
                if copied.get(event_id, -1) >= count:
                    del copied[event_id]
            branch.index = copied
            branch.indexed = min(done, count)
        return branch

    def find(self, event_id: str) -> Event | None:
        """The first event recorded with id `event_id`, if any (a dictionary lookup)."""
        shelf = self.shelf
        items = shelf.items
        index = shelf.index
        if index is None:
            index = shelf.index = {}
        # Catch the index up with what was appended since (in order, so the first position of
        # an id wins even if two threads catch up at once).
        end = len(items)
        for position in range(shelf.indexed, end):
            index.setdefault(items[position].id, position)
        shelf.indexed = max(shelf.indexed, end)
        found = index.get(event_id)
        if found is None or found >= self.length:
            return None
        return items[found]

    @property
    def first(self) -> Event | None:
        return self.shelf.items[0] if self.length else None

    @property
    def last(self) -> Event | None:
        return self.shelf.items[self.length - 1] if self.length else None

    def __len__(self) -> int:
        return self.length

    def __bool__(self) -> bool:
        return self.length > 0

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...

    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        if isinstance(index, slice):
            return self.as_tuple()[index]
        length = self.length
        position = index + length if index < 0 else index
        if not 0 <= position < length:
            raise IndexError("event index out of range")
        return self.shelf.items[position]

    def __iter__(self) -> Iterator[Event]:
        return iter(self.as_tuple())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _EventLog):
            if self.length != other.length:
                return False
            if self.shelf is other.shelf:
                return True
            return self.as_tuple() == other.as_tuple()
        if isinstance(other, tuple):
            return self.as_tuple() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __reduce__(self) -> tuple[Any, ...]:
        return (_EventLog.of, (self.as_tuple(),))

    def __repr__(self) -> str:
        return f"<{self.length} events>"


def _event_log(events: Iterable[Event]) -> _EventLog:
    """The converter of `Complaint.events`: any iterable of events, kept as a log."""
    # The exact type, not isinstance: a log is an ABC's subclass, whose instance check is a
    # Python call, and this runs for every complaint a workflow makes.
    if type(events) is _EventLog:
        return events
    return _EventLog.of(tuple(events))


def _no_events() -> _EventLog:
    return _EventLog.of(())


def _log(complaint: Complaint) -> _EventLog:
    """The event log of a complaint (for the workflow's constant-time appends and lookups)."""
    # Not `typing.cast`: that is a call too, and this runs several times per event.
    return complaint._events  # type: ignore[return-value]


@attrs.frozen(repr=False)
class Complaint:
    """A complaint: its identity, its events in order and what they imply.

    Build complaints with a workflow (`Workflow.new`, `Workflow.apply`, `Workflow.replay`),
    which derives `state`, `unit` and `facts` from the events; the constructor does not check
    that they agree.

    Appending an event does not copy the earlier ones: the complaints of one history share
    their events, so applying an event costs the same at the 10th event as at the 10,000th.
    `events` is a tuple built on first use (and kept); `version`, `last_event`,
    `submitted_at` and `updated_at` do not need it.

    Attributes:
        id: The complaint's id (e.g. a tracking number).
        state: The current state's name, derived from the events.
        events: Every recorded event, oldest first (a tuple; the constructor takes any
            iterable of events).
        facts: What it is about; ``None`` before it is submitted.
        unit: The unit it is currently dispatched to, if any.
    """

    id: str
    state: str
    # Typed as a sequence (what the constructor and the codecs deal in); always an _EventLog.
    _events: Sequence[Event] = attrs.field(factory=_no_events, converter=_event_log, alias="events")
    facts: Facts | None = None
    unit: str | None = None

    @property
    def events(self) -> tuple[Event, ...]:
        """Every recorded event, oldest first."""
        return _log(self).as_tuple()

    def __repr__(self) -> str:
        return (
            f"Complaint(id={self.id!r}, state={self.state!r}, events=<{len(self._events)} "
            f"events>, facts={self.facts!r}, unit={self.unit!r})"
        )

    @property
    def version(self) -> int:
        """The number of events recorded (the expected version for the next append)."""
        # `_log` inlined: the workflow reads this for every event it applies.
        events: _EventLog = self._events  # type: ignore[assignment]
        return events.length

    @property
    def submitted_at(self) -> datetime | None:
        """The instant of the first event, or ``None`` for a complaint not yet submitted."""
        first = _log(self).first
        return None if first is None else first.at

    @property
    def last_event(self) -> Event | None:
        """The most recent event, if any."""
        return _log(self).last

    @property
    def updated_at(self) -> datetime | None:
        """The instant of the most recent event, if any."""
        last = _log(self).last
        return None if last is None else last.at

    def _repr_html_(self) -> str:
        """In a notebook: state, unit, flags and history, without free text or personal data."""
        from pengaduan._present_complaint import complaint_html

        return complaint_html(self)
