"""pengaduan: public-service complaint handling as data.

The lifecycle of a complaint is a workflow definition compiled once into a `transitions`
machine; a complaint is an immutable record of its events.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from pengaduan.exceptions import (
    ActionNotAllowedError,
    ComplaintMismatchError,
    DefinitionError,
    DuplicateEventError,
    EventFormatError,
    GuardRefusedError,
    InvalidDataError,
    NaiveDatetimeError,
    OutOfOrderEventError,
    OutsideUnitError,
    PengaduanError,
    RefusedError,
    RoleNotPermittedError,
    UnknownActionError,
    UnknownComplaintError,
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

try:
    __version__ = version("pengaduan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "ActionNotAllowedError",
    "Actor",
    "Channel",
    "Classification",
    "Complaint",
    "ComplaintMismatchError",
    "DefinitionError",
    "DuplicateEventError",
    "Event",
    "EventFormatError",
    "Facts",
    "GuardRefusedError",
    "InvalidDataError",
    "Location",
    "NaiveDatetimeError",
    "OutOfOrderEventError",
    "OutsideUnitError",
    "PengaduanError",
    "Privacy",
    "PrivacyFlag",
    "RefusedError",
    "Reporter",
    "Role",
    "RoleNotPermittedError",
    "UnknownActionError",
    "UnknownComplaintError",
    "__version__",
]
