"""Import the Ministry of Education's list of higher-education institutions (全国高等学校名单).

The authority downloads the list as the Ministry publishes it: an old BIFF ``.xls`` with title rows
above the header (序号 学校名称 学校标识码 主管部门 所在地 办学层次 备注), the same as ``.xlsx``, or
JSON. The adult list (成人高等学校) has no 所在地 or 办学层次 column: its schools get the level 成人.

``read_schools`` parses and checks the whole file first; ``upsert_schools`` then writes every row in one
transaction, keyed by the 10-digit 学校标识码 (kept as text). The back office calls both for uploads.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import select

from core.data.provinces import province_of_school_code
from core.db import db
from core.models import School
from core.pinyin import initials
from core.services.errors import DomainError
from core.services.upsert import counted_import, upsert

HEADER = {"学校名称": "name", "学校标识码": "code", "主管部门": "department", "所在地": "city",
          "办学层次": "level", "备注": "remark"}
REQUIRED = ("学校名称", "学校标识码", "主管部门")
JSON_KEYS = {"name": "name", "code": "code", "department": "department", "location": "city",
             "level": "level", "remark": "remark"}
MAX_LENGTH = {"name": 100, "department": 60, "city": 40, "level": 10, "remark": 40}
LABELS = {v: k for k, v in HEADER.items()}
ADULT_LEVEL = "成人"
HEADER_SEARCH_ROWS = 20
CODE_RE = re.compile(r"^\d{10}$")
NOT_THE_LIST = "这不是教育部的高等学校名单（not the Ministry of Education's institution list）"


class SchoolListError(DomainError):
    """The file is not a usable Ministry list; nothing has been written."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


def read_schools(source: str | Path | bytes, filename: str | None = None) -> list[dict]:
    """Parse a Ministry list (a path, or the uploaded bytes and their filename) into checked rows.

    Each row: code, name, province, city, department, level, remark. Raises SchoolListError.
    """
    label = filename or (Path(source).name if not isinstance(source, bytes) else "上传的文件")
    data = _read_bytes(source, label)
    kind = _sniff(data)
    if kind == "json":
        records = _records_from_json(data, label)
    else:
        records = _records_from_table(_sheets(data, kind, label), label)
    if not records:
        raise SchoolListError(f"文件 {label} 中没有任何学校（no schools in the file）。")
    return _checked(records, label)


def upsert_schools(rows: list[dict], *, actor_type: str = "system", actor_id: int | None = None,
                   actor_name: str | None = None) -> dict[str, int]:
    """Insert or update every row by code in one transaction (with its audit entry); returns counts."""
    with counted_import("dictionary.schools.imported", "schools", actor_type=actor_type, actor_id=actor_id,
                        actor_name=actor_name) as counts:
        existing = {s.code: s for s in db.session.scalars(select(School))}
        for row in rows:
            _, outcome = upsert(School, existing.get(row["code"]), dict(row, initials=initials(row["name"])))
            counts[outcome] += 1
    return counts


# -- reading ---------------------------------------------------------------------------------------

def _read_bytes(source: str | Path | bytes, label: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except OSError:
            raise SchoolListError(f"无法读取文件 {label}（file not found or unreadable）。") from None
    if not data.strip():
        raise SchoolListError(f"文件 {label} 是空的（the file is empty）。")
    return data


def _sniff(data: bytes) -> str:
    """By content, not by name: BIFF (OLE2) .xls, .xlsx (zip) or JSON."""
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "json"
    raise SchoolListError(f"文件既不是 .xls、.xlsx 表格也不是 JSON，{NOT_THE_LIST}。")


def _sheets(data: bytes, kind: str, label: str) -> list[list[list]]:
    """Every sheet as a list of rows of cell values."""
    try:
        if kind == "xls":
            import xlrd
            book = xlrd.open_workbook(file_contents=data)
            return [[sheet.row_values(r) for r in range(sheet.nrows)] for sheet in book.sheets()]
        from openpyxl import load_workbook
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [[list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the operator
        raise SchoolListError(f"无法读取表格 {label}：文件已损坏或{NOT_THE_LIST}。") from None


def _records_from_table(sheets: list[list[list]], label: str) -> list[tuple[str, dict]]:
    for rows in sheets:
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            names = [_text(cell).replace(" ", "") for cell in row]
            if all(n in names for n in REQUIRED):
                columns = {HEADER[n]: i for i, n in enumerate(names) if n in HEADER}
                return [(f"第 {number} 行", rec) for number, rec in
                        _table_records(rows[index + 1:], columns, start=index + 2)]
    raise SchoolListError(f"表格 {label} 中找不到表头（学校名称、学校标识码、主管部门），{NOT_THE_LIST}。")


def _table_records(rows, columns: dict[str, int], start: int):
    for number, row in enumerate(rows, start):
        rec = {key: row[i] if i < len(row) else None for key, i in columns.items()}
        if _text(rec.get("name")) or _text(rec.get("code")):  # skip 北京市（92所） and blank rows
            if "level" not in columns:
                rec["level"] = ADULT_LEVEL
            yield number, rec


def _records_from_json(data: bytes, label: str) -> list[tuple[str, dict]]:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise SchoolListError(f"文件 {label} 既不是 .xls、.xlsx 表格也不是有效的 JSON，{NOT_THE_LIST}。") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SchoolListError(f"JSON 文件 {label} 应是学校的列表，{NOT_THE_LIST}。")
    out = []
    for number, item in enumerate(items, 1):
        if "name" not in item or "code" not in item:
            raise SchoolListError(f"JSON 文件 {label} 第 {number} 项缺少 name 或 code，{NOT_THE_LIST}。")
        rec = {JSON_KEYS[k]: v for k, v in item.items() if k in JSON_KEYS}
        rec.setdefault("level", ADULT_LEVEL)
        out.append((f"第 {number} 项", rec))
    return out


def _checked(records: list[tuple[str, dict]], label: str) -> list[dict]:
    rows, seen = [], set()
    for where, rec in records:
        code, name = _code(rec.get("code")), _text(rec.get("name"))
        if not name:
            raise SchoolListError(f"{label} {where}缺少学校名称（missing school name）。")
        province = province_of_school_code(code) if CODE_RE.match(code) else None
        if province is None:
            raise SchoolListError(f"{label} {where}的学校标识码「{code}」不是有效的10位代码"
                                  f"（bad school code）。")
        if code in seen:
            raise SchoolListError(f"{label} {where}的学校标识码 {code} 重复（duplicate code）。")
        seen.add(code)
        row = {"code": code, "name": name, "province": province}
        for key in ("city", "department", "level", "remark"):
            row[key] = _text(rec.get(key)) or None
        for key, limit in MAX_LENGTH.items():
            if row[key] and len(row[key]) > limit:
                raise SchoolListError(f"{label} {where}的{LABELS[key]}超过 {limit} 个字（value too long）。")
        rows.append(row)
    return rows


def _code(value) -> str:
    """4111010001.0 (a spreadsheet number) or 4111010001 or '4111010001' -> '4111010001'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()
