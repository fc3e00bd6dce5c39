"""Calendar speed against the peers, in one run (issue 3, item 7).

Run:  .venv/bin/python benchmarks/bench_calendar.py [--pairs 1000000] [--seed 3]

Inputs: random (date, n) pairs over 2018-2027 with the Indonesian government calendar
(national holidays and cuti bersama from `holidays`, Monday to Friday). Each peer is timed on
its own input and output types, and ours on the same types:

- holidays' ``get_nth_working_day`` (date -> date) against ``add_working_days_to_date``;
- pandas ``CustomBusinessDay`` (Timestamp -> Timestamp) against ours wrapped in Timestamps;
- numpy ``busday_offset`` over arrays against ``add_working_days_array``;
- pandas ``CustomBusinessHour`` (one schedule for all weekdays: 08:00-16:00, as it cannot
  close later on Friday) against ``add_working_time`` on the same uniform schedule, with a
  check of where the two agree.

The slow peers are timed on a subset and their per-call cost is multiplied out; the output
says so. Needs numpy and pandas (the ``test`` extra).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd

from pengaduan.calendar import WeeklyHours, WorkCalendar
from pengaduan.presets import id_gov_calendar

WIB = ZoneInfo("Asia/Jakarta")


def timed(label: str, calls: int, fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    print(f"  timed {label}: {calls:,} calls in {seconds:.2f} s", flush=True)
    return seconds / calls * 1e6, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=100_000, help="calls for slow peers")
    parser.add_argument("--hour-subset", type=int, default=20_000, help="calls for pandas CBH")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    n_pairs = args.pairs
    subset = min(args.subset, n_pairs)
    hour_subset = min(args.hour_subset, n_pairs)

    cal = id_gov_calendar()
    ref = holidays.country_holidays(
        "ID", years=range(2017, 2030), categories=("public", "government"), language="id"
    )
    hol_dates = sorted(ref.keys())
    first, span = (
        date(2018, 1, 1).toordinal(),
        date(2027, 12, 31).toordinal() - date(2018, 1, 1).toordinal(),
    )
    days = [date.fromordinal(first + rng.randrange(span - 60)) for _ in range(n_pairs)]
    ns = [rng.randint(1, 20) for _ in range(n_pairs)]
    print(f"{n_pairs:,} random (date, n) pairs over 2018-2027, n in 1..20; Indonesian holidays")

    rows: list[tuple[str, str, float, int, bool]] = []

    # -- scalar working days: date -> date vs holidays ---------------------------------------
    # Build the lazy index over the whole span outside the timings (it is built once per
    # calendar and kept; holidays and pandas likewise get their holiday tables up front).
    cal.add_working_days_to_date(date(2017, 1, 1), 1)
    cal.add_working_days_to_date(date(2028, 12, 1), 1)
    ours_date, ours_out = timed(
        "ours add_working_days_to_date",
        n_pairs,
        lambda: [cal.add_working_days_to_date(d, n) for d, n in zip(days, ns, strict=True)],
    )
    rows.append(
        (
            "working days, date -> date",
            "pengaduan add_working_days_to_date",
            ours_date,
            n_pairs,
            False,
        )
    )
    hol_us, hol_out = timed(
        "holidays get_nth_working_day",
        subset,
        lambda: [
            ref.get_nth_working_day(d, n) for d, n in zip(days[:subset], ns[:subset], strict=True)
        ],
    )
    rows.append(
        (
            "working days, date -> date",
            "holidays get_nth_working_day",
            hol_us,
            subset,
            subset < n_pairs,
        )
    )
    assert hol_out == ours_out[:subset], "holidays disagrees"  # type: ignore[index]

    # -- scalar working days vs pandas CustomBusinessDay ----------------------------------------
    stamps = [pd.Timestamp(d) for d in days[:subset]]
    cbd = pd.offsets.CustomBusinessDay(holidays=hol_dates)
    pd_date_us, pd_date_out = timed(
        "pandas CustomBusinessDay, date in/out",
        subset,
        lambda: [
            (pd.Timestamp(d) + n * cbd).date() for d, n in zip(days[:subset], ns, strict=False)
        ],
    )
    rows.append(
        (
            "working days, date -> date",
            "pandas CustomBusinessDay (.date())",
            pd_date_us,
            subset,
            subset < n_pairs,
        )
    )
    assert pd_date_out == ours_out[:subset], "pandas CustomBusinessDay disagrees"  # type: ignore[index]
    pd_us, pd_out = timed(
        "pandas CustomBusinessDay",
        subset,
        lambda: [s + n * cbd for s, n in zip(stamps, ns, strict=False)],
    )
    rows.append(
        (
            "working days, Timestamp -> Timestamp",
            "pandas CustomBusinessDay",
            pd_us,
            subset,
            subset < n_pairs,
        )
    )
    all_stamps = [pd.Timestamp(d) for d in days]
    ours_ts, ours_ts_out = timed(
        "ours with Timestamps",
        n_pairs,
        lambda: [
            # A Timestamp is a datetime: the date form takes its local date, not the instant.
            pd.Timestamp(cal.add_working_days_to_date(s.date(), n))
            for s, n in zip(all_stamps, ns, strict=True)
        ],
    )
    rows.append(
        (
            "working days, Timestamp -> Timestamp",
            "pengaduan (Timestamp in/out)",
            ours_ts,
            n_pairs,
            False,
        )
    )
    assert pd_out == ours_ts_out[:subset], "pandas CustomBusinessDay disagrees"  # type: ignore[index]

    # -- batch working days vs numpy.busday_offset ---------------------------------------------
    d_arr = np.array(days, dtype="datetime64[D]")
    n_arr = np.array(ns, dtype=np.int64)
    busdaycal = np.busdaycalendar(holidays=np.array(hol_dates, dtype="datetime64[D]"))
    np.busday_offset(d_arr[:10], n_arr[:10], roll="backward", busdaycal=busdaycal)
    cal.add_working_days_array(d_arr[:10], n_arr[:10])
    np_us, np_out = timed(
        "numpy busday_offset",
        n_pairs,
        lambda: np.busday_offset(d_arr, n_arr, roll="backward", busdaycal=busdaycal),
    )
    rows.append(("working days, batch of arrays", "numpy busday_offset", np_us, n_pairs, False))
    ours_np, ours_np_out = timed(
        "ours add_working_days_array", n_pairs, lambda: cal.add_working_days_array(d_arr, n_arr)
    )
    rows.append(
        (
            "working days, batch of arrays",
            "pengaduan add_working_days_array",
            ours_np,
            n_pairs,
            False,
        )
    )
    assert (np_out == ours_np_out).all(), "numpy disagrees"  # type: ignore[union-attr]

    # -- working time vs pandas CustomBusinessHour ---------------------------------------------
    uniform = WorkCalendar(
        name="uniform 08-16",
        zone="Asia/Jakarta",
        hours=WeeklyHours.parse({"mon-fri": "08:00-16:00"}),
        holidays=cal.holidays,
    )
    starts = [
        datetime.combine(d, datetime.min.time()) + timedelta(minutes=rng.randrange(24 * 60))
        for d in days
    ]
    hours = [rng.randint(1, 40) for _ in range(n_pairs)]
    aware = [s.replace(tzinfo=WIB) for s in starts]
    deltas = [timedelta(hours=h) for h in hours]
    uniform.add_working_days_to_date(date(2017, 1, 1), 1)
    uniform.add_working_days_to_date(date(2028, 12, 1), 1)
    ours_h, ours_h_out = timed(
        "ours add_working_time",
        n_pairs,
        lambda: [uniform.add_working_time(t, h) for t, h in zip(aware, deltas, strict=True)],
    )
    rows.append(
        (
            "working time, aware datetime + timedelta",
            "pengaduan add_working_time",
            ours_h,
            n_pairs,
            False,
        )
    )
    cbh = pd.offsets.CustomBusinessHour(start="08:00", end="16:00", holidays=hol_dates)
    pstarts = [pd.Timestamp(s) for s in starts[:hour_subset]]
    cbh_us, cbh_out = timed(
        "pandas CustomBusinessHour",
        hour_subset,
        lambda: [s + h * cbh for s, h in zip(pstarts, hours, strict=False)],
    )
    rows.append(
        (
            "working time, aware datetime + timedelta",
            "pandas CustomBusinessHour",
            cbh_us,
            hour_subset,
            hour_subset < n_pairs,
        )
    )
    agree = closing = other = 0
    for mine, theirs in zip(ours_h_out, cbh_out, strict=False):  # type: ignore[call-overload]
        exact = mine.replace(tzinfo=None)
        if exact == theirs.to_pydatetime():
            agree += 1
        elif (
            exact.time() == datetime.strptime("16:00", "%H:%M").time()
            and uniform.next_working(mine).replace(tzinfo=None) == theirs.to_pydatetime()
        ):
            closing += 1
        else:
            other += 1

    # -- report -----------------------------------------------------------------------------
    print()
    print(f"{'task':42} {'implementation':38} {'us/call':>9} {'calls timed':>12}")
    for task, impl, us, calls, scaled in rows:
        note = " (subset; per-call cost scaled to all pairs)" if scaled else ""
        print(f"{task:42} {impl:38} {us:9.3f} {calls:12,}{note}")
    print()
    print("ratios (peer time / ours; > 1 means ours is faster):")
    print(
        f"  holidays get_nth_working_day / ours date form      {hol_us / ours_date:8.1f}x"
        "  (goal >= 10)"
    )
    print(
        f"  pandas CustomBusinessDay / ours, both date -> date {pd_date_us / ours_date:8.1f}x"
        "  (goal >= 10)"
    )
    print(
        f"  pandas CustomBusinessDay / ours, both Timestamps   {pd_us / ours_ts:8.1f}x"
        "  (pd.Timestamp() alone costs about 0.8 us)"
    )
    print(
        f"  ours batch / numpy busday_offset                   {ours_np / np_us:8.2f}x  (goal <= 3)"
    )
    print(
        f"  pandas CustomBusinessHour / ours add_working_time  {cbh_us / ours_h:8.1f}x"
        "  (goal >= 10)"
    )
    for label, total in (
        ("scaled to all pairs: holidays get_nth_working_day", hol_us * n_pairs / 1e6),
        ("scaled to all pairs: pandas CustomBusinessDay", pd_us * n_pairs / 1e6),
        ("scaled to all pairs: pandas CustomBusinessHour", cbh_us * n_pairs / 1e6),
    ):
        print(f"  {label:52} {total:8.1f} s")
    print()
    print(f"agreement with pandas CustomBusinessHour on {len(cbh_out):,} calls:")  # type: ignore[arg-type]
    print(f"  same instant: {agree:,}")
    print(
        f"  pandas gives the next opening where the exact answer is the 16:00 closing: {closing:,}"
    )
    print(f"  other differences: {other:,}")


if __name__ == "__main__":
    main()
