"""Every recipient of the preset ladder, walked through the privacy policy (issue 14).

Whoever the ladder sends a complaint to may see it, or the step is skipped with a recorded
reason. The Ombudsman, who gets a copy of every resolution breach, sees *rahasia* complaints
too (without the identity of an *anonim* reporter); the regional head does not, so that step
is skipped for a *rahasia* complaint.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from escalation_support import _STEPS, REPORTER, SUBMIT, Lapor, gaps, instants, wib
from hypothesis import given, settings
from hypothesis import strategies as st

from pengaduan import Complaint
from pengaduan.access import DEFAULT_POLICY, Standing, Viewer, standing, view, visible
from pengaduan.escalation import Recipient, RecordingNotifier, due, tick
from pengaduan.metrics import summarize
from pengaduan.presets import lapor_ladder, lapor_policy, lapor_workflow

FLAGS = {
    "none": {},
    "anonim": {"anonymous": True},
    "rahasia": {"confidential": True},
    "both": {"anonymous": True, "confidential": True},
}
REPORTER_DETAILS = {"name": "Siti Aminah", "phone": "081234567890"}


def _late_everywhere(privacy: dict[str, bool]) -> Lapor:
    """Late on verification (never verified in time), follow-up and resolution alike."""
    lapor = Lapor().submit(wib(2026, 6, 8, 9), privacy=privacy, reporter=REPORTER_DETAILS)
    return lapor.verify(wib(2026, 6, 15, 9)).dispatch(wib(2026, 6, 15, 10))


def _every_step(privacy: dict[str, bool]) -> list:  # type: ignore[type-arg]
    lapor = _late_everywhere(privacy)
    steps = list(due([lapor.complaint], wib(2026, 9, 1, 9), ladder=lapor_ladder()))
    # Verification is stopped by the dispatch; check it on a complaint never dispatched.
    waiting = Lapor("C-2").submit(wib(2026, 6, 8, 9), privacy=privacy, reporter=REPORTER_DETAILS)
    steps += due([waiting.complaint], wib(2026, 6, 30, 9), ladder=lapor_ladder())
    return steps


def test_the_walk_meets_every_recipient_role_of_the_preset_ladder() -> None:
    steps = _every_step({})
    named = {role for rule in lapor_ladder().rules for role in rule.to}
    met = {r.role for step in steps for r in (*step.to, *step.withheld)}
    assert met == named
    assert {step.rule for step in steps} == {r.name for r in lapor_ladder().rules if r.to}


@pytest.mark.parametrize("flags", FLAGS)
def test_every_recipient_may_see_what_it_is_sent_or_the_step_is_skipped(flags: str) -> None:
    for step in _every_step(FLAGS[flags]):
        complaint = (
            _late_everywhere(FLAGS[flags]).complaint
            if step.complaint == "C-1"
            else Lapor("C-2").submit(wib(2026, 6, 8, 9), **_submit(FLAGS[flags])).complaint
        )
        for recipient in step.to:
            assert visible(
                complaint, Viewer.staff(recipient.role, recipient.unit), workflow=lapor_workflow()
            ), step.rule
        for recipient in step.withheld:
            assert not visible(
                complaint, Viewer.staff(recipient.role, recipient.unit), workflow=lapor_workflow()
            )
        assert step.to or step.skipped, step.rule
        if step.skipped:
            assert step.message == ""
            assert step.skip_reason is not None
            assert "rahasia" in step.skip_reason


def _submit(privacy: dict[str, bool]) -> dict[str, object]:
    return {"privacy": privacy, "reporter": REPORTER_DETAILS}


def test_the_ombudsman_reads_a_rahasia_copy_but_not_an_anonim_reporters_identity() -> None:
    lapor = _late_everywhere(FLAGS["both"])
    (copy,) = [
        a
        for a in due([lapor.complaint], wib(2026, 9, 1, 9), ladder=lapor_ladder())
        if a.clock == "resolution"
    ]
    assert copy.to == (Recipient("ombudsman"),)
    assert not copy.skipped
    assert "Jalan berlubang" in copy.message
    seen = view(lapor.complaint, Viewer.staff("ombudsman"), workflow=lapor_workflow())
    assert seen.facts is not None
    assert seen.facts.reporter is None
    assert "Siti" not in copy.message
    assert "ombudsman" in DEFAULT_POLICY.confidential_roles


def test_only_the_regional_head_step_is_skipped_for_a_rahasia_complaint() -> None:
    steps = _every_step(FLAGS["rahasia"])
    assert [(s.rule, [r.role for r in s.withheld]) for s in steps if s.skipped] == [
        ("follow_up.3", ["regional_head"])
    ]
    regent = Viewer.staff("regional_head")
    assert (
        standing(_late_everywhere({}).complaint, regent, workflow=lapor_workflow())
        is Standing.STAFF
    )


def test_tick_records_a_skipped_step_with_its_reason_notifies_nobody_and_counts_no_reminder():
    lapor = _late_everywhere(FLAGS["rahasia"])
    notifier = RecordingNotifier()
    as_of = wib(2026, 6, 26, 9)  # follow-up levels 1-3 are due (deadline end of 22 June)
    result = tick([lapor.complaint], as_of, notifier=notifier, ladder=lapor_ladder())
    assert [a.rule for a in result.skipped] == ["follow_up.3"]
    assert "C-1/follow_up/1/follow_up.3/0" not in notifier.keys
    (record,) = [e for e in result.events if e.data.get("kind") == "skipped"]
    assert record.id == "C-1/follow_up/1/follow_up.3/0"
    assert record.data["skipped"] == (
        "'regional_head' may not see complaint 'C-1': it is confidential (rahasia)"
    )
    complaint = result.complaints["C-1"]
    assert tick([complaint], as_of, ladder=lapor_ladder()).events == ()  # recorded: not due again
    summary = summarize(complaint, as_of, policy=lapor_policy())
    assert summary is not None
    assert summary.reminders == len(result.actions)


@st.composite
def flagged_histories(draw: st.DrawFn) -> Complaint:
    """A random history of the preset workflow whose reporter chose random privacy flags."""
    workflow = lapor_workflow()
    at = draw(instants)
    privacy = draw(st.sampled_from(list(FLAGS.values())))
    complaint = workflow.apply(
        workflow.new("C-1"), "submit", REPORTER, at, {**SUBMIT, **_submit(privacy)}
    )
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        allowed = [a for a in workflow.allowed_actions(complaint) if a in _STEPS]
        if not allowed:
            break
        action = draw(st.sampled_from(allowed))
        at = at + draw(gaps)
        actor, data = _STEPS[action]
        complaint = workflow.apply(complaint, action, actor, at, data)
    return complaint


@settings(max_examples=80, deadline=None)
@given(complaint=flagged_histories(), later=st.integers(min_value=0, max_value=120))
def test_no_step_of_the_ladder_reaches_anyone_who_may_not_see_the_complaint(
    complaint: Complaint, later: int
) -> None:
    assert complaint.updated_at is not None
    as_of = complaint.updated_at + timedelta(days=later)
    for step in due([complaint], as_of, ladder=lapor_ladder()):
        assert step.to or step.skipped or step.automatic
        for recipient in step.to:
            assert visible(
                complaint, Viewer.staff(recipient.role, recipient.unit), workflow=lapor_workflow()
            )
        for recipient in step.withheld:
            assert not visible(
                complaint, Viewer.staff(recipient.role, recipient.unit), workflow=lapor_workflow()
            )
