"""Day and month names in Bahasa Indonesia and English, and the long date written with them.

One table for every text that names a date: reminder messages, the demo's WhatsApp reminder and
the calendar's month view. Private, and below `calendar` (it imports nothing of the library).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date, language: Literal["id", "en"] = "id") -> str:
    """``Jumat, 2 Januari 2026`` or ``Friday 2 January 2026``.

    ```pycon
    >>> long_date(date(2026, 1, 2)), long_date(date(2026, 1, 2), "en")
    ('Jumat, 2 Januari 2026', 'Friday 2 January 2026')

    ```
    """
    if language == "id":
        return f"{DAYS_ID[day.weekday()]}, {day.day} {MONTHS_ID[day.month - 1]} {day.year}"
    return f"{DAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
