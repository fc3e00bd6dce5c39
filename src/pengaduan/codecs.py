"""JSON codecs for every definition and record: workflows, calendars, SLA policies, complaints.

Definitions are data (design principle 3): a workflow, a calendar or an SLA policy is an
immutable `attrs` value, and `to_dict` / `from_dict` turn any of them, and any record
(`Complaint`, `Event`, `Facts`, ...), into plain JSON values and back. Decoding is strict: an
unknown key, a missing field, a value of the wrong type, a naive instant or an unknown guard
raises `CodecError` with the path to the bad field; nothing is coerced (``5`` is not ``"5"``).

Values are written as: instants in ISO 8601 with their offset; dates as ``YYYY-MM-DD``;
durations as ISO 8601 durations without years or months (``"PT7H30M"``, ``"P3D"``); enums
as their value; tuples and sets as arrays (sets sorted); guards of a workflow action by
reference (``"module:qualname"``), resolved on decoding from a registry of known guards.

```pycon
>>> from pengaduan.presets import lapor_guards, lapor_workflow
>>> workflow = lapor_workflow()
>>> data = to_dict(workflow)
>>> forward = next(action for action in data["actions"] if action["name"] == "forward")
>>> print(*forward["guards"])
pengaduan.presets._lapor:to_another_unit
>>> from_dict(Workflow, data, guards=lapor_guards()) == workflow
True
>>> forward["roles"] = "reporter"
>>> from_dict(Workflow, data, guards=lapor_guards())
Traceback (most recent call last):
...
pengaduan.exceptions.CodecError: cannot decode Workflow at 'actions[6].roles': must be an array, ...

```

The choice not to use cattrs: its default structuring coerces (``str(5)``, ``bool("no")``),
the opposite of what hostile input needs, so every primitive hook would be ours anyway; the
walk over `attrs` fields and type hints that remains is short.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import attrs

from pengaduan.exceptions import CodecError, PengaduanError
from pengaduan.interchange import _is_json, strict_json
from pengaduan.model import Complaint
from pengaduan.workflow import Workflow

__all__ = [
    "decode_complaint",
    "dumps",
    "from_dict",
    "guard_reference",
    "loads",
    "to_dict",
]

T = TypeVar("T")

_MAX_DEPTH = 100
_DURATION = re.compile(
    r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,6})?)S)?)?$", re.ASCII
)


# -- encoding ----------------------------------------------------------------------------


def guard_reference(guard: Callable[..., Any]) -> str:
    """The reference a guard is written as: ``"module:qualname"``."""
    return f"{guard.__module__}:{guard.__qualname__}"


def _duration(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else ""
    delta = abs(delta)
    days, seconds, micro = delta.days, delta.seconds, delta.microseconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P{days}D" if days else f"{sign}P"
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if secs or micro:
        clock += f"{secs}.{micro:06d}S".replace(".000000S", "S")
    if clock:
        text += "T" + clock
    return text if text not in ("P", "-P") else "PT0S"


def to_dict(value: Any) -> Any:
    """Encode a definition or record (any `attrs` value of the library) as JSON values.

    Returns:
        A dict for an `attrs` value; plain JSON values for anything else it holds.

    Raises:
        CodecError: If it holds something JSON cannot represent.
    """
    return _encode(value, "")


def _encode(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return str(value) if isinstance(value, Enum) else value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CodecError("value", "a number must be finite", path=path)
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _duration(value)
    if attrs.has(type(value)):
        return {
            field.alias: _encode(getattr(value, field.name), _join(path, field.alias))
            for field in attrs.fields(type(value))
            if field.init
        }
    if isinstance(value, Mapping):
        return {str(k): _encode(v, _join(path, str(k))) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((_encode(v, path) for v in value), key=json.dumps)
    if isinstance(value, Sequence):  # lists, tuples, a complaint's event log
        return [_encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if callable(value):
        return guard_reference(value)
    raise CodecError("value", f"cannot encode a {type(value).__name__}", path=path)


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Encode a definition or record as a JSON text (see `to_dict`)."""
    return json.dumps(to_dict(value), ensure_ascii=False, indent=indent, allow_nan=False)


# -- decoding ----------------------------------------------------------------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Decoder:
    def __init__(self, kind: str, guards: Mapping[str, Callable[..., Any]]) -> None:
        self.kind = kind
        self.guards = guards

    def fail(self, path: str, reason: str) -> CodecError:
        return CodecError(self.kind, reason, path=path)

    def decode(self, hint: Any, value: Any, path: str, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail(path, f"is nested more than {_MAX_DEPTH} levels deep")
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if hint is Any:
            if not _is_json(value, _MAX_DEPTH):
                raise self.fail(path, "must be a JSON value (finite numbers, string keys)")
            return value
        if hint is type(None):
            if value is not None:
                raise self.fail(path, f"must be null, got {type(value).__name__}")
            return None
        if origin in (typing.Union, types.UnionType):
            return self.union(args, value, path, depth)
        if origin is typing.Literal:
            if value not in args or not isinstance(value, str | int):
                raise self.fail(path, f"must be one of: {', '.join(map(str, args))}")
            return value
        if isinstance(hint, type):
            return self.scalar(hint, value, path, depth)
        if origin is tuple:
            items = self.array(value, path)
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(
                    self.decode(args[0], v, f"{path}[{i}]", depth + 1) for i, v in enumerate(items)
                )
            if len(items) != len(args):
                raise self.fail(path, f"must be an array of {len(args)} items, got {len(items)}")
            return tuple(
                self.decode(a, v, f"{path}[{i}]", depth + 1)
                for i, (a, v) in enumerate(zip(args, items, strict=True))
            )
        if origin in (frozenset, set):
            items = self.array(value, path)
            return frozenset(
                self.decode(args[0], v, f"{path}[{i}]", depth + 1) for i, v in enumerate(items)
            )
        if origin is Sequence:  # a complaint's events
            items = self.array(value, path)
            return tuple(
                self.decode(args[0], v, f"{path}[{i}]", depth + 1) for i, v in enumerate(items)
            )
        if origin in (list,):
            items = self.array(value, path)
            return [self.decode(args[0], v, f"{path}[{i}]", depth + 1) for i, v in enumerate(items)]
        if origin in (dict, Mapping, typing.Mapping) or (
            isinstance(origin, type) and issubclass(origin, Mapping)
        ):
            if not isinstance(value, dict):
                raise self.fail(path, f"must be an object, got {_kind(value)}")
            key_hint, item_hint = args or (str, Any)
            return {
                self.decode(key_hint, k, path, depth + 1): self.decode(
                    item_hint, v, _join(path, str(k)), depth + 1
                )
                for k, v in value.items()
            }
        if origin is not None and (
            origin is Callable or getattr(origin, "__name__", "") == "Callable"
        ):
            return self.guard(value, path)
        raise self.fail(path, f"has a type this codec cannot decode ({hint!r})")

    def union(self, args: tuple[Any, ...], value: Any, path: str, depth: int) -> Any:
        errors = []
        for arg in args:
            try:
                return self.decode(arg, value, path, depth)
            except CodecError as error:
                errors.append(error)
        if len(errors) == 1:
            raise errors[0]
        # A value that is not null failed every other alternative: theirs is the error
        # (`tuple[int, int] | None` given three items: "must be an array of 2 items").
        if value is not None and type(None) in args:
            shaped = [e for a, e in zip(args, errors, strict=True) if a is not type(None)]
            if len(shaped) == 1:
                only = shaped[0]
                if only.path != path:  # it failed inside: the bad field is named
                    raise only
                raise self.fail(path, f"{only.reason} (or null)")
        # One alternative took the value's shape and failed inside it (``Workflow | None``
        # given an object with a bad field): its error names the bad field, so it is the one.
        inside = [error for error in errors if error.path != path]
        if len(inside) == 1:
            raise inside[0]
        names = " or ".join(_hint_name(a) for a in args)
        raise self.fail(path, f"must be {names}, got {_kind(value)}")

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be an array, got {_kind(value)}")
        return value

    def guard(self, value: Any, path: str) -> Callable[..., Any]:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a guard reference string, got {_kind(value)}")
        guard = self.guards.get(value)
        if guard is None:
            raise self.fail(
                path,
                f"unknown guard reference (not echoed); pass it in guards= (known: "
                f"{', '.join(sorted(self.guards)) or 'none'})",
            )
        return guard

    def scalar(self, hint: type, value: Any, path: str, depth: int) -> Any:
        if attrs.has(hint):
            return self.record(hint, value, path, depth)
        if issubclass(hint, Enum):
            members = [m.value for m in hint]
            if not isinstance(value, str | int) or isinstance(value, bool) or value not in members:
                raise self.fail(path, f"must be one of: {', '.join(map(str, members))}")
            return hint(value)
        if hint is bool:
            if not isinstance(value, bool):
                raise self.fail(path, f"must be true or false, got {_kind(value)}")
            return value
        if hint is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(path, f"must be an integer, got {_kind(value)}")
            return value
        if hint is float:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise self.fail(path, f"must be a number, got {_kind(value)}")
            if value != value or abs(value) == float("inf"):
                raise self.fail(path, "must be a finite number")
            return float(value)
        if hint is str:
            if not isinstance(value, str):
                raise self.fail(path, f"must be a string, got {_kind(value)}")
            return value
        if hint is datetime:
            return self.instant(value, path)
        if hint is date:
            if not isinstance(value, str) or len(value) != 10:
                raise self.fail(path, "must be a date YYYY-MM-DD")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(path, "must be a date YYYY-MM-DD") from None
        if hint is timedelta:
            return self.duration(value, path)
        raise self.fail(path, f"has a type this codec cannot decode ({hint.__name__})")

    def instant(self, value: Any, path: str) -> datetime:
        if not isinstance(value, str):
            raise self.fail(path, f"must be an ISO 8601 instant string, got {_kind(value)}")
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(
                path, "is not an ISO 8601 instant (2026-03-17T09:15:00+07:00)"
            ) from None
        if instant.tzinfo is None:
            raise self.fail(path, "must carry a UTC offset (2026-03-17T09:15:00+07:00)")
        return instant

    def duration(self, value: Any, path: str) -> timedelta:
        match = _DURATION.match(value) if isinstance(value, str) and len(value) < 64 else None
        if match is None or value in ("P", "-P", "PT", "-PT"):
            raise self.fail(path, "must be an ISO 8601 duration such as 'PT7H30M' or 'P3D'")
        sign, days, hours, minutes, seconds = match.groups()
        try:
            delta = timedelta(
                days=int(days or 0),
                hours=int(hours or 0),
                minutes=int(minutes or 0),
                seconds=float(seconds or 0),
            )
        except OverflowError:
            raise self.fail(path, "is out of range") from None
        return -delta if sign else delta

    def record(self, cls: type, value: Any, path: str, depth: int) -> Any:
        if not isinstance(value, dict):
            raise self.fail(path, f"must be an object ({cls.__name__}), got {_kind(value)}")
        try:
            hints = typing.get_type_hints(cls)
        except Exception as error:  # pragma: no cover - a library class with bad annotations
            raise self.fail(path, f"cannot read the fields of {cls.__name__}: {error}") from None
        fields = {f.alias: f for f in attrs.fields(cls) if f.init}
        unknown = [i for i, key in enumerate(value, start=1) if key not in fields]
        if unknown:  # named by position: an unknown key is input and may be personal
            raise self.fail(
                path,
                f"key number {unknown[0]} is not a field of {cls.__name__}; "
                f"its fields: {', '.join(fields)}",
            )
        kwargs = {}
        for alias, field in fields.items():
            if alias not in value:
                if field.default is attrs.NOTHING:
                    raise self.fail(_join(path, alias), "is missing")
                continue
            kwargs[alias] = self.decode(
                hints.get(field.name, Any), value[alias], _join(path, alias), depth + 1
            )
        try:
            return cls(**kwargs)
        except (PengaduanError, ValueError, TypeError, KeyError, LookupError) as error:
            raise self.fail(path, str(error) or type(error).__name__) from None


def _kind(value: Any) -> str:
    return {
        type(None): "null",
        bool: "boolean",
        dict: "object",
        list: "array",
        str: "str",
        int: "integer",
        float: "number",
    }.get(type(value), type(value).__name__)


def _hint_name(hint: Any) -> str:
    if hint is type(None):
        return "null"
    if hint is timedelta:
        return "a duration"
    return getattr(hint, "__name__", str(hint))


def from_dict(
    cls: type[T], data: Any, *, guards: Mapping[str, Callable[..., Any]] | None = None
) -> T:
    """Decode a definition or record of class `cls` from JSON values.

    Args:
        cls: The class, e.g. `Workflow`, `WorkCalendar`, `Policy`, `Complaint`, `Event`.
        data: The decoded JSON (a dict for a record).
        guards: The guards a workflow may name, by reference (`guard_reference`); for the
            preset workflow, `pengaduan.presets.lapor_guards`. Guards are never imported by
            name from the data: a file cannot run code.

    Raises:
        CodecError: With the path to the first bad field.
    """
    decoder = _Decoder(cls.__name__, dict(guards or {}))
    result: T = decoder.decode(cls, data, "")
    return result


def loads(
    cls: type[T], text: str | bytes, *, guards: Mapping[str, Callable[..., Any]] | None = None
) -> T:
    """Decode a definition or record of class `cls` from a JSON text (see `from_dict`).

    Raises:
        CodecError: If the text is not JSON, or with the path to the first bad field.
    """
    try:
        data = strict_json(text)
    except json.JSONDecodeError as error:
        raise CodecError(
            cls.__name__, f"not valid JSON ({error.msg} at line {error.lineno})"
        ) from None
    except ValueError as error:  # NaN, a repeated key, a lone surrogate, too many digits
        path = str(getattr(error, "path", ""))
        raise CodecError(cls.__name__, f"not valid JSON ({error})", path=path) from None
    return from_dict(cls, data, guards=guards)


def decode_complaint(data: Any, workflow: Workflow) -> Complaint:
    """Decode a complaint and rebuild it from its events (its state is never trusted).

    Raises:
        CodecError: If the record is malformed.
        RefusedError: If the workflow refuses one of its events.
    """
    complaint = from_dict(Complaint, data)
    rebuilt = workflow.new(complaint.id)
    for event in complaint.events:
        rebuilt = workflow.apply_event(rebuilt, event)
    return rebuilt
