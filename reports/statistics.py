"""统计: registrations by region, site, subject, status and payment state, per day through the
window, the seat fill rate per site, and the 网上资格审核 progress per region and site (the back office's
progress page's query, core.documents.review.progress_rows) — always within the user's scope, counted in SQL.

A "registration" here is a submitted one (every status but 填报中/draft). Each function returns a
``Table`` (Chinese headers + rows) that the dashboard draws as bars and that downloads as Excel.
Every count is read through ``reports_session`` (the read replica when ``REPORTS_DATABASE_URL`` is set).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook

from sqlalchemy import func, literal_column, select

from core.arrangement.service import sittings
from core.db import reports_session, to_shanghai
from core.documents import review as online_review
from core.models import ArrangementRun, ExamRoom, ExamSubject, ExamYear, Region, Registration, SeatAssignment, Site
from core.models.registration import PAYMENT_LABELS
from core.registration.states import STATUS_LABELS
from reports.exports import EXPORTED_STATUSES
from reports import spreadsheet
from reports.scope import ReportScope


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart_column: int = 1  # which column the bar chart draws
    label_column: int = 0
    unit: str = ""


def _rows(query) -> list:
    with reports_session() as session:
        return session.execute(query).all()


def _base(scope: ReportScope, exam_year_id: int | None):
    clauses = [Registration.status.in_(EXPORTED_STATUSES), scope.registration_clause()]
    if exam_year_id is not None:
        clauses.append(Registration.exam_year_id == exam_year_id)
    return clauses


def by_region(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    rows = _rows(
        select(Region.name, func.count(Registration.id))
        .join(Region, Region.id == Registration.region_id).where(*_base(scope, exam_year_id))
        .group_by(Region.id, Region.code, Region.name).order_by(Region.code))
    return Table("按考区统计", ["考区", "报名人数"], [list(r) for r in rows])


def by_site(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    rows = _rows(
        select(Region.name, Site.name, func.count(Registration.id))
        .join(Site, Site.id == Registration.site_id).join(Region, Region.id == Site.region_id)
        .where(*_base(scope, exam_year_id))
        .group_by(Region.code, Region.name, Site.id, Site.code, Site.name)
        .order_by(Region.code, Site.code))
    return Table("按考点统计", ["考点", "报名人数", "考区"], [[s, n, r] for r, s, n in rows])


def by_subject(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    rows = _rows(
        select(ExamSubject.code, ExamSubject.name, func.count(Registration.id))
        .join(ExamSubject, ExamSubject.id == Registration.subject_id).where(*_base(scope, exam_year_id))
        .group_by(ExamSubject.id, ExamSubject.code, ExamSubject.name).order_by(ExamSubject.code))
    return Table("按报考类别统计", ["报考类别", "报名人数", "代码"], [[n, c, code] for code, n, c in rows])


def by_status(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    counts = dict(_rows(
        select(Registration.status, func.count(Registration.id)).where(*_base(scope, exam_year_id))
        .group_by(Registration.status)))
    return Table("按报名状态统计", ["报名状态", "报名人数"],
                 [[STATUS_LABELS[s], counts.get(s, 0)] for s in EXPORTED_STATUSES])


def by_payment(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    counts = dict(_rows(
        select(Registration.payment_status, func.count(Registration.id))
        .where(*_base(scope, exam_year_id)).group_by(Registration.payment_status)))
    return Table("按缴费状态统计", ["缴费状态", "报名人数"],
                 [[label, counts.get(s, 0)] for s, label in PAYMENT_LABELS.items()])


def _beijing_day(column, dialect: str):
    """The Beijing calendar day of a naive-UTC timestamp, in SQL (UTC+8, no daylight saving)."""
    if dialect == "postgresql":
        return func.date(column + literal_column("interval '8 hours'"))
    return func.date(column, "+8 hours")


def per_day(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    """Submissions per Beijing day; with an exam year, every day of its window appears (zeros too)."""
    with reports_session() as session:
        day = _beijing_day(Registration.submitted_at, session.get_bind().dialect.name).label("day")
        counts = {str(d): n for d, n in session.execute(
            select(day, func.count(Registration.id))
            .where(*_base(scope, exam_year_id), Registration.submitted_at.is_not(None))
            .group_by(day).order_by(day)).all()}
        year = exam_year_id is not None and session.execute(
            select(ExamYear.window_opens_at, ExamYear.window_closes_at)
            .where(ExamYear.id == exam_year_id)).first()
    days = sorted(counts)
    if year:
        first, last = to_shanghai(year.window_opens_at).date(), to_shanghai(year.window_closes_at).date()
        window = [str(first + timedelta(days=i)) for i in range((last - first).days + 1)]
        days = sorted(set(window) | set(days))
    return Table("每日报名人数", ["日期", "报名人数"], [[d, counts.get(d, 0)] for d in days])


def seat_fill(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    """考点座位使用率: seats taken (the seat counter) over capacity, per site in scope."""
    rows = _rows(
        select(Site.name, Site.taken, Site.capacity, Region.name)
        .join(Region, Region.id == Site.region_id).where(scope.site_clause()).order_by(Region.code, Site.code))
    table = Table("考点座位使用率", ["考点", "使用率（%）", "已用座位", "座位总数", "考区"], unit="%")
    for name, taken, capacity, region in rows:
        rate = round(100 * taken / capacity, 1) if capacity else 0.0
        table.rows.append([name, rate, taken, capacity, region])
    return table


def arrangement(scope: ReportScope, exam_year_id: int | None = None) -> Table:
    """考场编排: per site in scope, rooms (open), rooms used, seats, seats filled, unplaced (latest publication)."""
    sites = _rows(select(Site.id, Site.name).join(Region, Region.id == Site.region_id)
                  .where(scope.site_clause()).order_by(Region.code, Site.code))
    ids = [i for i, _n in sites]
    rooms = {i: (n, c) for i, n, c in _rows(select(ExamRoom.site_id, func.count(), func.sum(ExamRoom.capacity * sittings(exam_year_id)))
                                             .where(ExamRoom.site_id.in_(ids), ExamRoom.closed.is_(False))
                                             .group_by(ExamRoom.site_id))}
    seats = {i: (u, f) for i, u, f in _rows(select(SeatAssignment.site_id, func.count(SeatAssignment.room_id.distinct()),
                                                   func.count()).where(SeatAssignment.site_id.in_(ids))
                                            .group_by(SeatAssignment.site_id))}
    runs = select(ArrangementRun.site_id, ArrangementRun.part, ArrangementRun.unplaced).where(
        ArrangementRun.site_id.in_(ids), ArrangementRun.state == "published")
    if exam_year_id is not None:
        runs = runs.where(ArrangementRun.exam_year_id == exam_year_id)
    latest = {(i, part): len(u or {}) for i, part, u in _rows(runs.order_by(ArrangementRun.id))}
    unplaced: dict[int, int] = {}
    for (site_id, _part), count in latest.items():  # 医学综合 and 实践技能 together
        unplaced[site_id] = unplaced.get(site_id, 0) + count
    table = Table("考场编排", ["考点", "已安排人数", "考场数", "已用考场", "座位数", "未能安排"], chart_column=1)
    for site_id, name in sites:
        n_rooms, capacity = rooms.get(site_id, (0, 0))
        used, filled = seats.get(site_id, (0, 0))
        table.rows.append([name, filled, n_rooms, used, int(capacity or 0), unplaced.get(site_id, 0)])
    return table


def _progress_cells(row) -> list:
    oldest = row.oldest_waiting and f"{to_shanghai(row.oldest_waiting):%Y-%m-%d %H:%M}"
    return [row.counts.get(state, 0) for state in online_review.PROGRESS_LABELS] + [oldest or "—"]


def online_review_progress(scope: ReportScope, exam_year_id: int | None = None) -> list[Table]:
    """网上资格审核进度: cases by review state and the oldest one waiting for a reviewer (北京时间), per region
    and per site in scope — one query (the back office's progress page's), the regions added up from it."""
    with reports_session() as session:
        sites = online_review.progress_rows(scope.registration_clause(), exam_year_id, session)
    states = list(online_review.PROGRESS_LABELS.values())
    regions = Table("网上资格审核进度（按考区）", ["考区", *states, "最早等待审核（北京时间）"],
                    [[row.region, *_progress_cells(row)] for row in online_review.region_totals(sites)])
    per_site = Table("网上资格审核进度（按考点）", ["考点", *states, "最早等待审核（北京时间）", "考区"],
                     [[row.site, *_progress_cells(row), row.region] for row in sites])
    return [regions, per_site]


def dashboard(scope: ReportScope, exam_year_id: int | None = None) -> list[Table]:
    return [*(f(scope, exam_year_id) for f in (by_region, by_site, by_subject, by_status, by_payment,
                                               per_day, seat_fill, arrangement)),
            *online_review_progress(scope, exam_year_id)]


def total_registrations(scope: ReportScope, exam_year_id: int | None = None) -> int:
    with reports_session() as session:
        return session.scalar(select(func.count(Registration.id)).where(*_base(scope, exam_year_id)))


def tables_to_xlsx(tables: list[Table]) -> bytes:
    """The dashboard's tables as one workbook, a sheet per table; text escaped like the exports'
    (reports/spreadsheet.py: a site named "=..." stays text)."""
    wb = Workbook(write_only=True)
    for table in tables:
        ws = wb.create_sheet(table.title[:31])
        ws.append(list(table.headers))
        for row in table.rows:
            ws.append([spreadsheet.safe(ws, value) for value in row])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


