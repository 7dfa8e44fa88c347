"""导入考场: good rows written, each refused row reported with its reason (nothing else lost)."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.arrangement.rooms_import import import_rooms
from core.db import db
from core.models import AuditEntry, ExamRoom, Region, Site
from core.registration.lifecycle import SYSTEM_ACTOR
from core.services.errors import DomainError
from tests.factories import make_catalogue, make_sessions


def _xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEAD = ("考点代码", "考场号", "容量", "地址", "楼层", "无障碍", "军事医学")


def test_row_by_row_refusals(session):
    cat = make_catalogue()
    sessions = make_sessions(cat)
    code = cat["site"].code
    other_region = Region(code="990000", name="他省")
    other = Site(region=other_region, code="S99999", name="外省考点", capacity=10)
    db.session.add_all([other_region, other])
    db.session.flush()
    data = _xlsx(HEAD, (code, 1, 30, "教学楼A", "1层", "是", "是"), (code, 2, 30, None, None, "否", None),
                 (code, 1, 25), (code, 3, 0), (code, 4, -5), ("NOPE", 5, 30), ("S99999", 6, 30),
                 (code, "七", 30), (code, 8, 30, None, None, "也许"), (), (code, 9, 1000))
    report = import_rooms(data, cat["region"].id, cat["year"].id, SYSTEM_ACTOR)
    db.session.commit()
    assert (report.added, report.updated) == (2, 0)
    reasons = dict(report.refused)
    assert "与第 2 行重复" in reasons[4]
    assert "不能为 0 或负数" in reasons[5] and "不能为 0 或负数" in reasons[6]
    assert "不存在" in reasons[7] and "不属于本考区" in reasons[8]
    assert "整数" in reasons[9] and "是”或“否" in reasons[10] and "1 到 999" in reasons[12]
    rooms = {r.number: r for r in db.session.scalars(select(ExamRoom))}
    assert set(rooms) == {1, 2}
    assert rooms[1].accessible and sessions["military"] in rooms[1].sessions
    assert sessions["military"] not in rooms[2].sessions and len(rooms[2].sessions) == 5
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "arrangement.rooms.imported"))
    again = import_rooms(_xlsx(HEAD, (code, 2, 40)), cat["region"].id, cat["year"].id, SYSTEM_ACTOR)
    assert (again.added, again.updated) == (0, 1) and rooms[2].capacity == 40


def test_unreadable_or_headless_files_are_refused_whole(session):
    cat = make_catalogue()
    with pytest.raises(DomainError, match="Excel"):
        import_rooms(b"not a workbook", cat["region"].id, cat["year"].id, SYSTEM_ACTOR)
    with pytest.raises(DomainError, match="缺少列：容量"):
        import_rooms(_xlsx(("考点代码", "考场号")), cat["region"].id, cat["year"].id, SYSTEM_ACTOR)
