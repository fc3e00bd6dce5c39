"""The definitions a command runs on: workflow, SLA policy, escalation ladder and calendar.

Every command that replays or computes time takes the same options, resolved here once:

- ``--calendar NAME`` and ``--tz ZONE`` (as ``calendar deadline`` takes them) or
  ``--calendar-file FILE``: the calendar of every clock, so deadlines count by the local date
  and hours from 07:30 local time;
- ``--workflow FILE``, ``--policy FILE`` and ``--ladder FILE``: definitions as
  `pengaduan.codecs` writes them (JSON).

The most specific definition given wins and the others are put onto it: a ladder file brings
its policy, a policy file its workflow; ``--workflow`` replaces the workflow of the policy,
``--policy`` the policy of the ladder, and an explicit calendar the calendar of every clock.
Without files the SP4N-LAPOR! presets are used, on the calendar asked for (``id-gov``, WIB,
by default).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from pengaduan.calendar import WorkCalendar
from pengaduan.escalation import Ladder
from pengaduan.exceptions import PengaduanError
from pengaduan.readmodel import ReadModel
from pengaduan.sla import Policy
from pengaduan.workflow import Workflow

if TYPE_CHECKING:
    from pengaduan.simulation import Scenario

_T = TypeVar("_T")

#: The preset calendars ``--calendar`` names.
CALENDAR_NAMES = ("id-gov", "id-gov-days", "24x7")


class DefinitionsError(Exception):
    """A definition option cannot be used; the message says which file and where."""


@attrs.frozen
class Definitions:
    """What a command runs on (see the module's docstring).

    Attributes:
        workflow: The workflow histories are replayed through.
        policy: The SLA policy (its clocks on the calendar asked for).
        calendar: The calendar asked for explicitly, or None for the policy's own.
        ladder_file: The ladder read from ``--ladder``, if any (see `ladder`).
    """

    workflow: Workflow
    policy: Policy
    calendar: WorkCalendar | None
    ladder_file: Ladder | None = None

    @property
    def zone_calendar(self) -> WorkCalendar | None:
        """The calendar months, years and working days are counted on in reports."""
        if self.calendar is not None:
            return self.calendar
        return self.policy.clocks[0].calendar if self.policy.clocks else None

    def read_model(self) -> ReadModel:
        """The read model of a store written or read with these definitions.

        Raises:
            DefinitionsError: If the ladder does not fit the policy.
        """
        return ReadModel(policy=self.policy, ladder=self.ladder())

    def ladder(self) -> Ladder:
        """The escalation ladder on `policy`: ``--ladder``'s, or the SP4N-LAPOR! preset's.

        Raises:
            DefinitionsError: If the ladder does not fit the policy.
        """
        try:
            if self.ladder_file is not None:
                if self.ladder_file.policy == self.policy:
                    return self.ladder_file
                return self.ladder_file.evolve(policy=self.policy)
            from pengaduan.presets import lapor_ladder

            return lapor_ladder(self.policy)
        except PengaduanError as error:
            which = "the --ladder file" if self.ladder_file is not None else "the preset ladder"
            raise DefinitionsError(f"{which} does not fit the policy: {error}") from None


def add_calendar_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--calendar``, ``--tz`` and ``--calendar-file``."""
    group = parser.add_argument_group("calendar")
    group.add_argument(
        "--calendar",
        choices=CALENDAR_NAMES,
        help="the calendar of every clock: id-gov (the Indonesian government calendar, the "
        "default), id-gov-days (its working days as whole days) or 24x7",
    )
    group.add_argument(
        "--tz",
        metavar="ZONE",
        help="the calendar's zone: WIB (the default), WITA, WIT or an IANA name; days count by "
        "the local date and hours from 07:30 local time",
    )
    group.add_argument(
        "--calendar-file",
        metavar="FILE",
        help="a calendar as JSON (pengaduan.codecs), e.g. with a regional holiday",
    )


def add_definition_arguments(
    parser: argparse.ArgumentParser, *, policy: bool = True, ladder: bool = False
) -> None:
    """Add ``--workflow``, and with them ``--policy``, ``--ladder`` and the calendar options."""
    group = parser.add_argument_group("definitions (JSON files as pengaduan.codecs writes them)")
    group.add_argument(
        "--workflow", metavar="FILE", help="the workflow (default: the SP4N-LAPOR! preset)"
    )
    if policy:
        group.add_argument(
            "--policy",
            metavar="FILE",
            help="the SLA policy (default: the SP4N-LAPOR! clocks on the calendar asked for)",
        )
    if ladder:
        group.add_argument(
            "--ladder",
            metavar="FILE",
            help="the escalation ladder (default: the SP4N-LAPOR! ladder on the policy)",
        )
    if policy:
        add_calendar_arguments(parser)


def on_calendar(policy: Policy, calendar: WorkCalendar | None) -> Policy:
    """`policy` with every clock on `calendar` (unchanged when it is None)."""
    if calendar is None:
        return policy
    return policy.evolve(clocks=tuple(c.evolve(calendar=calendar) for c in policy.clocks))


def regional_scenario(
    calendar: WorkCalendar | None, **options: Any
) -> tuple[Scenario, Ladder, Policy]:
    """The Muara Enim scenario (`muara_enim` `options`) on `calendar`, its ladder and policy.

    On another calendar the scenario starts at local midnight of 1 January and its ladder
    and policy count on that calendar.
    """
    from datetime import datetime

    from pengaduan.presets import lapor_policy
    from pengaduan.simulation import muara_enim, muara_enim_ladder

    ladder = muara_enim_ladder()
    if calendar is None:
        return muara_enim(**options), ladder, lapor_policy()
    start = datetime(2025, 1, 1, tzinfo=calendar.tz)
    scenario = muara_enim(start=start, calendar=calendar, **options)
    ladder = ladder.evolve(policy=on_calendar(ladder.policy, calendar))
    if scenario.reminders is not None and scenario.reminders.ladder.name == ladder.name:
        scenario = scenario.evolve(reminders=attrs.evolve(scenario.reminders, ladder=ladder))
    return scenario, ladder, lapor_policy(calendar=calendar)


def load_json(cls: type[_T], path: str, option: str) -> _T:
    """Decode a definition of class `cls` from the JSON file at `path` (``-``: stdin).

    Raises:
        DefinitionsError: Naming the option, the file and, for a bad value, its JSON path.
    """
    from pengaduan.codecs import loads
    from pengaduan.presets import lapor_guards

    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as source:
                data = source.read()
    except OSError as error:
        raise DefinitionsError(f"cannot read {option} {path}: {error.strerror or error}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        offset = error.start - (data.rfind(b"\n", 0, error.start) + 1)
        raise DefinitionsError(
            f"{option} {path}:line {line}: is not UTF-8 text (byte 0x{data[error.start]:02x} "
            f"at byte offset {offset} of the line)"
        ) from None
    try:
        return loads(cls, text, guards=lapor_guards())
    except PengaduanError as error:  # CodecError names the JSON path; DefinitionError why
        raise DefinitionsError(f"{option} {path}: {error}") from None
    except RecursionError:
        raise DefinitionsError(f"{option} {path}: nested too deeply") from None


def calendar_of(args: argparse.Namespace) -> WorkCalendar | None:
    """The calendar asked for by ``--calendar``/``--tz``/``--calendar-file``, or None.

    Raises:
        DefinitionsError: If the options conflict, the zone is unknown or the file is bad.
    """
    name = getattr(args, "calendar", None)
    zone = getattr(args, "tz", None)
    path = getattr(args, "calendar_file", None)
    if path is not None:
        if name is not None or zone is not None:
            raise DefinitionsError(
                "--calendar-file carries its own zone and hours: give it without --calendar "
                "and --tz"
            )
        return load_json(WorkCalendar, path, "--calendar-file")
    if name is None and zone is None:
        return None
    from pengaduan.presets import calendar_by_name

    try:
        return calendar_by_name(name or "id-gov", zone)
    except (PengaduanError, ValueError) as error:
        raise DefinitionsError(str(error)) from None


def definitions(args: argparse.Namespace) -> Definitions:
    """The definitions the options of `args` ask for (see the module's docstring).

    Raises:
        DefinitionsError: If a file cannot be read or decoded, or the definitions do not fit
            together; the message names the option, the file and the JSON path.
    """
    workflow_path = getattr(args, "workflow", None)
    policy_path = getattr(args, "policy", None)
    ladder_path = getattr(args, "ladder", None)
    calendar = calendar_of(args)
    ladder = load_json(Ladder, ladder_path, "--ladder") if ladder_path is not None else None
    policy: Policy | None = None
    if policy_path is not None:
        policy = load_json(Policy, policy_path, "--policy")
    elif ladder is not None:
        policy = ladder.policy
    workflow: Workflow | None = None
    if workflow_path is not None:
        workflow = load_json(Workflow, workflow_path, "--workflow")
    elif policy is not None and policy.workflow is not None:
        workflow = policy.workflow
    if workflow is None:
        from pengaduan.presets import lapor_workflow

        workflow = lapor_workflow()
    # The message names the files, as load_json's do: a user may pass several definitions.
    what = (
        f"the --policy file {policy_path}"
        if policy_path is not None
        else f"the policy of the --ladder file {ladder_path}"
    )
    try:
        if policy is None:
            from pengaduan.presets import lapor_policy

            what = "the preset policy"
            policy = lapor_policy(calendar=calendar)
        else:
            policy = on_calendar(policy, calendar)
        if policy.workflow != workflow:
            on = (
                f"the --workflow file {workflow_path}"
                if workflow_path is not None
                else "the preset workflow"
            )
            what = f"{what} on {on}"
            policy = policy.evolve(workflow=workflow)
    except PengaduanError as error:
        raise DefinitionsError(f"{what} does not fit: {error}") from None
    return Definitions(workflow, policy, calendar, ladder)
