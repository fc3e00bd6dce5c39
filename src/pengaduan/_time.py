"""The check every instant passes: timezone-aware datetimes only."""

from __future__ import annotations

from datetime import datetime

from pengaduan.exceptions import NaiveDatetimeError


def require_aware(value: datetime, what: str) -> datetime:
    """Return `value` if it is a timezone-aware datetime, else raise.

    Raises:
        NaiveDatetimeError: If `value` has no usable UTC offset.
        TypeError: If `value` is not a datetime at all.
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(what)
    return value
