"""`flask --app wsgi schools import PATH` on the Ministry's real lists, and on files that are not."""
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import db
from core.models import AuditEntry, School
from core.schools_import import SchoolListError, read_schools, upsert_schools

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "schools"
REGULAR_XLS = DATA / "moe-regular-institutions-2025.xls"
REGULAR_JSON = DATA / "moe-regular-institutions-2025.json"
ADULT_XLS = DATA / "moe-adult-institutions-2025.xls"
ADULT_JSON = DATA / "moe-adult-institutions-2025.json"
HEADER = ["序号", "学校名称", "学校标识码", "主管部门", "所在地", "办学层次", "备注"]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["schools", "import", *map(str, args)])


def count_schools() -> int:
    return db.session.scalar(select(func.count()).select_from(School))


def ministry_xlsx(path: Path, rows, header=HEADER) -> Path:
    """A workbook laid out like the Ministry's: title rows, the header, a province row, schools."""
    wb = Workbook()
    ws = wb.active
    ws.append(["附件1："])
    ws.append(["全国普通高等学校名单\n（截至2025年6月20日）"])
    ws.append(header)
    ws.append(["山西省（2所）"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


SMALL = [[1, "长治医学院", 4114010117, "山西省", "长治市", "本科", None],
         [2, "山西医科大学", "4114010114", "山西省", "太原市", "本科", ""]]


def test_full_regular_list_from_the_ministrys_xls(app_ctx):
    result = run(app_ctx, REGULAR_XLS)
    assert result.exit_code == 0, result.output
    assert "新增 2919 所" in result.stdout
    assert count_schools() == 2919
    codes = db.session.scalars(select(School.code)).all()
    assert all(isinstance(c, str) and len(c) == 10 and c.isdigit() for c in codes)
    czyxy = db.session.scalar(select(School).where(School.name == "长治医学院"))
    assert (czyxy.code, czyxy.initials, czyxy.province, czyxy.city, czyxy.level) == (
        "4114010117", "czyxy", "山西省", "长治市", "本科")
    pku = db.session.scalar(select(School).where(School.code == "4111010001"))
    assert (pku.name, pku.province, pku.department, pku.initials) == ("北京大学", "北京市", "教育部", "bjdx")
    assert db.session.scalar(select(School).where(School.name == "重庆医科大学")).initials == "cqykdx"
    stamps = dict(db.session.execute(select(School.code, School.updated_at)).all())
    db.session.remove()

    # The same list as JSON (codes as numbers there) is the same data: nothing changes.
    again = run(app_ctx, REGULAR_JSON)
    assert again.exit_code == 0, again.output
    assert "新增 0 所，更新 0 所，未变 2919 所" in again.stdout
    assert dict(db.session.execute(select(School.code, School.updated_at)).all()) == stamps
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_adult_list_has_level_cheng_ren(app_ctx):
    result = run(app_ctx, ADULT_XLS)
    assert result.exit_code == 0, result.output
    assert "新增 248 所" in result.stdout
    levels = set(db.session.scalars(select(School.level)))
    assert levels == {"成人"}
    school = db.session.scalar(select(School).where(School.code == "4211050001"))
    assert (school.name, school.province, school.city) == ("北京市海淀区职工大学", "北京市", None)


def test_uploaded_bytes_with_filename_read_like_a_path():
    from_bytes = read_schools(ADULT_JSON.read_bytes(), "moe-adult.json")
    assert from_bytes == read_schools(ADULT_XLS)
    assert len(from_bytes) == 248


def test_xlsx_with_title_rows_then_an_update(app_ctx, tmp_path):
    path = ministry_xlsx(tmp_path / "list.xlsx", SMALL)
    assert run(app_ctx, path).exit_code == 0
    assert count_schools() == 2
    renamed = [SMALL[0], [2, "山西医科大学（新）", "4114010114", "山西省", "太原市", "本科", ""]]
    result = run(app_ctx, ministry_xlsx(tmp_path / "list2.xlsx", renamed))
    assert result.exit_code == 0, result.output
    assert "新增 0 所，更新 1 所，未变 1 所" in result.stdout
    school = db.session.scalar(select(School).where(School.code == "4114010114"))
    assert (school.name, school.initials) == ("山西医科大学（新）", "sxykdxx")


def _json_file(tmp_path, items) -> Path:
    path = tmp_path / "list.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def _raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


GOOD = {"name": "长治医学院", "code": 4114010117, "department": "山西省", "location": "长治市",
        "level": "本科", "remark": ""}


@pytest.mark.parametrize("make, phrase", [
    (lambda p: ministry_xlsx(p / "cols.xlsx", [[1, "长治医学院", "4114010117"]],
                             header=["序号", "单位名称", "代码"]), "找不到表头"),
    (lambda p: _json_file(p, [GOOD, dict(GOOD, code=411401011)]), "不是有效的10位代码"),
    (lambda p: _json_file(p, [GOOD, dict(GOOD, code="4199010117", name="某学院")]), "不是有效的10位代码"),
    (lambda p: _json_file(p, [GOOD, dict(GOOD, name="长治医学院二")]), "重复"),
    (lambda p: _json_file(p, [GOOD, {"title": "x"}]), "缺少 name 或 code"),
    (lambda p: _json_file(p, {"name": "x"}), "应是学校的列表"),
    (lambda p: _json_file(p, []), "没有任何学校"),
    (lambda p: ministry_xlsx(p / "nocode.xlsx", [[1, "长治医学院", None, "山西省", "长治市", "本科", ""]]),
     "不是有效的10位代码"),
    (lambda p: _raw(p / "empty.xls", b""), "是空的"),
    (lambda p: _raw(p / "notes.xls", "学校名称,学校标识码\n".encode()), "既不是"),
    (lambda p: _raw(p / "broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "无法读取表格"),
    (lambda p: _raw(p / "broken.xlsx", b"PK\x03\x04 not really a zip"), "无法读取表格"),
    (lambda p: p / "missing.xls", "无法读取文件"),
])
def test_a_file_that_is_not_the_list_changes_nothing(app_ctx, tmp_path, make, phrase):
    run(app_ctx, ministry_xlsx(tmp_path / "before.xlsx", SMALL))
    before = db.session.execute(select(School.code, School.name, School.updated_at)).all()
    db.session.remove()

    result = run(app_ctx, make(tmp_path))
    assert result.exit_code == 1
    assert phrase in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert db.session.execute(select(School.code, School.name, School.updated_at)).all() == before


def test_an_error_half_way_through_the_upsert_writes_nothing(app_ctx):
    rows = read_schools(json.dumps([GOOD]).encode(), "a.json")
    broken = rows + [dict(rows[0], code=None)]  # NOT NULL fails at commit
    with pytest.raises(Exception):
        upsert_schools(broken)
    assert count_schools() == 0


def test_read_error_is_a_domain_error_on_the_file_field():
    with pytest.raises(SchoolListError) as err:
        read_schools(b"hello", "x.txt")
    assert err.value.field == "file"
