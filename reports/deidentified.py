"""统计用去标识数据: the national statistics export, de-identified. No row is a person: each sheet counts
registrations per 考试年度 × 考区 × 报考类别 by one characteristic (性别, 年龄段, 民族, 累计报考次数, 报名状态,
缴费状态, 提交月份), with the row's total; small counts are suppressed (reports/suppression.py, threshold
``STATISTICS_MIN_COUNT``). There are no column totals or subtotals (they would be more equations to solve
for a hidden cell), and only filters that pick whole rows (考试年度, 报考类别, 考区) apply: a site or a state
filter would let two exports be subtracted. National scope only (a scoped user gets an empty file)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import String, cast, func, select

from core.db import reports_session
from core.models import Candidate, ExamSubject, ExamYear, Region, Registration
from core.models.candidate import SEXES
from core.models.registration import PAYMENT_LABELS
from core.registration.states import STATUS_LABELS
from reports import spreadsheet
from reports.scope import ReportScope
from reports.suppression import HIDDEN, small, suppress_row, total_cell

ROW_FILTERS = ("exam_year_id", "subject_id", "region_id")  # each picks whole rows: nothing to subtract
KEY_HEADERS = ["考试年度", "考区", "报考类别代码", "报考类别"]
NO_REGION = "（未分配考区）"
AGE_BANDS = ((24, "24岁及以下"), (29, "25-29岁"), (34, "30-34岁"), (39, "35-39岁"), (49, "40-49岁"),
             (200, "50岁及以上"))


def _age_band(exam_year: int, birth_year: str | None) -> str:
    age = exam_year - int(birth_year or exam_year)
    return next(label for top, label in AGE_BANDS if age <= top)


def _attempts(n: int | None) -> str:
    n = n or 1
    return "4次及以上" if n >= 4 else f"{n}次"


# (sheet, the grouped SQL value, its category given (exam year, value), the fixed categories or None)
DIMENSIONS: tuple[tuple[str, object, Callable, list | None], ...] = (
    ("性别", Candidate.sex, lambda y, v: SEXES.get(v, "未填写"), list(SEXES.values())),
    ("年龄段", func.substr(cast(Candidate.birth_date, String), 1, 4), _age_band, [b for _, b in AGE_BANDS]),
    ("民族", Candidate.ethnic_group, lambda y, v: "未填写" if not v else "汉族" if v == "汉族" else "少数民族",
     ["汉族", "少数民族", "未填写"]),
    ("累计报考次数", Registration.attempts, lambda y, v: _attempts(v), ["1次", "2次", "3次", "4次及以上"]),
    ("报名状态", Registration.status, lambda y, v: STATUS_LABELS.get(v, v), None),
    ("缴费状态", Registration.payment_status, lambda y, v: PAYMENT_LABELS.get(v, v), list(PAYMENT_LABELS.values())),
    ("提交月份", func.substr(cast(Registration.submitted_at, String), 1, 7), lambda y, v: v or "未知", None),
)


def _counts(value, scope: ReportScope, filters, statuses) -> list[tuple]:
    if not scope.national:
        return []
    q = (select(ExamYear.year, Region.code, Region.name, ExamSubject.code, ExamSubject.name, value,
                func.count(Registration.id))
         .join(Candidate, Candidate.id == Registration.candidate_id)
         .join(ExamYear, ExamYear.id == Registration.exam_year_id)
         .join(ExamSubject, ExamSubject.id == Registration.subject_id)
         .outerjoin(Region, Region.id == Registration.region_id)
         .where(Registration.status.in_(statuses))
         .group_by(ExamYear.year, Region.code, Region.name, ExamSubject.code, ExamSubject.name, value))
    for name in ROW_FILTERS:
        if getattr(filters, name) is not None:
            q = q.where(getattr(Registration, name) == getattr(filters, name))
    with reports_session() as session:
        return session.execute(q).all()


def table(dimension, scope: ReportScope, filters, statuses) -> tuple[list[str], dict[tuple, dict[str, int]]]:
    """One sheet's categories and its rows: (year, region, subject code, subject) → {category: count}."""
    _sheet, value, category, fixed = dimension
    rows: dict[tuple, dict[str, int]] = {}
    for year, region_code, region, code, subject, raw, n in _counts(value, scope, filters, statuses):
        key = (year, region_code or "", region or NO_REGION, code, subject)
        cells = rows.setdefault(key, {})
        label = category(year, raw)
        cells[label] = cells.get(label, 0) + n
    if value is Registration.status:
        fixed = [STATUS_LABELS[s] for s in statuses]
    return fixed or sorted({label for cells in rows.values() for label in cells}), rows


def explanation(min_count: int) -> list[list[str]]:
    return [["统计用去标识数据（用途：统计分析）"],
            ["每张表按考试年度、考区、报考类别统计报名人次（同一考生同一年度放弃后重新报名计两次），不含任何可识别个人的信息。"],
            [f"“{small(min_count)}”：人数为 1 至 {min_count - 1}，为防止识别到个人而不显示。"],
            [f"“{HIDDEN}”：为防止由合计推算出“{small(min_count)}”的数而一并隐去的数；做不到时整行隐去，合计少于 {min_count} 的行也整行隐去。"],
            ["0 照常显示。各表不提供列合计和小计，请勿与其他来源的精确人数合并使用。"]]


def write(path: Path, scope: ReportScope, filters, statuses, min_count: int,
          progress: Callable[[float, str], None] | None = None) -> int:
    """Write the workbook; returns the number of table rows (of the first sheet)."""
    wb = Workbook(write_only=True)
    notes = wb.create_sheet("说明")
    for line in explanation(min_count):
        notes.append(line)
    written = 0
    for done, dimension in enumerate(DIMENSIONS, start=1):
        categories, rows = table(dimension, scope, filters, statuses)
        ws = wb.create_sheet(f"按{dimension[0]}")
        ws.freeze_panes = "A2"
        ws.append([_bold(ws, h) for h in [*KEY_HEADERS, *categories, "合计"]])
        for (year, _code, region, subject_code, subject), cells in sorted(rows.items()):
            values = [cells.get(c, 0) for c in categories]
            shown = suppress_row(values, min_count)
            ws.append([year, spreadsheet.safe(ws, region), subject_code, spreadsheet.safe(ws, subject), *shown,
                       total_cell(sum(values), min_count)])
        written = written or len(rows)
        if progress:
            progress(95 * done / len(DIMENSIONS), f"已统计 {done} / {len(DIMENSIONS)} 张表")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return written


def _bold(ws, value):
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=True)
    return cell
