"""Clock and policy definitions: immutable values, and the linter's refusals with reasons."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from sla_support import GENERIC, OFFICE, generic_clock, generic_policy

from pengaduan import DefinitionError, UnknownClockError
from pengaduan.presets import calendar_24x7, lapor_policy, lapor_workflow
from pengaduan.sla import Clock, Condition, LintProblem, Policy, Target, TargetUnit, lint


def reasons(clock: Clock, workflow=GENERIC) -> list[str]:
    return [p.reason for p in lint(clock, workflow)]


# -- targets -----------------------------------------------------------------------------------


def test_targets_print_their_amount_and_unit():
    assert str(Target.working_days(1)) == "1 working day"
    assert str(Target.calendar_days(60)) == "60 calendar days"
    assert str(Target.working_time(timedelta(hours=7, minutes=30))) == "7h 30m of working time"
    assert str(Target.calendar_time(timedelta(days=2))) == "2d of calendar time"
    assert Target.working_time(timedelta(hours=1)).in_working_time
    assert not Target.calendar_days(1).in_working_time


@pytest.mark.parametrize(
    ("unit", "amount"),
    [
        (TargetUnit.WORKING_DAYS, 0),
        (TargetUnit.WORKING_DAYS, -3),
        (TargetUnit.WORKING_DAYS, 1.5),
        (TargetUnit.WORKING_DAYS, True),
        (TargetUnit.CALENDAR_DAYS, timedelta(days=1)),
        (TargetUnit.WORKING_TIME, timedelta(0)),
        (TargetUnit.WORKING_TIME, 8),
        (TargetUnit.CALENDAR_TIME, timedelta(hours=-1)),
    ],
)
def test_a_target_refuses_an_amount_that_does_not_fit_its_unit(unit, amount):
    with pytest.raises(DefinitionError, match="Target"):
        Target(unit, amount)


def test_a_target_refuses_an_unknown_unit_naming_the_known_ones():
    with pytest.raises(DefinitionError, match="fortnights") as info:
        Target("fortnights", 1)
    assert "working_days, working_time, calendar_days, calendar_time" in info.value.reason
    assert Target("working_days", 1) == Target.working_days(1)


# -- values --------------------------------------------------------------------------------------


def test_clocks_and_policies_are_immutable_comparable_values():
    a = generic_clock(Target.working_days(3))
    b = generic_clock(Target.working_days(3))
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.name = "other"  # type: ignore[misc]
    assert a.evolve(target=Target.working_days(4)) != a
    assert generic_policy(Target.working_days(3)) == generic_policy(Target.working_days(3))


def test_conditions_accept_action_names_as_a_shorthand():
    clock = generic_clock(Target.working_days(1), start=("begin", "again"), stop="finish")
    assert clock.start == Condition(actions={"begin", "again"})
    assert clock.stop == Condition(actions={"finish"})
    assert str(Condition(actions={"b", "a"}, states={"held"})) == "on a or on b or entering held"
    assert str(Condition()) == "never"


def test_a_policy_finds_its_clocks_by_name_and_refuses_an_unknown_one():
    policy = lapor_policy()
    assert policy.clock("closure").label == "Penutupan"
    with pytest.raises(UnknownClockError) as info:
        policy.clock("answer")
    assert info.value.name == "answer"
    assert info.value.policy == "sp4n-lapor"
    assert "verification" in str(info.value)


def test_a_policy_derives_new_versions_without_changing_itself():
    policy = lapor_policy()
    other = policy.with_target("verification", Target.working_days(5)).evolve(version="2025.2")
    assert other.clock("verification").target == Target.working_days(5)
    assert policy.clock("verification").target == Target.working_days(3)
    moved = policy.with_calendar(calendar_24x7("Asia/Jakarta"), "closure")
    assert moved.clock("closure").calendar.name == "24x7"
    assert moved.clock("verification").calendar == policy.clock("verification").calendar
    assert policy.without_clock("closure").names == ("verification", "follow_up", "resolution")
    with pytest.raises(UnknownClockError):
        policy.without_clock("answer")
    with pytest.raises(UnknownClockError):
        policy.with_calendar(OFFICE, "answer")
    replaced = policy.with_clock(policy.clock("closure").evolve(label="Tutup"))
    assert replaced.names == policy.names
    assert replaced.clock("closure").label == "Tutup"


# -- the linter ----------------------------------------------------------------------------------


def test_the_linter_accepts_the_preset_and_the_generic_clock():
    assert lint(lapor_policy().clocks, lapor_workflow()) == ()
    assert lint(generic_clock(Target.working_days(1)), GENERIC) == ()


def test_a_clock_that_can_never_start_is_refused():
    clock = generic_clock(Target.working_days(1), start=(), reset=())
    assert reasons(clock) == ["can never start: it has no start and no reset condition"]


def test_a_clock_whose_start_actions_are_not_in_the_workflow_can_never_start():
    clock = generic_clock(Target.working_days(1), start="submit", reset=())
    assert "can never start: no action of the workflow meets its start or reset" in reasons(clock)
    assert "start: unknown action(s) submit" in reasons(clock)


def test_a_clock_that_stops_on_its_own_start_is_refused():
    same_action = generic_clock(Target.working_days(1), stop=("finish", "begin"))
    assert reasons(same_action) == ["stops on its own start: begin both start and stop it"]
    same_state = generic_clock(
        Target.working_days(1),
        start=Condition(states={"open"}),
        stop=Condition(states={"open"}),
        reset=(),
    )
    assert "stops on its own start: entering open both starts and stops it" in reasons(same_state)
    into_stop_state = generic_clock(
        Target.working_days(1), stop=Condition(states={"open"}), reset=()
    )
    assert reasons(into_stop_state) == [
        "stops on its own start: begin starts it and leads to open, which stops it"
    ]
    stop_into_start_state = generic_clock(
        Target.working_days(1), start=Condition(states={"open"}), stop="again", reset=()
    )
    assert reasons(stop_into_start_state) == [
        "stops on its own start: again stops it and leads to open, which starts it"
    ]
    reset_and_stop = generic_clock(Target.working_days(1), reset="finish")
    assert reasons(reset_and_stop) == ["stops on its own start: finish both start and stop it"]


def test_a_pause_with_no_way_out_is_refused():
    no_resume = generic_clock(Target.working_days(1), resume_on=())
    assert reasons(no_resume) == [
        "a pause with no way out: pause pause it and no action resumes it"
    ]
    both = generic_clock(Target.working_days(1), resume_on=("pause", "resume"))
    assert reasons(both) == ["pause both pause and resume it"]
    resume_only = generic_clock(Target.working_days(1), pause_on=())
    assert reasons(resume_only) == [
        "resume_on is set but no action pauses it (use pause_while for states)"
    ]


def test_a_pause_state_that_nothing_leaves_is_refused():
    workflow = lapor_workflow()
    clock = lapor_policy().clock("resolution").evolve(pause_while={"archived"}, stop="close")
    assert reasons(clock, workflow) == [
        "a pause with no way out: no action leaves 'archived' for an unpaused state or stops "
        "the clock"
    ]


def test_unknown_names_are_refused_against_the_workflow():
    clock = generic_clock(
        Target.working_days(1),
        stop=Condition(actions={"finish", "end"}, states={"gone"}),
        pause_while={"held", "limbo"},
        due_action="explode",
    )
    assert reasons(clock) == [
        "stop: unknown action(s) end",
        "due_action: unknown action 'explode'",
        "stop: unknown state(s) gone",
        "pause_while: unknown state(s) limbo",
    ]


def test_state_conditions_need_a_workflow():
    clock = generic_clock(Target.working_days(1))
    assert reasons(clock, None) == ["has state conditions; they need the policy's workflow"]
    plain = generic_clock(Target.working_days(1), pause_while=())
    assert lint(plain) == ()


def test_duplicate_and_badly_named_clocks_are_refused():
    clock = generic_clock(Target.working_days(1))
    assert [str(p) for p in lint([clock, clock], GENERIC)] == ["clock 'c': is defined twice"]
    assert reasons(clock.evolve(name="first response")) == ["its name must be an identifier"]


def test_a_policy_refuses_a_contradictory_clock_with_every_reason():
    bad = generic_clock(Target.working_days(1), stop=("finish", "begin"), resume_on=())
    with pytest.raises(DefinitionError) as info:
        Policy("p", "1", [bad], GENERIC)
    error = info.value
    assert error.definition == "p 1"
    assert "stops on its own start" in error.reason
    assert "a pause with no way out" in error.reason
    assert isinstance(error, ValueError)


def test_lint_problems_name_their_clock():
    problem = LintProblem("c", "can never start")
    assert str(problem) == "clock 'c': can never start"


def test_a_stop_or_reset_state_that_no_action_enters_is_refused():
    # "new" is the generic workflow's initial state: no action leads into it.
    never_stops = generic_clock(Target.working_days(1), stop=Condition(states={"new"}))
    assert reasons(never_stops) == ["stop can never be met: no action of the workflow enters new"]
    never_resets = generic_clock(Target.working_days(1), reset=Condition(states={"new"}))
    assert reasons(never_resets) == ["reset can never be met: no action of the workflow enters new"]


def test_a_working_target_on_a_calendar_without_working_windows_is_refused():
    closed = attrs.evolve(OFFICE, name="closed", hours=[()] * 7)
    for target in (Target.working_days(1), Target.working_time(timedelta(hours=1))):
        clock = generic_clock(target, closed)
        assert reasons(clock) == [
            f"counts {target} on calendar 'closed', which has no working window: its deadline "
            "can never come"
        ]
    # Calendar targets do not count working time: the same calendar is fine for them.
    assert reasons(generic_clock(Target.calendar_days(1), closed)) == []


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"target": 3}, "its target must be a Target"),
        ({"target": timedelta(days=3)}, "its target must be a Target"),
        ({"calendar": "id-gov"}, "its calendar must be a WorkCalendar"),
        ({"calendar": None}, "its calendar must be a WorkCalendar"),
    ],
)
def test_a_clock_refuses_a_target_or_calendar_of_the_wrong_type(changes, says):
    fields = {"target": Target.working_days(1), "calendar": OFFICE, **changes}
    with pytest.raises(DefinitionError, match=says) as info:
        Clock("c", "Jam", start="begin", stop="finish", **fields)
    assert info.value.definition == "Clock 'c'"


def test_pause_while_takes_a_condition_on_states() -> None:
    clock = Clock(
        "x",
        "X",
        Target.working_days(3),
        calendar_24x7(),
        start="submit",
        pause_while=Condition(states={"on_hold"}),
    )
    assert clock.pause_while == {"on_hold"}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("pause_while", "actions", "pause_while takes states"),
        ("pause_on", "condition", "expected a name or an iterable of names"),
        ("resume_on", 3, "expected a name or an iterable of names"),
    ],
)
def test_a_wrongly_typed_condition_is_a_definition_error(field, value, reason) -> None:
    from pengaduan import DefinitionError

    given = {
        "actions": Condition(actions={"hold"}),
        "condition": Condition(states={"on_hold"}),
    }.get(value, value)
    with pytest.raises(DefinitionError, match=reason):
        Clock("x", "X", Target.working_days(3), calendar_24x7(), **{field: given})
