"""Calendar lookups over numpy arrays for `pengaduan.batch` (private; needs numpy).

`CalendarArrays` copies one `WorkCalendar`'s lookup index (the one its scalar methods bisect,
see `pengaduan._calendar_index`) into numpy arrays, with the local midnights of every date it
covers, and answers the scalar methods' questions for arrays of instants (UTC microseconds
since the Unix epoch) with `numpy.searchsorted`: the same tables, the same arithmetic, so the
same answers to the microsecond.

A query outside the years held raises `_OutOfRangeError`; the caller widens the span and asks again.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pengaduan._calendar_index import DAY_US, from_us, local_us

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from pengaduan.calendar import WorkCalendar

    Ints = np.ndarray[Any, np.dtype[np.int64]]
    Bools = np.ndarray[Any, np.dtype[np.bool_]]

__all__ = ["CalendarArrays", "OutOfRangeError", "arrays_for", "remember", "us_of"]

_YEAR_MIN, _YEAR_MAX = 2, 9997
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class OutOfRangeError(Exception):
    """A query reached past the years an array copy holds (internal: widen and retry)."""


def _coverage(cal: WorkCalendar) -> list[tuple[int, int]]:
    """The ``holiday_years`` of a calendar and of every part of a combined one."""
    if cal.combination is not None:
        return [span for part in cal.combination.calendars for span in _coverage(part)]
    return [] if cal.holiday_years is None else [cal.holiday_years]


def _zone_problem(cal: WorkCalendar, midnights: Ints, d0: int) -> str | None:
    """Why local dates of `cal`'s zone cannot be read off its midnights, or ``None``.

    The local date of an instant is found by where it falls among the local midnights; that is
    exact unless the clocks turn back across a midnight (the date would go back too).
    """
    import numpy as np

    if bool((np.diff(midnights) == DAY_US).all()):
        return None
    tz = cal.tz
    six = 6 * 3_600_000_000
    for k, m in enumerate(midnights.tolist()):
        before = from_us(m, tz).utcoffset()
        after = from_us(m + six, tz).utcoffset()
        if before is None or after is None or not after < before:
            continue
        lo, hi = m, m + six  # the offset is `before` at lo, `after` at hi: find the change
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if from_us(mid, tz).utcoffset() == before:
                lo = mid
            else:
                hi = mid
        since_midnight = (hi + us_of(before)) % DAY_US
        if since_midnight < us_of(before - after):
            return (
                f"the clocks of {cal.zone} turn back across midnight on "
                f"{date.fromordinal(d0 + k).isoformat()}, so local dates are not monotonic"
            )
    return None


_CACHE: dict[int, tuple[Any, CalendarArrays]] = {}


def arrays_for(cal: WorkCalendar, first_year: int, last_year: int) -> CalendarArrays:
    """A `CalendarArrays` of `cal` holding at least those years (kept for the next call)."""
    found = _CACHE.get(id(cal))
    if found is not None and found[0] is cal:
        arrays = found[1]
        if arrays.holds(first_year, last_year):
            return arrays
        first_year = min(first_year, arrays.first_year)
        last_year = max(last_year, arrays.last_year)
    arrays = CalendarArrays(cal, first_year, last_year)
    remember(arrays)
    return arrays


def remember(arrays: CalendarArrays) -> None:
    """Keep `arrays` for the next `arrays_for` of its calendar (a few calendars at most)."""
    if len(_CACHE) >= 8:
        _CACHE.clear()
    _CACHE[id(arrays.cal)] = (arrays.cal, arrays)


class CalendarArrays:
    """One calendar's index as numpy arrays, over whole local years.

    Attributes:
        lo: The first instant covered (UTC microseconds).
        hi: The instant after the last one covered.
    """

    def __init__(self, cal: WorkCalendar, first_year: int, last_year: int) -> None:
        import numpy as np

        first_year = max(first_year, _YEAR_MIN)
        last_year = min(last_year, _YEAR_MAX)
        idx = cal._index_years(first_year, last_year)
        self.cal = cal
        self.first_year, self.last_year = idx.first_year, idx.last_year
        self.d0, self.d1 = idx.d0, idx.d1
        self.lo, self.hi = idx.lo, idx.hi
        self.starts: Ints = np.asarray(idx.starts, dtype=np.int64)
        ends = np.asarray(idx.ends, dtype=np.int64)
        self.ends: Ints = ends
        self.cums: Ints = np.asarray(idx.cums, dtype=np.int64)
        self.cum_end: Ints = self.cums + (ends - self.starts)
        self.days: Ints = np.asarray(idx.days, dtype=np.int64)
        self.est_days: Ints = np.asarray(idx.est_days, dtype=np.int64)
        self.est_time: Ints = np.asarray(idx.est_time, dtype=np.int64)
        tz = cal.tz
        self.midnights: Ints = np.asarray(
            [local_us(o, 0, tz) for o in range(idx.d0, idx.d1 + 1)], dtype=np.int64
        )
        self.coverage = _coverage(cal)
        self.zone_problem = _zone_problem(cal, self.midnights, idx.d0)

    def holds(self, first_year: int, last_year: int) -> bool:
        """Whether these years (as far as any are held) are all held."""
        return (
            self.first_year <= max(first_year, _YEAR_MIN)
            and min(last_year, _YEAR_MAX) <= self.last_year
        )

    def widened(self) -> CalendarArrays:
        """A copy over twice as many years (at least one more on each side)."""
        span = self.last_year - self.first_year + 1
        if self.first_year <= _YEAR_MIN and self.last_year >= _YEAR_MAX:
            raise self.cal._beyond()
        return CalendarArrays(self.cal, self.first_year - span, self.last_year + span)

    def _check(self, x: Ints) -> None:
        if x.size and (int(x.min()) < self.lo or int(x.max()) >= self.hi):
            raise OutOfRangeError

    # -- working time ------------------------------------------------------------------------

    def worked(self, x: Ints) -> Ints:
        """`Index.worked` for an array of instants (checked to lie within the span)."""
        import numpy as np

        self._check(x)
        if not self.starts.size:
            return np.zeros_like(x)
        i = np.searchsorted(self.starts, x, side="right") - 1
        j = np.maximum(i, 0)
        out: Ints = np.where(i < 0, 0, self.cums[j] + np.minimum(x, self.ends[j]) - self.starts[j])
        return out

    def forward(self, x: Ints, target: Ints) -> Ints:
        """`Index.forward` for positive targets: the instant ``worked`` reaches `target`."""
        import numpy as np

        i = np.searchsorted(self.cum_end, target, side="left")
        if i.size and int(i.max()) >= len(self.cum_end):
            raise OutOfRangeError
        r: Ints = np.maximum(self.starts[i] + (target - self.cums[i]), x)
        self._check(r)
        return r

    def add_time(self, x: Ints, delta: Ints, worked_x: Ints | None = None) -> Ints:
        """`WorkCalendar.add_working_time` for positive durations (microseconds)."""
        base = self.worked(x) if worked_x is None else worked_x
        return self.forward(x, base + delta)

    # -- dates -------------------------------------------------------------------------------

    def ordinal(self, x: Ints) -> Ints:
        """The local date (proleptic ordinal) of each instant."""
        import numpy as np

        self._check(x)
        out: Ints = self.d0 + np.searchsorted(self.midnights, x, side="right") - 1
        return out

    def day_end(self, o: Ints) -> Ints:
        """The end (24:00 local, as UTC microseconds) of each local date."""
        k = o + 1 - self.d0
        if k.size and (int(k.min()) < 0 or int(k.max()) >= len(self.midnights)):
            raise OutOfRangeError
        out: Ints = self.midnights[k]
        return out

    def nth_day(self, o: Ints, n: Ints) -> Ints:
        """`WorkCalendar._nth_day` for ``n >= 1``: the n-th working day after each date."""
        import numpy as np

        if not self.days.size:
            raise OutOfRangeError
        if o.size and (int(o.min()) < self.d0 or int(o.max()) >= self.d1):
            raise OutOfRangeError
        i = np.searchsorted(self.days, o, side="right") + n - 1
        if i.size and int(i.max()) >= len(self.days):
            raise OutOfRangeError
        out: Ints = self.days[i]
        return out

    def days_between(self, oa: Ints, ob: Ints) -> Ints:
        """`WorkCalendar._days_between` for arrays of local dates."""
        import numpy as np

        for o in (oa, ob):
            if o.size and (int(o.min()) < self.d0 or int(o.max()) >= self.d1):
                raise OutOfRangeError
        out: Ints = np.searchsorted(self.days, ob, side="right") - np.searchsorted(
            self.days, oa, side="right"
        )
        return out

    def depends_on_estimate(self, first: Ints, last: Ints, *, hours: bool) -> Bools:
        """`WorkCalendar.depends_on_estimate` for arrays of local dates."""
        import numpy as np

        lo = np.minimum(first, last)
        hi = np.maximum(first, last)
        if lo.size and (int(lo.min()) < self.d0 or int(hi.max()) >= self.d1):
            raise OutOfRangeError
        marks = self.est_time if hours else self.est_days
        out: Bools = np.zeros(lo.shape, dtype=bool)
        if marks.size:
            i = np.searchsorted(marks, lo, side="left")
            found = i < len(marks)
            out = found & (marks[np.minimum(i, len(marks) - 1)] <= hi)
        if self.coverage and lo.size:
            lo_year = _years(lo)
            hi_year = _years(hi)
            for a, b in self.coverage:
                out |= (lo_year < a) | (hi_year > b)
        return out


def _years(ordinals: Ints) -> Ints:
    """The years of proleptic ordinals (through numpy's calendar arithmetic)."""
    import numpy as np

    days = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
    out: Ints = days.astype("datetime64[Y]").astype(np.int64) + 1970
    return out


def us_of(delta: timedelta) -> int:
    """A duration as whole microseconds."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
