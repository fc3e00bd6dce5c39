"""JSON codecs: every definition and record round-trips; bad input names the bad field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from store_helpers import START, lifecycle

from pengaduan.access import DEFAULT_POLICY, PrivacyPolicy, Viewer
from pengaduan.calendar import WorkCalendar
from pengaduan.codecs import decode_complaint, dumps, from_dict, guard_reference, loads, to_dict
from pengaduan.escalation import Ladder
from pengaduan.exceptions import CodecError, DefinitionError, RefusedError
from pengaduan.model import Actor, Complaint, Event, Facts, Location, Privacy, Reporter
from pengaduan.presets import lapor_guards, lapor_ladder, lapor_policy, lapor_workflow
from pengaduan.presets._calendars import calendar_24x7, id_gov_calendar, id_gov_days_calendar
from pengaduan.sla import Policy, Target, TargetUnit
from pengaduan.sync import ExternalUpdate
from pengaduan.workflow import Action, Workflow


def rebuilt() -> Complaint:
    workflow = lapor_workflow()
    complaint = workflow.new("C-1")
    for event in lifecycle("C-1"):
        complaint = workflow.apply_event(complaint, event)
    return complaint


@pytest.mark.parametrize(
    ("cls", "value"),
    [
        (Workflow, lapor_workflow()),
        (WorkCalendar, id_gov_calendar()),
        (WorkCalendar, id_gov_days_calendar()),
        (WorkCalendar, calendar_24x7("Asia/Makassar")),
        (Policy, lapor_policy()),
        (Ladder, lapor_ladder()),
        (Complaint, rebuilt()),
        (Event, lifecycle("C-1")[0]),
        (Facts, rebuilt().facts),
        (Actor, Actor("op-pu", "unit_operator", "dinas-pu")),
        (Privacy, Privacy(anonymous=True, confidential=True)),
        (Reporter, Reporter(name="Siti", phone="0812555", email="s@x.id", nik="1603")),
        (Location, Location(address="Jl. Merdeka 1", latitude=-3.7, longitude=103.8)),
        (PrivacyPolicy, DEFAULT_POLICY.with_personal_fields("location.address")),
        (PrivacyPolicy, PrivacyPolicy(public_states=None, confidential_roles={"inspektorat"})),
        (Viewer, Viewer(role="reporter", account="warga-17")),
        (ExternalUpdate, ExternalUpdate("u-1", "1916449", "Selesai", START, {"note": "ok"})),
    ],
    ids=[
        "workflow",
        "id-gov",
        "id-gov-days",
        "24x7",
        "policy",
        "ladder",
        "complaint",
        "event",
        "facts",
        "actor",
        "privacy",
        "reporter",
        "location",
        "privacy-policy",
        "privacy-policy-open",
        "viewer",
        "external-update",
    ],
)
def test_every_definition_and_record_round_trips_through_json(cls: type, value: object) -> None:
    text = dumps(value)
    assert loads(cls, text, guards=lapor_guards()) == value
    assert json.loads(text) == to_dict(value)


@pytest.mark.parametrize(
    "delta",
    [
        timedelta(0),
        timedelta(hours=7, minutes=30),
        timedelta(days=3),
        timedelta(seconds=-90),
        timedelta(days=1, microseconds=5),
    ],
)
def test_durations_round_trip(delta: timedelta) -> None:
    target = Target(TargetUnit.WORKING_TIME, delta) if delta > timedelta(0) else None
    if target is not None:
        assert from_dict(Target, to_dict(target)) == target
    from pengaduan.codecs import _Decoder, _duration

    assert _Decoder("t", {}).duration(_duration(delta), "") == delta


def test_a_decoded_complaint_is_rebuilt_from_its_events_not_trusted() -> None:
    data = to_dict(rebuilt())
    data["state"] = "closed"
    assert decode_complaint(data, lapor_workflow()).state == "followed_up"
    assert from_dict(Complaint, data).state == "closed"


def test_a_decoded_complaint_with_an_impossible_history_is_refused() -> None:
    data = to_dict(rebuilt())
    data["events"] = data["events"][1:]
    with pytest.raises(RefusedError):
        decode_complaint(data, lapor_workflow())


def workflow_data() -> dict:
    return to_dict(lapor_workflow())


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda d: d.update(name=5), "name", "must be a string, got integer"),
        (lambda d: d.pop("version"), "version", "is missing"),
        (lambda d: d.update(colour="red"), "", "is not a field of Workflow"),
        (lambda d: d["actions"][0].update(roles="reporter"), "actions[0].roles", "array"),
        (
            lambda d: d["actions"][0]["fields"][0].update(kind="colour"),
            "actions[0].fields[0].kind",
            "must be one of",
        ),
        (lambda d: d["states"][1].update(terminal="yes"), "states[1].terminal", "true or false"),
        (
            lambda d: d["actions"][0].update(guards=["os:system"]),
            "actions[0].guards[0]",
            "unknown guard",
        ),
        (lambda d: d.update(initial="nowhere"), "", "initial state"),
    ],
    ids=["type", "missing", "unknown", "not-array", "enum", "bool", "guard", "definition"],
)
def test_a_malformed_workflow_names_the_bad_field(change, path: str, reason: str) -> None:
    data = workflow_data()
    change(data)
    with pytest.raises(CodecError) as caught:
        from_dict(Workflow, data, guards=lapor_guards())
    assert caught.value.path == path
    assert reason in caught.value.reason
    assert caught.value.kind == "Workflow"


def test_a_guard_is_never_imported_from_the_data_only_taken_from_the_registry() -> None:
    def no_weekends(complaint: Complaint, event: Event) -> str | None:
        return None

    workflow = lapor_workflow().replace_action("hold", guards=(no_weekends,))
    data = to_dict(workflow)
    with pytest.raises(CodecError, match="unknown guard"):
        from_dict(Workflow, data, guards=lapor_guards())
    with pytest.raises(CodecError, match="unknown guard"):
        from_dict(Workflow, data)  # not even the preset's: only the guards given are known
    decoded = from_dict(
        Workflow, data, guards={**lapor_guards(), guard_reference(no_weekends): no_weekends}
    )
    assert decoded.action("hold").guards == (no_weekends,)
    assert isinstance(decoded.action("hold"), Action)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            '{"id": "e", "complaint": "c", "action": "a", "at": "2026-03-02T08:00:00", '
            '"actor": {"id": "w", "role": "r", "unit": null}, "data": {}}',
            "at",
        ),
        (
            '{"id": "e", "complaint": "c", "action": "a", "at": "yesterday", '
            '"actor": {"id": "w", "role": "r", "unit": null}, "data": {}}',
            "at",
        ),
        (
            '{"id": "e", "complaint": "c", "action": "a", "at": "2026-03-02T08:00:00+07:00", '
            '"actor": {"id": "w", "role": 7, "unit": null}, "data": {}}',
            "actor.role",
        ),
    ],
    ids=["naive", "not-a-date", "role-type"],
)
def test_a_malformed_event_names_the_bad_field(text: str, path: str) -> None:
    with pytest.raises(CodecError) as caught:
        loads(Event, text)
    assert caught.value.path == path


def test_text_that_is_not_json_is_a_codec_error() -> None:
    with pytest.raises(CodecError, match="not valid JSON"):
        loads(Workflow, "{nope")
    with pytest.raises(CodecError, match="not valid JSON"):
        loads(Workflow, "[" * 100_000)


def test_a_bad_calendar_names_the_bad_field() -> None:
    data = to_dict(id_gov_calendar())
    data["holidays"][3]["day"] = "2026-02-30"
    with pytest.raises(CodecError) as caught:
        from_dict(WorkCalendar, data)
    assert caught.value.path == "holidays[3].day"


@pytest.mark.parametrize(
    ("years", "reason"),
    [
        # The union's two failures were merged into "must be tuple or null, got array".
        ([2015, 2016, 2017], "must be an array of 2 items, got 3 (or null)"),
        ("2015-2027", "must be an array, got str (or null)"),
        ([2027, 2015], "holiday_years must be (first, last) years with first <= last"),
    ],
)
def test_a_bad_holiday_years_says_what_it_must_be(years: object, reason: str) -> None:
    data = to_dict(id_gov_calendar())
    data["holiday_years"] = years
    with pytest.raises(CodecError) as caught:
        from_dict(WorkCalendar, data)
    assert reason in str(caught.value)
    data["holiday_years"] = None
    assert from_dict(WorkCalendar, data).holiday_years is None


def test_a_calendar_refuses_holiday_years_that_claim_no_year() -> None:
    # Reversed, the range held no year: every result was marked estimated, silently.
    with pytest.raises(DefinitionError, match="first <= last, not \\(2027, 2015\\)"):
        WorkCalendar("x", "Asia/Jakarta", holiday_years=(2027, 2015))
    assert WorkCalendar("x", "Asia/Jakarta", holiday_years=(2027, 2027)).holiday_years == (
        2027,
        2027,
    )


def test_a_bad_duration_names_the_bad_field() -> None:
    with pytest.raises(CodecError) as caught:
        from_dict(Target, {"unit": "working_time", "amount": "seven hours"})
    assert caught.value.path == "amount"


def _mutated(value: object, change: object) -> dict:
    data = to_dict(value)
    change(data)  # type: ignore[operator]
    return data


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["clocks"][1]["target"].__setitem__("amount", "3"), "clocks[1].target.amount"),
        (lambda d: d["clocks"][0].__setitem__("starts_on", "submit"), "clocks[0]"),
        (lambda d: d.pop("clocks"), "clocks"),
        (lambda d: d["clocks"][2]["calendar"].__setitem__("hours", []), "clocks[2].calendar.hours"),
        (lambda d: d["workflow"].__setitem__("states", 7), "workflow.states"),
    ],
    ids=["amount-as-text", "unknown-key", "missing", "calendar-hours", "inside-optional"],
)
def test_a_malformed_policy_names_the_bad_field(change: object, path: str) -> None:
    data = _mutated(lapor_policy(), change)
    with pytest.raises(CodecError) as caught:
        from_dict(Policy, data, guards=lapor_guards())
    assert caught.value.path == path
    assert caught.value.kind == "Policy"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.__setitem__("policy", []), "policy"),
        (lambda d: d["rules"][0].__setitem__("level", "1"), "rules[0].level"),
        (lambda d: d["rules"][1].__setitem__("to", "unit_head"), "rules[1].to"),
        (
            lambda d: d["rules"][0]["offset"].__setitem__("unit", "fortnights"),
            "rules[0].offset.unit",
        ),
    ],
    ids=["policy-not-object", "level-as-text", "to-not-array", "unknown-unit"],
)
def test_a_malformed_ladder_names_the_bad_field(change: object, path: str) -> None:
    data = _mutated(lapor_ladder(), change)
    with pytest.raises(CodecError) as caught:
        from_dict(Ladder, data, guards=lapor_guards())
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"name": "x", "name": "y", "zone": "Asia/Jakarta"}', "repeats a key"),
        ('{"name": "x", "zone": "Asia/Jakarta", "n": NaN}', "NaN"),
        ('{"name": "x", "zone": "Asia/Jakarta", "n": -Infinity}', "-Infinity"),
        ('{"name": "x", "zone": "Asia/Jakarta", "n": ' + "7" * 4301 + "}", "too many digits"),
        ('{"name": "\\ud800", "zone": "Asia/Jakarta"}', "lone surrogate"),
    ],
    ids=["duplicate-key", "nan", "infinity", "huge-integer", "lone-surrogate"],
)
def test_a_definition_text_json_would_take_is_refused_by_the_codecs(text: str, reason: str) -> None:
    with pytest.raises(CodecError, match=reason) as caught:
        loads(WorkCalendar, text)
    assert "Budi" not in str(caught.value)


def test_an_unknown_key_is_named_by_its_position_not_echoed() -> None:
    with pytest.raises(CodecError, match="key number 3 is not a field") as caught:
        loads(WorkCalendar, '{"name": "x", "zone": "Asia/Jakarta", "Budi 0812": 1}')
    assert "Budi" not in str(caught.value)
    assert "0812" not in str(caught.value)
