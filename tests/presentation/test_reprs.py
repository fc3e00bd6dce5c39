"""Reprs are short (a notebook or a log line never dumps a definition) and HTML is well-formed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from html_check import check_html

from pengaduan.calendar import Holiday, WorkCalendar
from pengaduan.model import Complaint
from pengaduan.presets import (
    calendar_24x7,
    calendar_by_name,
    id_gov_calendar,
    id_gov_days_calendar,
    lapor_ladder,
    lapor_policy,
    lapor_workflow,
)
from pengaduan.simulation import muara_enim, muara_enim_ladder, simulate
from pengaduan.sla import Clock, Policy, Target, evaluate
from pengaduan.testing import a_complaint
from pengaduan.workflow import State

WIB = ZoneInfo("Asia/Jakarta")
LIMIT = 300


def _calendars() -> list[WorkCalendar]:
    out = [calendar_24x7(), id_gov_calendar(), id_gov_days_calendar()]
    for name in ("id-gov", "id-gov-days", "24x7"):
        for zone in ("WIB", "WITA", "WIT"):
            out.append(calendar_by_name(name, zone))
    out.append(id_gov_calendar().union(id_gov_days_calendar("WIT")))
    out.append(id_gov_calendar().intersection(calendar_24x7()))
    return out


def _definitions() -> list[object]:
    workflow, policy = lapor_workflow(), lapor_policy()
    ladders = [lapor_ladder(), muara_enim_ladder()]
    out: list[object] = [workflow, policy, *ladders, *_calendars()]
    out += [*workflow.states, *workflow.actions, *policy.clocks]
    out += [rule for ladder in ladders for rule in ladder.rules]
    scenario = muara_enim()
    out += [scenario, scenario.reminders]
    return out


@pytest.mark.parametrize("value", _definitions(), ids=lambda v: type(v).__name__)
def test_every_preset_definition_has_a_short_repr(value: object) -> None:
    text = repr(value)
    assert len(text) < LIMIT, text[:400]


def test_the_policy_repr_names_version_fingerprint_and_counts() -> None:
    policy = lapor_policy()
    text = repr(policy)
    assert policy.name in text
    assert policy.version in text
    assert policy.fingerprint in text
    assert f"{len(policy.clocks)} clocks" in text


def test_clock_states_evaluations_and_results_have_short_reprs() -> None:
    sim = simulate(muara_enim(complaints=25), seed=3)
    complaints = sim.complaints()
    policy = lapor_policy()
    texts = [repr(sim)]
    for complaint in complaints.values():
        evaluation = evaluate(complaint, sim.scenario.end, policy=policy)
        texts += [repr(evaluation), repr(evaluation.explain())]
        for state in evaluation:
            texts.append(repr(state))
            texts += [repr(cycle) for cycle in state.cycles]
    assert max(len(t) for t in texts) < LIMIT, max(texts, key=len)


def test_fingerprints_follow_the_rules_not_the_names() -> None:
    policy = lapor_policy()
    assert policy.evolve(name="other", version="9").fingerprint == policy.fingerprint
    holiday = Holiday(date(2026, 9, 9), "Hari Jadi Kabupaten", "regional")
    changed = policy.with_calendar(id_gov_calendar().with_holidays(holiday))
    assert changed.fingerprint != policy.fingerprint
    ladder = lapor_ladder()
    assert ladder.evolve(version="x").fingerprint == ladder.fingerprint
    rule = ladder.rules[0]
    assert ladder.with_rule(attrs.evolve(rule, level=rule.level + 1)).fingerprint != (
        ladder.fingerprint
    )
    workflow = lapor_workflow()
    relabelled = workflow.with_state(State("archived", "Arsip"))
    assert relabelled.fingerprint != workflow.fingerprint


def _dispatched(**submit: Any) -> Complaint:
    t = datetime(2026, 9, 8, 9, tzinfo=WIB)
    return (
        a_complaint("C-1")
        .submitted(at=t, **submit)
        .verified(at=t + timedelta(hours=2))
        .dispatched(at=t + timedelta(hours=3))
        .complaint
    )


def _html_of_everything() -> list[tuple[str, str]]:
    policy, ladder = lapor_policy(), lapor_ladder()
    complaint = _dispatched()
    evaluation = evaluate(complaint, datetime(2026, 9, 18, 9, tzinfo=WIB), policy=policy)
    out = [
        ("workflow", lapor_workflow()._repr_html_()),
        ("policy", policy._repr_html_()),
        ("ladder", ladder._repr_html_()),
        ("clock", policy.clocks[0]._repr_html_()),
        ("evaluation", evaluation._repr_html_()),
    ]
    out += [(f"state {s.name}", s._repr_html_()) for s in evaluation]
    out += [(c.name, c._repr_html_()) for c in _calendars()]
    return out


@pytest.mark.parametrize(("what", "fragment"), _html_of_everything(), ids=lambda v: v[:20])
def test_every_html_fragment_is_well_formed_and_styles_itself(what: str, fragment: str) -> None:
    parsed = check_html(fragment)
    assert "table" in parsed.tags or "svg" in parsed.tags, what
    assert "style" in parsed.tags or 'style="' in fragment


def test_the_workflow_html_is_its_diagram_with_every_state() -> None:
    workflow = lapor_workflow()
    parsed = check_html(workflow._repr_html_())
    assert "svg" in parsed.tags
    text = " ".join(parsed.text)
    for state in workflow.states:
        assert state.name in text
        assert state.label in text


def test_the_calendar_html_is_a_month_of_working_time() -> None:
    calendar = id_gov_calendar()
    parsed = check_html(calendar.month_html(2026, 3))
    text = " ".join(parsed.text)
    assert "Maret 2026" in text
    assert "Hari Suci Nyepi" in text  # 19 March 2026
    assert "07:30-12:00" in text  # an ordinary working day
    assert parsed.tags.count("td") >= 31


HOSTILE = '<script>alert("x")</script>&'


def test_html_escapes_names_and_labels() -> None:
    calendar = WorkCalendar(
        HOSTILE,
        "Asia/Jakarta",
        {"mon-fri": "08:00-16:00"},
        holidays=[Holiday(date(2026, 3, 2), HOSTILE)],
    )
    workflow = lapor_workflow().with_state(State("archived", HOSTILE))
    clock = Clock("c1", HOSTILE, Target.working_days(2), calendar, start="submit", stop="verify")
    policy = Policy(HOSTILE, HOSTILE, [clock], lapor_workflow())
    ladder = lapor_ladder()
    for fragment in (
        calendar.month_html(2026, 3),
        workflow._repr_html_(),
        clock._repr_html_(),
        policy._repr_html_(),
        ladder.evolve(name=HOSTILE)._repr_html_(),
    ):
        check_html(fragment)
        assert "<script" not in fragment


def test_reprs_of_complaints_and_their_evaluations_hide_personal_data() -> None:
    phone, name, title = "081234567890", "Siti Rahayu", "Pungli di kantor desa"
    complaint = _dispatched(
        title=title,
        reporter={"name": name, "phone": phone},
        anonymous=True,
        confidential=True,
    )
    evaluation = evaluate(complaint, datetime(2026, 9, 18, 9, tzinfo=WIB), policy=lapor_policy())
    texts = [repr(complaint), repr(evaluation), repr(evaluation.explain())]
    texts += [repr(s) for s in evaluation] + [s._repr_html_() for s in evaluation]
    for text in texts:
        for secret in (phone, name, title):
            assert secret not in text
    assert "<hidden>" in repr(complaint)


def test_due_actions_and_tick_results_show_no_message_text_and_stay_short() -> None:
    from pengaduan.escalation import due, tick

    complaint = _dispatched(title="Pungli di kantor desa")
    later = datetime(2026, 10, 30, 9, tzinfo=WIB)
    actions = due(complaint, later, ladder=lapor_ladder())
    assert actions
    for action in actions:
        text = repr(action)
        assert action.message
        assert action.message not in text
        assert f"<{len(action.message)} chars>" in text
    result = tick(complaint, later, ladder=lapor_ladder())
    assert len(repr(result)) < LIMIT
    assert "Pungli" not in repr(result)


def test_weekly_hours_repr_is_the_parse_call_that_builds_them() -> None:
    from pengaduan.calendar import WeeklyHours
    from pengaduan.presets import id_gov_calendar

    for hours in (
        id_gov_calendar().hours,
        WeeklyHours.every_day("00:00-24:00"),
        WeeklyHours.parse({}),
    ):
        text = repr(hours)
        assert len(text) < 120, text
        assert eval(text, {"WeeklyHours": WeeklyHours}) == hours


def test_a_calendar_fingerprint_follows_its_dated_hours_not_their_repr() -> None:
    import attrs

    from pengaduan.presets import id_gov_calendar

    calendar = id_gov_calendar()
    first = calendar.dated[0]
    moved = attrs.evolve(
        calendar, dated=(attrs.evolve(first, source="another"), *calendar.dated[1:])
    )
    assert moved.fingerprint != calendar.fingerprint
    assert attrs.evolve(calendar).fingerprint == calendar.fingerprint
