"""Messages: Bahasa Indonesia by default, English on request, never personal data."""

from __future__ import annotations

from datetime import timedelta

from escalation_support import ADMIN, SUBMIT, Lapor, wib
from hypothesis import given
from hypothesis import strategies as st

from pengaduan.escalation import DueAction, due
from pengaduan.presets import lapor_ladder


def _late(**submit: object) -> Lapor:
    lapor = Lapor()
    lapor.submit(wib(2026, 6, 8, 9), **submit)
    return lapor.verify(wib(2026, 6, 8, 9, 1)).dispatch(wib(2026, 6, 8, 9, 2))


def _levels(lapor: Lapor, language: str = "id") -> dict[int, DueAction]:
    actions = due([lapor.complaint], wib(2026, 6, 24, 9), language=language, ladder=lapor_ladder())
    return {a.level: a for a in actions if a.clock == "follow_up"}


def test_a_reminder_names_complaint_title_unit_deadline_and_what_is_left() -> None:
    message = _levels(_late())[1].message
    assert message == (
        '[Pengingat tingkat 1] Laporan C-1 "Jalan berlubang" (unit dinas-pu): batas waktu '
        "Tindak Lanjut akhir hari Senin, 15 Juni 2026, terlambat 6 hari kerja. "
        "Mohon ditindaklanjuti."
    )


def test_an_escalation_says_how_late_in_working_days_in_both_languages() -> None:
    late = _late()
    assert _levels(late)[4].message == (
        '[Eskalasi tingkat 4] Laporan C-1 "Jalan berlubang" (unit dinas-pu): batas waktu '
        "Tindak Lanjut akhir hari Senin, 15 Juni 2026, terlambat 6 hari kerja. "
        "Mohon segera ditindaklanjuti."
    )
    assert _levels(late, "en")[4].message == (
        '[Escalation level 4] Complaint C-1 "Jalan berlubang" (unit dinas-pu): Follow-up '
        "deadline end of Monday 15 June 2026, 6 working days late. Please follow it up now."
    )


def test_on_the_deadline_day_the_reminder_says_it_is_the_last_day() -> None:
    (action,) = due([_late().complaint], wib(2026, 6, 15, 8), ladder=lapor_ladder())
    assert "hari ini hari terakhir" in action.message
    (action,) = due([_late().complaint], wib(2026, 6, 15, 8), language="en", ladder=lapor_ladder())
    assert "today is the last day" in action.message


def test_a_complaint_not_yet_dispatched_says_so() -> None:
    lapor = Lapor().submit(wib(2026, 6, 8, 9))
    (action,) = due([lapor.complaint], wib(2026, 6, 12, 9), ladder=lapor_ladder())
    assert "(belum didisposisi)" in action.message
    assert "Verifikasi" in action.message


def test_a_calendar_day_clock_shows_the_instant_and_the_lateness_in_time() -> None:
    lapor = Lapor().submit(wib(2026, 6, 8, 19)).verify(wib(2026, 6, 8, 20))
    lapor.dispatch(wib(2026, 6, 8, 21))
    (copy,) = [
        a
        for a in due([lapor.complaint], wib(2026, 8, 10, 9), ladder=lapor_ladder())
        if a.clock == "resolution"
    ]
    assert "Jumat, 7 Agustus 2026 pukul 20:00 WIB" in copy.message
    assert "terlambat 2 hari 13 jam" in copy.message
    (copy,) = [
        a
        for a in due([lapor.complaint], wib(2026, 8, 10, 9), language="en", ladder=lapor_ladder())
        if a.clock == "resolution"
    ]
    assert "Friday 7 August 2026 at 20:00 WIB, 2d 13h late" in copy.message


def test_a_confidential_complaint_is_not_sent_to_those_who_may_not_see_it() -> None:
    lapor = _late(privacy={"confidential": True})
    levels = _levels(lapor)
    # The unit's own operator handles it and sees the title; the regional head may not see
    # a rahasia complaint, so that step is skipped, with the reason, and no message is written.
    assert '"Jalan berlubang"' in levels[1].message
    assert levels[3].skipped
    assert levels[3].to == ()
    assert [r.role for r in levels[3].withheld] == ["regional_head"]
    assert levels[3].skip_reason == (
        "'regional_head' may not see complaint 'C-1': it is confidential (rahasia)"
    )
    assert levels[3].message == ""


def test_the_automatic_close_message_names_the_action_label() -> None:
    lapor = _late().follow_up(wib(2026, 6, 9, 10))
    (close,) = [
        a for a in due([lapor.complaint], wib(2026, 6, 25), ladder=lapor_ladder()) if a.automatic
    ]
    assert close.message.startswith('[Otomatis] Laporan C-1 "Jalan berlubang" (unit dinas-pu): ')
    assert "Selesaikan oleh sistem" in close.message


# Shapes no template text can contain: a name glued to digits, an 11-digit phone, a 16-digit NIK.
_names = st.from_regex(r"[A-Z][a-z]{2,8}[0-9]{3}", fullmatch=True)


@given(
    name=_names,
    phone=st.from_regex(r"08[0-9]{9}", fullmatch=True),
    nik=st.from_regex(r"[0-9]{16}", fullmatch=True),
)
def test_personal_data_of_an_anonymous_reporter_never_appears_in_any_message(
    name: str, phone: str, nik: str
) -> None:
    # Entered by staff on the reporter's behalf, with their phone number as account id.
    reporter = {"name": name, "phone": phone, "email": f"{name}@mail.test", "nik": nik}
    lapor = Lapor()
    lapor.do(
        "submit",
        wib(2026, 6, 8, 9),
        ADMIN,
        **SUBMIT,
        privacy={"anonymous": True},
        reporter=reporter,
        reporter_account=phone,
    )
    lapor.verify(wib(2026, 6, 8, 9, 1)).dispatch(wib(2026, 6, 8, 9, 2))
    lapor.follow_up(wib(2026, 6, 9, 10))
    complaint = lapor.complaint
    messages = [
        a.message
        for language in ("id", "en")
        for at in (wib(2026, 6, 12, 9), wib(2026, 6, 25), wib(2026, 9, 1, 9))
        for a in due([complaint], at, language=language, ladder=lapor_ladder())
    ]
    assert messages
    for message in messages:
        for secret in (name, phone, nik):
            assert secret not in message


def test_the_lateness_of_a_working_time_clock_is_working_time() -> None:
    from escalation_support import OPERATOR  # noqa: F401  (the preset's actors)

    from pengaduan.escalation import Ladder, Offset, Rule
    from pengaduan.presets import id_gov_calendar, lapor_policy
    from pengaduan.sla import Target

    policy = lapor_policy().with_target("follow_up", Target.working_time(timedelta(hours=2)))
    ladder = Ladder(
        "t", "1", policy, (Rule("r", "follow_up", 1, "unit_head", offset=Offset.at_deadline()),)
    )
    assert id_gov_calendar() is policy.clock("follow_up").calendar
    c = Lapor().routed(wib(2026, 6, 8, 9)).complaint
    (action,) = due([c], wib(2026, 6, 8, 14), ladder=ladder, language="en")
    # Dispatched 09:02, two working hours later is 11:02; 11:02-12:00 and 13:00-14:00 worked.
    assert "1h 58 min of working time late" in action.message
