"""Recalculation under another policy or calendar version, and the explain timeline."""

from __future__ import annotations

from datetime import date, timedelta

from sla_support import Lapor, generic_policy, history, wib

from pengaduan.calendar import Holiday
from pengaduan.presets import id_gov_calendar, lapor_policy
from pengaduan.sla import Difference, Target, diff, evaluate, explain, what_if

TUE = wib(2026, 3, 17, 9, 15)


def test_the_same_policy_gives_no_differences():
    story = Lapor().submit(TUE)
    policy = lapor_policy()
    assert what_if(story.complaint, wib(2026, 3, 20), before=policy, after=policy) == ()


def test_a_new_regional_holiday_moves_the_deadline_one_working_day_later():
    story = Lapor().submit(TUE)
    old = lapor_policy()
    calendar = id_gov_calendar().with_holidays(
        Holiday(date(2026, 3, 26), "Hari Jadi Kabupaten", "regional")
    )
    new = old.with_calendar(calendar).evolve(version="2025.1+hari-jadi")
    (change,) = what_if([story.complaint], wib(2026, 3, 20), before=old, after=new)
    assert (change.complaint, change.clock, change.cycle, change.kind) == (
        "C-1",
        "verification",
        1,
        "deadline_moved",
    )
    assert (change.before, change.after) == (wib(2026, 3, 28), wib(2026, 3, 31))
    assert change.shift == timedelta(days=3)
    assert str(change) == (
        "C-1 verification cycle 1: deadline moved: "
        "2026-03-28T00:00:00+07:00 -> 2026-03-31T00:00:00+07:00"
    )


def test_a_tighter_target_makes_a_breach_appear_and_a_looser_one_makes_it_disappear():
    story = Lapor().submit(TUE)
    story.verify(wib(2026, 3, 26, 9)).dispatch(wib(2026, 3, 26, 10))  # met: deadline 28 March
    as_of = wib(2026, 3, 27)
    strict = lapor_policy().with_target("verification", Target.working_days(1))
    changes = what_if({"C-1": story.complaint}, as_of, before=lapor_policy(), after=strict)
    kinds = [c.kind for c in changes]
    assert kinds == ["deadline_moved", "breach_appeared"]
    assert changes[1].after == wib(2026, 3, 26)
    back = what_if(story.complaint, as_of, before=strict, after=lapor_policy())
    assert [c.kind for c in back] == ["deadline_moved", "breach_disappeared"]


def test_diff_reports_status_cycles_and_added_or_removed_clocks():
    steps = [("begin", wib(2026, 3, 2, 10)), ("finish", wib(2026, 3, 2, 11))]
    complaint = history(steps)
    running = evaluate(
        history(steps[:1]), wib(2026, 3, 3), policy=generic_policy(Target.working_days(3))
    )
    stopped = evaluate(complaint, wib(2026, 3, 3), policy=generic_policy(Target.working_days(3)))
    kinds = [d.kind for d in diff(running, stopped)]
    assert kinds == ["status_changed"]
    empty = evaluate(history([]), wib(2026, 3, 3), policy=generic_policy(Target.working_days(3)))
    assert [d.kind for d in diff(empty, stopped)] == ["status_changed", "cycles_changed"]
    renamed = generic_policy(Target.working_days(3)).clocks[0].evolve(name="d")
    other = evaluate(
        complaint,
        wib(2026, 3, 3),
        policy=generic_policy(Target.working_days(3)).without_clock("c").with_clock(renamed),
    )
    assert sorted(d.kind for d in diff(stopped, other)) == ["clock_added", "clock_removed"]
    assert Difference("C", "c", None, "status_changed", "a", "b").shift is None


def test_explain_tells_every_clock_story_in_time_order():
    story = Lapor().submit(TUE).hold(wib(2026, 3, 25, 10), "Lokasi belum jelas")
    story.resume(wib(2026, 3, 30, 10)).verify(wib(2026, 3, 31, 9)).dispatch(wib(2026, 3, 31, 10))
    evaluation = evaluate(story.complaint, wib(2026, 4, 1, 12), policy=lapor_policy())
    timeline = explain(evaluation)
    kinds = [(e.clock, e.kind) for e in timeline.entries]
    assert kinds == [
        ("verification", "started"),
        ("verification", "paused"),
        ("verification", "resumed"),
        ("resolution", "started"),
        ("verification", "stopped"),
        ("follow_up", "started"),
        ("follow_up", "due"),
        ("resolution", "due"),
    ]
    text = str(timeline)
    assert "paused because on_hold: Lokasi belum jelas" in text
    assert "stopped on dispatch: met" in text
    assert text.splitlines()[0] == "complaint C-1 as of 2026-04-01 12:00 +07:00"
    # Entries still ahead of as_of are marked.
    assert sum(line.startswith("> ") for line in text.splitlines()) == 2
    assert evaluation.explain() == timeline


def test_explain_shows_a_breach_and_a_missed_stop():
    story = Lapor().submit(TUE).archive(wib(2026, 4, 1, 9))
    timeline = explain(evaluate(story.complaint, wib(2026, 4, 2), policy=lapor_policy()))
    lines = [e.text for e in timeline.entries]
    assert lines[1] == "breached: the 3 working days ran out"
    assert lines[2].startswith("stopped on archive: missed")
    assert timeline.summary[0][1] == "stopped, breached"


def test_the_notebook_view_is_escaped_html():
    story = Lapor().submit(TUE).hold(wib(2026, 3, 25, 10), "<script>alert(1)</script>")
    evaluation = evaluate(story.complaint, wib(2026, 3, 26), policy=lapor_policy())
    page = evaluation._repr_html_()
    assert page.startswith('<div class="pengaduan"')
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_removed_clocks_are_listed_in_the_old_policys_order():
    # Not in a set's order, which varies with the interpreter's hash seed.
    policy = lapor_policy()
    fewer = policy.without_clock("verification").without_clock("follow_up")
    fewer = fewer.without_clock("closure")
    complaint = Lapor().submit(TUE).complaint
    removed = [
        d.clock
        for d in diff(
            evaluate(complaint, TUE, policy=policy), evaluate(complaint, TUE, policy=fewer)
        )
        if d.kind == "clock_removed"
    ]
    assert removed == ["verification", "follow_up", "closure"]
