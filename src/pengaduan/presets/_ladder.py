"""The SP4N-LAPOR! escalation ladder: the regent's WhatsApp reminder, made systematic."""

from __future__ import annotations

from functools import cache

from pengaduan.escalation import Ladder, Offset, Rule
from pengaduan.model import Role
from pengaduan.presets._policy import lapor_policy
from pengaduan.sla import Policy

__all__ = ["lapor_ladder"]


@cache
def lapor_ladder(policy: Policy | None = None) -> Ladder:
    """The SP4N-LAPOR! ladder on the `lapor_policy` clocks (or on `policy`'s clocks).

    No national ladder is published (see the domain notes), so this one is data to copy and
    change. Working-day offsets count from the deadline's last day ``D``; every message is
    moved to working time (quiet hours):

    - ``follow_up``: level 1 on ``D`` itself to the ``unit_operator`` (a reminder); level 2 at
      ``D`` +1 working day to the ``unit_head``; level 3 at +3 to the ``regional_head``; level
      4 at +6 to the ``admin_national`` (escalations). Unit roles mean those of the unit the
      complaint is dispatched to.
    - ``verification``: level 1 at ``D`` +1 to the ``admin_agency``.
    - ``closure``: when it runs out (the end of the 10th working day with no reply), the
      complaint is closed by ``system``, at that very instant (no quiet hours: it is not a
      message, and the reply window is over).
    - ``resolution``: at breach, a copy to the ``ombudsman`` (level 1).

    Args:
        policy: The clocks to watch (default `lapor_policy`); they must include the four
            clocks above, on a workflow with ``escalate`` and ``close``.

    Returns:
        The ladder ``sp4n-lapor`` version ``2025.1`` (cached per argument).

    Example:
        ```pycon
        >>> for rule in lapor_ladder().rules[:2]:
        ...     print(rule)
        follow_up.1: follow_up level 1 remind to unit_operator at deadline +0 working days
        follow_up.2: follow_up level 2 escalate to unit_head at deadline +1 working day

        ```
    """
    policy = lapor_policy() if policy is None else policy
    rules = (
        Rule(
            "follow_up.1",
            "follow_up",
            1,
            Role.UNIT_OPERATOR,
            "remind",
            offset=Offset.working_days(0),
        ),
        Rule(
            "follow_up.2", "follow_up", 2, Role.UNIT_HEAD, "escalate", offset=Offset.working_days(1)
        ),
        Rule(
            "follow_up.3",
            "follow_up",
            3,
            Role.REGIONAL_HEAD,
            "escalate",
            offset=Offset.working_days(3),
        ),
        Rule(
            "follow_up.4",
            "follow_up",
            4,
            Role.ADMIN_NATIONAL,
            "escalate",
            offset=Offset.working_days(6),
        ),
        Rule(
            "verification.1",
            "verification",
            1,
            Role.ADMIN_AGENCY,
            "escalate",
            offset=Offset.working_days(1),
        ),
        Rule("closure.close", "closure", 1, (), "close", offset=Offset.at_deadline(), quiet=False),
        Rule(
            "resolution.ombudsman",
            "resolution",
            1,
            Role.OMBUDSMAN,
            "escalate",
            offset=Offset.at_deadline(),
        ),
    )
    return Ladder("sp4n-lapor", "2025.1", policy, rules)
