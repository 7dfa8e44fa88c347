"""Import the majors dictionary (专业目录) from an .xlsx or .csv, with a report row by row.

Columns, found by name in a header row near the top: 专业代码, 专业名称, 层次 (本科 / 专科 / 研究生), 专业类别
(R7's: 临床医学类 … 非医师类), and optionally 所属专业类, 目录版本, 启用 (是/否). Every row is checked first;
if any is refused, nothing is written and the report says why for each refused row. Otherwise every row is
added or updated by its code in one transaction, with one audit entry (``dictionary.majors.imported``).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from core.db import db
from core.models import Major
from core.services.errors import DomainError
from core.services.majors import check_major
from core.services.upsert import counted_import, upsert
from core.sheets import UnreadableSheet, xlsx_rows

HEADERS = {"code": ("专业代码", "代码"), "name": ("专业名称", "名称"), "level": ("层次", "培养层次"),
           "category": ("专业类别",), "ministry_class": ("所属专业类", "专业类"),
           "edition": ("目录版本", "版本"), "active": ("启用", "是否启用")}
REQUIRED = ("code", "name", "level", "category")
OPTIONAL = ("ministry_class", "edition", "active")
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 5000
OUTCOME_TEXT = {"added": "新增", "updated": "更新", "unchanged": "未变"}


class MajorFileError(DomainError):
    """The file cannot be read as a list of majors; nothing has been written."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass
class ReportRow:
    number: int  # the row in the file (as a spreadsheet numbers it)
    code: str
    name: str
    outcome: str  # 新增 / 更新 / 未变; when nothing was written: 有误 / 无误
    message: str = ""  # why a row was refused (每个出错字段一句)


@dataclass
class ImportReport:
    rows: list[ReportRow]
    written: bool
    counts: dict[str, int]

    @property
    def refused(self) -> list[ReportRow]:
        return [r for r in self.rows if r.message]


def import_majors(data: bytes, filename: str, *, actor_id: int | None = None,
                  actor_name: str | None = None) -> ImportReport:
    """Check every row, then write all of them or none (the caller's session; committed here when written)."""
    checked = []
    seen: dict[str, int] = {}
    for number, raw in _rows(data, filename):
        clean, errors = check_major(raw)
        for key in OPTIONAL:  # a column the file lacks: an existing major keeps its value (a new one: none, active)
            if key not in raw:
                clean.pop(key)
        if clean["code"] in seen and "code" not in errors:
            errors["code"] = f"与第 {seen[clean['code']]} 行的专业代码重复。"
        seen.setdefault(clean["code"], number)
        checked.append((number, clean, errors))
    if not checked:
        raise MajorFileError(f"文件 {filename} 中没有任何专业。")
    if any(errors for _n, _c, errors in checked):
        rows = [ReportRow(n, c["code"], c["name"], "有误" if e else "无误", "".join(e.values())) for n, c, e in checked]
        return ImportReport(rows, False, {"added": 0, "updated": 0, "unchanged": 0})
    rows = []
    with counted_import("dictionary.majors.imported", "majors", actor_type="staff", actor_id=actor_id,
                        actor_name=actor_name) as counts:
        existing = {m.code: m for m in db.session.scalars(db.select(Major))}
        for number, clean, _errors in checked:
            _major, outcome = upsert(Major, existing.get(clean["code"]), clean)
            counts[outcome] += 1
            rows.append(ReportRow(number, clean["code"], clean["name"], OUTCOME_TEXT[outcome]))
    return ImportReport(rows, True, counts)


def _rows(data: bytes, filename: str):
    """(row number, {field: value}) for every non-empty row under the header."""
    table = _xlsx(data, filename) if data.startswith(b"PK\x03\x04") else _csv(data, filename)
    header_at, columns = _header(table, filename)
    body = table[header_at + 1:]
    if len(body) > MAX_ROWS:
        raise MajorFileError(f"文件 {filename} 超过 {MAX_ROWS} 行，请分批导入。")
    for number, row in enumerate(body, header_at + 2):
        values = {key: _text(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if any(values.values()):
            yield number, {k: v for k, v in values.items() if k != "active" or v}


def _csv(data: bytes, filename: str) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel's "CSV UTF-8", or the Chinese Windows default
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MajorFileError(f"文件 {filename} 不是 .xlsx 表格，也不是 UTF-8 或 GBK 编码的 .csv 文件。")
    if "\x00" in text:
        raise MajorFileError(f"文件 {filename} 不是 .xlsx 表格，也不是 .csv 文本文件。")
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx(data: bytes, filename: str) -> list[list]:
    try:
        return xlsx_rows(data)
    except UnreadableSheet:
        raise MajorFileError(f"无法读取表格 {filename}：文件已损坏或不是 Excel 工作簿。") from None


def _header(table: list[list], filename: str) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        names = [_text(c).replace(" ", "") for c in row]
        columns = {key: names.index(n) for key, options in HEADERS.items() for n in options if n in names}
        if all(key in columns for key in REQUIRED):
            return index, columns
    raise MajorFileError(f"文件 {filename} 中找不到表头：需要“专业代码”“专业名称”“层次”“专业类别”四列"
                         "（“所属专业类”“目录版本”“启用”可选）。")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
