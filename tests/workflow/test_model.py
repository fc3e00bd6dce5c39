from __future__ import annotations

from datetime import datetime

import pytest

from pengaduan import (
    Actor,
    Channel,
    Classification,
    Event,
    NaiveDatetimeError,
    Privacy,
    PrivacyFlag,
    Role,
)


@pytest.mark.parametrize("enum", [Role, Classification, Channel, PrivacyFlag])
def test_every_enumerated_value_carries_a_bahasa_indonesia_label(enum: type) -> None:
    for member in enum:
        assert isinstance(member.label, str)
        assert member.label.strip()


def test_enumerations_hold_the_issue_vocabulary() -> None:
    assert {c.value for c in Classification} == {
        "aspirasi",
        "pengaduan",
        "permintaan_informasi",
        "whistleblowing",
    }
    assert {c.value for c in Channel} == {
        "web",
        "sms",
        "app",
        "social_media",
        "whatsapp",
        "email",
        "walk_in",
        "village_visit",
        "connected_app",
    }
    assert {r.value for r in Role} == {
        "reporter",
        "admin_national",
        "admin_agency",
        "unit_operator",
        "unit_head",
        "regional_head",
        "ombudsman",
        "system",
    }


def test_enum_members_are_their_string_values() -> None:
    assert Role.UNIT_HEAD == "unit_head"
    assert Channel("sms") is Channel.SMS


def test_an_event_with_a_naive_datetime_is_refused_clearly() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"Event\.at must be a timezone-aware datetime"):
        Event("e", "C-1", "submit", datetime(2026, 3, 17, 9), Actor("a", "reporter"))


def test_naive_datetime_error_is_a_value_error() -> None:
    assert issubclass(NaiveDatetimeError, ValueError)


def test_privacy_flags_lists_what_is_set() -> None:
    assert Privacy().flags == frozenset()
    assert Privacy(anonymous=True, confidential=True).flags == {
        PrivacyFlag.ANONYMOUS,
        PrivacyFlag.CONFIDENTIAL,
    }


def test_records_are_immutable() -> None:
    actor = Actor("a", "reporter")
    with pytest.raises(AttributeError):
        actor.role = "system"  # type: ignore[misc]
