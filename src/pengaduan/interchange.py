"""Reading and writing events: JSON objects and JSON Lines event files.

One event per line::

    {"id": "e1", "complaint": "C-1", "action": "submit", "at": "2026-03-17T09:15:00+07:00",
     "actor": {"id": "warga-17", "role": "reporter", "unit": null},
     "data": {"title": "...", "body": "...", "channel": "web"}}

The JSON Schema of a line ships with the package (`event_schema`), and the line reader
(`loads_event`, `read_events`, `read_numbered_events`) takes its line rules from it: the two
accept exactly the same lines (given a strict parse: no key repeated in an object, no NaN, no
lone surrogate, which the reader refuses and a schema cannot say). An instant is ISO 8601 in
extended format with an offset, ``2026-03-17T09:15:00+07:00``: no space for ``T``, no
``+07``, no basic format, at most 6 fraction digits. Decoding checks the record's shape;
whether the action and its data make sense is the workflow's business.

```pycon
>>> line = ('{"id": "e1", "complaint": "C-1", "action": "submit", '
...         '"at": "2026-03-17T09:15:00+07:00", "actor": {"id": "w", "role": "reporter"}, '
...         '"data": {"title": "Jalan rusak", "body": "...", "channel": "web"}}')
>>> event = loads_event(line)
>>> event.at.isoformat(), event.actor.role
('2026-03-17T09:15:00+07:00', 'reporter')
>>> loads_event(line.replace("+07:00", ""))
Traceback (most recent call last):
...
pengaduan.exceptions.EventFormatError: field 'at': must be an ISO 8601 instant with a UTC offset ...

```
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import IO, TYPE_CHECKING, Any

from pengaduan._event_dict import event_to_dict
from pengaduan.exceptions import EventFormatError, PengaduanError
from pengaduan.model import Actor, Event, _instant_in_range

if TYPE_CHECKING:  # only attributes are read: importing interchange stays light
    from pengaduan.escalation import DueAction
    from pengaduan.sla import ClockState, Evaluation

__all__ = [
    "clock_state_to_dict",
    "due_action_to_dict",
    "dumps_event",
    "evaluation_to_dict",
    "event_from_dict",
    "event_schema",
    "event_to_dict",
    "loads_event",
    "read_events",
    "read_numbered_events",
    "strict_json",
    "write_events",
]

_EVENT_KEYS = frozenset({"id", "complaint", "action", "at", "actor", "data"})
_ACTOR_KEYS = frozenset({"id", "role", "unit"})

# A key that is named in a field path; any other (it may be input) is named by its position.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
# The shape of an instant in the object form (what `event_to_dict` writes, and stores keep):
# ISO 8601 extended format with an offset; the offset may carry seconds (Python writes them
# for zones such as a pre-1924 local mean time), which no line may (see `_line_rules`).
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
)


class _JSONRefusalError(ValueError):
    """A JSON text that parses but holds what no record may: refused with a path."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(reason)


def _no_constant(name: str) -> Any:
    raise _JSONRefusalError(f"holds {name}: a JSON number must be finite")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for position, (key, value) in enumerate(pairs, start=1):
        if key in record:
            # The key itself is input and may be personal: name its position instead.
            raise _JSONRefusalError(f"an object repeats a key (its key number {position})")
        record[key] = value
    return record


def _clean(value: Any) -> bool:
    """Whether `value` holds no lone surrogate and no NaN or Infinity: one pass in C."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False, check_circular=False).encode()
    except (ValueError, TypeError, RecursionError):  # UnicodeEncodeError is a ValueError
        return False
    return True


def _check_text(value: Any, path: str) -> None:
    """Refuse lone surrogates (which cannot be stored or written as UTF-8), depth first.

    The common case, a clean value, is settled by `_clean`; only a value it rejects is
    walked to find and name the position of the problem.
    """
    if _clean(value):
        return
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise _JSONRefusalError("holds NaN or Infinity, which is not JSON", where)
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise _JSONRefusalError(
                    "holds a lone surrogate (\\ud800-\\udfff), which is not text", where
                ) from None
        elif isinstance(item, dict):
            for index, (key, child) in enumerate(item.items()):
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    raise _JSONRefusalError(
                        f"key number {index + 1} holds a lone surrogate, which is not text",
                        where,
                    ) from None
                name = key if _PLAIN_KEY.fullmatch(key) else f"<key {index + 1}>"
                stack.append((child, f"{where}.{name}" if where else name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))


def strict_json(text: str | bytes) -> Any:
    """Parse a JSON text the way every pengaduan reader does: strictly.

    NaN and Infinity (which `json` accepts by default), a key repeated in one object (which
    `json` resolves silently, last wins), integers too long to convert and lone surrogates
    are refused, so what is read can always be stored and written back as JSON.

    ```pycon
    >>> strict_json('{"a": 1}')
    {'a': 1}
    >>> strict_json('{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    pengaduan.interchange._JSONRefusalError: an object repeats a key (its key number 2)

    ```

    Raises:
        ValueError: Saying why (a `json.JSONDecodeError` for a text that is not JSON); the
            message never quotes the text.
    """
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise _JSONRefusalError("nested too deeply") from None
    except json.JSONDecodeError:
        raise
    except _JSONRefusalError:
        raise
    except UnicodeDecodeError:
        raise _JSONRefusalError("not UTF-8 text") from None
    except ValueError:  # int() refusing more digits than sys.get_int_max_str_digits()
        raise _JSONRefusalError("holds an integer with too many digits") from None
    _check_text(value, "")
    return value


def event_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one event record (one line of an event file).

    The line reader accepts exactly the lines this schema accepts, once parsed strictly
    (`strict_json`): it takes its patterns from it.
    """
    return json.loads(_schema_text())  # type: ignore[no-any-return]


@cache
def _schema_text() -> str:
    return resources.files("pengaduan.schemas").joinpath("event.schema.json").read_text("utf-8")


@cache
def _line_rules() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The schema's patterns of a line's instant and action, compiled once, on first use.

    The schema's patterns are written for ECMA-262 and Python alike (ASCII classes, no
    ``$``, which Python lets match before a final newline).
    """
    properties = json.loads(_schema_text())["properties"]
    return re.compile(properties["at"]["pattern"]), re.compile(properties["action"]["pattern"])


def _check_line(record: Mapping[str, Any]) -> None:
    """What a line must hold beyond the object form (see `event_schema`)."""
    at_rule, action_rule = _line_rules()
    if at_rule.search(record["at"]) is None:
        raise EventFormatError(
            "must be an ISO 8601 instant in extended format with a UTC offset of hours and "
            "minutes (YYYY-MM-DDTHH:MM[:SS[.ffffff]] then Z or +HH:MM, e.g. "
            "2026-03-17T09:15:00+07:00), within the years 2..9998 in UTC too",
            path="at",
        )
    if action_rule.search(record["action"]) is None:
        raise EventFormatError(
            "must be an ASCII identifier (letters, digits, _; not a digit first)", path="action"
        )


def _text_kind(value: object) -> str:
    """What a value that should be a non-empty string is instead, for a message."""
    return "an empty one" if value == "" else type(value).__name__


def _non_empty_text(value: object) -> str:
    """The reason a value is not a non-empty string (for an `EventFormatError`)."""
    return f"must be a non-empty string, got {_text_kind(value)}"


def _check_event_fields(event: Event) -> None:
    """Refuse an `Event` whose ids and names `event_from_dict` would refuse in its record.

    An `Event` is built without checks, so a store would otherwise keep an empty complaint id
    (which its own export then writes and `pengaduan import` refuses) or fail on ``None``
    with the database's message.

    Raises:
        EventFormatError: With the `path` of the first bad field.
    """
    actor = event.actor
    if not isinstance(actor, Actor):
        raise EventFormatError(f"must be an Actor, got {type(actor).__name__}", path="actor")
    for path, value in (
        ("id", event.id),
        ("complaint", event.complaint),
        ("action", event.action),
        ("actor.id", actor.id),
        ("actor.role", actor.role),
    ):
        if not isinstance(value, str) or not value:
            raise EventFormatError(_non_empty_text(value), path=path)
    _check_unit(actor.unit)
    if not isinstance(event.data, Mapping):
        raise EventFormatError(f"must be a mapping, got {type(event.data).__name__}", path="data")


def _check_unit(unit: object) -> None:
    if unit is not None and (not isinstance(unit, str) or not unit):
        raise EventFormatError("must be a non-empty string or null", path="actor.unit")


def _text(record: Mapping[str, Any], key: str, path: str) -> str:
    if key not in record:
        raise EventFormatError("is missing", path=path)
    value = record[key]
    if not isinstance(value, str) or not value:
        raise EventFormatError(_non_empty_text(value), path=path)
    return value


def _instant(value: Any, path: str) -> datetime:
    if not isinstance(value, str):
        raise EventFormatError(f"must be an ISO 8601 string, got {type(value).__name__}", path=path)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise EventFormatError(
            "is not an ISO 8601 instant (e.g. 2026-03-17T09:15:00+07:00)", path=path
        ) from None
    if instant.tzinfo is None:
        raise EventFormatError(
            "must be an ISO 8601 instant with a UTC offset (e.g. 2026-03-17T09:15:00+07:00); "
            "it has none",
            path=path,
        )
    if _INSTANT.fullmatch(value) is None:
        raise EventFormatError(
            "must be an ISO 8601 instant in extended format: YYYY-MM-DDTHH:MM[:SS[.ffffff]] "
            "then Z or +HH:MM (e.g. 2026-03-17T09:15:00+07:00; no space for T, no basic "
            "format, at most 6 fraction digits)",
            path=path,
        )
    if not _instant_in_range(instant):
        raise EventFormatError("is outside the years 2..9998 an instant may have", path=path)
    return instant


def _unknown(record: Mapping[str, Any], known: frozenset[str]) -> str:
    """Name unknown keys by their position, never by their text (it may be personal)."""
    positions = [str(i) for i, key in enumerate(record, start=1) if key not in known]
    return f"unknown key(s) at position(s) {', '.join(positions)} (not echoed)"


def event_from_dict(record: Any) -> Event:
    """Build an `Event` from its JSON object form (as `event_to_dict` writes and stores keep).

    It checks the record's shape: the keys, non-empty strings, an actor's unit that is null
    or non-empty, ``data`` an object (left out for none, never null), and an instant in ISO
    8601 extended format with an offset within the years an `Event` may have. A line of an
    event file must also hold to `event_schema` (`loads_event` checks both).

    Raises:
        EventFormatError: With the `path` of the first bad field.
    """
    if not isinstance(record, Mapping):
        raise EventFormatError(f"an event must be a JSON object, got {type(record).__name__}")
    unknown = set(record) - _EVENT_KEYS
    if unknown:
        raise EventFormatError(
            f"{_unknown(record, _EVENT_KEYS)}; an event has: {', '.join(sorted(_EVENT_KEYS))}"
        )
    event_id = _text(record, "id", "id")
    complaint = _text(record, "complaint", "complaint")
    action = _text(record, "action", "action")
    if "at" not in record:
        raise EventFormatError("is missing", path="at")
    at = _instant(record["at"], "at")
    actor_record = record.get("actor")
    if not isinstance(actor_record, Mapping):
        raise EventFormatError("must be an object with id, role and unit", path="actor")
    unknown = set(actor_record) - _ACTOR_KEYS
    if unknown:
        raise EventFormatError(
            f"{_unknown(actor_record, _ACTOR_KEYS)}; an actor has: id, role, unit", path="actor"
        )
    unit = actor_record.get("unit")
    _check_unit(unit)
    actor = Actor(
        _text(actor_record, "id", "actor.id"), _text(actor_record, "role", "actor.role"), unit
    )
    data = record.get("data", {})
    if data is None:
        raise EventFormatError("must be an object; leave it out for no data, not null", path="data")
    if not isinstance(data, Mapping):
        raise EventFormatError(f"must be an object, got {type(data).__name__}", path="data")
    try:  # a record not read by `strict_json` (a dict, a store body) is checked here
        _check_text(record, "")
    except _JSONRefusalError as error:
        raise EventFormatError(error.reason, path=error.path) from None
    try:
        return Event(event_id, complaint, action, at, actor, dict(data))
    except PengaduanError as error:  # the model's own refusal (an instant out of range, ...)
        raise EventFormatError(f"is refused: {error}") from None


def loads_event(text: str) -> Event:
    """Decode one event from a JSON text: one line of an event file.

    It accepts exactly what `event_schema` accepts, once parsed strictly (`strict_json`).

    Raises:
        EventFormatError: If the text is not JSON or not an event.
    """
    try:
        record = strict_json(text)
    except _JSONRefusalError as error:
        raise EventFormatError(f"not valid JSON ({error.reason})", path=error.path) from None
    except json.JSONDecodeError as error:
        raise EventFormatError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    event = event_from_dict(record)
    _check_line(record)
    return event


def dumps_event(event: Event) -> str:
    """Encode one event as a single line of JSON (no trailing newline)."""
    return json.dumps(event_to_dict(event), ensure_ascii=False, separators=(", ", ": "))


def read_events(
    source: str | os.PathLike[str] | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes],
    *,
    on_error: Callable[[EventFormatError], object] | None = None,
) -> Iterator[Event]:
    """Read events from a JSON Lines file, lazily, in file order. Blank lines are skipped.

    Args:
        source: A path, an open text or binary file (``sys.stdin.buffer``), or any iterable
            of lines. Bytes are read as UTF-8; a byte order mark before the first line is
            ignored (Notepad and Excel write one).
        on_error: Called with the error of each malformed line, which is then skipped.
            Without it, the first malformed line raises.

    Yields:
        Each event.

    Raises:
        EventFormatError: Naming the file and line number of a malformed line (for bytes that
            are not UTF-8, the byte offset in the line too).
    """
    for _number, event in read_numbered_events(source, on_error=on_error):
        yield event


def read_numbered_events(
    source: str | os.PathLike[str] | IO[str] | IO[bytes] | Iterable[str] | Iterable[bytes],
    *,
    on_error: Callable[[EventFormatError], object] | None = None,
) -> Iterator[tuple[int, Event]]:
    """Like `read_events`, but yield each event with its 1-based line number.

    Useful to report where in a file an event the workflow refuses came from.
    """
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        with open(name, "rb") as raw:  # decoded line by line, so bad UTF-8 names its line
            yield from _read_lines(raw, name, on_error)
    else:
        yield from _read_lines(source, getattr(source, "name", None), on_error)


def _read_lines(
    lines: Iterable[str | bytes],
    name: str | None,
    on_error: Callable[[EventFormatError], object] | None,
) -> Iterator[tuple[int, Event]]:
    for number, raw in enumerate(lines, start=1):
        if number == 1:  # a byte order mark, as Notepad and Excel write: not part of the text
            if isinstance(raw, bytes):
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            else:
                raw = raw.removeprefix("\ufeff")
        if not raw.strip():
            continue
        try:
            if isinstance(raw, bytes):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise EventFormatError(
                        f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at byte offset "
                        f"{error.start} of the line)"
                    ) from None
            else:
                line = raw
            yield number, loads_event(line)
        except EventFormatError as error:
            located = error.at_line(number, name)
            if on_error is None:
                raise located from None
            on_error(located)


def write_events(events: Iterable[Event], target: IO[str]) -> int:
    """Write events to an open text file as JSON Lines.

    Returns:
        How many events were written.
    """
    count = 0
    for event in events:
        target.write(dumps_event(event))
        target.write("\n")
        count += 1
    return count


# -- results as JSON ----------------------------------------------------------------------------

_SECOND = timedelta(seconds=1)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else value // _SECOND


def clock_state_to_dict(state: ClockState) -> dict[str, Any]:
    """One clock's state as a JSON-compatible object (the form of ``pengaduan sla --json``).

    Instants are ISO 8601 with their offset (a deadline in its calendar's zone); durations are
    whole seconds (rounded down) with their unit named beside them: ``"working"`` (counted in
    the calendar's working time) or ``"calendar"`` (plain elapsed time).

    Keys: ``clock``, ``status`` (``not_started``, ``running``, ``paused``, ``stopped``),
    ``breached``, ``deadline`` (``null`` if not started, or paused before it was known),
    ``cycles`` (their number), ``remaining_seconds`` with ``remaining_unit`` (the time left
    in the clock's own measure, as ``pengaduan sla`` shows it: ``"working"`` for working
    targets, ``"calendar"`` for calendar targets; `ClockState.remaining`, negative once
    breached, ``null`` unless running or paused), ``remaining_working_seconds`` (the working
    time left whatever the target, `ClockState.remaining_working`), ``elapsed_seconds`` of the
    current cycle with ``elapsed_unit`` (the clock's own measure; ``null`` if not started)
    and ``as_of``.

    ```pycon
    >>> from datetime import datetime, timezone
    >>> from pengaduan.model import Actor
    >>> from pengaduan.presets import lapor_policy, lapor_workflow
    >>> from pengaduan.sla import evaluate
    >>> wf = lapor_workflow()
    >>> at = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)  # Monday 09:00 WIB
    >>> c = wf.apply(wf.new("C-1"), "submit", Actor("w", "reporter"), at,
    ...              {"title": "Jalan rusak", "body": "...", "channel": "web"})
    >>> state = evaluate(c, at, policy=lapor_policy())["verification"]
    >>> record = clock_state_to_dict(state)
    >>> record["status"], record["deadline"], record["remaining_unit"]
    ('running', '2026-03-06T00:00:00+07:00', 'working')

    ```
    """
    cycle = state.current
    unit = "working" if state.clock.target.in_working_time else "calendar"
    return {
        "clock": state.name,
        "status": state.status.value,
        "breached": state.breached,
        "deadline": _iso(state.deadline),
        "cycles": len(state.cycles),
        "remaining_seconds": _seconds(state.remaining),
        "remaining_unit": unit,
        "remaining_working_seconds": _seconds(state.remaining_working),
        "elapsed_seconds": None if cycle is None else _seconds(cycle.elapsed),
        "elapsed_unit": unit,
        "as_of": state.as_of.isoformat(),
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """Every clock of one complaint as a JSON-compatible object.

    Keys: ``complaint``, ``policy`` and ``policy_version``, ``as_of``, ``next_change_at`` (the
    earliest instant a clock changes with no new event, or ``null``) and ``clocks``: one
    `clock_state_to_dict` object per clock, in the policy's order.
    """
    return {
        "complaint": evaluation.complaint,
        "policy": evaluation.policy,
        "policy_version": evaluation.version,
        "as_of": evaluation.as_of.isoformat(),
        "next_change_at": _iso(evaluation.next_change_at),
        "clocks": [clock_state_to_dict(state) for state in evaluation],
    }


def due_action_to_dict(action: DueAction) -> dict[str, Any]:
    """A due escalation action as a JSON-compatible object (``pengaduan due --json``).

    Keys: ``complaint``, ``clock``, ``cycle``, ``rule``, ``repeat``, ``level``, ``action``,
    ``to`` (objects with ``role`` and ``unit``), ``due_at`` and ``deadline`` (ISO 8601 with
    offset; ``deadline`` may be ``null``), ``key`` (the idempotency key) and ``message``.
    """
    return action.to_dict()


_MAX_DEPTH = 100


def _is_json(value: object, depth: int) -> bool:
    """Whether `value` is made only of JSON values, nested at most `depth` levels."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if depth <= 0:
        return False
    if isinstance(value, list | tuple):
        return all(_is_json(item, depth - 1) for item in value)
    if isinstance(value, Mapping):
        return all(
            isinstance(key, str) and _is_json(item, depth - 1) for key, item in value.items()
        )
    return False
