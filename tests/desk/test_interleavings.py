"""Concurrent acts resolve as some serial order would: property-based over interleavings."""

from __future__ import annotations

from itertools import permutations

from desk_helpers import ADMIN, OPERATOR, REPORTER, START, SUBMISSION, Interrupting
from hypothesis import given
from hypothesis import strategies as st

from pengaduan.desk import Desk
from pengaduan.exceptions import RefusedError
from pengaduan.model import Actor
from pengaduan.presets import lapor_workflow
from pengaduan.store import InMemoryStore
from pengaduan.testing import ManualClock

OTHER_UNIT = Actor("op-bm", "unit_operator", "dinas-bm")
# Requests that interfere with each other on a dispatched complaint.
REQUESTS: dict[str, tuple[str, Actor, dict[str, str]]] = {
    "follow_up": ("follow_up", OPERATOR, {"response": "Sudah ditambal"}),
    "decline": ("decline", OPERATOR, {"reason": "Bukan wewenang"}),
    "forward": ("forward", ADMIN, {"unit": "dinas-bm"}),
    "comment": ("comment", ADMIN, {"message": "cek"}),
    "other_unit": ("comment", OTHER_UNIT, {"message": "kami bantu"}),
    "reply": ("reply", REPORTER, {"message": "belum beres"}),
}


def _dispatched() -> Desk:
    desk = Desk(InMemoryStore(workflow=lapor_workflow()), clock=ManualClock(START))
    desk.submit(REPORTER, SUBMISSION, complaint_id="C-1")
    desk.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
    desk.act("C-1", "dispatch", ADMIN, {"unit": "dinas-pu"})
    return desk


def _serial(order: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The actions recorded and the final state when the requests run one after another."""
    wf = lapor_workflow()
    desk = _dispatched()
    complaint = desk.store.load("C-1")
    recorded = []
    for name in order:
        action, actor, data = REQUESTS[name]
        try:
            complaint = wf.apply(complaint, action, actor, START, data)
        except RefusedError:
            continue
        recorded.append(name)
    return tuple(recorded), complaint.state


@given(
    order=st.permutations(list(REQUESTS)).map(lambda p: tuple(p[:4])),
    interrupt=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_interleaved_acts_end_as_some_serial_order_would(
    order: tuple[str, ...], interrupt: list[bool]
) -> None:
    desk = _dispatched()
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    recorded: list[str] = []

    def run(target: Desk, name: str) -> None:
        action, actor, data = REQUESTS[name]
        try:
            target.act("C-1", action, actor, data)
        except RefusedError:
            return
        recorded.append(name)

    # Requests marked "interrupt" go through the racing desk; the next request lands between
    # its read and its append (another writer who committed first).
    pending = list(order)
    while pending:
        name = pending.pop(0)
        if interrupt[len(order) - len(pending) - 1] and pending:
            other = pending.pop(0)
            store.before_append.append(lambda other=other: run(desk, other))
            run(racing, name)
            if store.before_append:  # refused before it reached the store: run the other
                store.before_append.pop()()
        else:
            run(desk, name)
    final = desk.store.load("C-1")
    # Some serial order of the same requests records the same ones and ends in the same state.
    serial = {_serial(p) for p in permutations(order)}
    assert (tuple(sorted(recorded)), final.state) in {
        (tuple(sorted(names)), state) for names, state in serial
    }
    # And the commit order itself is such a serial order.
    assert _serial(tuple(recorded))[0] == tuple(recorded)
    assert len(final.events) == 3 + len(recorded)
