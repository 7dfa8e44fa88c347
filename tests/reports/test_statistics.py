"""Statistics equal counts computed directly in SQL, within the scope; charts and Excel follow."""
from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from core.db import to_shanghai
from reports import statistics as st
from reports.charts import table_chart
from reports.scope import ReportScope
from tests.factories import make_candidate, make_catalogue, make_registration


@pytest.fixture
def data(session):
    a, b = make_catalogue(capacity=4), make_catalogue(capacity=10)
    b["year"], b["subject"] = a["year"], a["assistant_subject"]  # one exam year, two subjects
    regs = [make_registration(make_candidate(), a),
            make_registration(make_candidate(), a, payment_status="paid"),
            make_registration(make_candidate(), a, status="approved", payment_status="paid"),
            make_registration(make_candidate(), b, status="rejected", take_seat=False),
            make_registration(make_candidate(), b)]
    regs[0].submitted_at -= timedelta(days=1)
    draft = make_registration(make_candidate(), a, status="draft", number=None, take_seat=False)
    draft.snapshot = None
    session.commit()
    return dict(a=a, b=b, regs=regs)


def _sql(session, query, **params):
    return session.execute(text(query), params).all()


def test_by_region_and_site_equal_sql_counts(session, data):
    table = st.by_region(ReportScope.everything())
    expected = _sql(session, "SELECT g.name, count(*) FROM registrations r JOIN regions g ON g.id = r.region_id "
                             "WHERE r.status <> 'draft' GROUP BY g.name ORDER BY g.name")
    assert sorted(map(tuple, table.rows)) == sorted(map(tuple, expected))
    sites = {row[0] + row[2]: row[1] for row in st.by_site(ReportScope.everything()).rows}
    expected = {n + g: c for n, g, c in _sql(
        session, "SELECT s.name, g.name, count(*) FROM registrations r JOIN sites s ON s.id = r.site_id "
                 "JOIN regions g ON g.id = s.region_id WHERE r.status <> 'draft' GROUP BY s.name, g.name")}
    assert sites == expected and sum(sites.values()) == 5


def test_scope_limits_every_table(session, data):
    scope = ReportScope.of(site_ids=[data["b"]["site"].id])
    assert st.total_registrations(scope) == 2
    assert [r[0] for r in st.by_region(scope).rows] == [data["b"]["region"].name]
    assert [r[0] for r in st.seat_fill(scope).rows] == [data["b"]["site"].name]
    assert st.total_registrations(ReportScope()) == 0


def test_by_subject_status_payment_equal_sql(session, data):
    scope = ReportScope.everything()
    subjects = {row[2]: row[1] for row in st.by_subject(scope, data["a"]["year"].id).rows}
    assert subjects == dict(_sql(session, "SELECT s.code, count(*) FROM registrations r JOIN exam_subjects s "
                                          "ON s.id = r.subject_id WHERE r.status <> 'draft' GROUP BY s.code"))
    status = dict(st.by_status(scope).rows)
    sql = dict(_sql(session, "SELECT status, count(*) FROM registrations WHERE status <> 'draft' GROUP BY status"))
    assert status["已提交"] == sql["submitted"] == 3
    assert status["审核通过"] == sql["approved"] and status["审核未通过"] == sql["rejected"]
    assert status["已放弃"] == 0
    payment = dict(st.by_payment(scope).rows)
    assert payment["已缴费"] == 2 and payment["未缴费"] == 3


def test_per_day_covers_the_window_and_matches_sql(session, data):
    year = data["a"]["year"]
    table = st.per_day(ReportScope.everything(), year.id)
    days = [r[0] for r in table.rows]
    first, last = to_shanghai(year.window_opens_at).date(), to_shanghai(year.window_closes_at).date()
    window = [str(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    assert days == sorted(days) and set(window) <= set(days)
    counts = {}
    for (at,) in _sql(session, "SELECT submitted_at FROM registrations WHERE status <> 'draft'"):
        at = datetime.fromisoformat(at) if isinstance(at, str) else at
        day = str((at + timedelta(hours=8)).date())
        counts[day] = counts.get(day, 0) + 1
    assert {d: n for d, n in table.rows if n} == counts


def test_seat_fill_rate(session, data):
    rows = {r[0] + r[4]: r for r in st.seat_fill(ReportScope.everything()).rows}
    site_a = rows[data["a"]["site"].name + data["a"]["region"].name]
    assert site_a[1:4] == [75.0, 3, 4]


def test_charts_and_excel(session, data):
    tables = st.dashboard(ReportScope.everything(), data["a"]["year"].id)
    svg = str(table_chart(tables[0]))
    assert svg.startswith("<svg") and data["a"]["region"].name in svg and svg.count("<rect") == 2
    wb = load_workbook(BytesIO(st.tables_to_xlsx(tables)))
    assert wb.sheetnames[:3] == ["按考区统计", "按考点统计", "按报考类别统计"]
    ws = wb["按考区统计"]
    assert [c.value for c in ws[1]] == ["考区", "报名人数"]
    assert sum(ws.cell(r, 2).value for r in range(2, ws.max_row + 1)) == 5


def test_chart_escapes_labels():
    from reports.charts import bar_chart_svg
    svg = str(bar_chart_svg(["<script>"], [1]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_online_review_progress_per_region_and_site_in_the_excel(session, data):
    """网上资格审核进度 in the statistics download: cases by review state per region and per site, the oldest
    case waiting for a reviewer; limited to the scope; the same numbers as the back office's progress query."""
    from core.documents import review
    a, b = data["a"], data["b"]
    now = datetime(2027, 3, 5, 2, 0)  # UTC: 10:00 in Beijing
    for status, cat, waited in [("submitted", a, 30), ("submitted", a, 2), ("corrected", a, 5), ("correction", a, 50),
                                ("approved", a, 70), ("lapsed", b, 9), ("rejected", b, 1)]:
        make_registration(make_candidate(), cat, status=status, online_review=True,
                          updated_at=now - timedelta(hours=waited), take_seat=False)
    session.commit()
    wb = load_workbook(BytesIO(st.tables_to_xlsx(st.dashboard(ReportScope.everything()))))
    regions, sites = wb["网上资格审核进度（按考区）"], wb["网上资格审核进度（按考点）"]
    assert [c.value for c in regions[1]] == ["考区", "待审核", "待补正", "已补正待复审", "逾期未补正待复审", "通过",
                                            "不通过", "最早等待审核（北京时间）"]
    got = {row[0]: row[1:] for row in regions.iter_rows(min_row=2, values_only=True)}
    assert got == {a["region"].name: (2, 1, 1, 0, 1, 0, "2027-03-04 04:00"),  # the 待补正 case is not waiting
                   b["region"].name: (0, 0, 0, 1, 0, 1, "2027-03-05 01:00")}
    by_site = {row[-1]: row for row in sites.iter_rows(min_row=2, values_only=True)}
    assert by_site[a["region"].name][:2] == (a["site"].name, 2) and len(by_site) == 2
    only_b = st.online_review_progress(ReportScope.of(site_ids=[b["site"].id]))
    assert [r[0] for r in only_b[0].rows] == [b["region"].name] and [r[0] for r in only_b[1].rows] == [b["site"].name]
    assert st.online_review_progress(ReportScope()) == [st.Table(t.title, t.headers, []) for t in only_b]
    staff_rows = review.progress_rows(ReportScope.everything().registration_clause())  # the back office's query
    assert [(r.site, r.counts) for r in staff_rows] == [
        (a["site"].name, {"submitted": 2, "corrected": 1, "correction": 1, "approved": 1}),
        (b["site"].name, {"lapsed": 1, "rejected": 1})]
