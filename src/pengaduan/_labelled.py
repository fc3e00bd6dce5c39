"""The string enumeration every module uses for values that carry a Bahasa Indonesia label."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A string enumeration whose members carry a Bahasa Indonesia `label`.

    Members are declared as ``NAME = "value", "Label"``; they compare equal to, and serialise
    as, their string value.
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
