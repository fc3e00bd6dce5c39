"""Ladders, rules and offsets are checked values: every inconsistency is refused with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pengaduan.escalation import Ladder, Offset, OffsetUnit, Rule
from pengaduan.exceptions import DefinitionError, UnknownRuleError
from pengaduan.presets import lapor_ladder, lapor_policy
from pengaduan.sla import Policy


def test_offsets_say_what_they_are() -> None:
    assert str(Offset.working_days(3)) == "+3 working days"
    assert str(Offset.working_days(-1)) == "-1 working day"
    assert str(Offset.working_time(timedelta(hours=-2))) == "-2:00:00 of working time"
    assert Offset.working_days(1).positive
    assert not Offset.working_days(0).positive
    assert not Offset.calendar_time(timedelta(0)).positive
    assert Offset.working_time(timedelta(minutes=5)).unit is OffsetUnit.WORKING_TIME
    assert OffsetUnit.WORKING_DAYS.label == "hari kerja"


@pytest.mark.parametrize(
    ("unit", "amount"),
    [
        ("working_days", timedelta(days=1)),
        ("working_days", True),
        ("working_time", 3),
        ("calendar_time", 3),
    ],
)
def test_an_offset_whose_amount_does_not_fit_its_unit_is_refused(unit: str, amount: object) -> None:
    with pytest.raises(DefinitionError):
        Offset(unit, amount)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"name": "a/b"}, "its name may hold only"),
        ({"name": ""}, "its name may hold only"),
        ({"level": 0}, "level must be an integer of at least 1"),
        ({"level": True}, "level must be an integer of at least 1"),
        ({"percent": None}, "give exactly one of percent and offset"),
        ({"offset": Offset.working_days(1)}, "give exactly one of percent and offset"),
        ({"percent": -5}, "percent must be at least 0"),
        ({"to": ()}, "needs at least one recipient role"),
        ({"action": ""}, "its action must be"),
        ({"repeat": Offset.working_days(0)}, "repeat interval must be positive"),
        ({"repeats": 2}, "repeats is set but it has no repeat interval"),
        ({"repeat": Offset.working_days(1), "repeats": -1}, "repeats must be at least 0"),
        ({"action": "close", "to": (), "repeat": Offset.working_days(1)}, "cannot repeat"),
    ],
)
def test_an_inconsistent_rule_is_refused_with_its_reason(
    changes: dict[str, object], reason: str
) -> None:
    base: dict[str, object] = {
        "name": "r",
        "clock": "follow_up",
        "level": 1,
        "to": "unit_head",
        "percent": 50,
    }
    with pytest.raises(DefinitionError, match=reason):
        Rule(**{**base, **changes})  # type: ignore[arg-type]


def test_a_rule_accepts_one_role_or_several() -> None:
    assert Rule("r", "follow_up", 1, "unit_head", percent=50).to == ("unit_head",)
    rule = Rule("r", "follow_up", 1, ["unit_head", "admin_agency"], percent=50)
    assert rule.to == ("unit_head", "admin_agency")
    assert not rule.automatic
    assert Rule("c", "closure", 1, (), "close", offset=Offset.at_deadline()).automatic
    assert rule.evolve(level=2).level == 2


def test_a_ladder_lists_every_problem_at_once() -> None:
    rules = [
        Rule("a", "nope", 1, "unit_head", percent=50),
        Rule("a", "follow_up", 1, "mayor", percent=50),
        Rule("b", "closure", 1, (), "teleport", offset=Offset.at_deadline()),
    ]
    with pytest.raises(DefinitionError) as caught:
        Ladder("x", "1", lapor_policy(), rules, record_action="shout")
    message = str(caught.value)
    assert "rule 'a': unknown clock 'nope'" in message
    assert "rule 'a' is defined twice" in message
    assert "unknown role(s) mayor" in message
    assert "the workflow has no action 'teleport'" in message
    assert "no action 'shout' to record messages" in message


def test_a_ladder_without_a_workflow_checks_clocks_only() -> None:
    policy = Policy("bare", "1", [c for c in lapor_policy().clocks if not c.pause_while])
    ladder = Ladder("x", "1", policy, [Rule("a", "follow_up", 1, "anyone", percent=50)])
    assert ladder.rules_for("follow_up")[0].to == ("anyone",)
    with pytest.raises(DefinitionError, match="unknown clock 'verification'"):
        Ladder("x", "1", policy, [Rule("a", "verification", 1, "anyone", percent=50)])


def test_deriving_a_ladder_keeps_it_checked() -> None:
    ladder = lapor_ladder()
    extra = Rule("follow_up.5", "follow_up", 5, "ombudsman", "escalate", percent=300)
    more = ladder.with_rule(extra)
    assert more.rule("follow_up.5") == extra
    assert more.rules[-1] == extra
    replaced = more.with_rule(extra.evolve(level=6))
    assert replaced.rule("follow_up.5").level == 6
    assert len(replaced.rules) == len(more.rules)
    assert ladder.without_rule("follow_up.4").rules_for("follow_up")[-1].name == "follow_up.3"
    assert ladder.rules_for("nothing") == ()
    with pytest.raises(UnknownRuleError, match="unknown rule 'nope' in ladder 'sp4n-lapor'") as e:
        ladder.without_rule("nope")
    assert isinstance(e.value, LookupError)
    assert e.value.known == tuple(r.name for r in ladder.rules)
    with pytest.raises(DefinitionError):
        ladder.with_rule(extra.evolve(clock="nope"))
    assert ladder.evolve(version="2") != ladder
    assert lapor_ladder() == ladder  # a value: equal ladders compare equal
