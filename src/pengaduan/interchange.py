"""Reading and writing events: JSON objects and JSON Lines event files.

One event per line::

    {"id": "e1", "complaint": "C-1", "action": "submit", "at": "2026-03-17T09:15:00+07:00",
     "actor": {"id": "warga-17", "role": "reporter", "unit": null},
     "data": {"title": "...", "body": "...", "channel": "web"}}

The JSON Schema of a line ships with the package (`event_schema`). Decoding checks the record's
shape (types, offsets on instants); whether the action makes sense is the workflow's business.

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
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from importlib import resources
from typing import IO, Any

from pengaduan.exceptions import EventFormatError
from pengaduan.model import Actor, Event

__all__ = [
    "dumps_event",
    "event_from_dict",
    "event_schema",
    "event_to_dict",
    "loads_event",
    "read_events",
    "read_numbered_events",
    "write_events",
]

_EVENT_KEYS = frozenset({"id", "complaint", "action", "at", "actor", "data"})
_ACTOR_KEYS = frozenset({"id", "role", "unit"})


def event_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one event record."""
    text = resources.files("pengaduan.schemas").joinpath("event.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _text(record: Mapping[str, Any], key: str, path: str) -> str:
    if key not in record:
        raise EventFormatError("is missing", path=path)
    value = record[key]
    if not isinstance(value, str) or not value:
        raise EventFormatError(f"must be a non-empty string, got {type(value).__name__}", path=path)
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
    return instant


def event_from_dict(record: Any) -> Event:
    """Build an `Event` from its JSON object form.

    Raises:
        EventFormatError: With the `path` of the first bad field.
    """
    if not isinstance(record, Mapping):
        raise EventFormatError(f"an event must be a JSON object, got {type(record).__name__}")
    unknown = set(record) - _EVENT_KEYS
    if unknown:
        raise EventFormatError(
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"an event has: {', '.join(sorted(_EVENT_KEYS))}"
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
            f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; an actor has: id, role, unit",
            path="actor",
        )
    unit = actor_record.get("unit")
    if unit is not None and (not isinstance(unit, str) or not unit):
        raise EventFormatError("must be a non-empty string or null", path="actor.unit")
    actor = Actor(
        _text(actor_record, "id", "actor.id"), _text(actor_record, "role", "actor.role"), unit
    )
    data = record.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise EventFormatError(f"must be an object, got {type(data).__name__}", path="data")
    return Event(event_id, complaint, action, at, actor, dict(data))


def event_to_dict(event: Event) -> dict[str, Any]:
    """Return the JSON object form of an event."""
    actor = event.actor
    return {
        "id": event.id,
        "complaint": event.complaint,
        "action": event.action,
        "at": event.at.isoformat(),
        "actor": {"id": actor.id, "role": str(actor.role), "unit": actor.unit},
        "data": dict(event.data),
    }


def loads_event(text: str) -> Event:
    """Decode one event from a JSON text.

    Raises:
        EventFormatError: If the text is not JSON or not an event.
    """
    try:
        record = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        reason = getattr(error, "msg", "nested too deeply")
        raise EventFormatError(f"not valid JSON ({reason})") from None
    return event_from_dict(record)


def dumps_event(event: Event) -> str:
    """Encode one event as a single line of JSON (no trailing newline)."""
    return json.dumps(event_to_dict(event), ensure_ascii=False, separators=(", ", ": "))


def read_events(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    on_error: Callable[[EventFormatError], object] | None = None,
) -> Iterator[Event]:
    """Read events from a JSON Lines file, lazily, in file order. Blank lines are skipped.

    Args:
        source: A path, an open text file, or any iterable of lines.
        on_error: Called with the error of each malformed line, which is then skipped.
            Without it, the first malformed line raises.

    Yields:
        Each event.

    Raises:
        EventFormatError: Naming the file and line number of a malformed line.
    """
    for _number, event in read_numbered_events(source, on_error=on_error):
        yield event


def read_numbered_events(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    on_error: Callable[[EventFormatError], object] | None = None,
) -> Iterator[tuple[int, Event]]:
    """Like `read_events`, but yield each event with its 1-based line number.

    Useful to report where in a file an event the workflow refuses came from.
    """
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        with open(name, encoding="utf-8") as lines:
            yield from _read_lines(lines, name, on_error)
    else:
        yield from _read_lines(source, getattr(source, "name", None), on_error)


def _read_lines(
    lines: Iterable[str],
    name: str | None,
    on_error: Callable[[EventFormatError], object] | None,
) -> Iterator[tuple[int, Event]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
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
