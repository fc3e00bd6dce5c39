"""Where "now" comes from, when a host app lets the library ask.

Library computations take their instant explicitly (``at=``, ``as_of=``); nothing in
`pengaduan` reads the wall clock. A host app that would rather hand over a source of time (a
scheduler that wakes up and asks what is due "now") passes any object with a ``now()`` method
returning a timezone-aware datetime: a `TimeSource`. In production that is the host's own
`SystemClock`, the one shipped time source that reads the system clock; in tests it is
`pengaduan.testing.ManualClock`, which moves only when the test moves it.

The protocol is named `TimeSource` rather than ``Clock`` because `pengaduan.sla.Clock` is an
SLA clock definition, a different thing.

```pycon
>>> from datetime import datetime, timezone
>>> class Frozen:
...     def now(self) -> datetime:
...         return datetime(2026, 3, 13, 2, 0, tzinfo=timezone.utc)
>>> isinstance(Frozen(), TimeSource)
True
>>> now_of(Frozen()).isoformat()
'2026-03-13T02:00:00+00:00'

```
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

import attrs

from pengaduan._time import require_aware

__all__ = ["SystemClock", "TimeSource", "instant_of", "now_of"]


@runtime_checkable
class TimeSource(Protocol):
    """Anything that says what time it is: an object with a ``now()`` method.

    ``now()`` must return a timezone-aware datetime. In production use `SystemClock`; tests
    use `pengaduan.testing.ManualClock`.
    """

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


def now_of(source: TimeSource) -> datetime:
    """Ask `source` for the current instant and check that it is timezone-aware.

    Raises:
        NaiveDatetimeError: If the source answers with a naive datetime.
        TypeError: If it answers with something other than a datetime.
    """
    return require_aware(source.now(), f"{type(source).__name__}.now()")


@attrs.frozen
class SystemClock:
    """The system's wall clock, in UTC: the time source of a running service.

    This is the one place in `pengaduan` that reads the wall clock; everything else takes its
    instant from a `TimeSource` or an explicit ``at=`` / ``as_of=``. The answer is always
    timezone-aware (UTC); present it in a calendar's zone with ``astimezone``.

    ```pycon
    >>> SystemClock().now().tzinfo
    datetime.timezone.utc
    >>> isinstance(SystemClock(), TimeSource)
    True

    ```
    """

    def now(self) -> datetime:
        """The current instant, in UTC."""
        return datetime.now(UTC)  # wall-clock ok: the shipped system time source


def instant_of(as_of: datetime | TimeSource, what: str = "as_of") -> datetime:
    """The instant `as_of` names: itself if a datetime, else what the time source says now.

    Every function of the library that takes an ``as_of`` instant takes a `TimeSource` in
    its place too, asked once.

    ```pycon
    >>> from datetime import datetime, timezone
    >>> noon = datetime(2026, 3, 13, 5, tzinfo=timezone.utc)
    >>> instant_of(noon) == noon
    True
    >>> class Noon:
    ...     def now(self) -> datetime:
    ...         return noon
    >>> instant_of(Noon()) == noon
    True

    ```

    Raises:
        NaiveDatetimeError: If the instant (or the source's answer) is naive.
        TypeError: If `as_of` is neither a datetime nor a time source.
    """
    if isinstance(as_of, datetime):
        return require_aware(as_of, what)
    if not isinstance(as_of, TimeSource):
        raise TypeError(f"{what} must be a datetime or a TimeSource, got {type(as_of).__name__}")
    return now_of(as_of)
