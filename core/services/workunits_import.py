"""Import work units (工作单位: hospitals, health centres ...) from an .xlsx for the 工作单位 picker.

Columns, found by name in a header row near the top: 单位名称, 所在考区 (or 省份), and optionally
执业许可证登记号. A row is matched to an existing unit by its licence code, otherwise by name within
its region; pinyin initials are computed on write. The whole file is checked before anything is written,
and everything is written in one transaction.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from core.db import db
from core.models import Region, WorkUnit
from core.pinyin import initials
from core.services.errors import DomainError
from core.services.upsert import counted_import, upsert
from core.sheets import UnreadableSheet, xlsx_rows

NAME_HEADERS = ("单位名称",)
REGION_HEADERS = ("所在考区/省份", "所在考区", "考区", "省份", "所在省份")
LICENCE_HEADERS = ("执业许可证登记号", "登记号")
HEADER_SEARCH_ROWS = 20
REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


class WorkUnitFileError(DomainError):
    """The file cannot be imported; nothing has been written."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


def read_work_units(source: str | Path | bytes, filename: str | None = None) -> list[dict]:
    """Parse and check an .xlsx (a path, or uploaded bytes): rows of name, region_id, licence_code."""
    label = filename or (Path(source).name if not isinstance(source, bytes) else "上传的文件")
    rows = _sheet_rows(source, label)
    header_at, columns = _header(rows, label)
    regions = _region_lookup()
    out, seen = [], set()
    for number, row in enumerate(rows[header_at + 1:], header_at + 2):
        cell = {key: _text(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(cell.values()):
            continue
        where = f"{label} 第 {number} 行"
        if not cell["name"]:
            raise WorkUnitFileError(f"{where}缺少单位名称。")
        if len(cell["name"]) > 100:
            raise WorkUnitFileError(f"{where}的单位名称超过 100 个字。")
        region = regions.get(cell["region"]) or regions.get(_short(cell["region"]))
        if region is None:
            raise WorkUnitFileError(f"{where}的所在考区「{cell['region']}」不存在，请填写考区名称（如 北京市）。")
        licence = cell.get("licence") or None
        if licence and (len(licence) > 40 or not licence.isascii() or not licence.isalnum()):
            raise WorkUnitFileError(f"{where}的执业许可证登记号「{licence}」格式不正确（字母和数字，不超过 40 位）。")
        key = licence or (cell["name"], region.id)
        if key in seen:
            raise WorkUnitFileError(f"{where}与前面的行重复（同一登记号，或同一考区的同名单位）。")
        seen.add(key)
        out.append({"name": cell["name"], "region_id": region.id, "licence_code": licence})
    if not out:
        raise WorkUnitFileError(f"文件 {label} 中没有任何工作单位。")
    return out


def upsert_work_units(rows: list[dict], *, actor_type: str = "system", actor_id: int | None = None,
                      actor_name: str | None = None) -> dict[str, int]:
    """Add or update every row in one transaction (with its audit entry); returns the counts."""
    with counted_import("dictionary.work_units.imported", "work_units", actor_type=actor_type,
                        actor_id=actor_id, actor_name=actor_name) as counts:
        units = list(db.session.scalars(select(WorkUnit)))
        by_licence = {u.licence_code: u for u in units if u.licence_code}
        by_name = {(u.name, u.region_id): u for u in units}
        for row in rows:
            values = dict(row, initials=initials(row["name"]))
            unit = by_licence.get(row["licence_code"]) if row["licence_code"] else None
            if unit is None:
                unit = by_name.get((row["name"], row["region_id"]))
                if unit is not None and unit.licence_code and row["licence_code"]:
                    unit = None  # same name, another licence: a different unit
            if unit is not None:
                if not row["licence_code"]:
                    values["licence_code"] = unit.licence_code  # a row without one keeps the known code
                by_name.pop((unit.name, unit.region_id), None)  # a rename frees the old name
            unit, outcome = upsert(WorkUnit, unit, values)
            counts[outcome] += 1
            by_name[(unit.name, unit.region_id)] = unit
            if unit.licence_code:
                by_licence[unit.licence_code] = unit
    return counts


def _sheet_rows(source: str | Path | bytes, label: str) -> list[list]:
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError:
        raise WorkUnitFileError(f"无法读取文件 {label}。") from None
    if not data.startswith(b"PK\x03\x04"):
        raise WorkUnitFileError(f"文件 {label} 不是 .xlsx 表格，请用 Excel 另存为 .xlsx 后再导入。")
    try:
        return xlsx_rows(data)
    except UnreadableSheet:
        raise WorkUnitFileError(f"无法读取表格 {label}：文件已损坏或不是 Excel 工作簿。") from None


def _header(rows: list[list], label: str) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_text(c).replace(" ", "") for c in row]
        columns = {}
        for key, options in (("name", NAME_HEADERS), ("region", REGION_HEADERS),
                             ("licence", LICENCE_HEADERS)):
            found = [i for i, n in enumerate(names) if n in options]
            if found:
                columns[key] = found[0]
        if "name" in columns and "region" in columns:
            return index, columns
    raise WorkUnitFileError(f"表格 {label} 中找不到表头：需要“单位名称”“所在考区”两列"
                            f"（“执业许可证登记号”可选）。")


def _region_lookup() -> dict[str, Region]:
    """考区 by full name (北京市), short name (北京) or code (110000)."""
    lookup: dict[str, Region] = {}
    for region in db.session.scalars(select(Region)):
        lookup.update({region.name: region, _short(region.name): region, region.code: region})
    return lookup


def _short(name: str) -> str:
    for suffix in REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
