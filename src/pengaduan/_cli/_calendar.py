"""``pengaduan calendar``: deadlines, working time between instants, and holidays."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date, datetime, timedelta
from typing import Any

from pengaduan._cli._common import fail, table
from pengaduan._sla_explain import format_delta
from pengaduan.calendar import WorkCalendar
from pengaduan.exceptions import NoWorkingTimeError, UnknownCalendarError

_NAMES = ("id-gov", "id-gov-days", "24x7")


def register(subparsers: Any) -> None:
    """Add the ``calendar`` command and its sub-commands."""
    parser = subparsers.add_parser(
        "calendar",
        help="working-day and working-hour deadlines on a calendar",
        description=(
            "Count working days or hours on a working-time calendar. Calendars: id-gov (the "
            "Indonesian government calendar, WIB unless --tz), id-gov-days (its working days as "
            "whole days), 24x7. Instants are ISO 8601; one without an offset, or a bare date, "
            "is read in the calendar's zone."
        ),
    )
    sub = parser.add_subparsers(title="sub-commands", metavar="SUBCOMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--calendar", default="id-gov", choices=_NAMES, help="calendar name (default id-gov)"
        )
        p.add_argument("--tz", help="the calendar's zone: WIB, WITA, WIT or an IANA name")
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "deadline",
        help="the deadline after N working days or H working hours",
        description=(
            "Print the deadline START + N working days (the end of the N-th working day after "
            "START's local date) or + H working hours, and whether it rests on an estimate."
        ),
    )
    p.add_argument("start", metavar="START", help="ISO 8601 instant or date")
    amount = p.add_mutually_exclusive_group(required=True)
    amount.add_argument("--working-days", type=int, metavar="N")
    amount.add_argument("--working-hours", type=_hours, metavar="H")
    common(p)
    p.set_defaults(handler=run_deadline)

    p = sub.add_parser(
        "between",
        help="working days and working seconds between two instants",
        description="Print the working days and working seconds from A to B.",
    )
    p.add_argument("a", metavar="A", help="ISO 8601 instant or date")
    p.add_argument("b", metavar="B", help="ISO 8601 instant or date")
    common(p)
    p.set_defaults(handler=run_between)

    p = sub.add_parser(
        "holidays",
        help="the holidays of a year",
        description="List a year's holidays: date, name, kind and status (confirmed/estimated).",
    )
    p.add_argument("year", metavar="YEAR", type=int)
    common(p)
    p.set_defaults(handler=run_holidays)


def _hours(text: str) -> float:
    """Parse ``--working-hours``: a finite number (``nan`` and ``inf`` are floats too)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of hours")
    return value


def _calendar(args: argparse.Namespace) -> WorkCalendar:
    from pengaduan.presets import calendar_by_name

    return calendar_by_name(args.calendar, args.tz)


def _instant(text: str, cal: WorkCalendar) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 instant or date, e.g. 2026-03-17T09:15:00+07:00"
        ) from None
    if value.tzinfo is None:
        return value.replace(tzinfo=cal.tz)
    return value.astimezone(cal.tz)


def _run(args: argparse.Namespace, body: Any) -> int:
    try:
        cal = _calendar(args)
        return int(body(cal))
    except (ValueError, UnknownCalendarError, NoWorkingTimeError) as error:
        return fail(str(error))
    except OverflowError:
        return fail(
            f"{args.working_hours:g} working hours is too large an amount of working time to count"
            if getattr(args, "working_hours", None) is not None
            else "the amount of working time is too large to count"
        )


def run_deadline(args: argparse.Namespace) -> int:
    """Run ``pengaduan calendar deadline``."""

    def body(cal: WorkCalendar) -> int:
        start = _instant(args.start, cal)
        if args.working_days is not None:
            d = cal.deadline(start, working_days=args.working_days)
            amount = f"{args.working_days} working days"
        else:
            d = cal.deadline(start, working_time=timedelta(hours=args.working_hours))
            amount = f"{args.working_hours:g} working hours"
        if args.json:
            print(
                json.dumps(
                    {
                        "deadline": d.at.isoformat(),
                        "date": d.day.isoformat(),
                        "estimated": d.estimated,
                    }
                )
            )
            return 0
        print(f"{start.isoformat()} + {amount} on {cal.name}")
        print(f"deadline   {d.at.isoformat()}")
        print(f"last day   {d.day.strftime('%a')} {d.day.isoformat()}")
        print(f"estimated  {'yes' if d.estimated else 'no'}")
        for why in d.reasons:
            print(f"  - {why}")
        return 0

    return _run(args, body)


def run_between(args: argparse.Namespace) -> int:
    """Run ``pengaduan calendar between``."""

    def body(cal: WorkCalendar) -> int:
        m = cal.measure(_instant(args.a, cal), _instant(args.b, cal))
        if args.json:
            print(
                json.dumps({"working_days": m.working_days, "working_seconds": m.working_seconds})
            )
            return 0
        print(f"working days     {m.working_days}")
        time = format_delta(m.working_time, hours=True)
        print(f"working time     {time} ({m.working_seconds} s)")
        print(f"estimated        {'yes' if m.estimated else 'no'}")
        for why in m.reasons:
            print(f"  - {why}")
        return 0

    return _run(args, body)


def run_holidays(args: argparse.Namespace) -> int:
    """Run ``pengaduan calendar holidays``."""

    def body(cal: WorkCalendar) -> int:
        if not date.min.year <= args.year <= date.max.year:
            raise ValueError(f"year {args.year} is out of range")
        rows = cal.holidays_in(args.year)
        known = cal.holiday_years
        if known is not None and not known[0] <= args.year <= known[1]:
            # An empty list (or one of expected dates) must not read as the year's decree.
            listed = (
                "the list is what the calendar expects (the status says which dates are estimated)"
                if rows
                else "it knows no holiday then, so every working weekday counts"
            )
            print(
                f"pengaduan: note: {cal.name} has no decreed holiday list for {args.year} "
                f"(known: {known[0]}-{known[1]}): {listed}; a deadline over it is marked "
                "estimated",
                file=sys.stderr,
            )
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "date": h.day.isoformat(),
                            "name": h.name,
                            "kind": h.kind.value,
                            "status": h.status.value,
                            "source": h.source,
                        }
                        for h in rows
                    ],
                    ensure_ascii=False,
                )
            )
            return 0
        print(
            table(
                (
                    "Tanggal / date",
                    "Hari / day",
                    "Nama / name",
                    "Jenis / kind",
                    "Status / status",
                ),
                [
                    (h.day.isoformat(), h.day.strftime("%a"), h.name, h.kind.value, h.status.value)
                    for h in rows
                ],
            )
        )
        return 0

    return _run(args, body)
