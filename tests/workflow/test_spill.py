"""The CLI's FILE replay by complaint (bounded memory) judges exactly as a one-pass replay.

`SpilledHistory` copies a file to a temporary database and replays one complaint at a time;
every verdict (the complaints, their order, the first refused or malformed line, what is
skipped) must be the one a one-pass `Workflow.replay` in file order gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pengaduan._cli._spill import SpilledHistory
from pengaduan.exceptions import EventFormatError, RefusedError
from pengaduan.interchange import dumps_event, read_numbered_events
from pengaduan.model import Event
from pengaduan.presets import lapor_workflow
from pengaduan.simulation import muara_enim, simulate

WORKFLOW = lapor_workflow()


@cache
def simulated() -> tuple[Event, ...]:
    return simulate(muara_enim(complaints=12, years=1), seed=3).events


class _StopError(Exception):
    pass


def one_pass(path: Path, *, skip: bool, as_of: datetime | None) -> tuple[object, ...]:
    """What a one-pass replay in file order says: complaints, or stop message, and notes."""
    notes: list[str] = []
    current = 0
    stop: str | None = None

    def malformed(error: EventFormatError) -> None:
        if not skip:
            raise error
        notes.append(f"line {error.line}: skipped: {error.reason} ({error.path or 'record'})")

    def events() -> Iterator[Event]:
        nonlocal current
        for number, event in read_numbered_events(str(path), on_error=malformed):
            if as_of is None or event.at <= as_of:
                current = number
                yield event

    def refused(_event: Event, error: RefusedError) -> None:
        nonlocal stop
        if not skip:
            stop = f"{path}:line {current}: refused: {error}"
            raise _StopError
        notes.append(f"line {current}: skipped: {error}")

    try:
        complaints = list(WORKFLOW.replay(events(), on_refused=refused).values())
    except _StopError:
        return (stop, [])
    except EventFormatError as error:
        return (str(error), [])
    return (complaints, notes)


def spilled(path: Path, *, skip: bool, as_of: datetime | None) -> tuple[object, ...]:
    with SpilledHistory(
        str(path), WORKFLOW, name=str(path), as_of=as_of, skip_invalid=skip
    ) as history:
        stop = history.judge()
        if stop is not None:
            return (stop, [])
        first = list(history.complaints())
        assert list(history.complaints()) == first  # iterable again, the same
        return (first, list(history.notes()))


@st.composite
def histories(draw: st.DrawFn) -> list[str]:
    """A simulated history, then lines dropped, repeated, moved, re-addressed or spoiled."""
    events = list(simulated())
    events = events[: draw(st.integers(1, len(events)))]
    # Complaint ids whose sorted order is not the order they begin in.
    ids = sorted({e.complaint for e in events})
    renamed = dict(zip(ids, draw(st.permutations(ids)), strict=True))
    events = [attrs.evolve(e, complaint=renamed[e.complaint]) for e in events]
    lines = [dumps_event(e) for e in events]
    for _ in range(draw(st.integers(0, 6))):
        change = draw(st.sampled_from(["drop", "repeat", "move", "readdress", "spoil", "edit"]))
        index = draw(st.integers(0, len(lines) - 1))
        if change == "drop" and len(lines) > 1:
            del lines[index]
        elif change == "repeat":
            lines.insert(draw(st.integers(index, len(lines))), lines[index])
        elif change == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(index))
        elif change == "readdress":  # the same event id under another complaint
            other = draw(st.sampled_from(events)).complaint
            copy = attrs.evolve(events[index % len(events)], complaint=other)
            lines.insert(draw(st.integers(0, len(lines))), dumps_event(copy))
        elif change == "edit":  # the same id with other content
            event = events[index % len(events)]
            lines.insert(index, dumps_event(attrs.evolve(event, data={"note": "changed"})))
        else:
            lines[index] = lines[index][: draw(st.integers(0, 20))]
    return lines


SETTINGS = settings(
    max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@SETTINGS
@given(lines=histories(), skip=st.booleans(), cut=st.booleans())
def test_replay_by_complaint_gives_the_one_pass_verdicts(
    tmp_path_factory: object, lines: list[str], skip: bool, cut: bool
) -> None:
    directory = tmp_path_factory.mktemp("spill")  # type: ignore[attr-defined]
    path = Path(directory) / "events.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    as_of = simulated()[len(simulated()) // 2].at if cut else None
    assert spilled(path, skip=skip, as_of=as_of) == one_pass(path, skip=skip, as_of=as_of)


def test_a_refusal_in_a_later_complaint_before_an_earlier_ones_is_the_one_reported(
    tmp_path: Path,
) -> None:
    events = list(simulated())
    spans: dict[str, list[int]] = {}
    for index, event in enumerate(events):
        spans.setdefault(event.complaint, []).append(index)
    # Complaint A begins first and ends after complaint B has begun.
    a, b = next((a, b) for a in spans for b in spans if spans[a][0] < spans[b][0] < spans[a][-1])
    late, early = spans[a][-1], spans[b][0]
    lines = [dumps_event(e) for e in events]
    # Each gets an action its state does not allow: A's at its end, B's just after it began.
    lines.insert(late + 1, dumps_event(attrs.evolve(events[late], id="bad-a", action="submit")))
    lines.insert(early + 1, dumps_event(attrs.evolve(events[early], id="bad-b", action="close")))
    path = tmp_path / "events.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    got = spilled(path, skip=False, as_of=None)
    assert got == one_pass(path, skip=False, as_of=None)
    assert f"line {early + 2}: refused: cannot 'close': complaint '{b}'" in str(got[0])
