"""Reports: text and HTML with the figures, and never any personal data."""

from __future__ import annotations

import json

import pytest

from pengaduan.presets import id_gov_calendar, lapor_policy, lapor_workflow
from pengaduan.reports import build_report, complaint_html
from pengaduan.simulation import muara_enim, simulate

from .conftest import ADMIN, SYSTEM, handled, history, operator, wib

NAME, PHONE, NIK = "Siti Rahmawati", "081234567890", "1603011234567890"


def personal_complaint():
    wf = lapor_workflow()
    c = wf.apply(
        wf.new("P-1"),
        "submit",
        ADMIN,
        wib(3, 2, 9),
        {
            "title": f"Keluhan {NAME}",
            "body": f"Hubungi {PHONE}",
            "channel": "walk_in",
            "reporter": {"name": NAME, "phone": PHONE, "nik": NIK},
            "privacy": {"anonymous": True, "confidential": True},
        },
    )
    c = wf.apply(c, "verify", ADMIN, wib(3, 2, 10), {"classification": "pengaduan"})
    c = wf.apply(c, "dispatch", ADMIN, wib(3, 2, 11), {"unit": "dinas-pu"})
    c = wf.apply(c, "comment", operator("dinas-pu"), wib(3, 3, 9), {"message": f"Telepon {PHONE}"})
    return wf.apply(c, "escalate", SYSTEM, wib(3, 10, 8), {"level": 1, "to": "unit_head"})


COMPLAINTS = [
    personal_complaint(),
    handled("C-1", wib(3, 2, 9), wib(3, 2, 10), wib(3, 2, 11), wib(3, 4, 11), wib(3, 27, 8)),
    history("C-2", ("submit", wib(3, 4, 9), {})),
]
AS_OF = wib(4, 6, 9)


@pytest.fixture(scope="module")
def report():
    return build_report(COMPLAINTS, AS_OF, policy=lapor_policy())


def test_text_report_has_every_section(report) -> None:
    text = str(report)
    for heading in (
        "Diterima / received",
        "Tingkat tindak lanjut / follow-up rate",
        "Per tahun pengajuan / by year of submission",
        "Per unit kerja / by unit",
        "Paling lama terlambat / most overdue",
        "Pengingat terkirim / reminders sent",
    ):
        assert heading in text


def test_the_report_lists_overdue_clocks_and_reminders(report) -> None:
    assert [(o.complaint, o.clock) for o in report.overdue] == [
        ("C-2", "verification"),
        ("P-1", "follow_up"),
    ]
    assert [(r.year, r.level, r.to, r.count) for r in report.reminders] == [
        ("2026", 1, "unit_head", 1)
    ]
    assert "P-1" in str(report)


def test_compliance_is_shown_for_clocks_that_can_be_breached(report) -> None:
    assert report.compliance_clocks == ("verification", "follow_up", "resolution")
    assert "closure" not in str(report).split("Per unit kerja")[1].split("\n")[2]


@pytest.mark.parametrize("secret", [NAME, PHONE, NIK, "Keluhan", "Hubungi", "Telepon"])
def test_no_personal_data_or_free_text_in_any_rendering(report, secret: str) -> None:
    assert secret not in str(report)
    assert secret not in report._repr_html_()
    assert secret not in json.dumps(report.to_dict())
    assert secret not in complaint_html(COMPLAINTS[0], workflow=lapor_workflow())


def test_the_report_is_json_compatible(report) -> None:
    d = json.loads(json.dumps(report.to_dict()))
    assert d["received"] == 3
    assert [g["year"] for g in d["sections"]["year"]] == ["2026"]
    assert d["most_overdue"][0]["complaint"] == "C-2"


def test_sections_can_be_chosen_and_looked_up(report) -> None:
    custom = build_report(
        COMPLAINTS, AS_OF, by=("channel",), workflow=lapor_workflow(), calendar=id_gov_calendar()
    )
    assert [g.key for g in custom.section("channel")] == ["walk_in", "web"]
    with pytest.raises(KeyError):
        custom.section("unit")
    assert report.section("unit").by.value == "unit"


def test_html_escapes_what_it_shows() -> None:
    c = handled("<b>X</b>", wib(3, 2), wib(3, 2, 10), wib(3, 2, 11), unit="<script>")
    page = build_report([c], AS_OF, policy=lapor_policy(), by=("unit",))._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>X</b>" not in complaint_html(c, workflow=lapor_workflow())


def test_complaint_html_shows_state_unit_flags_and_history() -> None:
    page = complaint_html(COMPLAINTS[0], workflow=lapor_workflow())
    assert "Terdisposisi" in page
    assert "dinas-pu" in page
    assert "Anonim" in page
    assert "Rahasia" in page
    assert "level=1" in page
    assert "to=unit_head" in page
    assert page.count("<tr>") == 6 + 1 + 5 + 1  # facts rows + header, events + header


def test_a_complaint_renders_itself_in_a_notebook_with_its_state_but_no_label() -> None:
    # A complaint does not know its workflow: complaint_html, given one, adds the label.
    complaint = COMPLAINTS[1]
    page = complaint._repr_html_()
    labelled = complaint_html(complaint, workflow=lapor_workflow())
    label = lapor_workflow().state(complaint.state).label
    assert f"{complaint.state} ({label})" in labelled
    assert f"{complaint.state} ({label})" not in page
    assert page == labelled.replace(f"{complaint.state} ({label})", complaint.state)


def test_an_evaluation_renders_itself_in_a_notebook() -> None:
    from pengaduan.sla import evaluate

    page = evaluate(COMPLAINTS[1], AS_OF, policy=lapor_policy())._repr_html_()
    assert "follow_up" in page


def test_a_simulated_regency_report_reads_like_the_published_figures() -> None:
    history = simulate(muara_enim(), seed=1)
    report = build_report(history.complaints(), history.scenario.end, policy=lapor_policy())
    years = report.section("year")
    assert [g.key for g in years] == ["2025", "2026"]
    assert years["2025"].follow_up_time.mean_days > 2 * years["2026"].follow_up_time.mean_days
    assert sum(r.count for r in report.reminders) == report.total.reminders


def test_report_json_keeps_the_reminder_count_and_lists_the_reminders_sent_apart(report) -> None:
    d = report.to_dict()
    assert d["reminders"] == report.total.reminders
    assert all(set(r) == {"year_sent", "level", "to", "count"} for r in d["reminders_sent"])
    assert sum(r["count"] for r in d["reminders_sent"]) == sum(r.count for r in report.reminders)
