"""Columnar input of `pengaduan.batch` (private; needs numpy).

`events_arrays` lays complaints out as the events table of the national-scale datasets (one
row per event, a complaint's rows contiguous and in history order), as a dict of numpy
arrays; `columns_of` reads such a table back from a dict of arrays, a pandas DataFrame or a
pyarrow Table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pengaduan._calendar_index import to_us
from pengaduan.exceptions import EventFormatError
from pengaduan.model import Actor, Complaint, Event

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["REQUIRED", "columns_of", "complaint_of", "events_arrays"]

#: The columns the batch path reads (``seq`` and ``year`` are used when present).
REQUIRED = ("complaint_id", "action", "at")
_OPTIONAL = ("seq", "year", "event_id", "at_offset", "actor_id", "actor_role", "actor_unit")


def events_arrays(
    complaints: Iterable[Complaint] | Mapping[str, Complaint], *, zone: str | ZoneInfo
) -> dict[str, np.ndarray[Any, Any]]:
    """The events of `complaints` as the columns of the events table, numpy arrays.

    ``data`` is left as ``"{}"`` on every row: the batch path never reads it, and this helper
    is no export (the public events table, with ``data`` redacted for a viewer, is
    `pengaduan.columnar`'s). ``at`` is ``datetime64[us]`` in UTC.
    """
    import numpy as np

    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    cid: list[str] = []
    seq: list[int] = []
    eid: list[str] = []
    action: list[str] = []
    at: list[int] = []
    offset: list[int] = []
    actor_id: list[str | None] = []
    role: list[str] = []
    unit: list[str | None] = []
    year: list[int] = []
    for complaint in complaints:
        events = complaint.events
        if not events:
            continue
        first_year = events[0].at.astimezone(tz).year
        for k, event in enumerate(events, 1):
            cid.append(complaint.id)
            seq.append(k)
            eid.append(event.id)
            action.append(event.action)
            at.append(to_us(event.at))
            delta = event.at.utcoffset()
            offset.append(0 if delta is None else int(delta.total_seconds()))
            actor_id.append(event.actor.id)
            role.append(str(event.actor.role))
            unit.append(event.actor.unit)
            year.append(first_year)
    return {
        "complaint_id": np.asarray(cid, dtype=object),
        "seq": np.asarray(seq, dtype=np.int32),
        "event_id": np.asarray(eid, dtype=object),
        "action": np.asarray(action, dtype=object),
        "at": np.asarray(at, dtype=np.int64).view("datetime64[us]"),
        "at_offset": np.asarray(offset, dtype=np.int32),
        "actor_id": np.asarray(actor_id, dtype=object),
        "actor_role": np.asarray(role, dtype=object),
        "actor_unit": np.asarray(unit, dtype=object),
        "data": np.full(len(cid), "{}", dtype=object),
        "year": np.asarray(year, dtype=np.int16),
    }


def _instants(values: Any, name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    """UTC microseconds since the epoch from datetime64 or int64 microseconds."""
    import numpy as np

    array = np.asarray(values)
    if array.dtype.kind == "M":
        # No copy of a column already in microseconds (the table is the caller's, read only).
        us = array.astype("datetime64[us]", copy=False)
        if array.dtype != us.dtype and bool((us != array).any()):
            raise EventFormatError("instants must be whole microseconds", path=name)
        out: np.ndarray[Any, np.dtype[np.int64]] = us.view(np.int64)
        if out.size and int(out.min()) == np.iinfo(np.int64).min:  # NaT is the least int64
            raise EventFormatError("an instant is missing (null)", path=name)
        return out
    if array.dtype.kind in "iu":
        return array.astype(np.int64, copy=False)
    raise EventFormatError(
        f"must be timestamps (datetime64 or microseconds since the epoch), not {array.dtype}",
        path=name,
    )


def _column(table: Any, name: str) -> Any:
    """One column of a dict of arrays, a pandas DataFrame or a pyarrow Table, as numpy."""
    import numpy as np

    if isinstance(table, Mapping):
        return np.asarray(table[name])
    if hasattr(table, "schema") and hasattr(table, "column"):  # a pyarrow Table
        column = table.column(name)
        if hasattr(column, "combine_chunks"):
            column = column.combine_chunks()
        import importlib

        pa: Any = importlib.import_module("pyarrow")
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
            return column.to_numpy(zero_copy_only=False)
        return column.to_numpy(zero_copy_only=False)
    series = table[name]  # a pandas DataFrame
    dt = getattr(series, "dt", None)
    if dt is not None and getattr(dt, "tz", None) is not None:
        series = dt.tz_convert("UTC").dt.tz_localize(None)
    return series.to_numpy()


def _names(table: Any) -> set[str]:
    if isinstance(table, Mapping):
        return set(table)
    if hasattr(table, "schema") and hasattr(table, "column_names"):
        return set(table.column_names)
    if hasattr(table, "columns"):
        return {str(c) for c in table.columns}
    raise TypeError(
        "events must be a dict of numpy arrays, a pandas DataFrame or a pyarrow Table, "
        f"not {type(table).__name__}"
    )


def columns_of(table: Any) -> dict[str, np.ndarray[Any, Any]]:
    """The columns the batch path reads, as numpy arrays (``at`` as int64 microseconds).

    Raises:
        EventFormatError: If a required column is missing or its instants are not usable.
        TypeError: If `table` is none of the accepted kinds.
    """
    names = _names(table)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise EventFormatError(
            f"the events table lacks the column(s) {', '.join(missing)}; the batch path needs "
            f"{', '.join(REQUIRED)}",
            path=missing[0],
        )
    out = {name: _column(table, name) for name in (*REQUIRED, *_OPTIONAL) if name in names}
    out["at"] = _instants(out["at"], "at")
    return out


def complaint_of(columns: Mapping[str, Any], rows: range) -> Complaint:
    """Rebuild one complaint from its rows, enough for `pengaduan.sla.evaluate`.

    The event ids, actors and offsets are taken from the columns when present; ``data`` is
    not read (no clock result depends on it but pause reasons and units, which clock rows
    leave out).
    """
    cid = str(columns["complaint_id"][rows.start])
    events = []
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for i in rows:
        at = epoch + timedelta(microseconds=int(columns["at"][i]))
        if "at_offset" in columns:
            at = at.astimezone(timezone(timedelta(seconds=int(columns["at_offset"][i]))))
        event_id = columns["event_id"][i] if "event_id" in columns else None
        role = columns["actor_role"][i] if "actor_role" in columns else None
        unit = columns["actor_unit"][i] if "actor_unit" in columns else None
        actor_id = columns["actor_id"][i] if "actor_id" in columns else None
        events.append(
            Event(
                str(event_id) if event_id else f"{cid}#{i - rows.start + 1}",
                cid,
                str(columns["action"][i]),
                at,
                Actor(
                    str(actor_id) if actor_id else "-",
                    str(role) if role else "-",
                    str(unit) if unit else None,
                ),
                {},
            )
        )
    return Complaint(cid, "", tuple(events))
