"""The desk logs appends, refusals, retried conflicts and ticks, and never a personal datum."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from desk_helpers import ADMIN, OPERATOR, SUBMISSION, WIB, Interrupting

from pengaduan.desk import Desk
from pengaduan.exceptions import ActionNotAllowedError, RequestReusedError
from pengaduan.model import Actor

NAME = "Siti Aminah"
PHONE = "081234567890"
NIK = "3174012345678901"
ACCOUNT = "62812999888"  # the reporter's account id is a phone number (SMS 1708)
SECRETS = (NAME, PHONE, NIK, ACCOUNT, "Jalan rusak", "Lubang besar", "rahasia")


def _text(record: logging.LogRecord) -> str:
    return record.getMessage() + " " + repr(vars(record))


def test_desk_records_carry_structured_fields_and_no_personal_data(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = Actor(ACCOUNT, "reporter")
    data = {
        **SUBMISSION,
        "privacy": {"anonymous": True},
        "reporter": {"name": NAME, "phone": PHONE, "nik": NIK},
    }
    caplog.set_level(logging.DEBUG, logger="pengaduan")
    desk.submit(reporter, data, complaint_id="C-1", request_id="r-1")
    desk.submit(reporter, data, complaint_id="C-1", request_id="r-1")  # replayed
    with pytest.raises(RequestReusedError):
        desk.submit(reporter, {**data, "body": "rahasia"}, complaint_id="C-1", request_id="r-1")
    with pytest.raises(ActionNotAllowedError):
        desk.act("C-1", "follow_up", OPERATOR, {"response": "rahasia " + NAME})
    desk.act("C-1", "verify", ADMIN, {"classification": "pengaduan"})
    desk.act("C-1", "dispatch", ADMIN, {"unit": "dinas-pu"})
    store = Interrupting(desk.store)
    racing = Desk(store, clock=desk.clock)  # type: ignore[arg-type]
    store.before_append.append(
        lambda: desk.act("C-1", "comment", reporter, {"message": f"saya {NAME} {PHONE}"})
    )
    racing.act("C-1", "comment", ADMIN, {"message": f"Bapak/Ibu {NAME}"})
    desk.tick(datetime(2026, 6, 17, 8, tzinfo=WIB))

    records = [r for r in caplog.records if r.name == "pengaduan.desk"]
    outcomes = [getattr(r, "outcome", None) for r in records]
    for outcome in ("appended", "replayed", "refused", "conflict"):
        assert outcome in outcomes
    assert any(r.getMessage().startswith("tick as of") for r in records)
    appended = next(r for r in records if getattr(r, "outcome", None) == "appended")
    assert appended.__dict__["complaint_id"] == "C-1"
    assert appended.__dict__["action"] == "submit"
    assert appended.__dict__["version"] == 1
    assert appended.__dict__["attempt"] == 1
    conflict = next(r for r in records if getattr(r, "outcome", None) == "conflict")
    assert conflict.__dict__["attempt"] == 1
    assert conflict.__dict__["actual_version"] == 4
    for record in records:
        text = _text(record)
        for secret in SECRETS:
            assert secret not in text, (secret, record.getMessage())
