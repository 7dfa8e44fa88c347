"""导入考场: an .xlsx of rooms for one region, checked row by row.

Columns (header row, found by name): 考点代码, 考场号, 容量, and optionally 地址, 楼层, 无障碍 (是/否),
军事医学 (是/否: the room also hosts the 军事医学 session) and 考试部分 (医学综合, the default, or 实践技能). A
医学综合 room hosts the year's 医学综合 sessions, a 实践技能 room its 实践技能 sessions (a room never both:
``mixed_parts``).
Rows that pass are added (or, for an existing 考点代码 + 考场号, updated) in one transaction; every refused row
is reported with its row number and reason (duplicate, capacity not a number from 1 to 999, unknown site,
a site of another region), so the uploader fixes those rows and uploads them again. Nothing else is lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.db import db
from core.models import ExamRoom, ExamSession, Site
from core.registration.lifecycle import Actor
from core.services import audit
from core.services.errors import DomainError
from core.sheets import UnreadableSheet, xlsx_rows

HEADERS = {"site": "考点代码", "number": "考场号", "capacity": "容量", "address": "地址", "floor": "楼层",
           "accessible": "无障碍", "military": "军事医学", "part": "考试部分"}
REQUIRED = ("site", "number", "capacity")
YES, NO = ("是", "y", "yes", "1", "true"), ("", "否", "n", "no", "0", "false")
MAX_ROWS = 20000
MIXED_PARTS = "一个考场只能承担一个考试部分的场次：实践技能，或医学综合（含军事医学）。"


def mixed_parts(sessions) -> bool:
    """True when the sessions span 实践技能 and 医学综合/军事医学 (a room hosts one part: its seats and
    准考证号 belong to one arrangement)."""
    parts = {s.part for s in sessions}
    return "skills" in parts and len(parts) > 1


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(data: bytes) -> list[tuple]:
    try:
        rows = xlsx_rows(data, MAX_ROWS + 1)
    except UnreadableSheet:
        raise DomainError("无法读取该文件：请上传 Excel（.xlsx）文件。", field="file") from None
    if len(rows) > MAX_ROWS:
        raise DomainError(f"文件超过 {MAX_ROWS} 行，请分批上传。", field="file")
    return rows


def _flag(value: str, label: str) -> bool:
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    raise ValueError(f"「{label}」只能填写“是”或“否”")


def import_rooms(data: bytes, region_id: int, exam_year_id: int, actor: Actor) -> ImportReport:
    """Check every row, write the good ones (caller commits), report the refused ones."""
    rows = _rows(data)
    if not rows:
        raise DomainError("文件是空的。", field="file")
    header = [_text(c) for c in rows[0]]
    columns = {key: header.index(name) for key, name in HEADERS.items() if name in header}
    missing = [HEADERS[k] for k in REQUIRED if k not in columns]
    if missing:
        raise DomainError(f"第 1 行须为表头，缺少列：{'、'.join(missing)}。", field="file")
    sites = {s.code: s for s in db.session.scalars(select(Site))}
    sessions = list(db.session.scalars(select(ExamSession).where(ExamSession.exam_year_id == exam_year_id)))
    written = [s for s in sessions if s.part == "written"]
    military = [s for s in sessions if s.part == "military"]
    skills = [s for s in sessions if s.part == "skills"]
    report, seen = ImportReport(), {}
    for number, row in enumerate(rows[1:], 2):
        cell = {k: _text(row[i]) if i < len(row) else "" for k, i in columns.items()}
        if not any(cell.values()):
            continue
        try:
            values = _check(cell, sites, region_id)
        except ValueError as exc:
            report.refused.append((number, str(exc)))
            continue
        key = (values["site"].id, values["number"])
        if key in seen:
            report.refused.append((number, f"与第 {seen[key]} 行重复（同一考点的同一考场号）"))
            continue
        seen[key] = number
        room = db.session.scalar(select(ExamRoom).where(ExamRoom.site_id == key[0], ExamRoom.number == key[1]))
        if room is None:
            room = ExamRoom(site_id=key[0], number=key[1], closed=False)
            db.session.add(room)
            report.added += 1
        else:
            report.updated += 1
        room.capacity, room.address, room.floor = values["capacity"], values["address"], values["floor"]
        room.accessible = values["accessible"]
        room.sessions = skills if values["skills"] else written + (military if values["military"] else [])
    db.session.flush()
    audit.record("arrangement.rooms.imported", **actor.audit_fields(), object_type="regions", object_id=region_id,
                 after={"added": report.added, "updated": report.updated, "refused": len(report.refused)})
    return report


def _check(cell: dict, sites: dict, region_id: int) -> dict:
    site = sites.get(cell["site"])
    if not cell["site"]:
        raise ValueError("缺少考点代码")
    if site is None:
        raise ValueError(f"考点代码「{cell['site'][:20]}」不存在")
    if site.region_id != region_id:
        raise ValueError(f"考点「{site.name}」不属于本考区")
    try:
        room_number = int(cell["number"])
        capacity = int(cell["capacity"])
    except ValueError:
        raise ValueError("考场号和容量须为整数") from None
    if not 1 <= room_number <= 999:
        raise ValueError("考场号须在 1 到 999 之间")
    if not 1 <= capacity <= 999:
        raise ValueError("容量须在 1 到 999 之间（不能为 0 或负数）")
    address, floor = cell.get("address", ""), cell.get("floor", "")
    if len(address) > 120 or len(floor) > 20:
        raise ValueError("地址不超过 120 字，楼层不超过 20 字")
    part = cell.get("part", "") or "医学综合"
    if part not in ("医学综合", "实践技能"):
        raise ValueError("考试部分须为「医学综合」或「实践技能」")
    military = _flag(cell.get("military", ""), "军事医学")
    if military and part == "实践技能":
        raise ValueError("实践技能考场不承担军事医学场次")
    return {"site": site, "number": room_number, "capacity": capacity, "address": address or None,
            "floor": floor or None, "accessible": _flag(cell.get("accessible", ""), "无障碍"),
            "military": military, "skills": part == "实践技能"}
