"""The pytest plugin, exercised on small downstream projects with pytester."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).parent / "downstream" / "example_test_app.py"
FIXTURES = (
    "pengaduan_calendar",
    "pengaduan_clock",
    "pengaduan_workflow",
    "pengaduan_policy",
    "pengaduan_ladder",
    "pengaduan_store",
    "complaint_factory",
    "pengaduan_scenario",
)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", *args)


def test_the_documented_downstream_project_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=EXAMPLE.read_text(encoding="utf-8"))
    run(pytester).assert_outcomes(passed=5)


def test_a_fresh_pytest_process_finds_the_fixtures_through_the_entry_point(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_loading_the_plugin_imports_none_of_the_heavy_modules():
            loaded = set(sys.modules)
            for name in ("pengaduan.testing", "pengaduan.presets", "pengaduan.sla",
                         "pengaduan.escalation", "pengaduan.store", "holidays", "transitions"):
                assert name not in loaded, name
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fixtures")
    out = result.stdout.str()
    for name in FIXTURES:
        assert f"{name} -- " in out or f"{name} [" in out or f"\n{name}\n" in out, name
    assert "The Indonesian government calendar in WIB" in out
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixtures_are_the_presets_on_a_manual_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime
        from zoneinfo import ZoneInfo
        from pengaduan.escalation import Ladder
        from pengaduan.presets import lapor_workflow
        from pengaduan.store import InMemoryStore
        from pengaduan.testing import ComplaintFactory, ManualClock, Scenario

        def test_fixtures(pengaduan_calendar, pengaduan_clock, pengaduan_workflow,
                          pengaduan_policy, pengaduan_ladder, pengaduan_store,
                          complaint_factory, pengaduan_scenario):
            assert pengaduan_calendar.name == "id-gov-wib"
            assert isinstance(pengaduan_clock, ManualClock)
            assert pengaduan_clock.calendar is pengaduan_calendar
            assert pengaduan_clock.now() == datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Jakarta"))
            assert pengaduan_workflow == lapor_workflow()
            assert pengaduan_policy.workflow == pengaduan_workflow
            assert {c.calendar for c in pengaduan_policy.clocks} == {pengaduan_calendar}
            assert isinstance(pengaduan_ladder, Ladder)
            assert pengaduan_ladder.policy == pengaduan_policy
            assert isinstance(pengaduan_store, InMemoryStore)
            assert pengaduan_store.position() == 0
            assert isinstance(complaint_factory, ComplaintFactory)
            assert isinstance(pengaduan_scenario, Scenario)
            assert pengaduan_scenario.clock is pengaduan_clock
            assert pengaduan_scenario.ladder is pengaduan_ladder
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_clock_store_and_factory(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_first(pengaduan_clock, pengaduan_store, complaint_factory):
            pengaduan_clock.advance(days=3)
            c = complaint_factory()
            pengaduan_store.append(c.id, c.events)
            assert c.id == "C-1"

        def test_second(pengaduan_clock, pengaduan_store, complaint_factory):
            assert pengaduan_clock.now().day == 2
            assert pengaduan_store.position() == 0
            assert complaint_factory().id == "C-1"
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_the_marker_sets_the_start_on_a_test_or_a_class(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime, timezone
        import pytest

        @pytest.mark.pengaduan_now("2026-03-13T10:00+07:00")
        def test_text(pengaduan_clock):
            assert pengaduan_clock.now().isoformat() == "2026-03-13T10:00:00+07:00"

        @pytest.mark.pengaduan_now(datetime(2026, 3, 13, 3, tzinfo=timezone.utc))
        def test_datetime_in_the_calendars_zone(pengaduan_clock):
            assert pengaduan_clock.now().isoformat() == "2026-03-13T10:00:00+07:00"

        @pytest.mark.pengaduan_now("2026-06-01T08:00+07:00")
        class TestJune:
            def test_method(self, pengaduan_clock):
                assert pengaduan_clock.now().month == 6

            @pytest.mark.pengaduan_now("2026-07-01T08:00+07:00")
            def test_closest_marker_wins(self, pengaduan_clock):
                assert pengaduan_clock.now().month == 7
        """
    )
    run(pytester).assert_outcomes(passed=4)


def test_the_ini_option_sets_the_default_start(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npengaduan_start = 2026-12-24T08:00+07:00\n")
    pytester.makepyfile(
        """
        import pytest

        def test_ini(pengaduan_clock):
            assert pengaduan_clock.now().isoformat() == "2026-12-24T08:00:00+07:00"

        @pytest.mark.pengaduan_now("2026-03-13T10:00+07:00")
        def test_marker_beats_ini(pengaduan_clock):
            assert pengaduan_clock.now().day == 13
        """
    )
    run(pytester).assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('"2026-03-13T10:00"', "needs a timezone-aware instant"),
        ('"next friday"', "'next friday' is not an ISO 8601 instant"),
        ("20260313", "needs a timezone-aware instant"),
        ('"2026-03-13T10:00+07:00", "2026-03-14T10:00+07:00"', "takes exactly one instant"),
    ],
)
def test_a_bad_marker_is_a_usage_error_that_says_what_to_write(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.pengaduan_now({marker})
        def test_bad(pengaduan_clock):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{message}*"])


def test_a_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npengaduan_start = 2026-12-24 08:00\n")
    pytester.makepyfile("def test_ini(pengaduan_clock):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ini option pengaduan_start needs a timezone-aware instant*"])


def test_a_project_overrides_a_fixture_and_the_others_follow(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from pengaduan.presets import id_gov_calendar

        @pytest.fixture
        def pengaduan_calendar():
            return id_gov_calendar("WITA")
        """
    )
    pytester.makepyfile(
        """
        def test_wita(pengaduan_clock, pengaduan_policy, pengaduan_scenario):
            assert pengaduan_clock.now().isoformat() == "2026-03-02T10:00:00+08:00"
            assert {c.calendar.name for c in pengaduan_policy.clocks} == {"id-gov-wita"}
            assert pengaduan_scenario.calendar.name == "id-gov-wita"
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_a_custom_workflow_needs_its_own_policy_and_says_so(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest
        from pengaduan.presets import lapor_workflow

        @pytest.fixture
        def pengaduan_workflow():
            return lapor_workflow().evolve(name="kabupaten-x", version="1")
        """
    )
    pytester.makepyfile(
        """
        def test_store_and_factory_use_it(pengaduan_store, complaint_factory):
            assert pengaduan_store.workflow.name == "kabupaten-x"
            assert complaint_factory("dispatched").state == "dispatched"

        def test_policy(pengaduan_policy):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*'kabupaten-x' '1', not the SP4N-LAPOR! preset: define a pengaduan_policy fixture*"]
    )


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_clock(pengaduan_clock):\n    pass\n")
    result = run(pytester, "-p", "no:pengaduan")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'pengaduan_clock' not found*"])


def test_a_failing_downstream_assertion_reads_like_the_domain(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import date
        import pytest

        @pytest.mark.pengaduan_now("2026-03-13T10:00+07:00")
        def test_wrong_expectation(pengaduan_scenario):
            s = pengaduan_scenario
            s.complaint("C-1").submitted().verified().dispatched(to="dinas-pu")
            s.assert_deadline("C-1", "follow_up", date(2026, 3, 20))
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*clock 'follow_up' has deadline end of Fri 27 Mar 2026*expected end of Fri 20 Mar*",
            "*dispatch by admin_agency -> unit 'dinas-pu'*",
        ]
    )
    # The helpers hide their own frames: the traceback points at the test's line.
    assert "_breach_check" not in result.stdout.str()
    assert "def assert_deadline" not in result.stdout.str()
