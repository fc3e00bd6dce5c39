"""Working-time calendars, exact to the microsecond, in any IANA time zone.

A `WorkCalendar` is an immutable value: a time zone, weekly working `Window`s per weekday
(`WeeklyHours`), `DatedHours` rules for date ranges (Ramadan hours, a special day) and
`Holiday` records with their kind, status (confirmed or estimated) and source. It answers:

- is an instant working time (`WorkCalendar.is_working`), when does work next start
  (`WorkCalendar.next_working`) or last stop (`WorkCalendar.previous_working`);
- working days: `WorkCalendar.add_working_days` (the end, 24:00 local, of the n-th working day
  strictly after the local date of an instant) and `WorkCalendar.working_days_between`;
- working time: `WorkCalendar.add_working_time` and `WorkCalendar.working_time_between`.

Every answer is computed in UTC and presented in the calendar's zone; naive datetimes are
refused. Answers come from a lookup index built lazily per span of years, so constructing a
calendar is cheap and each query is a binary search.

The fast methods return plain values. To learn whether an answer depends on an estimated
holiday (or an estimated dated rule, or a year without holiday data), ask for a `Deadline` or a
`Measure` instead, which carry an ``estimated`` flag and the reasons:

```pycon
>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> from pengaduan.calendar import WeeklyHours, WorkCalendar
>>> cal = WorkCalendar(
...     name="office",
...     zone="Europe/Amsterdam",
...     hours=WeeklyHours.parse({"mon-fri": "09:00-12:00, 13:00-17:00"}),
... )
>>> start = datetime(2026, 3, 27, 16, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # a Friday
>>> cal.add_working_time(start, timedelta(hours=2))
datetime.datetime(2026, 3, 30, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Amsterdam'))
>>> cal.add_working_days(start, 1)  # the end of Monday
datetime.datetime(2026, 3, 31, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Amsterdam'))
>>> cal.deadline(start, working_days=1).estimated
False

```
"""

from __future__ import annotations

import hashlib
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from pengaduan import _present
from pengaduan._calendar_index import (
    Index,
    from_us,
    intersect,
    local_us,
    merge,
    to_us,
)
from pengaduan._labelled import LabelledEnum
from pengaduan._time import require_aware
from pengaduan.exceptions import DefinitionError, NoWorkingTimeError, UnknownHolidayError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "CalendarChange",
    "Combination",
    "DatedHours",
    "Deadline",
    "Holiday",
    "HolidayKind",
    "Measure",
    "Status",
    "WeeklyHours",
    "Window",
    "WorkCalendar",
    "changed_results",
]

_HOUR_US = 3_600_000_000
_US_TD = timedelta(microseconds=1)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


_E = TypeVar("_E", bound=LabelledEnum)


class Status(LabelledEnum):
    """Whether a holiday or dated rule is confirmed (decreed) or only estimated."""

    CONFIRMED = "confirmed", "Pasti"
    ESTIMATED = "estimated", "Perkiraan"


class HolidayKind(LabelledEnum):
    """What kind of day off a holiday is."""

    NATIONAL = "national", "Libur nasional"
    COLLECTIVE_LEAVE = "collective_leave", "Cuti bersama"
    REGIONAL = "regional", "Libur daerah"
    OTHER = "other", "Lainnya"


def _member(kind: type[_E], value: object) -> _E:
    if isinstance(value, kind):
        return value
    for member in kind:
        if member.value == value:
            return member
    known = ", ".join(m.value for m in kind)
    raise DefinitionError(kind.__name__, f"{value!r} is not one of: {known}")


def _status(value: object) -> Status:
    return _member(Status, value)


def _kind(value: object) -> HolidayKind:
    return _member(HolidayKind, value)


def _clock(value: object) -> timedelta:
    """Convert ``"HH:MM[:SS[.ffffff]]"`` (up to ``"24:00"``), a `time` or a `timedelta`."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise DefinitionError("Window", f"a window time must be a wall-clock time: {value}")
        return timedelta(
            hours=value.hour,
            minutes=value.minute,
            seconds=value.second,
            microseconds=value.microsecond,
        )
    if isinstance(value, str):
        m = _CLOCK.match(value)
        if m is None:
            raise DefinitionError("Window", f"not a time of day (HH:MM[:SS]): {value!r}")
        h, mi, s, frac = m.groups()
        if int(mi) > 59 or int(s or 0) > 59:
            raise DefinitionError("Window", f"not a time of day (HH:MM[:SS]): {value!r}")
        return timedelta(
            hours=int(h),
            minutes=int(mi),
            seconds=int(s or 0),
            microseconds=int((frac or "0").ljust(6, "0")),
        )
    raise DefinitionError("Window", f"not a time of day: {value!r}")


def _format_clock(value: timedelta) -> str:
    us = value // timedelta(microseconds=1)
    h, rest = divmod(us, _HOUR_US)
    m, rest = divmod(rest, 60_000_000)
    s, frac = divmod(rest, 1_000_000)
    text = f"{h:02d}:{m:02d}"
    if s or frac:
        text += f":{s:02d}"
    if frac:
        text += f".{frac:06d}"
    return text


@attrs.frozen(order=True)
class Window:
    """A working window of one day, in wall-clock time from the day's local midnight.

    ``end`` may be ``"24:00"`` (the end of the day, exclusive) or earlier than ``start``, for a
    window crossing midnight (``"21:00-02:00"``): it is stored as ``end > start``, so
    ``Window("21:00", "02:00").end == timedelta(hours=26)``. A window belongs to the day it
    starts on; a window across a daylight-saving change lasts what the wall clock says.

    Attributes:
        start: The opening time, from 00:00 (inclusive) to before 24:00.
        end: The closing time (exclusive), after ``start`` and at most 24 hours after it.

    ```pycon
    >>> Window.parse("21:00-02:00")
    Window(start=datetime.timedelta(seconds=75600), end=datetime.timedelta(days=1, seconds=7200))
    >>> str(Window("07:30", "24:00")), Window("07:30", "12:00").duration
    ('07:30-24:00', datetime.timedelta(seconds=16200))

    ```
    """

    start: timedelta = attrs.field(converter=_clock)
    end: timedelta = attrs.field(converter=_clock)

    def __attrs_post_init__(self) -> None:
        day = timedelta(days=1)
        if not timedelta(0) <= self.start < day:
            raise DefinitionError("Window", f"start {self.start} is not within a day")
        end = self.end
        if end <= self.start:
            end += day
        if not self.start < end <= self.start + day or end > 2 * day:
            raise DefinitionError("Window", f"end {self.end} does not follow start {self.start}")
        object.__setattr__(self, "end", end)

    @classmethod
    def parse(cls, text: str) -> Window:
        """Return the window written ``"HH:MM-HH:MM"`` (seconds optional).

        Raises:
            DefinitionError: If the text is not a window.
        """
        start, sep, end = text.partition("-")
        if not sep:
            raise DefinitionError("Window", f"not a window (HH:MM-HH:MM): {text!r}")
        return cls(start, end)

    @property
    def duration(self) -> timedelta:
        """The window's wall-clock length."""
        return self.end - self.start

    def __str__(self) -> str:
        end = self.end if self.end <= timedelta(days=1) else self.end - timedelta(days=1)
        return f"{_format_clock(self.start)}-{_format_clock(end)}"


def _windows(value: object) -> tuple[Window, ...]:
    if isinstance(value, str):
        parts = [p for p in (x.strip() for x in value.split(",")) if p]
        return tuple(Window.parse(p) for p in parts)
    if isinstance(value, Window):
        return (value,)
    if isinstance(value, Iterable):
        out: list[Window] = []
        for item in value:
            out.extend(_windows(item))
        return tuple(sorted(out, key=lambda w: (w.start, w.end)))
    raise DefinitionError("WeeklyHours", f"not a window or list of windows: {value!r}")


def _week(value: object) -> tuple[tuple[Window, ...], ...]:
    if not isinstance(value, Sequence) or len(value) != 7:
        raise DefinitionError("WeeklyHours", "give the windows of all seven weekdays, Monday first")
    return tuple(_windows(day) for day in value)


@attrs.frozen
class WeeklyHours:
    """The working windows of each weekday, Monday first.

    Attributes:
        days: Seven tuples of windows, Monday (0) to Sunday (6).

    ```pycon
    >>> hours = WeeklyHours.parse({"mon-thu": "07:30-12:00, 13:00-16:00", "fri": "07:30-11:30"})
    >>> [str(w) for w in hours.days[0]], hours.days[5], hours.weekly_total
    (['07:30-12:00', '13:00-16:00'], (), datetime.timedelta(days=1, seconds=36000))

    ```
    """

    days: tuple[tuple[Window, ...], ...] = attrs.field(converter=_week)

    @classmethod
    def parse(cls, spec: Mapping[str, object]) -> WeeklyHours:
        """Return weekly hours from ``{"mon-thu": "07:30-12:00, 13:00-16:00", ...}``.

        Keys are weekday names (``mon`` ... ``sun``), ranges (``mon-fri``) or ``"all"``;
        values are window texts separated by commas, `Window`s, or lists of either. Days not
        named have no windows; a later key replaces an earlier one's windows for its days.

        Raises:
            DefinitionError: If a key or window is not understood.
        """
        days: list[object] = [()] * 7
        for key, value in spec.items():
            for weekday in _weekday_range(key):
                days[weekday] = value
        return cls(days)

    @classmethod
    def every_day(cls, *windows: Window | str) -> WeeklyHours:
        """Return the same windows on all seven days."""
        return cls([windows] * 7)

    @property
    def weekly_total(self) -> timedelta:
        """The wall-clock working time of a week without holidays."""
        return sum((w.duration for day in self.days for w in day), timedelta(0))

    def __str__(self) -> str:
        return "; ".join(
            f"{_WEEKDAYS[i]} {', '.join(str(w) for w in day)}"
            for i, day in enumerate(self.days)
            if day
        )

    def __repr__(self) -> str:
        # What `parse` reads back, consecutive days with the same windows grouped: a week of
        # government hours is one short line, not seven tuples of timedeltas.
        groups: list[tuple[int, int, tuple[Window, ...]]] = []
        for index, day in enumerate(self.days):
            if groups and groups[-1][2] == day and groups[-1][1] == index - 1:
                groups[-1] = (groups[-1][0], index, day)
            else:
                groups.append((index, index, day))
        spec = {
            (_WEEKDAYS[a] if a == b else f"{_WEEKDAYS[a]}-{_WEEKDAYS[b]}"): ", ".join(
                str(w) for w in day
            )
            for a, b, day in groups
            if day
        }
        return f"WeeklyHours.parse({spec!r})"


def _weekday_range(key: str) -> range:
    k = key.strip().lower()
    if k in ("all", "daily", "mon-sun"):
        return range(7)
    first, _, last = k.partition("-")
    try:
        a = _WEEKDAYS.index(first[:3])
        b = _WEEKDAYS.index(last[:3]) if last else a
    except ValueError:
        raise DefinitionError("WeeklyHours", f"not a weekday or range: {key!r}") from None
    if b < a:
        raise DefinitionError("WeeklyHours", f"weekday range runs backwards: {key!r}")
    return range(a, b + 1)


def _hours(value: object) -> WeeklyHours:
    if isinstance(value, WeeklyHours):
        return value
    if isinstance(value, Mapping):
        return WeeklyHours.parse(value)
    return WeeklyHours(value)


@attrs.frozen
class DatedHours:
    """Weekly hours that replace a calendar's usual hours from ``first`` to ``last`` inclusive.

    Use it for a period with its own hours (Ramadan) or, with `DatedHours.on`, a single date
    with special hours or closed. When several cover a date, the last one listed wins; a
    holiday closes the date whatever its hours.

    Attributes:
        first: The first local date covered.
        last: The last local date covered.
        hours: The weekly windows that apply on those dates.
        name: What the period is, e.g. ``"Ramadan 1447 H"``.
        status: Whether the dates are confirmed or estimated.
        source: Where the dates and hours come from.
    """

    first: date
    last: date
    hours: WeeklyHours = attrs.field(converter=_hours)
    name: str = ""
    status: Status = attrs.field(default=Status.CONFIRMED, converter=_status)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if type(self.first) is not date or type(self.last) is not date:
            raise DefinitionError(f"DatedHours {self.name!r}", "first and last must be dates")
        if self.last < self.first:
            raise DefinitionError(
                f"DatedHours {self.name!r}", f"last {self.last} is before first {self.first}"
            )

    @classmethod
    def on(
        cls,
        day: date,
        windows: Iterable[Window | str] | str = (),
        *,
        name: str = "",
        status: Status | str = Status.CONFIRMED,
        source: str = "",
    ) -> DatedHours:
        """Return special hours for a single date; no windows closes the date.

        Args:
            day: The local date.
            windows: Its working windows (none: closed all day).
            name: What the day is.
            status: Confirmed or estimated.
            source: Where it comes from.
        """
        return cls(day, day, WeeklyHours([windows] * 7), name, _status(status), source)


@attrs.frozen(order=True)
class Holiday:
    """A day off: no working window starts on its date.

    Attributes:
        day: The local date.
        name: Its name, e.g. ``"Hari Suci Nyepi"``.
        kind: National holiday, collective leave (cuti bersama), regional or other.
        status: Confirmed (decreed) or estimated (e.g. a lunar date not yet fixed).
        source: Where it comes from, e.g. ``"holidays 0.109 (ID, public)"``.
    """

    day: date
    name: str
    kind: HolidayKind = attrs.field(default=HolidayKind.NATIONAL, converter=_kind)
    status: Status = attrs.field(default=Status.CONFIRMED, converter=_status)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if type(self.day) is not date:
            raise DefinitionError(f"Holiday {self.name!r}", "its day must be a date")


def _holidays(value: Iterable[Holiday]) -> tuple[Holiday, ...]:
    return tuple(sorted(value, key=lambda h: (h.day, h.name, h.kind, h.status, h.source)))


@attrs.frozen
class Combination:
    """How a combined calendar is made of others (see `WorkCalendar.union`).

    Attributes:
        mode: ``"union"`` (working when any part works) or ``"intersection"`` (when all do).
        calendars: The parts.
    """

    mode: Literal["union", "intersection"]
    calendars: tuple[WorkCalendar, ...]

    def __repr__(self) -> str:
        parts = _present.names((repr(c.name) for c in self.calendars), 4)
        return f"<Combination {self.mode} of {_present.clip(parts, 200)}>"


@attrs.frozen
class Deadline:
    """The result of counting working days or working time, with its provenance.

    Attributes:
        at: The instant, in the calendar's zone.
        day: The local date of the last working day counted (for working time: of the working
            period in which ``at`` falls or ends).
        estimated: Whether the result depends on an estimated holiday or dated rule, or on a
            year for which the calendar has no holiday data.
        reasons: What makes it estimated, one sentence each.
    """

    at: datetime
    day: date
    estimated: bool
    reasons: tuple[str, ...] = ()


@attrs.frozen
class Measure:
    """The working days and working time between two instants, with their provenance.

    Attributes:
        working_days: As `WorkCalendar.working_days_between`.
        working_time: As `WorkCalendar.working_time_between`.
        estimated: Whether either depends on an estimated holiday or dated rule.
        reasons: What makes it estimated.
    """

    working_days: int
    working_time: timedelta
    estimated: bool
    reasons: tuple[str, ...] = ()

    @property
    def working_seconds(self) -> int:
        """The working time in whole seconds (rounded down)."""
        return int(self.working_time // timedelta(seconds=1))


_YEAR_MIN, _YEAR_MAX = 2, 9997
# tzinfo types whose utcoffset() is never None: an instant with one needs no further check.
_SURE_ZONES = (ZoneInfo, timezone)


def _day(value: object, what: str) -> int:
    """Return a local date's ordinal, refusing a datetime.

    A datetime's own wall date need not be the calendar's local date, and a naive one has no
    zone at all.
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{what} must be a local date (datetime.date), not {type(value).__name__}; for an "
            "instant t give t.astimezone(calendar.tz).date()"
        )
    return value.toordinal()


def _count(n: object) -> int:
    """A number of working days given as another integer type (numpy's, a bool), as an int.

    Raises:
        TypeError: For anything else: a float (2.5, or 2.0) would index the days' list, and
            NaN grew the calendar's index for 400 years before failing.
    """
    try:
        return operator.index(n)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"n must be an int (a number of working days), got {type(n).__name__}"
        ) from None


def _us(t: datetime, what: str) -> int:
    """Return an instant as microseconds since the epoch, refusing naive datetimes."""
    if type(getattr(t, "tzinfo", None)) not in _SURE_ZONES:
        require_aware(t, what)
    return to_us(t)


def _dated(value: Iterable[DatedHours]) -> tuple[DatedHours, ...]:
    return tuple(value)


def _zone(value: str | ZoneInfo) -> str:
    if isinstance(value, ZoneInfo):
        return value.key
    return str(value)


@attrs.frozen(cache_hash=True)
class WorkCalendar:
    """An immutable working-time calendar (see the module docstring).

    Attributes:
        name: A name for people and logs, e.g. ``"id-gov-wib"``.
        zone: The IANA time zone, e.g. ``"Asia/Jakarta"``.
        hours: The usual weekly working windows.
        dated: Dated rules replacing the usual hours on their dates (the last one wins).
        holidays: Days off, kept sorted by date.
        holiday_years: The years ``(first, last)`` whose holidays the calendar knows as
            decreed; a result that involves a date outside them is marked estimated. ``None``
            makes no such claim (a calendar without a holiday source).
        combination: For a calendar made by `union` or `intersection`: how, and of which.
    """

    name: str
    zone: str = attrs.field(converter=_zone)
    hours: WeeklyHours = attrs.field(default=WeeklyHours([()] * 7), converter=_hours)
    dated: tuple[DatedHours, ...] = attrs.field(default=(), converter=_dated)
    holidays: tuple[Holiday, ...] = attrs.field(default=(), converter=_holidays)
    holiday_years: tuple[int, int] | None = None
    combination: Combination | None = None
    _tz: ZoneInfo = attrs.field(init=False, eq=False, repr=False, hash=False)
    _cache: list[Any] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        try:
            tz = ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise DefinitionError(
                f"WorkCalendar {self.name!r}", f"unknown time zone {self.zone!r}"
            ) from None
        object.__setattr__(self, "_tz", tz)
        # [index, fingerprint, holiday ordinals]
        object.__setattr__(self, "_cache", [None, None, None])
        if self.combination is not None and (self.dated or self.holidays):
            raise DefinitionError(
                f"WorkCalendar {self.name!r}",
                "a combined calendar takes its holidays and dated hours from its parts",
            )
        known = self.holiday_years
        if known is not None and not (
            isinstance(known, tuple)
            and len(known) == 2
            and all(type(year) is int for year in known)
            and known[0] <= known[1]
        ):
            # Reversed, it claimed no year, and every result was marked estimated.
            raise DefinitionError(
                f"WorkCalendar {self.name!r}",
                f"holiday_years must be (first, last) years with first <= last, not {known!r}",
            )

    # -- identity ----------------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._tz

    @property
    def fingerprint(self) -> str:
        """A short digest of every rule (not the name); it changes whenever a rule changes.

        Store it beside a computed deadline to know later which calendar version made it.
        """
        fp: str | None = self._cache[1]
        if fp is None:
            fp = hashlib.sha256(self._rules_text().encode()).hexdigest()[:16]
            self._cache[1] = fp
        return fp

    def _rules_text(self) -> str:
        # Every field's value, not its repr (a repr is for people and may be shortened).
        parts = [
            self.zone,
            repr(attrs.astuple(self.hours)),
            repr(tuple(attrs.astuple(d) for d in self.dated)),
            repr(self.holidays),
            repr(self.holiday_years),
        ]
        if self.combination is not None:
            parts.append(self.combination.mode)
            parts.extend(c._rules_text() for c in self.combination.calendars)
        return "\n".join(parts)

    # -- presentation ------------------------------------------------------------------------

    def __repr__(self) -> str:
        if self.combination is not None:
            rules = f"{self.combination.mode} of {len(self.combination.calendars)} calendars"
        else:
            weekly = self.hours.weekly_total.total_seconds() / 3600
            rules = f"{weekly:g} h a week, {len(self.holidays)} holidays, {len(self.dated)} dated"
        years = (
            ""
            if self.holiday_years is None
            else f", decreed {self.holiday_years[0]}-{self.holiday_years[1]}"
        )
        return (
            f"<WorkCalendar {_present.clip(self.name, 40)!r} {self.zone}: {rules}{years}, "
            f"fingerprint {self.fingerprint}>"
        )

    def _showcase_month(self) -> tuple[int, int]:
        """The month `_repr_html_` shows: the one with most holidays in the last decreed year."""
        if self.holiday_years is not None:
            year = self.holiday_years[1]
        elif self.holidays:
            year = self.holidays[-1].day.year
        else:
            year = 2026
        counts = [0] * 13
        for holiday in self.holidays_in(year):
            counts[holiday.day.month] += 1
        month = max(range(1, 13), key=lambda m: (counts[m], -m))
        return year, month

    def month_html(self, year: int, month: int) -> str:
        """One month of working time as an HTML table (what a notebook shows for a calendar).

        Each day shows its working windows and total, or the holidays that close it; dated
        hours (Ramadan) are named; estimated holidays and rules are marked.

        Args:
            year: The year.
            month: The month, 1 to 12.

        Returns:
            A self-styled HTML fragment, every value escaped.
        """
        from pengaduan._present_calendar import month_table

        return month_table(self, year, month)

    def _repr_html_(self) -> str:
        return self.month_html(*self._showcase_month())

    # -- deriving new calendars --------------------------------------------------------------

    def renamed(self, name: str) -> WorkCalendar:
        """Return the same rules under another name."""
        return attrs.evolve(self, name=name)

    def with_hours(self, hours: WeeklyHours | Mapping[str, object]) -> WorkCalendar:
        """Return the calendar with other usual weekly hours."""
        return attrs.evolve(self, hours=hours)

    def with_dated(self, *dated: DatedHours) -> WorkCalendar:
        """Return the calendar with more dated rules (they win over the existing ones)."""
        return attrs.evolve(self, dated=(*self.dated, *dated))

    def with_holidays(self, *holidays: Holiday) -> WorkCalendar:
        """Return the calendar with more holidays."""
        return attrs.evolve(self, holidays=(*self.holidays, *holidays))

    def without_holidays(self, *days: date) -> WorkCalendar:
        """Return the calendar without any holiday on the given dates."""
        drop = set(days)
        return attrs.evolve(self, holidays=[h for h in self.holidays if h.day not in drop])

    def move_holiday(
        self,
        day: date,
        to: date,
        *,
        status: Status | str | None = None,
        source: str | None = None,
    ) -> WorkCalendar:
        """Return the calendar with the holidays of ``day`` moved to ``to``.

        Args:
            day: The date the holidays are on now.
            to: Their new date.
            status: Their new status (e.g. confirmed, once decreed); unchanged if omitted.
            source: Their new source; unchanged if omitted.

        Raises:
            UnknownHolidayError: If no holiday is on ``day`` (a `LookupError`).
        """
        moved = [h for h in self.holidays if h.day == day]
        if not moved:
            raise UnknownHolidayError(self.name, day)
        changes: dict[str, Any] = {"day": to}
        if status is not None:
            changes["status"] = _status(status)
        if source is not None:
            changes["source"] = source
        kept = [h for h in self.holidays if h.day != day]
        return attrs.evolve(self, holidays=[*kept, *(attrs.evolve(h, **changes) for h in moved)])

    def union(self, *others: WorkCalendar, name: str | None = None) -> WorkCalendar:
        """Return a calendar working whenever this one or any of ``others`` works.

        The result keeps this calendar's zone for local dates; a local date is a working day
        when it is one in any part.
        """
        return self._combine("union", others, name)

    def intersection(self, *others: WorkCalendar, name: str | None = None) -> WorkCalendar:
        """Return a calendar working only when this one and all of ``others`` work.

        A local date is a working day when it is one in every part.
        """
        return self._combine("intersection", others, name)

    def _combine(
        self,
        mode: Literal["union", "intersection"],
        others: Sequence[WorkCalendar],
        name: str | None,
    ) -> WorkCalendar:
        parts = (self, *others)
        joiner = " | " if mode == "union" else " & "
        return WorkCalendar(
            name=name or joiner.join(c.name for c in parts),
            zone=self.zone,
            combination=Combination(mode, parts),
        )

    # -- rules for a date --------------------------------------------------------------------

    def holidays_on(self, day: date) -> tuple[Holiday, ...]:
        """The holidays on a local date (of the parts, for a combined calendar).

        Raises:
            TypeError: If ``day`` is not a date (a datetime included).
        """
        _day(day, "day")
        if self.combination is not None:
            return tuple(h for c in self.combination.calendars for h in c.holidays_on(day))
        i = bisect_left(self.holidays, day, key=lambda h: h.day)
        j = bisect_right(self.holidays, day, key=lambda h: h.day)
        return self.holidays[i:j]

    def holidays_in(self, year: int) -> tuple[Holiday, ...]:
        """The holidays of a year, by date.

        Raises:
            TypeError: If ``year`` is not an int (``"2026"`` would match no holiday).
        """
        if not isinstance(year, int):
            raise TypeError(f"year must be an int, got {type(year).__name__}")
        if self.combination is not None:
            return _holidays(h for c in self.combination.calendars for h in c.holidays_in(year))
        return tuple(h for h in self.holidays if h.day.year == year)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """The working windows starting on a local date (none on a holiday).

        For a combined calendar, use the instant-based methods instead.

        Raises:
            DefinitionError: For a combined calendar.
            TypeError: If ``day`` is not a date (a datetime included).
        """
        if self.combination is not None:
            raise DefinitionError(
                f"WorkCalendar {self.name!r}", "a combined calendar has no windows of its own"
            )
        _day(day, "day")
        return self._windows_on(day, self._holiday_ordinals())

    def _holiday_ordinals(self) -> frozenset[int]:
        ords: frozenset[int] | None = self._cache[2]
        if ords is None:
            ords = frozenset(h.day.toordinal() for h in self.holidays)
            self._cache[2] = ords
        return ords

    def _windows_on(self, day: date, holiday_ords: frozenset[int]) -> tuple[Window, ...]:
        if day.toordinal() in holiday_ords:
            return ()
        for rule in reversed(self.dated):
            if rule.first <= day <= rule.last:
                return rule.hours.days[day.weekday()]
        return self.hours.days[day.weekday()]

    # -- the index ---------------------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> Index:
        if self.combination is not None:
            return self._build_combined(first_year, last_year)
        tz = self._tz
        d0 = date(first_year, 1, 1).toordinal()
        d1 = date(last_year + 1, 1, 1).toordinal()
        hol = self._holiday_ordinals()
        est_hol = {h.day.toordinal() for h in self.holidays if h.status is Status.ESTIMATED}
        est_hol -= {h.day.toordinal() for h in self.holidays if h.status is Status.CONFIRMED}
        days: list[int] = []
        est_days: list[int] = []
        est_time: list[int] = []
        intervals: list[tuple[int, int]] = []
        base = self.hours.days
        for o in range(d0 - 1, d1 + 1):
            day = date.fromordinal(o)
            rule: DatedHours | None = None
            for r in reversed(self.dated):
                if r.first <= day <= r.last:
                    rule = r
                    break
            wins = base[day.weekday()] if rule is None else rule.hours.days[day.weekday()]
            if o in hol:
                if o in est_hol:
                    est_days.append(o)
                    est_time.append(o)
                continue
            if rule is not None and rule.status is Status.ESTIMATED:
                est_time.append(o)
                if bool(wins) != bool(base[day.weekday()]):
                    est_days.append(o)
            if not wins:
                continue
            if d0 <= o < d1:
                days.append(o)
            for w in wins:
                s = local_us(o, w.start // _US_TD, tz)
                e = local_us(o, w.end // _US_TD, tz)
                intervals.append((s, e))
        return Index(first_year, last_year, tz, days, merge(intervals), est_days, est_time)

    def _build_combined(self, first_year: int, last_year: int) -> Index:
        assert self.combination is not None
        mode = self.combination.mode
        parts = [c._index_years(first_year - 1, last_year + 1) for c in self.combination.calendars]
        d0 = date(first_year, 1, 1).toordinal()
        d1 = date(last_year + 1, 1, 1).toordinal()
        spans = [list(zip(p.starts, p.ends, strict=True)) for p in parts]
        day_sets = [{o for o in p.days if d0 <= o < d1} for p in parts]
        if mode == "union":
            intervals = merge([iv for s in spans for iv in s])
            days = set().union(*day_sets)
        else:
            intervals = spans[0]
            for s in spans[1:]:
                intervals = intersect(intervals, s)
            days = set.intersection(*day_sets)
        est_days = sorted({o for p in parts for o in p.est_days})
        est_time = sorted({o for p in parts for o in p.est_time})
        return Index(
            first_year, last_year, self._tz, sorted(days), list(intervals), est_days, est_time
        )

    def _index_years(self, first_year: int, last_year: int) -> Index:
        idx: Index | None = self._cache[0]
        if idx is not None and idx.first_year <= first_year and last_year <= idx.last_year:
            return idx
        if idx is not None:
            span = idx.last_year - idx.first_year + 1
            if first_year < idx.first_year:
                first_year = min(first_year, idx.first_year - span)
            if last_year > idx.last_year:
                last_year = max(last_year, idx.last_year + span)
            first_year = min(first_year, idx.first_year)
            last_year = max(last_year, idx.last_year)
        first_year = max(first_year, _YEAR_MIN)
        last_year = min(last_year, _YEAR_MAX)
        if first_year > last_year:
            raise self._beyond()
        idx = self._build(first_year, last_year)
        self._cache[0] = idx
        return idx

    def _index_ord(self, o: int) -> Index:
        idx: Index | None = self._cache[0]
        if idx is not None and idx.d0 <= o < idx.d1:
            return idx
        y = self._covered(date.fromordinal(o).year)
        idx = self._index_years(y - 1, y + 1)
        if not idx.d0 <= o < idx.d1:
            raise self._beyond()
        return idx

    def _index_us(self, x: int) -> Index:
        idx: Index | None = self._cache[0]
        if idx is not None and idx.lo <= x < idx.hi:
            return idx
        y = self._covered(from_us(x, self._tz).year)
        idx = self._index_years(y - 1, y + 1)
        if not idx.lo <= x < idx.hi:
            raise self._beyond()
        return idx

    def _covered(self, year: int) -> int:
        """`year`, if the index can cover it; refused before any year is built towards it.

        Building every year up to the limit before refusing took a minute (years 2026 to
        9997 of a 24x7 calendar).
        """
        if not _YEAR_MIN <= year <= _YEAR_MAX:
            raise self._beyond()
        return year

    def _index_to(self, idx: Index, year: int) -> Index:
        """`idx` grown up to `year` (see `_covered`)."""
        return self._index_years(idx.first_year, self._covered(year))

    def _beyond(self) -> NoWorkingTimeError:
        return NoWorkingTimeError(self.name, "the years 2 to 9997 are all the index covers")

    def _grow(self, idx: Index, forward: bool, since_year: int, what: str) -> Index:
        if not self._has_windows():
            raise NoWorkingTimeError(self.name, f"it has no working windows at all ({what})")
        span = idx.last_year - idx.first_year + 1
        if forward:
            if idx.last_year >= _YEAR_MAX or idx.last_year - since_year > 400:
                raise NoWorkingTimeError(self.name, f"none found within 400 years ({what})")
            return self._index_years(idx.first_year, idx.last_year + span)
        if idx.first_year <= _YEAR_MIN or since_year - idx.first_year > 400:
            raise NoWorkingTimeError(self.name, f"none found within 400 years ({what})")
        return self._index_years(idx.first_year - span, idx.last_year)

    def _has_windows(self) -> bool:
        if self.combination is not None:
            return any(c._has_windows() for c in self.combination.calendars)
        return any(self.hours.days) or any(any(r.hours.days) for r in self.dated)

    def _local_ordinal(self, t: datetime, what: str) -> int:
        if type(getattr(t, "tzinfo", None)) not in _SURE_ZONES:
            require_aware(t, what)
        return t.astimezone(self._tz).toordinal()

    def _day_end(self, o: int) -> datetime:
        idx: Index | None = self._cache[0]
        if idx is not None and (end := idx.day_ends.get(o)) is not None:
            return end
        end = from_us(local_us(o + 1, 0, self._tz), self._tz)
        if idx is not None:
            idx.day_ends[o] = end
        return end

    # -- working days ------------------------------------------------------------------------

    def _nth_day(self, o: int, n: int) -> int:
        idx = self._index_ord(o)
        if type(n) is not int:
            n = _count(n)
        while True:
            days = idx.days
            i = bisect_right(days, o) + n - 1 if n > 0 else bisect_left(days, o) + n
            if 0 <= i < len(days):
                return days[i]
            idx = self._grow(idx, i >= 0, date.fromordinal(o).year, "a working day")

    def is_working_day(self, day: date) -> bool:
        """Whether a working window starts on a local date.

        ```pycon
        >>> from pengaduan.presets import id_gov_calendar
        >>> id_gov_calendar().is_working_day(date(2026, 3, 19))  # Nyepi
        False

        ```

        Raises:
            TypeError: If ``day`` is not a date (a datetime included).
        """
        o = _day(day, "day")
        idx = self._index_ord(o)
        i = bisect_left(idx.days, o)
        return i < len(idx.days) and idx.days[i] == o

    def add_working_days(self, t: datetime, n: int) -> datetime:
        """Return the end (24:00 local, exclusive) of the n-th working day after ``t``'s date.

        For ``n >= 1`` day 1 is the first working day strictly after the local date of ``t``
        (an event on Saturday, like one on Friday, has Monday as day 1). ``n == 0`` gives the
        end of ``t``'s date if it is a working day, else of the next working day. Negative
        ``n`` counts back: ``-1`` is the last working day strictly before ``t``'s date.

        Raises:
            NaiveDatetimeError: If ``t`` has no time zone.
            NoWorkingTimeError: If the calendar has no such working day.
        """
        return self._day_end(self._nth_day(self._local_ordinal(t, "t"), n))

    def add_working_days_to_date(self, day: date, n: int) -> date:
        """Return the local date of the n-th working day after ``day`` (as `add_working_days`).

        The date-based scalar form: no time zone work at all.

        Raises:
            TypeError: If ``day`` is not a date (a datetime included).
            NoWorkingTimeError: If the calendar has no such working day.
        """
        o = day.toordinal() if type(day) is date else _day(day, "day")
        if type(n) is not int:
            n = _count(n)
        idx: Index | None = self._cache[0]
        if idx is not None and n > 0 and idx.d0 <= o < idx.d1:  # the hot path
            days = idx.days
            i = bisect_right(days, o) + n - 1
            if i < len(days):
                return date.fromordinal(days[i])
        return date.fromordinal(self._nth_day(o, n))

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Return the number of working days d with local date of ``a`` < d <= that of ``b``.

        Negative (minus the count with b's date < d <= a's date) when ``b`` is before ``a``.
        For ``n = working_days_between(a, b) >= 1`` and ``b`` on a working day,
        ``add_working_days(a, n)`` ends ``b``'s working day.

        Raises:
            NaiveDatetimeError: If ``a`` or ``b`` has no time zone.
        """
        return self._days_between(self._local_ordinal(a, "a"), self._local_ordinal(b, "b"))

    def working_days_between_dates(self, a: date, b: date) -> int:
        """As `working_days_between`, for local dates.

        Raises:
            TypeError: If ``a`` or ``b`` is not a date (a datetime included).
        """
        return self._days_between(_day(a, "a"), _day(b, "b"))

    def _days_between(self, oa: int, ob: int) -> int:
        sign = 1
        if ob < oa:
            oa, ob, sign = ob, oa, -1
        idx = self._index_ord(oa)
        if not ob < idx.d1:
            idx = self._index_to(idx, date.fromordinal(ob).year)
            if not ob < idx.d1:
                raise self._beyond()
        return sign * (bisect_right(idx.days, ob) - bisect_right(idx.days, oa))

    def add_working_days_array(
        self, days: npt.ArrayLike, n: npt.ArrayLike
    ) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """Vectorised `add_working_days_to_date` over numpy arrays (needs numpy).

        Args:
            days: Local dates, anything `numpy.asarray` turns into ``datetime64[D]``.
            n: The numbers of working days, an int or an array broadcasting with ``days``.

        Returns:
            The dates of the working days reached, as ``datetime64[D]``.
        """
        import numpy as np

        given = np.asarray(days, dtype="datetime64[D]")
        d = given.view(np.int64)  # days since 1970-01-01, no copy
        k = np.asarray(n, dtype=np.int64)
        if d.size == 0:
            return given.copy()
        lo_year = date.fromordinal(int(d.min()) + _EPOCH_ORDINAL).year
        hi_year = date.fromordinal(int(d.max()) + _EPOCH_ORDINAL).year
        idx = self._index_years(lo_year - 1, hi_year + 1)
        while True:
            wd = idx.np_days  # working days as days since 1970-01-01
            if wd is None:
                wd = idx.np_days = np.asarray(idx.days, dtype=np.int64) - _EPOCH_ORDINAL
            if k.size and int(k.min()) > 0:  # the common case: one search, not two
                i = np.searchsorted(wd, d, side="right") + (k - 1)
            else:
                i = np.where(
                    k > 0,
                    np.searchsorted(wd, d, side="right") + k - 1,
                    np.searchsorted(wd, d, side="left") + k,
                )
            if i.size == 0 or (int(i.min()) >= 0 and int(i.max()) < len(wd)):
                out: np.ndarray[Any, np.dtype[np.datetime64]] = wd[i].view("datetime64[D]")
                return out
            idx = self._grow(idx, int(i.max()) >= len(wd), hi_year, "a working day")

    # -- working time ------------------------------------------------------------------------

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` lies inside a working window (windows are half-open: [start, end)).

        Raises:
            NaiveDatetimeError: If ``t`` has no time zone.
        """
        x = _us(t, "t")
        return self._index_us(x).is_working(x)

    def next_working(self, t: datetime) -> datetime:
        """Return ``t`` if it is working time, else the start of the next working window.

        Raises:
            NaiveDatetimeError: If ``t`` has no time zone.
            NoWorkingTimeError: If no working window follows.
        """
        x = _us(t, "t")
        idx = self._index_us(x)
        if idx.is_working(x):
            return t.astimezone(self._tz)
        while (r := idx.next_start(x)) is None:
            idx = self._grow(idx, True, idx.last_year, "a next working window")
        return from_us(r, self._tz)

    def previous_working(self, t: datetime) -> datetime:
        """Return ``t`` if it is working time, else the end of the last working window before it.

        The end of a window is the instant work stopped (windows are half-open, so that
        instant itself is not working time).

        Raises:
            NaiveDatetimeError: If ``t`` has no time zone.
            NoWorkingTimeError: If no working window precedes.
        """
        x = _us(t, "t")
        idx = self._index_us(x)
        if idx.is_working(x):
            return t.astimezone(self._tz)
        while (r := idx.previous_end(x)) is None:
            idx = self._grow(idx, False, idx.first_year, "a previous working window")
        return from_us(r, self._tz)

    def _add_time_us(self, x: int, delta_us: int) -> int:
        if delta_us == 0:
            return x
        idx = self._index_us(x)
        while True:
            target = idx.worked(x) + delta_us
            r = idx.forward(x, target) if delta_us >= 0 else idx.backward(x, target)
            if r is not None:
                return r
            year = from_us(x, self._tz).year
            idx = self._grow(idx, delta_us >= 0, year, "enough working time")

    def add_working_time(self, t: datetime, delta: timedelta) -> datetime:
        """Return the instant at which ``delta`` of working time has passed since ``t``.

        It is the earliest such instant: one hour before a 16:00 closing gives 16:00, not the
        next opening. ``timedelta(0)`` gives ``t`` itself. A negative ``delta`` counts back to
        the latest instant with that much working time before ``t`` (an opening, not the
        previous closing, when it falls on a boundary).

        Raises:
            NaiveDatetimeError: If ``t`` has no time zone.
            NoWorkingTimeError: If the calendar never accumulates that much working time.
        """
        x = _us(t, "t")
        try:
            d = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        except AttributeError:
            raise TypeError(
                f"delta must be a timedelta (an amount of working time), got "
                f"{type(delta).__name__}; e.g. timedelta(hours=3)"
            ) from None
        return from_us(self._add_time_us(x, d), self._tz)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the working time from ``a`` to ``b`` (negative if ``b`` is before ``a``).

        Raises:
            NaiveDatetimeError: If ``a`` or ``b`` has no time zone.
        """
        xa = _us(a, "a")
        xb = _us(b, "b")
        return timedelta(microseconds=self._time_between_us(xa, xb))

    def _time_between_us(self, xa: int, xb: int) -> int:
        lo, hi = (xa, xb) if xa <= xb else (xb, xa)
        idx = self._index_us(lo)
        if not hi < idx.hi:
            idx = self._index_to(idx, from_us(hi, self._tz).year)
            if not hi < idx.hi:
                raise self._beyond()
        return idx.worked(xb) - idx.worked(xa)

    # -- with provenance ---------------------------------------------------------------------

    def deadline(
        self,
        start: datetime,
        *,
        working_days: int | None = None,
        working_time: timedelta | None = None,
    ) -> Deadline:
        """Count working days or working time from ``start`` and say whether it is estimated.

        Exactly one of ``working_days`` (as `add_working_days`) and ``working_time`` (as
        `add_working_time`) must be given.

        Args:
            start: The instant counted from.
            working_days: A number of working days.
            working_time: An amount of working time.

        Returns:
            The result instant, the local date of the last working day counted, and whether
            (and why) it rests on an estimate.

        Raises:
            TypeError: Unless exactly one of them is given.
            NaiveDatetimeError: If ``start`` has no time zone.
        """
        if (working_days is None) == (working_time is None):
            raise TypeError("give exactly one of working_days and working_time")
        o = self._local_ordinal(start, "start")
        if working_days is not None:
            last = self._nth_day(o, working_days)
            at = self._day_end(last)
            lo, hi = min(o, last), max(o, last)
            reasons = self._reasons(lo, hi, hours=False)
            return Deadline(at, date.fromordinal(last), bool(reasons), reasons)
        assert working_time is not None
        at = self.add_working_time(start, working_time)
        x = to_us(at) - (1 if working_time > timedelta(0) else 0)
        day = from_us(x, self._tz).date()
        reasons = self._reasons(min(o, day.toordinal()), max(o, day.toordinal()), hours=True)
        return Deadline(at, day, bool(reasons), reasons)

    def measure(self, a: datetime, b: datetime) -> Measure:
        """Return working days and working time from ``a`` to ``b``, and whether estimated.

        Raises:
            NaiveDatetimeError: If ``a`` or ``b`` has no time zone.
        """
        days = self.working_days_between(a, b)
        worked = self.working_time_between(a, b)
        oa, ob = self._local_ordinal(a, "a"), self._local_ordinal(b, "b")
        reasons = self._reasons(min(oa, ob), max(oa, ob), hours=True)
        return Measure(days, worked, bool(reasons), reasons)

    def depends_on_estimate(self, first: date, last: date, *, hours: bool = True) -> bool:
        """Whether results spanning local dates ``first`` to ``last`` may rest on an estimate.

        True if an estimated holiday lies in the span, or (with ``hours``) an estimated dated
        rule covers part of it, or the span leaves the calendar's ``holiday_years``. With
        ``hours=False`` only what changes which days are working days counts.

        Raises:
            TypeError: If ``first`` or ``last`` is not a date (a datetime included).
        """
        return bool(self._reasons(_day(first, "first"), _day(last, "last"), hours=hours))

    def _reasons(self, lo: int, hi: int, *, hours: bool) -> tuple[str, ...]:
        idx = self._index_ord(lo)
        if not hi < idx.d1:
            idx = self._index_to(idx, date.fromordinal(hi).year)
            if not hi < idx.d1:
                raise self._beyond()
        marks = idx.est_time if hours else idx.est_days
        out: list[str] = []
        if Index.any_in(marks, lo, hi):
            i = bisect_left(marks, lo)
            seen: set[str] = set()
            while i < len(marks) and marks[i] <= hi:
                for why in self._why(date.fromordinal(marks[i]), hours):
                    if why not in seen:
                        seen.add(why)
                        out.append(why)
                i += 1
        out.extend(self._coverage_gaps(date.fromordinal(lo).year, date.fromordinal(hi).year))
        return tuple(out)

    def _why(self, day: date, hours: bool) -> list[str]:
        if self.combination is not None:
            return [w for c in self.combination.calendars for w in c._why(day, hours)]
        out = [
            f"{h.day.isoformat()} {h.name} is an estimated holiday"
            for h in self.holidays_on(day)
            if h.status is Status.ESTIMATED
        ]
        if not out and hours:
            for r in reversed(self.dated):
                if r.first <= day <= r.last:
                    if r.status is Status.ESTIMATED:
                        out.append(
                            f"{r.name or 'dated hours'} ({r.first.isoformat()} to "
                            f"{r.last.isoformat()}) has estimated dates"
                        )
                    break
        if not out and not hours:
            out.append(f"{self.name}: hours on {day.isoformat()} follow an estimated dated rule")
        return out

    def _coverage_gaps(self, first_year: int, last_year: int) -> list[str]:
        if self.combination is not None:
            return [
                g
                for c in self.combination.calendars
                for g in c._coverage_gaps(first_year, last_year)
            ]
        if self.holiday_years is None:
            return []
        a, b = self.holiday_years
        missing = [y for y in range(first_year, last_year + 1) if not a <= y <= b]
        if not missing:
            return []
        years = ", ".join(str(y) for y in missing[:3]) + (" ..." if len(missing) > 3 else "")
        return [f"{self.name} has no decreed holiday list for {years} (known: {a}-{b})"]


@attrs.frozen
class CalendarChange:
    """One result that differs between two calendar versions (see `changed_results`).

    Attributes:
        start: The instant counted from.
        amount: The working days (int) or working time (timedelta) counted.
        old: The result under the old calendar.
        new: The result under the new calendar.
    """

    start: datetime
    amount: int | timedelta
    old: datetime
    new: datetime

    @property
    def shift(self) -> timedelta:
        """How far the result moved (positive: later), as elapsed time."""
        return timedelta(microseconds=to_us(self.new) - to_us(self.old))


def changed_results(
    old: WorkCalendar,
    new: WorkCalendar,
    starts: Iterable[datetime],
    amounts: Iterable[int | timedelta],
) -> tuple[CalendarChange, ...]:
    """List, for every start and amount, the results that differ between two calendars.

    Use it when a holiday is confirmed, moved, added or removed: pass the open deadlines'
    starts and their limits (an int counts working days, a timedelta working time) and update
    the ones returned. Results are compared as instants.

    Args:
        old: The calendar the results were computed on.
        new: The new calendar version.
        starts: The instants counted from (timezone-aware).
        amounts: The limits: an int counts working days, a timedelta working time.

    Returns:
        One `CalendarChange` per (start, amount) whose result differs, starts first.

    ```pycon
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from pengaduan.presets import id_gov_calendar
    >>> old = id_gov_calendar()
    >>> new = old.with_holidays(Holiday(date(2026, 3, 26), "Libur daerah", "regional"))
    >>> start = datetime(2026, 3, 17, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
    >>> for change in changed_results(old, new, [start], [3, 1]):
    ...     print(change.amount, change.old.date(), "->", change.new.date())
    3 2026-03-28 -> 2026-03-31

    ```

    Raises:
        NaiveDatetimeError: If a start has no time zone.
    """
    amounts = tuple(amounts)
    out: list[CalendarChange] = []
    for start in starts:
        for amount in amounts:
            if isinstance(amount, timedelta):
                a, b = old.add_working_time(start, amount), new.add_working_time(start, amount)
            else:
                a, b = old.add_working_days(start, amount), new.add_working_days(start, amount)
            if to_us(a) != to_us(b):  # as instants: same-zone `!=` compares wall times
                out.append(CalendarChange(start, amount, a, b))
    return tuple(out)
