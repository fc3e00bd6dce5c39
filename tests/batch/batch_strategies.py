"""Hypothesis strategies of the batch tests: generated histories, clocks and calendars."""

from __future__ import annotations

from datetime import datetime, timedelta

from calendar_strategies import calendars as random_calendars
from hypothesis import strategies as st
from sla_support import ACTIONS, OFFICE, generic_clock, history, wib

from pengaduan.presets import id_gov_calendar
from pengaduan.sla import Target

BASE = wib(2026, 3, 2, 8)
GOV = id_gov_calendar()

gaps = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 60 * 10).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 60 * 24 * 6).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 10**9).map(lambda us: timedelta(microseconds=us)),
)
WEIGHTED = (*ACTIONS, "hold", "release", "pause", "resume", "hold", "release")
steps = st.tuples(
    st.lists(st.tuples(st.just("begin"), st.just(timedelta(0))), max_size=1),
    st.lists(st.tuples(st.sampled_from(WEIGHTED), gaps), max_size=14),
).map(lambda parts: parts[0] + parts[1])
targets = st.one_of(
    st.integers(1, 6).map(Target.working_days),
    st.integers(1, 40).map(lambda h: Target.working_time(timedelta(hours=h, minutes=30))),
    st.integers(1, 600).map(lambda m: Target.working_time(timedelta(minutes=m))),
    st.integers(1, 10).map(Target.calendar_days),
    st.integers(1, 100).map(lambda h: Target.calendar_time(timedelta(hours=h))),
)
calendars = st.one_of(st.sampled_from([OFFICE, GOV]), random_calendars())
starts = st.integers(0, 60 * 24 * 200).map(lambda m: BASE + timedelta(minutes=m))


def build(raw: list[tuple[str, timedelta]], start: datetime, cid: str):
    at = start
    out = []
    for action, gap in raw:
        at = at + gap
        out.append((action, at))
    return history(out, cid)


@st.composite
def clocks(draw: st.DrawFn, name: str):
    changes = {}
    if draw(st.booleans()):
        changes["due_action"] = "finish"
    if draw(st.booleans()):
        changes["reset"] = ()
    if draw(st.booleans()):
        changes["pause_while"] = ()
    return generic_clock(draw(targets), draw(calendars), **changes).evolve(name=name)
