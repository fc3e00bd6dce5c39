"""The dashboard through Starlette's TestClient: content, privacy, WhatsApp links, the CLI."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from dashboard_world import (
    ANONYMOUS_TITLE,
    AS_OF,
    CONFIDENTIAL_TITLE,
    DIRECTORY,
    SECRET_NAME,
    SECRET_PHONE,
    STAFF,
    UNIT_VIEWER,
    World,
    ladder_file,
    page_rows,
    page_text,
    section,
    with_viewer,
)
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from pengaduan._cli import main
from pengaduan.access import PUBLIC, Viewer, views
from pengaduan.desk import Desk
from pengaduan.metrics import measure
from pengaduan.model import Actor
from pengaduan.presets import lapor_workflow
from pengaduan.store import InMemoryStore
from pengaduan.testing import ManualClock, a_complaint
from pengaduan.web._config import WebConfig
from pengaduan.web._dashboard import dashboard_routes
from pengaduan.web._dashboard_data import MonthPoint, board, whatsapp_link
from pengaduan.web._dashboard_html import _nice_step, trend_svg


def client(world: World, viewer: Viewer | None, **changes: object) -> TestClient:
    config = with_viewer(world.config, viewer)
    if changes:
        import attrs

        config = attrs.evolve(config, **changes)
    return TestClient(Starlette(routes=dashboard_routes(config)))


def cli_overdue(world: World, tmp_path, capsys, *extra: str) -> list[str]:
    code = main(
        [
            "list",
            "--db",
            str(world.path),
            "--overdue",
            "--as-of",
            AS_OF.isoformat(),
            "--ladder",
            str(ladder_file(world.desk, tmp_path)),
            "--limit",
            "10000",
            "--json",
            *extra,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    return [row["id"] for row in json.loads(out)]


# -- what the overview shows ----------------------------------------------------------------


def test_the_overdue_table_lists_what_pengaduan_list_overdue_lists(world, tmp_path, capsys):
    page = client(world, STAFF).get("/").text
    shown = {row.complaint for row in page_rows(page, "overdue")}
    listed = cli_overdue(world, tmp_path, capsys, "--include-confidential")
    assert listed, "the world has overdue complaints"
    assert shown == set(listed)


def test_a_viewer_without_confidential_access_sees_what_the_default_list_shows(
    world, tmp_path, capsys
):
    page = client(world, UNIT_VIEWER).get("/").text
    shown = {row.complaint for row in page_rows(page, "overdue")}
    listed = cli_overdue(world, tmp_path, capsys)  # confidential ones left out
    assert shown == set(listed)
    assert "LPR-2612-05" not in shown


def test_overdue_rows_are_grouped_by_unit_and_ordered_by_lateness(world):
    found = board(world.desk, STAFF, AS_OF, language="id", directory=DIRECTORY)
    lates = [row.late for row in found.overdue]
    units = [row.complaint.unit for row in found.overdue]
    # Units come together, in the order of their most late row; rows most late first.
    seen: list[str | None] = []
    for unit in units:
        if not seen or seen[-1] != unit:
            assert unit not in seen
            seen.append(unit)
    worst = [max(r.late for r in found.overdue if r.complaint.unit == u) for u in seen]
    assert worst == sorted(worst, reverse=True)
    for unit in seen:
        mine = [r.late for r in found.overdue if r.complaint.unit == unit]
        assert mine == sorted(mine, reverse=True)
    assert all(late > timedelta(0) for late in lates)
    page = client(world, STAFF).get("/").text
    assert [(r.complaint, r.clock) for r in page_rows(page, "overdue")] == [
        (r.complaint.id, r.state.name) for r in found.overdue
    ]


def test_a_row_shows_its_clock_deadline_time_over_and_level(world):
    rows = {r.complaint: r for r in page_rows(client(world, STAFF).get("/").text, "overdue")}
    row = rows["LPR-2612-01"]
    complaint, clock, deadline, over, level, _remind = row.cells
    assert complaint.startswith("LPR-2612-01")
    assert "Jalan Lintas Sumatera amblas" in complaint
    assert clock == "Tindak Lanjut"
    # Dispatched Wednesday 2 December 10:05: five working days end with Wednesday 9 December.
    assert deadline == "akhir hari Rabu, 9 Desember 2026"
    assert over.startswith("16 hari kerja")
    assert level == "4"  # the ladder's top level: every rung has been recorded
    recorded = max(
        e.data["level"]
        for e in world.desk.store.load("LPR-2612-01").events
        if e.action == "escalate" and e.data.get("clock") == "follow_up"
    )
    assert int(level) == recorded


def test_the_whatsapp_link_carries_the_ladders_message_to_the_unit_heads_number(world):
    rows = page_rows(client(world, STAFF).get("/").text, "overdue")
    linked = [r for r in rows if r.whatsapp is not None]
    assert linked
    for row in linked:
        parts = urlsplit(row.whatsapp)
        unit = world.desk.store.load(row.complaint).unit
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", f"/{DIRECTORY[unit]}")
        text = parse_qs(parts.query)["text"][0]
        # The very text the ladder sent when it recorded the highest level, at this instant.
        assert text == world.messages(row.complaint)[0].message
        assert f"Laporan {row.complaint}" in text
        assert row.cells[3].split(" hari kerja")[0] in text  # the same lateness


def test_a_unit_missing_from_the_directory_gets_no_link(world):
    rows = {r.complaint: r for r in page_rows(client(world, STAFF).get("/").text, "overdue")}
    assert world.desk.store.load("LPR-2612-04").unit == "dishub"
    assert "dishub" not in DIRECTORY
    assert rows["LPR-2612-04"].whatsapp is None
    assert "tidak ada di direktori" in rows["LPR-2612-04"].cells[-1]


def test_soon_due_clocks_are_listed_with_what_is_left(world):
    rows = page_rows(client(world, STAFF).get("/").text, "soon")
    assert rows
    overdue = {r.complaint for r in page_rows(client(world, STAFF).get("/").text, "overdue")}
    for row in rows:
        assert row.complaint not in overdue
        evaluation = world.desk.clocks(row.complaint, STAFF, as_of=AS_OF)
        state = next(s for s in evaluation if s.name == row.clock)
        assert not state.breached
        assert AS_OF < state.deadline <= AS_OF + timedelta(days=3)
    found = board(world.desk, STAFF, AS_OF, language="id", directory=DIRECTORY)
    assert [(r.complaint, r.clock) for r in rows] == [
        (r.complaint.id, r.state.name) for r in found.soon
    ]
    units = [r.complaint.unit for r in found.soon]
    assert units == sorted(units, key=units.index)  # each unit's rows together
    firsts = [
        next(r.deadline for r in found.soon if r.complaint.unit == u) for u in dict.fromkeys(units)
    ]
    assert firsts == sorted(firsts)


def test_the_trend_is_the_monthly_mean_follow_up_the_plot_draws(world):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pengaduan.plots import follow_up_over_time

    found = board(world.desk, STAFF, AS_OF, language="id", directory=DIRECTORY)
    metrics = measure(
        world.desk.store.complaints(),
        as_of=AS_OF,
        policy=world.desk.policy,
        workflow=world.desk.workflow,
    )
    ax = follow_up_over_time(metrics)
    try:
        (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "mean"]
        drawn = list(line.get_ydata())
    finally:
        plt.close(ax.figure)
    ours = [math.nan if p.mean_days is None else p.mean_days for p in found.trend]
    assert len(ours) == len(drawn) == 24  # January 2025 to December 2026
    for a, b in zip(ours, drawn, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def test_the_trend_marks_the_switch_and_says_the_means_before_and_after(world):
    page = client(world, STAFF).get("/").text
    trend = section(page, "trend")
    assert "<svg" in trend
    assert 'class="switch"' in trend
    assert "pengingat aktif: Kamis, 1 Januari 2026" in page_text(trend)
    since = datetime(2026, 1, 1, tzinfo=AS_OF.tzinfo)
    complaints = list(world.desk.store.complaints())

    def mean(**period: datetime) -> str:
        m = measure(
            complaints,
            as_of=AS_OF,
            policy=world.desk.policy,
            workflow=world.desk.workflow,
            **period,
        )
        return f"{m.total.follow_up_time.mean_days:.1f}".replace(".", ",")

    expected = (
        f"Rata-rata sebelum pengingat aktif: {mean(until=since)} hari; "
        f"sejak itu: {mean(since=since)} hari."
    )
    assert expected in page_text(trend)


def test_compliance_per_unit_shows_the_metrics_of_each_unit(world):
    page = client(world, STAFF).get("/").text
    text = page_text(section(page, "compliance"))
    m = measure(
        world.desk.store.complaints(),
        as_of=AS_OF,
        policy=world.desk.policy,
        workflow=world.desk.workflow,
        by="unit",
    )
    pupr = next(g for g in m.groups if g.key == "dinas-pupr")
    follow = pupr.compliance["follow_up"]
    assert f"dinas-pupr {pupr.received} {pupr.dispatched} {pupr.followed_up}" in text
    assert f"{follow.met}/{follow.stopped}" in text
    assert f"Semua unit {m.total.received}" in text


# -- languages ------------------------------------------------------------------------------


def test_pages_are_in_bahasa_indonesia_first_and_english_on_request(world):
    staff = client(world, STAFF)
    assert "Laporan terlambat per unit kerja" in staff.get("/").text
    english = staff.get("/?lang=en").text
    assert "Overdue complaints by unit" in english
    assert "end of Wednesday 9 December 2026" in english
    rows = {r.complaint: r for r in page_rows(english, "overdue")}
    text = parse_qs(urlsplit(rows["LPR-2612-01"].whatsapp).query)["text"][0]
    assert text.startswith("[Escalation level 4] Complaint LPR-2612-01")
    assert '<html lang="en">' in english
    config_en = client(world, STAFF, language="en").get("/").text
    assert "Overdue complaints by unit" in config_en


def test_an_unknown_language_is_a_400_that_says_which_there_are(world):
    response = client(world, STAFF).get("/?lang=<xx>")
    assert response.status_code == 400
    assert "id, en" in response.text
    assert "<xx>" not in response.text
    assert 'href="./static/dashboard.css"' in response.text
    assert 'href="./"' in response.text  # back to the overview, not to the same bad address


# -- the complaint page ---------------------------------------------------------------------


def test_a_complaints_page_shows_its_clocks_timeline_and_history(world):
    response = client(world, STAFF).get("/complaints/LPR-2612-01")
    assert response.status_code == 200
    text = page_text(response.text)
    assert "Laporan LPR-2612-01" in text
    assert "Jalan Lintas Sumatera amblas" in text
    assert "Terdisposisi" in text  # the state's label
    assert "akhir hari Rabu, 9 Desember 2026" in text
    assert "terlambat 16 hari kerja" in text
    timeline = world.desk.explain("LPR-2612-01", STAFF, as_of=AS_OF)
    for entry in timeline.entries:
        assert entry.text in text
    history = page_text(section(response.text, "history"))
    for label in ("Sampaikan Laporan", "Verifikasi", "Disposisi", "Eskalasi"):
        assert label in history
    assert "unit: dinas-pupr" in history


def test_an_unknown_complaint_is_a_404_like_a_hidden_one(world):
    unit = client(world, UNIT_VIEWER)
    unknown = unit.get("/complaints/NO-SUCH")
    hidden = unit.get("/complaints/LPR-2612-05")
    assert unknown.status_code == hidden.status_code == 404
    assert CONFIDENTIAL_TITLE not in hidden.text
    assert page_text(hidden.text).replace("LPR-2612-05", "X") == page_text(unknown.text).replace(
        "NO-SUCH", "X"
    )


# -- privacy --------------------------------------------------------------------------------


def _all_titles(world: World) -> set[str]:
    return {
        c.facts.title
        for c in world.desk.store.complaints()
        if c.facts is not None and c.facts.title
    }


def test_the_public_sees_aggregates_and_no_complaint(world):
    public = client(world, None)
    page = public.get("/").text
    assert "Tampilan publik" in page
    assert section(page, "overdue") == section(page, "soon") == ""
    assert "<svg" in section(page, "trend")
    assert "dinas-pupr" in section(page, "compliance")
    for title in _all_titles(world):
        assert title not in page
    for complaint in world.desk.store.complaints():
        assert complaint.id not in page
    assert SECRET_NAME not in page
    assert SECRET_PHONE not in page
    assert "wa.me" not in page


def test_the_publics_figures_leave_out_what_the_public_may_not_see(world):
    found = board(world.desk, PUBLIC, AS_OF, language="id", directory=DIRECTORY)
    visible = list(views(world.desk.store.complaints(), PUBLIC, workflow=world.desk.workflow))
    assert found.total.received == len(visible) < len(list(world.desk.store.complaints()))


def test_the_public_gets_no_complaint_page(world):
    for complaint_id in ("LPR-2612-01", "LPR-2612-02", "LPR-2612-05", "NO-SUCH"):
        response = client(world, None).get(f"/complaints/{complaint_id}")
        assert response.status_code == 403
        for secret in (SECRET_NAME, SECRET_PHONE, ANONYMOUS_TITLE, CONFIDENTIAL_TITLE):
            assert secret not in response.text


def test_a_reporter_gets_the_public_view_not_the_staff_one(world):
    reporter = client(world, Viewer.reporter("warga-01"))
    page = reporter.get("/").text
    assert "Tampilan publik" in page
    assert "LPR-" not in page
    assert "wa.me" not in page
    assert reporter.get("/complaints/LPR-2612-01").status_code == 403


def test_a_hook_answering_none_is_the_public(world):
    import attrs

    config = attrs.evolve(world.config, viewer=lambda _request: None)
    page = TestClient(Starlette(routes=dashboard_routes(config))).get("/").text
    assert "Tampilan publik" in page
    assert "LPR-" not in page


def test_an_async_hook_gives_the_staff_view(world):
    import attrs

    async def hook(_request: object) -> Viewer:
        return STAFF

    config = attrs.evolve(world.config, viewer=hook)
    page = TestClient(Starlette(routes=dashboard_routes(config))).get("/").text
    assert "LPR-2612-01" in page


def test_staff_not_handling_a_confidential_complaint_never_see_it(world):
    unit = client(world, UNIT_VIEWER)
    page = unit.get("/").text + unit.get("/?lang=en").text
    assert "LPR-2612-05" not in page
    assert CONFIDENTIAL_TITLE not in page


def test_no_page_shows_a_reporters_name_or_phone(world):
    for viewer in (STAFF, UNIT_VIEWER, Viewer.staff("unit_head", "dinas-pupr")):
        c = client(world, viewer)
        for path in ("/", "/?lang=en", "/complaints/LPR-2612-01", "/complaints/LPR-2612-02"):
            text = c.get(path).text
            assert SECRET_NAME not in text, (viewer, path)
            assert SECRET_PHONE not in text, (viewer, path)


def test_pages_carry_no_script_and_a_policy_that_allows_none(world):
    c = client(world, STAFF)
    for path in ("/", "/complaints/LPR-2612-01", "/complaints/NO-SUCH"):
        response = c.get(path)
        assert "<script" not in response.text.lower()
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
    css = c.get("/static/dashboard.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]


# -- a small desk of its own: escaping, an unindexed store ----------------------------------

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _small_desk(store: InMemoryStore) -> Desk:
    desk = Desk(store, clock=ManualClock(T0 + timedelta(days=30)))
    title = '<script>alert("x")</script> & <b>tebal</b>'
    for n, unit in enumerate(('dinas-"pu"<', "dlh"), start=1):
        built = (
            a_complaint(f"C-{n}", workflow=desk.workflow, reporter=Actor(f"w{n}", "reporter"))
            .submitted(at=T0, title=title)
            .verified(at=T0 + timedelta(hours=2))
            .dispatched(at=T0 + timedelta(hours=3), to=unit)
        )
        store.append(f"C-{n}", list(built.complaint.events))
    return desk


def test_everything_from_a_complaint_is_escaped():
    desk = _small_desk(
        InMemoryStore(
            read_model=Desk(InMemoryStore(workflow=lapor_workflow())).read_model,
            workflow=lapor_workflow(),
        )
    )
    config = WebConfig(desk=desk, viewer=lambda _r: STAFF, directory={'dinas-"pu"<': "62811"})
    c = TestClient(Starlette(routes=dashboard_routes(config)))
    for path in ("/", "/complaints/C-1"):
        text = c.get(path).text
        assert "<script>" not in text
        assert "<b>" not in text
        assert "&lt;script&gt;" in text
        assert 'dinas-"pu"<' not in text
        assert "dinas-&quot;pu&quot;&lt;" in text


def test_a_store_without_the_desks_rows_gives_the_same_rows():
    indexed = _small_desk(
        InMemoryStore(
            read_model=Desk(InMemoryStore(workflow=lapor_workflow())).read_model,
            workflow=lapor_workflow(),
        )
    )
    scanned = _small_desk(InMemoryStore(workflow=lapor_workflow()))
    assert indexed.indexed
    assert not scanned.indexed
    at = indexed.now()

    def ids(desk: Desk) -> list[tuple[str, str]]:
        found = board(desk, STAFF, at, language="id", directory={})
        return [(r.complaint.id, r.state.name) for r in found.overdue + found.soon]

    assert ids(indexed) == ids(scanned)
    assert ids(indexed)


# -- the small arithmetic -------------------------------------------------------------------


@given(st.text(max_size=300), st.text(alphabet="+0123456789 -", min_size=1, max_size=20))
def test_a_whatsapp_link_decodes_back_to_its_message(message, number):
    link = whatsapp_link(number, message)
    digits = "".join(ch for ch in number if ch.isdigit())
    if not message or not digits:
        assert link is None
        return
    assert link is not None
    parts = urlsplit(link)
    assert parts.path == f"/{digits}"
    assert parts.query.startswith("text=")
    assert unquote(parts.query.removeprefix("text=")) == message
    assert "&" not in parts.query
    assert "#" not in link
    assert " " not in link


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False))
def test_the_charts_tick_step_is_round_and_at_most_twice_what_is_asked(raw):
    step = _nice_step(raw)
    assert raw <= step <= 2 * raw * (1 + 1e-12)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))


def test_a_desk_with_nothing_followed_up_says_so_instead_of_a_chart():
    desk = _small_desk(
        InMemoryStore(
            read_model=Desk(InMemoryStore(workflow=lapor_workflow())).read_model,
            workflow=lapor_workflow(),
        )
    )
    found = board(desk, STAFF, desk.now(), language="id", directory={})
    assert found.trend == ()
    page = TestClient(
        Starlette(routes=dashboard_routes(WebConfig(desk=desk, viewer=lambda _r: STAFF)))
    ).get("/")
    assert "Belum ada laporan yang ditindaklanjuti." in page.text


def test_a_month_without_follow_up_breaks_the_trend_line():
    points = [
        MonthPoint(date(2026, 1, 1), 4.0, 3),
        MonthPoint(date(2026, 2, 1), 5.0, 2),
        MonthPoint(date(2026, 3, 1), None, 0),
        MonthPoint(date(2026, 4, 1), 2.0, 4),
        MonthPoint(date(2026, 5, 1), 1.5, 1),
    ]
    svg = trend_svg(points, date(2026, 3, 15), "id")
    assert svg.count("<polyline") == 2
    assert svg.count('<circle class="dot"') == 4
    assert "Apr 2026: 2,0 hari (n=4)" in svg
    assert "pengingat aktif: Minggu, 15 Maret 2026" in svg
    # The switch is drawn half way through March, between February's and April's points.
    xs = [float(x) for x in re.findall(r'<circle class="dot" cx="([\d.]+)"', svg)]
    switch = float(re.search(r'<line class="switch" x1="([\d.]+)"', svg).group(1))
    assert xs[1] < switch < xs[2]


def test_the_dashboard_works_under_the_hosts_prefix(world):
    from starlette.routing import Mount

    config = with_viewer(world.config, STAFF)
    app = Starlette(routes=[Mount("/dasbor", routes=dashboard_routes(config))])
    c = TestClient(app)
    overview = c.get("/dasbor/").text
    assert 'href="static/dashboard.css"' in overview
    assert 'href="complaints/LPR-2612-01"' in overview
    page = c.get("/dasbor/complaints/LPR-2612-01").text
    assert 'href="../static/dashboard.css"' in page
    assert c.get("/dasbor/static/dashboard.css").status_code == 200


def test_a_title_the_privacy_policy_restricts_is_absent_from_rows_pages_and_messages():
    from pengaduan.access import DEFAULT_POLICY

    store = InMemoryStore(
        read_model=Desk(InMemoryStore(workflow=lapor_workflow())).read_model,
        workflow=lapor_workflow(),
    )
    plain = _small_desk(store)
    desk = Desk(store, clock=plain.clock, privacy=DEFAULT_POLICY.restrict("title"))
    other_unit = Viewer.staff("unit_operator", unit="dinas-kominfo")
    config = WebConfig(desk=desk, viewer=lambda _r: other_unit, directory={"dlh": "62811"})
    c = TestClient(Starlette(routes=dashboard_routes(config)))
    page = c.get("/").text
    rows = {r.complaint: r for r in page_rows(page, "overdue")}
    assert "C-2" in rows  # still listed: only its title is withheld
    assert "tebal" not in page
    assert "tebal" not in parse_qs(urlsplit(rows["C-2"].whatsapp).query)["text"][0]
    assert "tebal" not in c.get("/complaints/C-2").text
    # Its handler sees it.
    handler = Viewer.staff("unit_operator", unit="dlh")
    config = WebConfig(desk=desk, viewer=lambda _r: handler, directory={"dlh": "62811"})
    assert "tebal" in TestClient(Starlette(routes=dashboard_routes(config))).get("/").text
