"""``pengaduan demo``: two years of a Muara Enim-shaped regency, end to end.

Simulates the scenario (`pengaduan.simulation.muara_enim`: the escalation ladder runs for
real, its reminders switched on in the second year), stores every event in SQLite (validated
by the workflow on the way in), reads the complaints back from the store, runs the clocks and
one more escalation tick as of the end, and prints the regency's report.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import textwrap
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pengaduan._cli._common import fail, table, terminal_width
from pengaduan._cli._definitions import add_calendar_arguments, calendar_of, regional_scenario
from pengaduan._cli._progress import Progress, add_quiet_argument, progress_for
from pengaduan._dates import long_date
from pengaduan.escalation import DueAction, Ladder, due, tick
from pengaduan.exceptions import PengaduanError
from pengaduan.model import Complaint, Event
from pengaduan.presets import lapor_workflow
from pengaduan.readmodel import ReadModel
from pengaduan.reports import build_report
from pengaduan.simulation import simulate
from pengaduan.sla import Policy, evaluate
from pengaduan.store import open_store


def register(subparsers: Any) -> None:
    """Add the ``demo`` command."""
    parser = subparsers.add_parser(
        "demo",
        help="run a two-year regency scenario end to end and print its report",
        description=(
            "Simulate two years of a regency shaped on the published Muara Enim figures "
            "(about 260 reports; average follow-up around 7 days in the first year and around "
            "2 days in the second, once the escalation ladder's reminders are switched on), "
            "store every event in SQLite, run the SLA clocks and the escalation ladder, and "
            "print the report: counts, rates, follow-up per year, compliance per unit, the most "
            "overdue complaints and the reminders sent. Reproducible: the same seed always "
            "prints the same report."
        ),
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="keep the SQLite store in this file (default: a temporary file, deleted at the "
        "end); running the demo again with the same seed and file adds nothing",
    )
    parser.add_argument(
        "--complaints",
        type=int,
        default=260,
        metavar="N",
        help="how many reports arrive over the two years (default 260)",
    )
    add_calendar_arguments(parser)
    add_quiet_argument(parser)
    parser.set_defaults(handler=run)


def _latest_follow_ups(
    complaints: Iterable[Complaint], policy: Policy, as_of: datetime, limit: int = 5
) -> list[list[str]]:
    """The follow-up cycles that ended furthest past their deadline, as table rows."""
    tz = policy.clock("follow_up").calendar.tz
    late: list[tuple[float, str, str, datetime]] = []
    for complaint in complaints:
        state = evaluate(complaint, as_of, policy=policy)["follow_up"]
        for cycle in state.cycles:
            if cycle.breach_at is None:
                continue
            end = cycle.stop if cycle.stop is not None else as_of
            days = (end - cycle.breach_at).total_seconds() / 86_400
            late.append((days, complaint.id, complaint.unit or "-", cycle.breach_at))
    late.sort(key=lambda item: (-item[0], item[1]))
    rows = []
    for days, cid, unit, deadline in late[:limit]:
        # A deadline is the end (24:00) of its last working day: show that day.
        day = (deadline - timedelta(microseconds=1)).astimezone(tz)
        rows.append([cid, unit, f"{day:%Y}", f"{day:%Y-%m-%d}", f"{days:.1f}"])
    return rows


def _one_reminder(
    complaints: Iterable[Complaint], ladder: Ladder
) -> tuple[DueAction, datetime] | None:
    """The first reminder the ladder sent to the head of a unit, as it was sent.

    The message is not stored in the history (only its key): it is worked out again from the
    history just before the reminder, as the ladder wrote it then.
    """
    workflow = ladder.policy.workflow
    if workflow is None:  # pragma: no cover - the demo's ladder has one
        return None
    first: tuple[datetime, str, Complaint, Event] | None = None
    for complaint in complaints:
        for event in complaint.events:
            if event.action == "escalate" and event.data.get("to") == "unit_head":
                if first is None or (event.at, complaint.id) < (first[0], first[1]):
                    first = (event.at, complaint.id, complaint, event)
                break
    if first is None:
        return None
    sent_at, _cid, complaint, event = first
    before = [e for e in complaint.events if e.at < sent_at]
    earlier = workflow.replay(before)[complaint.id]
    for action in due(earlier, sent_at, ladder=ladder):
        if action.key == event.data.get("key"):
            return action, sent_at
    return None  # pragma: no cover - a recorded reminder is always due again just before


def _whatsapp(action: DueAction, sent_at: datetime, *, tz: Any) -> str:
    """A reminder as the WhatsApp message its recipient reads on the phone."""
    local = sent_at.astimezone(tz)
    zone = local.tzname() or ""
    to = ", ".join(str(r) for r in action.to) or "-"
    when = long_date(local.date())
    width = 46
    body = textwrap.wrap(action.message, width - 4)
    lines = [
        "Pengingat yang terkirim / one reminder the ladder sent (WhatsApp):",
        f"Kepada / to: {to} - {when}",
        "+" + "-" * (width - 2) + "+",
        *(f"| {line.ljust(width - 4)} |" for line in body),
        f"| {f'{local:%H:%M} {zone}'.rjust(width - 4)} |",
        "+" + "-" * (width - 2) + "+",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``pengaduan demo``."""
    if args.complaints < 0:
        return fail(f"--complaints must be at least 0, got {args.complaints}")
    progress = progress_for(args)
    try:
        if args.db is not None:
            return _run(args, args.db, progress)
        with tempfile.TemporaryDirectory(prefix="pengaduan-demo-") as folder:
            return _run(args, os.path.join(folder, "demo.sqlite"), progress)
    finally:
        progress.close()


def _run(args: argparse.Namespace, path: str, progress: Progress) -> int:
    scenario, ladder, policy = regional_scenario(calendar_of(args), complaints=args.complaints)
    total = max(scenario.complaints, 1)
    # Weights of the phases in the bar: simulating, storing, reporting.
    history = simulate(
        scenario,
        seed=args.seed,
        progress=lambda done, _all: progress(done, 3 * total, "simulating"),
    )
    by_complaint: dict[str, list[Event]] = {}
    for event in history.events:
        by_complaint.setdefault(event.complaint, []).append(event)
    try:
        store = open_store(
            path, lapor_workflow(), read_model=ReadModel(policy=policy, ladder=ladder)
        )
    except PengaduanError as error:
        return fail(str(error))
    try:
        for number, (complaint_id, events) in enumerate(by_complaint.items(), start=1):
            try:
                store.append(complaint_id, events)
            except PengaduanError as error:
                return fail(
                    f"cannot store the demo history in {path}: {error} (the store holds "
                    "another history; use another --db)"
                )
            progress(total + number * total // max(len(by_complaint), 1), 3 * total, "storing")
        complaints = {c.id: c for c in store.complaints()}
        as_of = scenario.end
        pending = due(complaints, as_of, ladder=ladder)
        result = tick(complaints, as_of, ladder=ladder)
        for event in result.events:
            store.append(event.complaint, [event])
        complaints.update(result.complaints)
        progress(5 * total // 2, 3 * total, "reporting")
        report = build_report(
            complaints,
            as_of,
            policy=policy,
            title="Laporan Pengaduan Kabupaten (simulasi) / Regency complaints report (simulated)",
        )
        stored = store.position()
    finally:
        store.close()
    progress(3 * total, 3 * total, "done")
    progress.close()

    years = [s.groups for s in report.sections if s.by is not None and s.by.value == "year"]
    width = terminal_width()

    def say(text: str) -> None:
        print(textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False))

    say(
        f"Scenario {scenario.name} (seed {args.seed}): {len(complaints)} complaints from "
        f"{scenario.start:%d %b %Y} to {scenario.end:%d %b %Y}; escalation ladder "
        f"{ladder.name} {ladder.version}, reminders switched on from "
        f"{scenario.reminders.since:%d %b %Y}."
        if scenario.reminders is not None and scenario.reminders.since is not None
        else f"Scenario {scenario.name} (seed {args.seed})."
    )
    where = path if args.db is not None else "a temporary SQLite file"
    say(f"Stored {stored} events in {where}; {len(pending)} escalation action(s) due at the end.")
    if years:
        means = ", ".join(
            f"{g.key}: {g.follow_up_time.mean_days:.1f} calendar days"
            for g in years[0]
            if g.follow_up_time.mean_days is not None
        )
        means = means or "none, nothing was followed up"
        say(f"Average follow-up (dispatch to first follow-up) by year of submission: {means}.")
    print()
    print(report.to_text(width=width), end="")
    sent = _one_reminder(complaints.values(), ladder)
    if sent is not None:
        print()
        print(_whatsapp(*sent, tz=policy.clock("follow_up").calendar.tz))
    late = _latest_follow_ups(complaints.values(), policy, as_of)
    title = "Tindak lanjut paling terlambat / latest follow-ups (missed deadlines)"
    print(f"\n{title}\n{'-' * len(title)}")
    if late:
        heads = (
            "Laporan / complaint",
            "Unit kerja / unit",
            "Tahun batas waktu / deadline year",
            "Hari terakhir / last day",
            "Terlambat (hari kalender) / late (calendar days)",
        )
        print(table(heads, late))
    else:
        print("None.")
    return 0
