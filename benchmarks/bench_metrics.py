"""Metrics over 100,000 complaints against the same aggregation done directly in pandas.

The history is simulated (`pengaduan.simulation`, the Muara Enim units over four years, no
ladder; about five events per complaint: holds, archives, declines and re-dispatches, replies
and second follow-ups, automatic closes) and replayed once; neither is timed.

Timed, on the same events, grouped by unit, as of the end of the period:

- ``measure``: `pengaduan.metrics.measure(complaints, as_of, by="unit")`: per unit the counts
  (received, archived, verified, dispatched, followed up, closed, open), the follow-up and
  settlement rates, and the follow-up, verification and closure times (mean, median, p90) in
  calendar days and in working days (id-gov calendar), plus backlog ages;
- ``pandas``: the same figures computed directly from a flat table of the events (one row per
  event: complaint, action, instant, unit), with ``groupby`` / ``pivot`` and
  ``numpy.busday_count`` on the same working days. Building the table is not timed;
- ``measure + clocks``: `measure` with the SP4N-LAPOR! policy, which also evaluates the four
  clocks of every complaint for compliance and overdue lists (pandas has no equivalent: this
  row shows what the clocks cost on top).

The two results are checked to agree before anything is printed.

Run: ``.venv/bin/python benchmarks/bench_metrics.py [--complaints N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from pengaduan.metrics import measure
from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow
from pengaduan.simulation import muara_enim, simulate


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def flat_table(events: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "complaint": [e.complaint for e in events],
            "action": [e.action for e in events],
            "at": pd.to_datetime([e.at for e in events], utc=True),
            "unit": [e.data.get("unit") for e in events],
        }
    )


def pandas_metrics(df: pd.DataFrame, as_of: pd.Timestamp, holidays: np.ndarray) -> pd.DataFrame:
    """The figures of `measure(..., by="unit")`, straight from the event table."""
    workflow = lapor_workflow()
    dest = {a.name: a.dest for a in workflow.actions}
    terminal = [s.name for s in workflow.states if s.terminal]
    df = df[df["at"] <= as_of]
    # State after each event: the last event that changes it.
    moves = df[df["action"].map(dest).notna()]
    state = moves.groupby("complaint", sort=False)["action"].last().map(dest)
    # Unit: the last dispatch / forward; a decline clears it.
    unit_events = df[df["action"].isin(["dispatch", "forward", "decline"])]
    # The last such event, even when its unit is null (a decline): `last()` would skip it.
    last_unit = unit_events.groupby("complaint", sort=False).tail(1).set_index("complaint")["unit"]
    # First instant of each milestone.
    first = (
        df[df["action"].isin(["submit", "verify", "dispatch", "close"])]
        .groupby(["complaint", "action"], sort=False)["at"]
        .min()
        .unstack()
    )
    per = pd.DataFrame(index=df["complaint"].unique())
    per = per.join(first).join(state.rename("state")).join(last_unit.rename("unit"))
    # First follow-up after the first dispatch.
    fu = df[df["action"] == "follow_up"].join(per["dispatch"], on="complaint")
    fu = fu[fu["at"] >= fu["dispatch"]].groupby("complaint", sort=False)["at"].min()
    per = per.join(fu.rename("follow_up"))
    per["archived"] = per["state"] == "archived"
    per["closed_now"] = per["state"] == "closed"
    per["open"] = ~per["state"].isin(terminal)
    per["unit"] = per["unit"].fillna("-")

    tz = "Asia/Jakarta"

    def local_day(column: pd.Series) -> np.ndarray:
        return column.dt.tz_convert(tz).dt.tz_localize(None).to_numpy().astype("datetime64[D]")

    def add(name: str, a: str, b: str | None) -> None:
        end = per[b] if b is not None else pd.Series(as_of, index=per.index)
        ok = per[a].notna() & end.notna()
        if b is None:
            ok &= per["open"]
        days = ((end - per[a]).dt.total_seconds() / 86_400).where(ok)
        wd = pd.Series(np.nan, index=per.index)
        start_day, end_day = local_day(per.loc[ok, a]), local_day(end[ok])
        wd[ok] = np.busday_count(start_day + 1, end_day + 1, holidays=holidays)
        per[f"{name}_days"] = days
        per[f"{name}_wd"] = wd

    add("follow_up", "dispatch", "follow_up")
    add("verification", "submit", "verify")
    add("closure", "submit", "close")
    add("backlog_age", "submit", None)
    groups = per.groupby("unit", sort=True)
    out = pd.DataFrame(
        {
            "received": groups.size(),
            "archived": groups["archived"].sum(),
            "verified": groups["verify"].count(),
            "dispatched": groups["dispatch"].count(),
            "followed_up": groups["follow_up"].count(),
            "closed": groups["closed_now"].sum(),
            "open": groups["open"].sum(),
        }
    )
    out["follow_up_rate"] = out["followed_up"] / out["dispatched"].where(out["dispatched"] > 0)
    out["settlement_rate"] = out["closed"] / (out["received"] - out["archived"]).where(
        out["received"] > out["archived"]
    )
    for name in ("follow_up", "verification", "closure", "backlog_age"):
        for suffix in ("days", "wd"):
            column = groups[f"{name}_{suffix}"]
            out[f"{name}_mean_{suffix}"] = column.mean()
            out[f"{name}_median_{suffix}"] = column.median()
            out[f"{name}_p90_{suffix}"] = column.quantile(0.9)
    return out


def check(ours: Any, theirs: pd.DataFrame) -> None:
    for group in ours.groups:
        row = theirs.loc["-" if group.key is None else group.key]
        for name in ("received", "archived", "verified", "dispatched", "followed_up", "closed"):
            assert getattr(group, name) == row[name], (group.key, name)
        fu = group.follow_up_time
        if fu.count:
            assert abs(fu.mean_days - row["follow_up_mean_days"]) < 1e-6, group.key
            assert abs(fu.p90_working_days - row["follow_up_p90_wd"]) < 1e-6, group.key
            assert abs(fu.median_working_days - row["follow_up_median_wd"]) < 1e-6, group.key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scenario = muara_enim(complaints=args.complaints, years=4, ladder_from_year=None).evolve(
        reminders=None
    )
    t = time.perf_counter()
    history = simulate(scenario, seed=1)
    simulated = time.perf_counter() - t
    t = time.perf_counter()
    complaints = lapor_workflow().replay(history.events)
    replayed = time.perf_counter() - t
    events = list(history.events)
    as_of = scenario.end
    df = flat_table(events)
    cal = id_gov_calendar()
    first, last = scenario.start.date() - timedelta(days=7), scenario.end.date() + timedelta(days=7)
    days = [first + timedelta(days=i) for i in range((last - first).days)]
    holidays = np.array(
        [d for d in days if d.weekday() < 5 and not cal.is_working_day(d)], dtype="datetime64[D]"
    )
    assert all(isinstance(d, date) for d in days)
    stamp = pd.Timestamp(as_of)

    t_ours, ours = best(
        lambda: measure(
            complaints, as_of, by="unit", workflow=lapor_workflow(), calendar=id_gov_calendar()
        ),
        args.repeat,
    )
    t_pandas, theirs = best(lambda: pandas_metrics(df, stamp, holidays), args.repeat)
    check(ours, theirs)
    t_clocks, _ = best(
        lambda: measure(complaints, as_of, by="unit", policy=lapor_policy()),
        max(1, args.repeat - 2),
    )

    n = len(complaints)
    print(
        f"{n:,} complaints, {len(events):,} events (simulated in {simulated:.1f} s, replayed in "
        f"{replayed:.1f} s; neither timed below). Best of {args.repeat}."
    )
    print()
    print(f"{'':<38}{'total':>10}{'per complaint':>16}{'vs pandas':>12}")
    rows = [
        ("pengaduan measure (by unit)", t_ours),
        ("pandas from the flat event table", t_pandas),
        ("pengaduan measure + 4 clocks", t_clocks),
    ]
    for name, seconds in rows:
        print(
            f"{name:<38}{seconds:>9.2f}s{1e6 * seconds / n:>13.1f} us{seconds / t_pandas:>11.2f}x"
        )
    print()
    print("Both give the same counts, follow-up means and working-day quantiles (checked).")


if __name__ == "__main__":
    main()
