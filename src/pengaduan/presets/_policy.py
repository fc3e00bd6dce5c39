"""The SP4N-LAPOR! SLA policy: four clocks on the Indonesian government calendar."""

from __future__ import annotations

from functools import cache

from pengaduan.calendar import WorkCalendar
from pengaduan.presets._calendars import id_gov_calendar
from pengaduan.presets._lapor import lapor_workflow
from pengaduan.sla import Clock, Condition, Policy, Target

__all__ = ["lapor_policy"]

#: The resolution target when none is given: 60 days once the file is complete (Perpres
#: 76/2013); whether calendar or working days is not confirmed (see the domain notes).
RESOLUTION_DAYS = 60


@cache
def lapor_policy(
    *,
    resolution: Target | None = None,
    calendar: WorkCalendar | None = None,
) -> Policy:
    """The SP4N-LAPOR! clocks, on the ``id-gov`` calendar (WIB) unless another is given.

    - ``verification`` *Verifikasi*: starts on ``submit``; paused while ``on_hold`` (A2
      *tunda*, with the hold's reason); stops on ``dispatch`` or ``archive``; 3 working days.
    - ``follow_up`` *Tindak Lanjut*: starts on ``dispatch``; stops on ``follow_up``; a
      ``reply`` or a ``reopen`` starts a new cycle; a ``decline`` and the next ``dispatch``
      continue the same cycle; 5 working days. It also stops on ``archive``: a declined
      complaint (back in ``verified``) may be archived, and its clock must not run for ever.
    - ``closure`` *Penutupan*: starts on ``follow_up``; stops on ``reply`` or ``close``; 10
      working days; when it runs out the complaint is due for an automatic ``close`` by
      ``system`` (``due_action``, carried out by the escalation engine).
    - ``resolution`` *Penyelesaian*: starts on ``verify``; stops on ``close`` or ``archive``;
      a ``reopen`` starts a new cycle (a reopened complaint is not settled, so its
      resolution runs again and can breach); 60 calendar days by default (the regulation's
      unit is not confirmed: pass ``resolution=Target.working_days(60)`` to count working
      days).

    A ``reopen`` thus starts a new cycle of every clock that a ``close`` stopped and that
    measures the agency: ``resolution`` at the reopen itself, ``follow_up`` too (it was
    stopped by the follow-up before the close), and ``closure``, the reply window, at the
    next ``follow_up`` (its own start): a reply window opened at the reopen, before anything
    was answered, would make the reopened complaint due for an automatic close.

    Args:
        resolution: The resolution clock's target.
        calendar: The calendar of every clock (default `id_gov_calendar`, WIB).

    Returns:
        The policy ``sp4n-lapor`` version ``2025.1`` on the `lapor_workflow` (cached per
        arguments).

    Example:
        ```pycon
        >>> policy = lapor_policy()
        >>> for clock in policy.clocks:
        ...     print(clock.name, clock.target, sep=": ")
        verification: 3 working days
        follow_up: 5 working days
        closure: 10 working days
        resolution: 60 calendar days

        ```
    """
    cal = id_gov_calendar() if calendar is None else calendar
    resolution = Target.calendar_days(RESOLUTION_DAYS) if resolution is None else resolution
    clocks = (
        Clock(
            "verification",
            "Verifikasi",
            Target.working_days(3),
            cal,
            start="submit",
            stop=("dispatch", "archive"),
            pause_while="on_hold",
            label_en="Verification",
        ),
        Clock(
            "follow_up",
            "Tindak Lanjut",
            Target.working_days(5),
            cal,
            start="dispatch",
            stop=("follow_up", "archive"),
            reset=Condition(actions=("reply", "reopen")),
            label_en="Follow-up",
        ),
        Clock(
            "closure",
            "Penutupan",
            Target.working_days(10),
            cal,
            start="follow_up",
            stop=("reply", "close"),
            label_en="Closure (no reply)",
            due_action="close",
        ),
        Clock(
            "resolution",
            "Penyelesaian",
            resolution,
            cal,
            start="verify",
            stop=("close", "archive"),
            reset=Condition(actions=("reopen",)),
            label_en="Resolution",
        ),
    )
    return Policy("sp4n-lapor", "2025.1", clocks, lapor_workflow())
