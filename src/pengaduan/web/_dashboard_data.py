"""What the dashboard shows, computed from a desk for one viewer (no HTML here).

Every complaint comes through the viewer's eyes: overdue ones from `Desk.overdue`, soon-due ones
from the store's read-model rows and then `Desk.get` (which withholds or refuses what the viewer
may not see), metrics over `pengaduan.access.views`. The WhatsApp text of a row is the ladder's
own message (`pengaduan.escalation.due`), rendered for the viewer's view of the complaint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from urllib.parse import quote

import attrs

from pengaduan import escalation
from pengaduan.access import Viewer, views
from pengaduan.desk import Desk
from pengaduan.exceptions import NotVisibleError, StaleReadModelError, UnknownComplaintError
from pengaduan.metrics import GroupMetrics, measure
from pengaduan.model import Complaint
from pengaduan.sla import ClockState, TargetUnit, evaluate

__all__ = [
    "SOON",
    "Board",
    "ClockRow",
    "MonthPoint",
    "board",
    "clock_rows",
    "reached_level",
    "whatsapp_link",
    "working_days_late",
]

SOON = timedelta(days=3)
"""How far ahead a running clock's deadline counts as soon due (actual time)."""

_PAGE = 500


@attrs.frozen
class ClockRow:
    """One open clock of one complaint on the overdue or soon-due list.

    Attributes:
        complaint: The complaint as the viewer may see it.
        state: The clock's state as of the board's instant.
        late: How far past its deadline (negative: how long until it), in actual time.
        working_days_late: For a clock counted in working days, how many working days past
            its last day (negative: how many are left); ``None`` for other clocks.
        level: The highest escalation level recorded on this clock's current cycle (0: none).
        message: The ladder's message at the highest level that has come due on this cycle,
            as the viewer may read it; ``None`` when nothing has come due yet.
        whatsapp: The ``https://wa.me/...`` link to the unit head with `message`, when the
            directory knows the unit's number and there is a message.
    """

    complaint: Complaint
    state: ClockState
    late: timedelta
    working_days_late: int | None
    level: int
    message: str | None
    whatsapp: str | None

    @property
    def deadline(self) -> datetime:
        """The current cycle's deadline (rows are made only for clocks that have one)."""
        deadline = self.state.deadline
        assert deadline is not None
        return deadline


@attrs.frozen
class MonthPoint:
    """The follow-up of the complaints submitted in one month.

    Attributes:
        month: The month's first day.
        mean_days: The mean time from dispatch to first follow-up, in calendar days
            (``None``: nothing followed up).
        count: How many complaints that mean is over.
    """

    month: date
    mean_days: float | None
    count: int


@attrs.frozen
class Board:
    """Everything the overview page shows, for one viewer at one instant.

    Attributes:
        as_of: The instant.
        staff: Whether the viewer is staff (the public and reporters get aggregates only).
        overdue: Breached open clocks, most late first.
        soon: Running clocks due within `SOON`, by unit in the same way, soonest first.
        units: Metrics per unit over the complaints the viewer may see.
        total: The same over all of them.
        trend: Follow-up per month of submission, every month from the first with a
            followed-up complaint to the last.
        clocks: The policy's clock names (the compliance columns).
    """

    as_of: datetime
    staff: bool
    overdue: tuple[ClockRow, ...]
    soon: tuple[ClockRow, ...]
    units: tuple[GroupMetrics, ...]
    total: GroupMetrics
    trend: tuple[MonthPoint, ...]
    clocks: tuple[str, ...]


def reached_level(complaint: Complaint, clock: str, cycle: int) -> int:
    """The highest level of an escalation recorded on a clock's cycle (0 when none).

    Skipped steps (nobody may see the complaint) do not count: nothing was sent.
    """
    level = 0
    for event in complaint.events:
        data = event.data
        if event.action != "escalate" or data.get("kind") == "skipped":
            continue
        if data.get("clock") == clock and data.get("cycle") == cycle:
            found = data.get("level")
            if isinstance(found, int) and found > level:
                level = found
    return level


def whatsapp_link(number: str | None, message: str | None) -> str | None:
    """``https://wa.me/<digits>?text=<message>``, or ``None`` without a number or message.

    ```pycon
    >>> whatsapp_link("+62 812-555", "Mohon ditindaklanjuti & segera")
    'https://wa.me/62812555?text=Mohon%20ditindaklanjuti%20%26%20segera'
    >>> print(whatsapp_link(None, "x"))
    None

    ```
    """
    if not number or not message:
        return None
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        return None
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"


def _message(
    desk: Desk, complaint: Complaint, state: ClockState, as_of: datetime, language: str
) -> str | None:
    """The ladder's message at the highest level due on the clock's current cycle, now.

    The ladder lists only what is not yet recorded; to read the message of a level already
    sent, as it reads today, the recorded escalations of this cycle are set aside and the
    ladder asked again (`escalation.due` renders it for `complaint`, the viewer's view).
    """
    cycle = state.current
    if cycle is None:
        return None
    kept = tuple(
        event
        for event in complaint.events
        if not (
            event.action == "escalate"
            and event.data.get("clock") == state.name
            and event.data.get("cycle") == cycle.index
        )
    )
    actions = [
        action
        for action in escalation.due(
            attrs.evolve(complaint, events=kept),
            as_of=as_of,
            ladder=desk.ladder,
            language=language,
        )
        if action.clock == state.name
        and action.cycle == cycle.index
        and not action.automatic
        and action.message
    ]
    if not actions:
        return None
    best = max(actions, key=lambda action: (action.level, action.due_at))
    return best.message


def working_days_late(state: ClockState, as_of: datetime) -> int | None:
    """How many working days a working-day clock is past its last day (negative: left).

    As the ladder's messages count it: past 24:00 of the last day is one day late even before
    the next working day starts; 0 means today is the last day. ``None`` for a clock counted
    otherwise, or without a deadline.
    """
    if state.clock.target.unit is not TargetUnit.WORKING_DAYS or state.deadline is None:
        return None
    cal = state.clock.calendar
    last = (state.deadline - timedelta(microseconds=1)).astimezone(cal.tz).date()
    today = as_of.astimezone(cal.tz).date()
    if as_of >= state.deadline:
        # Past 24:00 of the last day counts one day late even before the next working day.
        return max(cal.working_days_between_dates(last, today), 1)
    return -max(cal.working_days_between_dates(today, last), 0)


def _row(
    desk: Desk,
    complaint: Complaint,
    state: ClockState,
    as_of: datetime,
    language: str,
    directory: Mapping[str, str],
) -> ClockRow:
    deadline = state.deadline
    assert deadline is not None
    cycle = state.current
    level = 0 if cycle is None else reached_level(complaint, state.name, cycle.index)
    message = _message(desk, complaint, state, as_of, language)
    number = directory.get(complaint.unit) if complaint.unit is not None else None
    return ClockRow(
        complaint=complaint,
        state=state,
        late=as_of - deadline,
        working_days_late=working_days_late(state, as_of),
        level=level,
        message=message,
        whatsapp=whatsapp_link(number, message),
    )


def _open(state: ClockState) -> bool:
    return state.current is not None and state.current.open and state.deadline is not None


def _soon_candidates(desk: Desk, until: datetime) -> Iterator[str]:
    """Ids of complaints with an open clock due by `until`, from the read-model rows."""
    if not desk.indexed:
        for complaint in desk.store.complaints():
            yield complaint.id
        return
    after: str | None = None
    try:
        while True:
            page = desk.store.rows(overdue_as_of=until, after=after, limit=_PAGE)
            for row in page.rows:
                yield row.id
            if page.next_after is None:
                return
            after = page.next_after
    except StaleReadModelError:  # another writer's definitions: read every complaint
        for complaint in desk.store.complaints():
            yield complaint.id


def clock_rows(
    desk: Desk,
    viewer: Viewer,
    as_of: datetime,
    *,
    language: str,
    directory: Mapping[str, str],
) -> tuple[tuple[ClockRow, ...], tuple[ClockRow, ...]]:
    """The overdue rows (most late first) and the soon-due rows (soonest first)."""
    overdue: list[ClockRow] = []
    listed: set[str] = set()
    for snapshot in desk.overdue(viewer, as_of=as_of):
        listed.add(snapshot.id)
        for state in snapshot.clocks:
            if state.breached and _open(state):
                overdue.append(_row(desk, snapshot.complaint, state, as_of, language, directory))
    soon: list[ClockRow] = []
    for complaint_id in _soon_candidates(desk, as_of + SOON):
        if complaint_id in listed:
            continue
        try:
            seen = desk.get(complaint_id, viewer)
        except (NotVisibleError, UnknownComplaintError):
            continue
        for state in evaluate(seen, as_of=as_of, policy=desk.policy):
            deadline = state.deadline
            due_soon = deadline is not None and deadline <= as_of + SOON
            if _open(state) and not state.breached and due_soon:
                soon.append(_row(desk, seen, state, as_of, language, directory))
    overdue.sort(key=lambda r: (-r.late, r.complaint.id, r.state.name))
    soon.sort(key=lambda r: (r.deadline, r.complaint.id, r.state.name))
    return _units_together(overdue), _units_together(soon)


def _units_together(rows: list[ClockRow]) -> tuple[ClockRow, ...]:
    """`rows` (in order) with each unit's rows together, the units in their first row's order."""
    first: dict[str | None, int] = {}
    for n, row in enumerate(rows):
        first.setdefault(row.complaint.unit, n)
    return tuple(sorted(rows, key=lambda r: first[r.complaint.unit]))  # stable: keeps the order


def _trend(groups: tuple[GroupMetrics, ...]) -> tuple[MonthPoint, ...]:
    # As `pengaduan.plots.follow_up_over_time` draws it: from the first month with a
    # followed-up complaint to the last, the months between without one as gaps.
    found: dict[date, GroupMetrics] = {}
    for group in groups:
        if group.key is None or group.follow_up_time.mean_days is None:
            continue
        year, month = (int(part) for part in group.key.split("-"))
        found[date(year, month, 1)] = group
    if not found:
        return ()
    out: list[MonthPoint] = []
    day, last = min(found), max(found)
    while day <= last:
        held = found.get(day)
        duration = None if held is None else held.follow_up_time
        out.append(
            MonthPoint(
                day,
                None if duration is None else duration.mean_days,
                0 if duration is None else duration.count,
            )
        )
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return tuple(out)


def board(
    desk: Desk,
    viewer: Viewer,
    as_of: datetime,
    *,
    language: str,
    directory: Mapping[str, str],
) -> Board:
    """Compute the overview for `viewer` as of `as_of`.

    Args:
        desk: The desk.
        viewer: Who looks; the public and reporters get the aggregate figures only (no rows).
        as_of: The instant.
        language: ``"id"`` or ``"en"`` (the WhatsApp messages).
        directory: The agency heads' WhatsApp numbers by unit.
    """
    # Staff: a role of the workflow's own; a reporter (an owner role) is no staff here.
    staff = viewer.role is not None and viewer.role not in desk.workflow.owner_roles
    if staff:
        overdue, soon = clock_rows(desk, viewer, as_of, language=language, directory=directory)
    else:
        overdue, soon = (), ()
    seen = list(
        views(desk.store.complaints(), viewer, workflow=desk.workflow, privacy=desk.privacy)
    )
    calendar = desk.policy.clocks[0].calendar if desk.policy.clocks else None
    by_unit = measure(
        seen,
        as_of=as_of,
        policy=desk.policy,
        by="unit",
        workflow=desk.workflow,
        calendar=calendar,
    )
    by_month = by_unit.group_by("month")  # the same summaries: no clock evaluated again
    units = tuple(sorted(by_unit.groups, key=lambda g: (g.key is None, g.key or "")))
    return Board(
        as_of=as_of,
        staff=staff,
        overdue=overdue,
        soon=soon,
        units=units,
        total=by_unit.total,
        trend=_trend(tuple(by_month.groups)),
        clocks=tuple(desk.policy.names),
    )
