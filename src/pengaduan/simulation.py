"""Simulation: seeded synthetic complaint streams on the SP4N-LAPOR! preset, and what-ifs.

A `Scenario` describes a regency: how many reports arrive over a period and by which channel,
the units (OPD) they go to with each unit's own handling time, the share archived or put on
hold, how often reporters reply, and whether reminders are sent (`Reminders`: the regent's
WhatsApp nudge, made systematic). `simulate` turns a scenario and a seed into an event
history, the same one for the same seed, that `Workflow.replay` accepts and an event store
stores. `muara_enim` is a two-year scenario shaped on the published Muara Enim figures.

Two what-ifs: `compare_policies` measures the same history under two SLA policies (change a
target, a calendar), and `compare_scenarios` simulates one scenario with and without
something (reminders, a slower unit) from the same seed and compares the metrics. Random
draws are made in the same order whatever the scenario says about reminders, so with one
seed both runs see the same arrivals and the same base handling times.

```pycon
>>> history = simulate(muara_enim(), seed=1)
>>> len(history.complaints())
260
>>> history.events[0].action
'submit'

```
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from pengaduan import _present
from pengaduan._time import require_aware
from pengaduan.calendar import WorkCalendar
from pengaduan.clock import TimeSource, instant_of
from pengaduan.exceptions import DefinitionError
from pengaduan.metrics import GroupBy, Metrics, measure
from pengaduan.model import Actor, Channel, Classification, Complaint, Event, Role
from pengaduan.presets import id_gov_calendar, lapor_ladder, lapor_workflow
from pengaduan.reports import Comparison, compare
from pengaduan.sla import Policy
from pengaduan.workflow import Workflow

if TYPE_CHECKING:
    from pengaduan.escalation import Ladder

__all__ = [
    "Comparison",
    "Reminders",
    "Scenario",
    "Simulation",
    "UnitProfile",
    "compare",
    "compare_policies",
    "compare_scenarios",
    "muara_enim",
    "muara_enim_ladder",
    "simulate",
    "simulate_histories",
]

_WORKING_DAY = timedelta(hours=7, minutes=30)  # Perpres 21/2023: 37.5 hours over 5 days


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _units(value: Iterable[UnitProfile]) -> tuple[UnitProfile, ...]:
    return tuple(value)


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise DefinitionError(attribute.name, f"must be positive, got {value!r}")


def _share(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise DefinitionError(attribute.name, f"must be a share between 0 and 1, got {value!r}")


@attrs.frozen
class UnitProfile:
    """A unit (OPD) and how it handles the complaints dispatched to it.

    Attributes:
        name: The unit's identifier, e.g. ``"dinas-pu"``.
        label: Its name, e.g. ``"Dinas Pekerjaan Umum"``.
        weight: Its relative share of the complaints.
        follow_up_days: The median time from disposition to follow-up, in working days of
            7.5 hours (log-normally distributed).
        spread: The standard deviation of the logarithm of that time (0.6 is a long tail).
        decline_share: The share of complaints it declines as not its remit (*bukan
            wewenang*); they are dispatched to another unit a working day later.
        topics: Titles of the complaints it receives (no personal data).
    """

    name: str
    label: str = ""
    weight: float = attrs.field(default=1.0, validator=_positive)
    follow_up_days: float = attrs.field(default=5.0, validator=_positive)
    spread: float = attrs.field(default=0.6, validator=_positive)
    decline_share: float = attrs.field(default=0.0, validator=_share)
    topics: tuple[str, ...] = attrs.field(default=("Keluhan layanan",), converter=_strings)


@attrs.frozen
class Reminders:
    """An escalation ladder the regency runs, and how units respond to its messages.

    The simulator runs the ladder for real (`pengaduan.escalation.tick`), as a host would:
    whenever something falls due (`pengaduan.escalation.next_due_at`) before the unit would
    have followed up on its own, the ladder records its ``escalate`` events and the automatic
    actions (the *closure* rule closes a complaint once its reply window is over). A unit
    that receives a message follows up within a log-normal time of median `response_days`
    if that is sooner than it would have anyway.

    Attributes:
        ladder: The ladder (e.g. `muara_enim_ladder` or ``pengaduan.presets.lapor_ladder()``).
        since: Its messages are sent only from this instant on (``None``: always): the day the
            regency switches its ladder on. What fell due while it was off and is still
            waiting is sent at the first working instant from then (quiet hours: a ladder
            switched on at midnight of a holiday messages nobody before the office opens).
            Its automatic rules apply all along.
        response_days: The median time from a message to the follow-up, in working days.
        spread: The standard deviation of the logarithm of that time.
    """

    ladder: Ladder
    since: datetime | None = None
    response_days: float = attrs.field(default=0.4, validator=_positive)
    spread: float = attrs.field(default=0.5, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.since is not None:
            require_aware(self.since, "Reminders.since")

    def __repr__(self) -> str:
        since = "always" if self.since is None else f"since {_present.when(self.since)}"
        return f"<Reminders {self.ladder!r} {since}, response {self.response_days:g} working days>"

    @property
    def automatic(self) -> Ladder:
        """The ladder's automatic rules only (what runs before `since`)."""
        return self.ladder.evolve(rules=[r for r in self.ladder.rules if r.automatic])


def muara_enim_ladder() -> Ladder:
    """The SP4N-LAPOR! ladder plus the regent's early reminder, made systematic.

    `pengaduan.presets.lapor_ladder` with one more rule, ``follow_up.regent``: when a
    dispatched complaint has used 20% of its follow-up budget (about one working day) with no
    follow-up, a reminder goes to the head of the unit, as the regent of Muara Enim did by
    WhatsApp.
    """
    from pengaduan.escalation import Rule

    return (
        lapor_ladder()
        .with_rule(
            Rule("follow_up.regent", "follow_up", 1, Role.UNIT_HEAD.value, "remind", percent=20)
        )
        .evolve(name="muara-enim")
    )


def _weights(value: Mapping[Any, float]) -> dict[str, float]:
    return {str(k): float(v) for k, v in value.items()}


@attrs.frozen
class Scenario:
    """A regency's complaint stream: arrivals, units, handling, reminders.

    Attributes:
        name: A name for the scenario.
        start: The first instant of the period (timezone-aware).
        end: The end of the period; events after it are not generated.
        complaints: How many reports arrive in the period (uniformly at random).
        units: The units and how they handle complaints.
        calendar: The working calendar handling times are counted on.
        channels: Relative weights of the channels.
        classifications: Relative weights of the classifications set at verification.
        verify_days: Median time from submission to verification, in working days.
        archive_share: Share of reports archived at verification (*A4 arsipkan*).
        hold_share: Share put on hold for missing data (*A2 tunda*) before verification.
        hold_days: Median time on hold, in working days.
        reply_share: Share of follow-ups the reporter replies to (a new follow-up is due).
        neglect_share: Share of dispatched complaints the unit forgets for a while: they take
            six times as long, and the unit ignores the first two messages about them.
        reminders: Reminders, if any are sent.
        prefix: The prefix of complaint ids.
    """

    name: str
    start: datetime
    end: datetime
    complaints: int
    units: tuple[UnitProfile, ...] = attrs.field(converter=_units)
    calendar: WorkCalendar
    channels: Mapping[str, float] = attrs.field(
        factory=lambda: {"web": 3, "app": 2, "whatsapp": 2, "sms": 1, "walk_in": 1},
        converter=_weights,
        hash=False,
    )
    classifications: Mapping[str, float] = attrs.field(
        factory=lambda: {"pengaduan": 7, "permintaan_informasi": 2, "aspirasi": 1},
        converter=_weights,
        hash=False,
    )
    verify_days: float = attrs.field(default=1.0, validator=_positive)
    archive_share: float = attrs.field(default=0.03, validator=_share)
    hold_share: float = attrs.field(default=0.05, validator=_share)
    hold_days: float = attrs.field(default=2.0, validator=_positive)
    reply_share: float = attrs.field(default=0.08, validator=_share)
    neglect_share: float = attrs.field(default=0.0, validator=_share)
    reminders: Reminders | None = None
    prefix: str = "C-"

    def __attrs_post_init__(self) -> None:
        require_aware(self.start, "Scenario.start")
        require_aware(self.end, "Scenario.end")
        if self.end <= self.start:
            raise DefinitionError(self.name, "its end must come after its start")
        if self.complaints < 0:
            raise DefinitionError(self.name, "the number of complaints cannot be negative")
        if not self.units:
            raise DefinitionError(self.name, "it needs at least one unit")
        for name in self.channels:
            if name not in Channel._value2member_map_:
                known = ", ".join(c.value for c in Channel)
                raise DefinitionError(self.name, f"unknown channel {name!r}; known: {known}")
        for name in self.classifications:
            if name not in Classification._value2member_map_:
                known = ", ".join(c.value for c in Classification)
                raise DefinitionError(self.name, f"unknown classification {name!r}; known: {known}")

    def __repr__(self) -> str:
        reminders = (
            "no reminders"
            if self.reminders is None
            else f"ladder {_present.clip(self.reminders.ladder.name, 30)!r}"
            + ("" if self.reminders.since is None else f" since {self.reminders.since.date()}")
        )
        return (
            f"<Scenario {_present.clip(self.name, 40)!r}: {self.complaints} complaints from "
            f"{_present.when(self.start)} to {_present.when(self.end)}, {len(self.units)} units, "
            f"calendar {_present.clip(self.calendar.name, 30)!r}, {reminders}>"
        )

    def evolve(self, **changes: Any) -> Scenario:
        """Return a copy with attributes changed, e.g. ``reminders=None``."""
        return attrs.evolve(self, **changes)

    def with_unit(self, unit: UnitProfile) -> Scenario:
        """Return a copy in which `unit` replaces the unit of the same name (or is added)."""
        names = [u.name for u in self.units]
        if unit.name in names:
            return self.evolve(units=[unit if u.name == unit.name else u for u in self.units])
        return self.evolve(units=(*self.units, unit))


@attrs.frozen
class Simulation:
    """A simulated history: the scenario, the seed and the events, in time order.

    Attributes:
        scenario: The scenario simulated.
        seed: The seed.
        events: Every event, oldest first (ties in generation order).
    """

    scenario: Scenario
    seed: int
    events: tuple[Event, ...] = attrs.field(repr=lambda e: f"<{len(e)} events>")

    def complaints(self, workflow: Workflow | None = None) -> dict[str, Complaint]:
        """The complaints, replayed by `workflow` (SP4N-LAPOR! by default)."""
        if workflow is None:
            return dict(self._replayed)
        return workflow.replay(self.events)

    @cached_property
    def _replayed(self) -> dict[str, Complaint]:

        return lapor_workflow().replay(self.events)

    def measure(self, *, policy: Policy | None = None, by: GroupBy | str | None = None) -> Metrics:
        """Metrics of the history as of the scenario's end.

        Args:
            policy: The SLA policy whose clocks give compliance (none: no compliance).
            by: A grouping, as for `pengaduan.metrics.measure`.

        Returns:
            The metrics.
        """
        return measure(
            self._replayed,
            self.scenario.end,
            policy=policy,
            by=by,
            workflow=lapor_workflow() if policy is None or policy.workflow is None else None,
            calendar=self.scenario.calendar if policy is None or not policy.clocks else None,
        )


_SYSTEM = Actor("sistem", Role.SYSTEM)
_NUDGES = 8  # response draws per complaint, used or not
_IGNORED = 2  # messages a unit that forgot a complaint ignores before it acts
_FORGOTTEN = 6.0  # how much longer a forgotten complaint takes without reminders


def _normal_quantile(u: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(min(max(u, 1e-12), 1 - 1e-12))


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = list(weights)
    return rng.choices(names, [weights[n] for n in names])[0]


def _lognormal(rng: random.Random, median: float, spread: float) -> float:
    return rng.lognormvariate(math.log(median), spread)


class _Builder:
    """Emits one complaint's events in order, with sequential ids.

    With a workflow, it also keeps the complaint up to date (the ladder needs it).
    """

    def __init__(self, complaint: str, workflow: Workflow | None) -> None:
        self.complaint = complaint
        self.events: list[Event] = []
        self.last: datetime | None = None
        self.workflow = workflow
        self.state = workflow.new(complaint) if workflow is not None else None

    def add(self, action: str, at: datetime, actor: Actor, data: dict[str, Any]) -> datetime:
        if self.last is not None and at < self.last:
            at = self.last
        number = len(self.events) + 1
        self.record(Event(f"{self.complaint}#{number}", self.complaint, action, at, actor, data))
        return at

    def record(self, event: Event) -> None:
        self.last = event.at
        self.events.append(event)
        if self.workflow is not None and self.state is not None:
            self.state = self.workflow.apply_event(self.state, event)


_MAX_TICKS = 64  # per phase of one complaint: far more than any ladder has rungs


def _run_ladder(
    b: _Builder,
    reminders: Reminders,
    full: Ladder,
    automatic: Ladder,
    t: datetime,
    until: datetime | None,
    end: datetime,
    response: Callable[[datetime, int], datetime | None],
    cal: WorkCalendar,
) -> datetime | None:
    """Tick the ladder from `t` while nothing else happens before `until` (``None``: never).

    Returns when the unit acts (`until`, brought forward by the messages it receives).
    """
    from pengaduan.escalation import next_due_at, tick

    since = reminders.since
    # What fell due while the ladder was off is caught up in office hours, not at the instant
    # it is switched on (midnight of New Year's Day for `muara_enim`).
    catch_up = None if since is None else cal.next_working(since)
    messages = 0
    for _ in range(_MAX_TICKS):
        complaint = b.state
        assert complaint is not None
        on = since is None or t >= since
        ladder = full if on else automatic
        nxt = next_due_at(complaint, ladder=ladder, as_of=t)
        switch_on = not on and since is not None and (nxt is None or nxt >= since)
        if switch_on and catch_up is not None and (until is None or until > catch_up):
            t = catch_up  # the ladder is switched on: catch up at the first working instant
            continue
        if nxt is None:
            break
        at = max(nxt, t)
        if at > end or (until is not None and until <= at):
            break
        result = tick(complaint, at, ladder=ladder)
        if not result.events:  # pragma: no cover - a tick at a due instant records something
            break
        for event in result.events:
            b.record(event)
        for action in result.actions:
            if not action.automatic:
                nudged = response(at, messages)
                messages += 1
                if nudged is not None:
                    until = nudged if until is None else min(until, nudged)
        t = at
    return until


def simulate(
    scenario: Scenario,
    seed: int = 0,
    *,
    progress: Callable[[int, int], object] | None = None,
) -> Simulation:
    """Simulate a scenario: the same seed always gives the same history.

    Args:
        scenario: What to simulate.
        seed: The random seed.
        progress: Called with ``(complaints done, complaints in all)`` after each complaint.

    Returns:
        The simulated history, ending at ``scenario.end``.
    """
    every: list[tuple[datetime, int, Event]] = []
    for events in simulate_histories(scenario, seed, progress=progress):
        every.extend((event.at, len(every) + n, event) for n, event in enumerate(events))
    every.sort(key=lambda item: (item[0], item[1]))
    return Simulation(scenario, seed, tuple(e for _, _, e in every))


def simulate_histories(
    scenario: Scenario,
    seed: int = 0,
    *,
    progress: Callable[[int, int], object] | None = None,
) -> Iterator[list[Event]]:
    """Simulate a scenario one complaint at a time, in memory bounded by one complaint.

    The same complaints and events as `simulate` with the same seed, each complaint's
    events together (in history order) and the complaints in order of arrival, rather than
    every event in time order: for histories too long to hold (a national year), written to
    a store or a file as they come.

    Args:
        scenario: What to simulate.
        seed: The random seed.
        progress: Called with ``(complaints done, complaints in all)`` after each complaint.

    Yields:
        Each complaint's events up to ``scenario.end``.
    """
    rng = random.Random(seed)
    cal = scenario.calendar
    span = (scenario.end - scenario.start).total_seconds()
    arrivals = sorted(rng.random() * span for _ in range(scenario.complaints))
    unit_weights = {u.name: u.weight for u in scenario.units}
    units = {u.name: u for u in scenario.units}
    admin = Actor("admin-instansi", Role.ADMIN_AGENCY)
    reminders = scenario.reminders
    end = scenario.end
    workflow = None
    full = automatic = None
    if reminders is not None:
        workflow = reminders.ladder.policy.workflow
        if workflow is None:
            workflow = lapor_workflow()
        full, automatic = reminders.ladder, reminders.automatic

    def later(at: datetime, working_days: float) -> datetime:
        return cal.add_working_time(at, _WORKING_DAY * working_days)

    for number, offset in enumerate(arrivals, start=1):
        cid = f"{scenario.prefix}{number:04d}"
        b = _Builder(cid, workflow)
        # Every draw is made, used or not, so that runs differing in one respect (reminders,
        # a unit's speed) share all the others.
        channel = _pick(rng, scenario.channels)
        classification = _pick(rng, scenario.classifications)
        unit_name = _pick(rng, unit_weights)
        second_unit = _pick(rng, unit_weights)
        archived = rng.random() < scenario.archive_share
        held = rng.random() < scenario.hold_share
        declined = rng.random() < units[unit_name].decline_share
        replies = rng.random() < scenario.reply_share
        neglected = rng.random() < scenario.neglect_share
        verify_delay = _lognormal(rng, scenario.verify_days, 0.7)
        hold_delay = _lognormal(rng, scenario.hold_days, 0.5)
        dispatch_delay = rng.uniform(0.02, 0.3)
        reply_delay = rng.uniform(0.5, 6.0)
        topic = rng.choice(units[unit_name].topics)
        base = [
            _lognormal(rng, units[u].follow_up_days, units[u].spread)
            for u in (unit_name, second_unit, unit_name)
        ]
        nudges = [rng.random() for _ in range(_NUDGES)]

        def response(
            at: datetime, n: int, nudges: list[float] = nudges, neglected: bool = neglected
        ) -> datetime | None:
            assert reminders is not None
            if neglected and n < _IGNORED:
                return None  # a unit that forgot ignores the first reminders too
            u = nudges[min(n, _NUDGES - 1)]
            days = math.exp(
                math.log(reminders.response_days) + reminders.spread * _normal_quantile(u)
            )
            return later(at, days)

        submitted = scenario.start + timedelta(seconds=offset)
        staff_channel = channel in ("walk_in", "village_visit", "email")
        if staff_channel:
            submitted = cal.next_working(submitted)
            reporter = Actor("admin-instansi", Role.ADMIN_AGENCY)
        else:
            reporter = Actor(f"warga-{number:04d}", Role.REPORTER)
        at = b.add(
            "submit",
            submitted,
            reporter,
            {"title": topic, "body": f"{topic} (laporan simulasi)", "channel": channel},
        )
        if held:
            at = b.add("hold", later(at, 0.3), admin, {"reason": "Data pendukung belum lengkap"})
            at = b.add("resume", later(at, hold_delay), admin, {})
        if archived:
            b.add("archive", later(at, verify_delay), admin, {"reason": "Bukan kinerja pemerintah"})
            yield _until(b, end)
            if progress is not None:
                progress(number, len(arrivals))
            continue
        at = b.add("verify", later(at, verify_delay), admin, {"classification": classification})
        at = b.add("dispatch", later(at, dispatch_delay), admin, {"unit": unit_name})
        slow = _FORGOTTEN if neglected else 1.0
        handling: list[tuple[str, float | None]] = [(unit_name, base[0] * slow)]
        if declined and second_unit != unit_name:
            operator = Actor(f"op-{unit_name}", Role.UNIT_OPERATOR, unit_name)
            at = b.add("decline", later(at, 0.5), operator, {"reason": "Bukan wewenang unit ini"})
            at = b.add("dispatch", later(at, 1.0), admin, {"unit": second_unit})
            handling = [(second_unit, base[1] * slow)]
        if replies:
            handling.append((handling[0][0], base[2]))
        for round_number, (unit, delay) in enumerate(handling):
            done = None if delay is None else later(at, delay)
            if reminders is not None and full is not None and automatic is not None:
                done = _run_ladder(b, reminders, full, automatic, at, done, end, response, cal)
            if done is None:  # pragma: no cover - every round has a handling time
                break
            operator = Actor(f"op-{unit}", Role.UNIT_OPERATOR, unit)
            at = b.add("follow_up", done, operator, {"response": "Telah ditindaklanjuti"})
            if round_number + 1 < len(handling):
                owner = reporter if reporter.role == Role.REPORTER else admin
                at = b.add(
                    "reply",
                    later(at, reply_delay),
                    owner,
                    {"message": "Belum selesai di lapangan"},
                )
        else:
            if reminders is not None and full is not None and automatic is not None:
                # The ladder's automatic rule closes it when the reply window is over.
                _run_ladder(b, reminders, full, automatic, at, None, end, response, cal)
            else:
                # No reply in the window: closed once 10 working days have passed.
                b.add("close", cal.add_working_days(at, 10), _SYSTEM, {})
        yield _until(b, end)
        if progress is not None:
            progress(number, len(arrivals))


def _until(builder: _Builder, end: datetime) -> list[Event]:
    kept: list[Event] = []
    for event in builder.events:
        if event.at > end:
            break
        kept.append(event)
    return kept


# -- the Muara Enim-shaped preset ------------------------------------------------------------

_MUARA_ENIM_UNITS = (
    UnitProfile(
        "dinas-pupr",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        weight=5,
        follow_up_days=3.9,
        decline_share=0.05,
        topics=("Jalan berlubang", "Jembatan rusak", "Drainase tersumbat"),
    ),
    UnitProfile(
        "dinas-kesehatan",
        "Dinas Kesehatan",
        weight=3,
        follow_up_days=3.3,
        decline_share=0.08,
        topics=("Puskesmas tutup pada jam layanan", "Antrean BPJS"),
    ),
    UnitProfile(
        "rsud",
        "RSUD Dr. H. M. Rabain",
        weight=2,
        follow_up_days=2.6,
        topics=("Pelayanan IGD lambat", "Tarif rawat inap"),
    ),
    UnitProfile(
        "disdukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil",
        weight=3,
        follow_up_days=2.0,
        topics=("KTP-el belum jadi", "Akta kelahiran"),
    ),
    UnitProfile(
        "dinas-pendidikan",
        "Dinas Pendidikan",
        weight=2,
        follow_up_days=3.3,
        decline_share=0.05,
        topics=("Pungutan sekolah", "Zonasi PPDB"),
    ),
    UnitProfile(
        "dlh",
        "Dinas Lingkungan Hidup",
        weight=2,
        follow_up_days=4.7,
        spread=0.7,
        topics=("Sampah tidak diangkut", "Limbah tambang batu bara"),
    ),
    UnitProfile(
        "dishub",
        "Dinas Perhubungan",
        weight=1,
        follow_up_days=3.3,
        topics=("Lampu lalu lintas mati", "Parkir liar"),
    ),
)


def muara_enim(
    *,
    start: datetime | None = None,
    years: int = 2,
    complaints: int = 260,
    ladder_from_year: int | None = 2,
    calendar: WorkCalendar | None = None,
) -> Scenario:
    """A regency shaped on the published Muara Enim figures (SPIKM, 2018-2020).

    About 260 reports over two years by web, app, WhatsApp, SMS, walk-in and village visits
    (*Bunga Desa*), seven units with their own handling times; average follow-up around 7 days
    while reminders are off, and around 2 days once they are on (from the second year by
    default: a reminder to the head of the unit after one working day, to the regent after
    three).

    Args:
        start: The first instant (default 1 January 2025, 00:00 WIB).
        years: The length of the period in years.
        complaints: How many reports arrive over the period.
        ladder_from_year: The year (1-based) from which reminders are sent; ``None`` for never.
        calendar: The working calendar (default `id_gov_calendar`).
    """
    wib = ZoneInfo("Asia/Jakarta")
    first = datetime(2025, 1, 1, tzinfo=wib) if start is None else require_aware(start, "start")
    end = first.replace(year=first.year + years)
    reminders = Reminders(muara_enim_ladder())
    if ladder_from_year is None:  # never switched on: only the automatic close runs
        reminders = Reminders(reminders.automatic)
    else:
        reminders = attrs.evolve(
            reminders, since=first.replace(year=first.year + ladder_from_year - 1)
        )
    return Scenario(
        name="muara-enim",
        start=first,
        end=end,
        complaints=complaints,
        units=_MUARA_ENIM_UNITS,
        calendar=id_gov_calendar() if calendar is None else calendar,
        channels={
            "web": 3,
            "app": 2,
            "whatsapp": 2,
            "sms": 1,
            "social_media": 1,
            "walk_in": 1,
            "village_visit": 2,
            "connected_app": 1,
        },
        neglect_share=0.02,
        reminders=reminders,
        prefix="SPIKM-",
    )


# -- what-ifs --------------------------------------------------------------------------------


def compare_policies(
    complaints: Iterable[Complaint] | Mapping[str, Complaint],
    as_of: datetime | TimeSource,
    *,
    before: Policy,
    after: Policy,
    by: GroupBy | str | None = None,
    labels: Sequence[str] | None = None,
) -> Comparison:
    """Measure the same history under two SLA policies (e.g. two targets, two calendars).

    The history is not changed: only the clocks evaluated on it differ.

    Args:
        complaints: The complaints, or a mapping of them by id.
        as_of: The instant both are measured at (or a `TimeSource`, asked once).
        before: The first (baseline) policy.
        after: The second policy.
        by: A grouping, as for `pengaduan.metrics.measure`.
        labels: What each side is (default: each policy's name and version).

    Returns:
        The comparison.

    Raises:
        NaiveDatetimeError: If `as_of` is naive.
    """
    instant = instant_of(as_of)
    if isinstance(complaints, Mapping):
        complaints = complaints.values()
    complaints = tuple(complaints)
    names = labels or (f"{before.name} {before.version}", f"{after.name} {after.version}")
    return compare(
        measure(complaints, instant, policy=before, by=by),
        measure(complaints, instant, policy=after, by=by),
        names,
    )


def compare_scenarios(
    before: Scenario,
    after: Scenario,
    *,
    seed: int = 0,
    policy: Policy | None = None,
    by: GroupBy | str | None = None,
    labels: Sequence[str] = ("before", "after"),
) -> Comparison:
    """Simulate two scenarios from the same seed and compare their metrics at their ends.

    Random draws are made in the same order in both runs, so the arrivals and the units' own
    handling times are the same: the difference is the change's (e.g. a ladder switched on,
    another ladder, a slower unit).

    Args:
        before: The first (baseline) scenario.
        after: The second scenario.
        seed: The seed of both runs.
        policy: The SLA policy measured (none: no compliance figures).
        by: A grouping, as for `pengaduan.metrics.measure`.
        labels: What each side is.

    Returns:
        The comparison.
    """
    return compare(
        simulate(before, seed).measure(policy=policy, by=by),
        simulate(after, seed).measure(policy=policy, by=by),
        labels,
    )
