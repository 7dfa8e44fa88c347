"""Excel exports (导出): registrations, candidates, payments and refunds, review results, and the de-identified
statistics (counts with small cells suppressed: reports/deidentified.py).

Rows are read from the database in keyset-paginated batches (``WHERE id > :last ORDER BY id LIMIT n``)
and appended to an openpyxl ``write_only`` workbook, so memory stays flat however many rows there are.
Beyond a sheet's row limit (Excel: 1,048,576 rows including the header) the export goes on in a new
sheet. Headers are Chinese; document and phone numbers are text cells, masked unless the scope allows
full documents; every query is limited to the scope. Rows are read through ``reports_session`` (the
read replica when ``REPORTS_DATABASE_URL`` is set).

The registration export shows each registration as it was submitted: what the candidate can change
afterwards (联系方式, 工作情况 with 在岗情况, 本人身份) is read from the frozen submission
(``Registration.snapshot``, core/services/snapshot.py), never from the live profile. The identity (姓名,
性别, 出生日期, 证件, 民族) is read from the candidate record: the candidate can never change it, only staff
correct it after checking the originals (更正基本信息, audited), and the export carries that correction.
Subject, region and site come from the catalogue the registration points to. Drafts are not exported:
they are not registrations yet and have no snapshot.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from flask_appbuilder.security.sqla.models import User
from flask import current_app
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select, exists, func, select

from core.db import reports_session
from core.models import (Candidate, ExamSubject, ExamYear, PaymentOrder, Refund, Region,
                         Registration, Site)
from core.models.candidate import DOC_TYPES, MILITARY, SEXES
from core.models.payment import ORDER_LABELS, REFUND_LABELS
from core.models.registration import PAYMENT_LABELS
from core.money import fen_to_yuan
from core.registration.states import APPROVED, REJECTED, STATUS_LABELS
from core.privacy.masking import mask_address, mask_document, mask_email, mask_phone
from reports import deidentified, spreadsheet
from reports.scope import ReportScope

EXCEL_MAX_ROWS = 1_048_576  # per sheet, header included
BATCH_SIZE = 5000
SHANGHAI_OFFSET = timedelta(hours=8)  # Asia/Shanghai has had no daylight saving since 1991
EXPORTED_STATUSES = tuple(s for s in STATUS_LABELS if s != "draft")  # drafts are not registrations yet


# 导出用途: every export names what it is for (in its file name, its job and the audit log); files are deleted
# after the retention schedule's period for exports (core/privacy/retention.py, "exports").
PURPOSES = ("现场资格审核", "考务安排", "缴费和退费核对", "统计分析", "上级主管部门要求")


@dataclass(frozen=True)
class Column:
    """One exported column: its Chinese header and how a database value becomes a cell."""

    header: str
    kind: str = "plain"  # plain text date datetime doc phone email address bool money label
    labels: dict | None = None
    width: int = 14


@dataclass
class RegistrationFilters:
    """The registration export's filters (考试年度、报考类别、考区、考点、报名状态、缴费状态)."""

    exam_year_id: int | None = None
    subject_id: int | None = None
    region_id: int | None = None
    site_id: int | None = None
    status: str | None = None
    payment_status: str | None = None

    @classmethod
    def from_params(cls, params: dict | None) -> "RegistrationFilters":
        params = params or {}
        values = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw in (None, ""):
                continue
            values[f.name] = int(raw) if f.name.endswith("_id") else str(raw)
        if values.get("status") not in (None, *EXPORTED_STATUSES):
            raise ValueError("status")
        if values.get("payment_status") not in (None, *PAYMENT_LABELS):
            raise ValueError("payment_status")
        return cls(**values)

    def to_params(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def apply(self, query: Select) -> Select:
        for name in ("exam_year_id", "subject_id", "region_id", "site_id", "status", "payment_status"):
            value = getattr(self, name)
            if value is not None:
                query = query.where(getattr(Registration, name) == value)
        return query


# --- the four exports ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSpec:
    title: str  # sheet and file title
    key: Any  # the keyset column, selected first
    columns: tuple[Column, ...]
    query: Callable[[ReportScope, RegistrationFilters], Select] | None
    write: Callable[..., int] | None = None  # a workbook of its own shape instead of one row per record
    filters: tuple[str, ...] | None = None  # the filters it takes; None: all


REGISTRATION_COLUMNS = (
    Column("报名号", "text", width=18), Column("考试年度", width=9), Column("报考类别代码", "text", width=8),
    Column("报考类别", width=18), Column("考区"), Column("考点代码", "text", width=10), Column("考点", width=18),
    Column("姓名", width=10), Column("性别", "label", SEXES, 6), Column("出生日期", "date", width=12),
    Column("证件类型", "label", DOC_TYPES, 16), Column("证件号码", "doc", width=22), Column("民族", width=8),
    Column("本人身份", width=10), Column("手机号码", "phone", width=14),
    Column("电子邮箱", "email", width=22), Column("工作单位", width=24), Column("在岗情况", width=10),
    Column("职称", width=10), Column("累计报考次数", width=8), Column("加考军事医学", "bool", width=8),
    Column("报名状态", "label", STATUS_LABELS, 10), Column("缴费状态", "label", PAYMENT_LABELS, 10),
    Column("提交时间", "datetime", width=18), Column("审核时间", "datetime", width=18),
)


def _submitted(*path: str):
    """One value of the registration as submitted: the snapshot at ``path`` (e.g. "work", "title"), as text."""
    return Registration.snapshot[path].as_string()


def _registrations_query(scope: ReportScope, filters: RegistrationFilters) -> Select:
    q = (select(Registration.id, Registration.number, ExamYear.year, ExamSubject.code, ExamSubject.name,
                Region.name, Site.code, Site.name, Candidate.name, Candidate.sex, Candidate.birth_date,
                Candidate.doc_type, Candidate.doc_number, Candidate.ethnic_group,
                _submitted("candidate", "military_identity"), _submitted("contact", "mobile"),
                _submitted("contact", "email"), _submitted("work", "work_unit"),
                _submitted("work", "employment_status"), _submitted("work", "title"), Registration.attempts,
                Registration.military_unit, Registration.status, Registration.payment_status,
                Registration.submitted_at, Registration.reviewed_at)
         .join(Candidate, Candidate.id == Registration.candidate_id)
         .join(ExamYear, ExamYear.id == Registration.exam_year_id)
         .join(ExamSubject, ExamSubject.id == Registration.subject_id)
         .outerjoin(Region, Region.id == Registration.region_id)
         .outerjoin(Site, Site.id == Registration.site_id)
         .where(Registration.status.in_(EXPORTED_STATUSES), scope.registration_clause()))
    return filters.apply(q)


CANDIDATE_COLUMNS = (
    Column("姓名", width=10), Column("性别", "label", SEXES, 6), Column("出生日期", "date", width=12),
    Column("证件类型", "label", DOC_TYPES, 16), Column("证件号码", "doc", width=22), Column("国籍", width=8),
    Column("民族", width=8), Column("本人身份", "label", MILITARY, 10), Column("往来大陆通行证", "doc", width=14),
    Column("手机号码", "phone", width=14), Column("电子邮箱", "email", width=22), Column("通讯地址", "address", width=30),
    Column("邮政编码", "text", width=8), Column("工作单位", width=24), Column("科室", width=10),
    Column("职称", width=10), Column("职务", width=10), Column("在岗情况", width=10),
    Column("账户注册时间", "datetime", width=18),
)


def _candidates_query(scope: ReportScope, filters: RegistrationFilters) -> Select:
    q = select(Candidate.id, Candidate.name, Candidate.sex, Candidate.birth_date, Candidate.doc_type,
               Candidate.doc_number, Candidate.nationality, Candidate.ethnic_group,
               Candidate.military_identity, Candidate.permit_number, Candidate.mobile, Candidate.email,
               Candidate.address, Candidate.postcode, Candidate.work_unit_name, Candidate.department,
               Candidate.title, Candidate.post, Candidate.employment_status, Candidate.created_at)
    if scope.national and not filters.to_params():
        return q
    # a candidate is in scope (and matches the filters) through one of their registrations
    in_scope = filters.apply(select(Registration.id).where(
        Registration.candidate_id == Candidate.id, Registration.status.in_(EXPORTED_STATUSES),
        scope.registration_clause()))
    return q.where(exists(in_scope))


PAYMENT_COLUMNS = (
    Column("订单号", "text", width=24), Column("报名号", "text", width=18), Column("姓名", width=10),
    Column("证件号码", "doc", width=22), Column("考区"), Column("考点", width=18),
    Column("金额（元）", "money", width=10), Column("订单状态", "label", ORDER_LABELS, 10),
    Column("支付渠道", width=10), Column("银行交易号", "text", width=28), Column("支付时间", "datetime", width=18),
    Column("退费金额（元）", "money", width=10), Column("退费状态", "label", REFUND_LABELS, 26),
    Column("退费原因", width=24), Column("退费时间", "datetime", width=18),
)


def _payments_query(scope: ReportScope, filters: RegistrationFilters) -> Select:
    q = (select(PaymentOrder.id, PaymentOrder.out_trade_no, Registration.number, Candidate.name,
                Candidate.doc_number, Region.name, Site.name, PaymentOrder.amount_fen,
                PaymentOrder.status, PaymentOrder.provider, PaymentOrder.trade_no, PaymentOrder.paid_at,
                Refund.amount_fen, Refund.status, Refund.reason, Refund.executed_at)
         .join(Registration, Registration.id == PaymentOrder.registration_id)
         .join(Candidate, Candidate.id == Registration.candidate_id)
         .outerjoin(Region, Region.id == Registration.region_id)
         .outerjoin(Site, Site.id == Registration.site_id)
         .outerjoin(Refund, Refund.order_id == PaymentOrder.id)
         .where(scope.registration_clause()))
    return filters.apply(q)


REVIEW_COLUMNS = (
    Column("报名号", "text", width=18), Column("姓名", width=10), Column("证件号码", "doc", width=22),
    Column("报考类别", width=18), Column("考区"), Column("考点", width=18),
    Column("审核结果", "label", STATUS_LABELS, 10), Column("审核人", width=12),
    Column("审核时间", "datetime", width=18), Column("未通过原因", width=30),
)


def _reviews_query(scope: ReportScope, filters: RegistrationFilters) -> Select:
    q = (select(Registration.id, Registration.number, Candidate.name, Candidate.doc_number,
                ExamSubject.name, Region.name, Site.name, Registration.status, User.username,
                Registration.reviewed_at, Registration.reject_reason)
         .join(Candidate, Candidate.id == Registration.candidate_id)
         .join(ExamSubject, ExamSubject.id == Registration.subject_id)
         .outerjoin(Region, Region.id == Registration.region_id)
         .outerjoin(Site, Site.id == Registration.site_id)
         .outerjoin(User, User.id == Registration.reviewed_by_id)
         .where(Registration.status.in_((APPROVED, REJECTED)), scope.registration_clause()))
    return filters.apply(q)


def _write_statistics(path: Path, scope: ReportScope, filters: RegistrationFilters, progress=None) -> int:
    """统计用去标识数据: counts with small cells suppressed, not rows (reports/deidentified.py)."""
    return deidentified.write(path, scope, filters, EXPORTED_STATUSES, current_app.config["STATISTICS_MIN_COUNT"],
                              progress)


EXPORTS: dict[str, ExportSpec] = {
    "registrations": ExportSpec("报名信息", Registration.id, REGISTRATION_COLUMNS, _registrations_query),
    "candidates": ExportSpec("考生信息", Candidate.id, CANDIDATE_COLUMNS, _candidates_query),
    "payments": ExportSpec("缴费与退费", PaymentOrder.id, PAYMENT_COLUMNS, _payments_query),
    "reviews": ExportSpec("资格审核结果", Registration.id, REVIEW_COLUMNS, _reviews_query),
    "statistics": ExportSpec("统计用去标识数据", None, (), None, write=_write_statistics,
                               filters=deidentified.ROW_FILTERS),
}


# --- reading and writing ------------------------------------------------------------------------

def count_rows(kind: str, scope: ReportScope, filters: RegistrationFilters | None = None) -> int:
    spec = EXPORTS[kind]
    query = spec.query(scope, filters or RegistrationFilters())
    with reports_session() as session:
        return session.scalar(select(func.count()).select_from(query.subquery()))


def stream_rows(query: Select, key, batch_size: int = BATCH_SIZE) -> Iterator[tuple]:
    """Rows in key order, ``batch_size`` at a time: each batch is its own short query (keyset
    pagination) in its own reports session, so on a replica no cursor or transaction stays open
    between batches, and memory stays flat."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        with reports_session() as session:
            rows = session.execute(page.order_by(key).limit(batch_size)).all()
        yield from rows
        if len(rows) < batch_size:
            return
        last = rows[-1][0]


def _converter(column: Column, scope: ReportScope, sheet_holder: list) -> Callable[[Any], Any]:
    """A function from a database value to what the sheet receives (a value or a styled cell)."""
    kind = column.kind
    masks = {"doc": mask_document, "phone": mask_phone, "email": mask_email, "address": mask_address}
    full = scope.full_documents if kind == "doc" else scope.full_contacts
    mask = None if full else masks.get(kind)
    if kind in ("email", "address"):  # free text a candidate typed: masked, then kept safe from formulas
        return lambda value: spreadsheet.safe(sheet_holder[0], mask(value) if mask and value else value)
    if kind in ("text", "doc", "phone"):

        def text_cell(value):
            if value is None:
                return None
            cell = WriteOnlyCell(sheet_holder[0], value=mask(value) if mask else str(value))
            cell.number_format = "@"  # Excel keeps it text: no 1.1E+17, no lost leading zeros
            return cell
        return text_cell
    if kind == "label":
        labels = column.labels
        return lambda value: labels.get(value, value)
    if kind == "bool":
        return lambda value: None if value is None else ("是" if value else "否")
    if kind == "money":
        return lambda fen: None if fen is None else fen_to_yuan(fen)
    if kind == "datetime":  # stored naive UTC, shown Beijing time
        return lambda value: None if value is None else value + SHANGHAI_OFFSET

    return lambda value: spreadsheet.safe(sheet_holder[0], value)


def write_workbook(path: Path, title: str, columns: Iterable[Column], rows: Iterable[tuple],
                   scope: ReportScope, *, max_rows_per_sheet: int = EXCEL_MAX_ROWS,
                   on_row: Callable[[int], None] | None = None) -> int:
    """Write rows (each starting with its key, which is not exported) to a write-only workbook.
    Returns the number of data rows written."""
    columns = tuple(columns)
    wb = Workbook(write_only=True)
    holder: list = []
    converters = [_converter(c, scope, holder) for c in columns]
    header_font = Font(bold=True)
    sheets = 0
    in_sheet = max_rows_per_sheet  # forces a first sheet
    written = 0

    def new_sheet():
        nonlocal sheets, in_sheet
        sheets += 1
        ws = wb.create_sheet(title if sheets == 1 else f"{title}（续{sheets - 1}）")
        for i, col in enumerate(columns):
            ws.column_dimensions[_letter(i)].width = col.width
        ws.freeze_panes = "A2"
        header = []
        for col in columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = header_font
            header.append(cell)
        ws.append(header)
        holder[:] = [ws]
        in_sheet = 1
        return ws

    ws = None
    for row in rows:
        if in_sheet >= max_rows_per_sheet:
            ws = new_sheet()
        ws.append([conv(value) for conv, value in zip(converters, row[1:])])
        in_sheet += 1
        written += 1
        if on_row and written % BATCH_SIZE == 0:
            on_row(written)
    if ws is None:
        new_sheet()
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return written


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


def export(kind: str, path: Path, scope: ReportScope, filters: RegistrationFilters | None = None, *,
           progress: Callable[[float, str], None] | None = None,
           max_rows_per_sheet: int = EXCEL_MAX_ROWS, batch_size: int = BATCH_SIZE) -> int:
    """Write one export to ``path`` (.xlsx); returns the number of rows. ``progress(percent, text)``
    is called every batch when given (the background job's progress bar)."""
    spec = EXPORTS[kind]
    filters = filters or RegistrationFilters()
    if spec.write:
        return spec.write(path, scope, filters, progress)
    query = spec.query(scope, filters)
    total = count_rows(kind, scope, filters) if progress else 0

    def on_row(done: int) -> None:
        if progress and total:
            progress(95 * done / total, f"已导出 {done:,} / {total:,} 行")

    return write_workbook(path, spec.title, spec.columns, stream_rows(query, spec.key, batch_size),
                          scope, max_rows_per_sheet=max_rows_per_sheet, on_row=on_row)


def file_name(kind: str, when: date | datetime, purpose: str = "") -> str:
    return f"{EXPORTS[kind].title}-{purpose + '-' if purpose else ''}{when:%Y%m%d-%H%M}.xlsx"
