"""The lookup index behind `pengaduan.calendar.WorkCalendar` (private).

An index covers whole local years ``[first_year, last_year]`` of one calendar and holds:

- ``days``: the sorted ordinals (``date.toordinal()``) of its working days;
- ``starts`` / ``ends`` / ``cums``: its merged working intervals in UTC microseconds since the
  Unix epoch, with the working microseconds before each interval (``cums``);
- ``est_days`` / ``est_time``: the sorted ordinals of the dates whose working-day status or whose
  working hours depend on an estimated holiday or estimated dated rule.

Every query is a `bisect` on these lists; nothing steps day by day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
DAY_US = 86_400_000_000


def to_us(value: datetime) -> int:
    """Return an aware datetime as whole microseconds since the Unix epoch."""
    d = value - EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def from_us(us: int, zone: ZoneInfo) -> datetime:
    """Return microseconds since the epoch as an aware datetime in `zone`."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(zone)


def local_us(ordinal: int, offset_us: int, zone: ZoneInfo) -> int:
    """Return the UTC instant of a wall-clock time: local date `ordinal` plus `offset_us`.

    The offset may pass midnight (an overnight window's end, or 24:00); it is wall-clock time,
    so a window across a daylight-saving change lasts what the clocks say. A wall time that
    occurs twice (a fall-back) is its first occurrence; one that never occurs (inside a
    spring-forward gap) is the instant the clocks jump, the first at which the wall clock
    reads that time or later.
    """
    extra_days, rest = divmod(offset_us, DAY_US)
    day = date.fromordinal(ordinal + extra_days)
    wall = datetime.combine(day, time(), tzinfo=zone) + timedelta(microseconds=rest)
    first = to_us(wall)  # fold=0
    second = to_us(wall.replace(fold=1))
    if second >= first:  # an ordinary wall time, or the first of a repeated one
        return first
    # In a gap, fold=1 maps before the jump and fold=0 after it: find the jump.
    target = wall.replace(tzinfo=None)
    lo, hi = second, first
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if from_us(mid, zone).replace(tzinfo=None) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the union of half-open intervals, sorted, with touching ones joined."""
    intervals.sort()
    out: list[tuple[int, int]] = []
    for s, e in intervals:
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def intersect(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the intersection of two sorted lists of disjoint half-open intervals."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


class Index:
    """Lookup tables of one calendar over whole local years (see the module docstring)."""

    __slots__ = (
        "cums",
        "d0",
        "d1",
        "day_ends",
        "days",
        "ends",
        "est_days",
        "est_time",
        "first_year",
        "hi",
        "last_year",
        "lo",
        "np_days",
        "starts",
    )

    def __init__(
        self,
        first_year: int,
        last_year: int,
        zone: ZoneInfo,
        days: list[int],
        intervals: list[tuple[int, int]],
        est_days: list[int],
        est_time: list[int],
    ) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.d0 = date(first_year, 1, 1).toordinal()
        self.d1 = date(last_year + 1, 1, 1).toordinal()
        self.lo = local_us(self.d0, 0, zone)
        self.hi = local_us(self.d1, 0, zone)
        self.days = days
        self.starts = [s for s, _ in intervals]
        self.ends = [e for _, e in intervals]
        cums = []
        total = 0
        for s, e in intervals:
            cums.append(total)
            total += e - s
        self.cums = cums
        self.est_days = est_days
        self.est_time = est_time
        self.np_days: Any = None
        # ends of working days already asked for (aware datetimes), by ordinal
        self.day_ends: dict[int, datetime] = {}

    # -- working time ------------------------------------------------------------------------

    def worked(self, x: int) -> int:
        """Working microseconds from the index's first interval up to instant `x`."""
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return 0
        return self.cums[i] + min(x, self.ends[i]) - self.starts[i]

    def forward(self, x: int, target: int) -> int | None:
        """Earliest instant >= x at which `worked` reaches `target`, or None past the index."""
        cume = self.cums
        i = bisect_left(cume, target) - 1  # last interval with cum < target
        if i < 0:  # no working time is needed past x (or there is none at all)
            return x if target <= 0 and x < self.hi else None
        # the interval's span ends at or past target, unless target lies past the index
        n = len(cume)
        while i < n and cume[i] + self.ends[i] - self.starts[i] < target:
            i += 1
        if i >= n:
            return None
        r = self.starts[i] + (target - cume[i])
        if r < x:
            r = x
        return r if r < self.hi else None

    def backward(self, x: int, target: int) -> int | None:
        """Latest instant <= x at which `worked` equals `target`, or None before the index."""
        i = bisect_right(self.cums, target) - 1
        if i < 0:
            return None
        r = self.starts[i] + (target - self.cums[i])
        if r > x:
            r = x
        return r if r >= self.lo else None

    def is_working(self, x: int) -> bool:
        """Whether instant `x` lies inside a working interval."""
        i = bisect_right(self.starts, x) - 1
        return i >= 0 and x < self.ends[i]

    def next_start(self, x: int) -> int | None:
        """The start of the first interval after `x`, or None past the index."""
        i = bisect_right(self.starts, x)
        return self.starts[i] if i < len(self.starts) and self.starts[i] < self.hi else None

    def previous_end(self, x: int) -> int | None:
        """The end of the last interval ending at or before `x`, or None before the index."""
        i = bisect_right(self.ends, x) - 1
        return self.ends[i] if i >= 0 and self.ends[i] >= self.lo else None

    # -- estimated ---------------------------------------------------------------------------

    @staticmethod
    def any_in(ordinals: list[int], first: int, last: int) -> bool:
        """Whether a sorted list holds an ordinal in ``[first, last]``."""
        i = bisect_left(ordinals, first)
        return i < len(ordinals) and ordinals[i] <= last


#: Builds an index for the given first and last year (a closure over a calendar's rules).
Builder = Callable[[int, int], Index]
