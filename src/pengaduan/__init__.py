"""pengaduan: public-service complaint handling as data.

The lifecycle of a complaint is a workflow definition compiled once into a `transitions`
machine; a complaint is an immutable record of its events.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from pengaduan.calendar import (
    DatedHours,
    Deadline,
    Holiday,
    HolidayKind,
    WeeklyHours,
    Window,
    WorkCalendar,
)
from pengaduan.clock import SystemClock, TimeSource
from pengaduan.exceptions import (
    ActionNotAllowedError,
    CodecError,
    ComplaintMismatchError,
    ConflictError,
    DefinitionError,
    DuplicateEventError,
    EventFormatError,
    GuardRefusedError,
    InvalidDataError,
    InvalidPeriodError,
    MissingExtraError,
    NaiveDatetimeError,
    NotOwnComplaintError,
    NotVisibleError,
    NoWorkingTimeError,
    OutOfOrderEventError,
    OutsideUnitError,
    PengaduanError,
    RefusedError,
    RequestReusedError,
    RetriesExhaustedError,
    RoleNotPermittedError,
    StoreError,
    UnknownActionError,
    UnknownCalendarError,
    UnknownClockError,
    UnknownComplaintError,
    UnknownGroupingError,
    UnknownHolidayError,
    UnknownLanguageError,
    UnknownNameError,
    UnknownRuleError,
)
from pengaduan.model import (
    Actor,
    Channel,
    Classification,
    Complaint,
    Event,
    Facts,
    Location,
    Privacy,
    PrivacyFlag,
    Reporter,
    Role,
)

if TYPE_CHECKING:
    from pengaduan.desk import AsyncDesk, Desk

try:
    __version__ = version("pengaduan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

# A library logs and lets the application configure handlers: without one, records stop here
# instead of reaching Python's last-resort handler on standard error.
logging.getLogger("pengaduan").addHandler(logging.NullHandler())

__all__ = [
    "ActionNotAllowedError",
    "Actor",
    "AsyncDesk",
    "Channel",
    "Classification",
    "CodecError",
    "Complaint",
    "ComplaintMismatchError",
    "ConflictError",
    "DatedHours",
    "Deadline",
    "DefinitionError",
    "Desk",
    "DuplicateEventError",
    "Event",
    "EventFormatError",
    "Facts",
    "GuardRefusedError",
    "Holiday",
    "HolidayKind",
    "InvalidDataError",
    "InvalidPeriodError",
    "Location",
    "MissingExtraError",
    "NaiveDatetimeError",
    "NoWorkingTimeError",
    "NotOwnComplaintError",
    "NotVisibleError",
    "OutOfOrderEventError",
    "OutsideUnitError",
    "PengaduanError",
    "Privacy",
    "PrivacyFlag",
    "RefusedError",
    "Reporter",
    "RequestReusedError",
    "RetriesExhaustedError",
    "Role",
    "RoleNotPermittedError",
    "StoreError",
    "SystemClock",
    "TimeSource",
    "UnknownActionError",
    "UnknownCalendarError",
    "UnknownClockError",
    "UnknownComplaintError",
    "UnknownGroupingError",
    "UnknownHolidayError",
    "UnknownLanguageError",
    "UnknownNameError",
    "UnknownRuleError",
    "WeeklyHours",
    "Window",
    "WorkCalendar",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # The desk binds the presets and the stores: imported on first use, so that
    # ``import pengaduan`` stays light.
    if name in ("AsyncDesk", "Desk"):
        from pengaduan import desk

        return getattr(desk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
