"""The pytest plugin of `pengaduan`: fixtures for apps built on it.

Installed with the package and registered through the ``pytest11`` entry point under the name
``pengaduan`` (disable it with ``-p no:pengaduan``). It imports nothing from `pengaduan` until a
fixture is used, so a test session that uses none pays nothing.

Fixtures (override any of them in your ``conftest.py`` by defining one of the same name):

- ``pengaduan_calendar``: the Indonesian government calendar, WIB (`id_gov_calendar`).
- ``pengaduan_clock``: a `pengaduan.testing.ManualClock` on that calendar, starting at the
  instant of the ``pengaduan_now`` marker, else of the ``pengaduan_start`` ini option, else
  Monday 2 March 2026 09:00 WIB.
- ``pengaduan_workflow``: the SP4N-LAPOR! workflow (`lapor_workflow`).
- ``pengaduan_policy``: the SP4N-LAPOR! SLA policy on ``pengaduan_calendar`` (`lapor_policy`).
- ``pengaduan_ladder``: the SP4N-LAPOR! escalation ladder on ``pengaduan_policy``
  (`lapor_ladder`).
- ``pengaduan_store``: an empty `pengaduan.store.InMemoryStore` for ``pengaduan_workflow``.
- ``complaint_factory``: a `pengaduan.testing.ComplaintFactory` on that workflow and clock.
- ``pengaduan_scenario``: a `pengaduan.testing.Scenario` on the clock, workflow, calendar,
  policy and ladder fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pengaduan.calendar import WorkCalendar
    from pengaduan.escalation import Ladder
    from pengaduan.sla import Policy
    from pengaduan.store import InMemoryStore
    from pengaduan.testing import ComplaintFactory, ManualClock, Scenario
    from pengaduan.workflow import Workflow

_MARKER = "pengaduan_now"
_INI = "pengaduan_start"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ``pengaduan_start`` ini option."""
    parser.addini(
        _INI,
        "ISO 8601 instant with an offset at which the pengaduan_clock fixture starts "
        "(default 2026-03-02T09:00+07:00)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``pengaduan_now`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(instant): start the pengaduan_clock fixture at this instant (an aware "
        "datetime or an ISO 8601 string with an offset, e.g. '2026-03-13T09:00+07:00')",
    )


def _instant(value: object, where: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise pytest.UsageError(
                f"{where}: {value!r} is not an ISO 8601 instant, e.g. '2026-03-13T09:00+07:00'"
            ) from None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise pytest.UsageError(
            f"{where} needs a timezone-aware instant, e.g. '2026-03-13T09:00+07:00'; got {value!r}"
        )
    return value


@pytest.fixture
def pengaduan_calendar() -> WorkCalendar:
    """The Indonesian government calendar in WIB (national holidays and cuti bersama)."""
    from pengaduan.presets import id_gov_calendar

    return id_gov_calendar()


@pytest.fixture
def pengaduan_clock(
    request: pytest.FixtureRequest, pengaduan_calendar: WorkCalendar
) -> ManualClock:
    """A manual clock on ``pengaduan_calendar``; see the module docs for where it starts."""
    from pengaduan.testing import DEFAULT_START, ManualClock

    marker = request.node.get_closest_marker(_MARKER)
    if marker is not None:
        if len(marker.args) != 1 or marker.kwargs:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes exactly one instant")
        start = _instant(marker.args[0], f"@pytest.mark.{_MARKER}")
    else:
        configured = request.config.getini(_INI)
        start = _instant(configured, f"ini option {_INI}") if configured else DEFAULT_START
    return ManualClock(start, calendar=pengaduan_calendar)


@pytest.fixture
def pengaduan_workflow() -> Workflow:
    """The SP4N-LAPOR! workflow."""
    from pengaduan.presets import lapor_workflow

    return lapor_workflow()


@pytest.fixture
def pengaduan_policy(pengaduan_calendar: WorkCalendar, pengaduan_workflow: Workflow) -> Policy:
    """The SP4N-LAPOR! SLA policy on ``pengaduan_calendar``.

    If you override ``pengaduan_workflow`` with a workflow of your own, override this fixture
    too: the preset's clocks name the preset's actions.
    """
    from pengaduan.presets import lapor_policy, lapor_workflow

    if pengaduan_workflow != lapor_workflow():
        raise pytest.UsageError(
            f"the pengaduan_workflow fixture is {pengaduan_workflow.name!r} "
            f"{pengaduan_workflow.version!r}, not the SP4N-LAPOR! preset: define a "
            "pengaduan_policy fixture for it in your conftest.py"
        )
    return lapor_policy(calendar=pengaduan_calendar)


@pytest.fixture
def pengaduan_ladder(pengaduan_policy: Policy) -> Ladder:
    """The SP4N-LAPOR! escalation ladder on ``pengaduan_policy``'s clocks."""
    from pengaduan.presets import lapor_ladder

    return lapor_ladder(pengaduan_policy)


@pytest.fixture
def pengaduan_store(pengaduan_workflow: Workflow) -> Iterator[InMemoryStore]:
    """An empty in-memory event store validating with ``pengaduan_workflow``."""
    from pengaduan.store import InMemoryStore

    store = InMemoryStore(pengaduan_workflow)
    yield store
    store.close()


@pytest.fixture
def complaint_factory(
    pengaduan_workflow: Workflow, pengaduan_clock: ManualClock
) -> ComplaintFactory:
    """Complaints in a given state at the clock's now: ``complaint_factory("dispatched")``."""
    from pengaduan.testing import ComplaintFactory

    return ComplaintFactory(pengaduan_workflow, pengaduan_clock)


@pytest.fixture
def pengaduan_scenario(
    pengaduan_clock: ManualClock,
    pengaduan_workflow: Workflow,
    pengaduan_calendar: WorkCalendar,
    pengaduan_policy: Policy,
    pengaduan_ladder: Ladder,
) -> Scenario:
    """A `Scenario` on the clock, workflow, calendar and policy fixtures."""
    from pengaduan.testing import Scenario

    return Scenario(
        pengaduan_clock,
        workflow=pengaduan_workflow,
        calendar=pengaduan_calendar,
        policy=pengaduan_policy,
        ladder=pengaduan_ladder,
    )
