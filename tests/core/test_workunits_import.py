"""Work units (工作单位) imported from an .xlsx: upsert by licence code or by name within a region."""
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import db
from core.models import AuditEntry, Region, WorkUnit
from core.services.workunits_import import WorkUnitFileError, read_work_units, upsert_work_units

HEADER = ["序号", "单位名称", "所在考区", "执业许可证登记号"]


@pytest.fixture
def regions(session):
    beijing, chongqing = Region(code="110000", name="北京市"), Region(code="500000", name="重庆市")
    session.add_all([beijing, chongqing])
    session.commit()
    return beijing, chongqing


def workbook(path: Path, rows, header=HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["2027年医师资格考试 工作单位字典"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def units() -> list[tuple]:
    return db.session.execute(select(WorkUnit.name, WorkUnit.region_id, WorkUnit.licence_code,
                                     WorkUnit.initials).order_by(WorkUnit.name)).all()


ROWS = [[1, "北京协和医院", "北京市", "40068500X11010111A1001"],
        [2, "重庆医科大学附属第一医院", "重庆", "45038296650010211A1001"],
        [3, "长治路社区卫生服务中心", "500000", None]]


def test_import_then_reimport_then_update(regions, tmp_path):
    beijing, chongqing = regions
    counts = upsert_work_units(read_work_units(workbook(tmp_path / "a.xlsx", ROWS)))
    assert counts == {"added": 3, "updated": 0, "unchanged": 0}
    assert units() == [
        ("北京协和医院", beijing.id, "40068500X11010111A1001", "bjxhyy"),
        ("重庆医科大学附属第一医院", chongqing.id, "45038296650010211A1001", "cqykdxfsdyyy"),
        ("长治路社区卫生服务中心", chongqing.id, None, "czlsqwsfwzx"),
    ]
    assert upsert_work_units(read_work_units(workbook(tmp_path / "b.xlsx", ROWS))) == {
        "added": 0, "updated": 0, "unchanged": 3}

    renamed = [[1, "中国医学科学院北京协和医院", "北京", "40068500X11010111A1001"],  # same licence
               [3, "长治路社区卫生服务中心", "重庆市", "12500103MB1234567X"],  # gains a licence
               [4, "北京协和医院", "北京市", None]]  # the old name again, no licence: a new unit
    counts = upsert_work_units(read_work_units(workbook(tmp_path / "c.xlsx", renamed), "c.xlsx"))
    assert counts == {"added": 1, "updated": 2, "unchanged": 0}
    assert units()[0] == ("中国医学科学院北京协和医院", beijing.id, "40068500X11010111A1001", "zgyxkxybjxhyy")
    assert ("长治路社区卫生服务中心", chongqing.id, "12500103MB1234567X", "czlsqwsfwzx") in units()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_a_row_without_licence_keeps_the_known_one(regions, tmp_path):
    upsert_work_units(read_work_units(workbook(tmp_path / "a.xlsx", ROWS[:1])))
    counts = upsert_work_units(read_work_units(workbook(tmp_path / "b.xlsx", [[1, "北京协和医院", "北京市"]],
                                                        header=["序号", "单位名称", "省份"])))
    assert counts == {"added": 0, "updated": 0, "unchanged": 1}
    assert units()[0][2] == "40068500X11010111A1001"


def test_uploaded_bytes(regions, tmp_path):
    data = workbook(tmp_path / "a.xlsx", ROWS).read_bytes()
    assert [r["name"] for r in read_work_units(data, "upload.xlsx")] == [r[1] for r in ROWS]


@pytest.mark.parametrize("rows, header, phrase", [
    (ROWS, ["序号", "医院", "地区"], "找不到表头"),
    ([[1, "某医院", "火星", None]], HEADER, "所在考区「火星」不存在"),
    ([[1, None, "北京市", "X1"]], HEADER, "缺少单位名称"),
    ([[1, "某医院", "北京市", "登记号 12"]], HEADER, "格式不正确"),
    ([ROWS[0], ROWS[0]], HEADER, "重复"),
    ([], HEADER, "没有任何工作单位"),
])
def test_bad_files_are_refused_and_nothing_is_written(regions, tmp_path, rows, header, phrase):
    upsert_work_units(read_work_units(workbook(tmp_path / "before.xlsx", ROWS[:1])))
    before = units()
    with pytest.raises(WorkUnitFileError, match=phrase) as err:
        upsert_work_units(read_work_units(workbook(tmp_path / "bad.xlsx", rows, header)))
    assert err.value.field == "file"
    assert units() == before


@pytest.mark.parametrize("data, phrase", [
    (b"", "不是 .xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old.xls", "不是 .xlsx"),
    (b"PK\x03\x04broken", "无法读取表格"), ("单位名称,所在考区\n".encode(), "不是 .xlsx"),
])
def test_not_a_workbook(regions, data, phrase):
    with pytest.raises(WorkUnitFileError, match=phrase):
        read_work_units(data, "upload.xlsx")


def test_missing_file(regions, tmp_path):
    with pytest.raises(WorkUnitFileError, match="无法读取文件"):
        read_work_units(tmp_path / "nope.xlsx")


def test_region_names_long_and_short(session, tmp_path):
    session.add_all([Region(code="450000", name="广西壮族自治区"), Region(code="660000", name="新疆生产建设兵团")])
    session.commit()
    rows = read_work_units(workbook(tmp_path / "a.xlsx", [[1, "广西医科大学第一附属医院", "广西", None],
                                                          [2, "新疆生产建设兵团医院", "新疆生产建设兵团", None]]))
    names = {r.id: r.name for r in session.scalars(select(Region))}
    assert [names[r["region_id"]] for r in rows] == ["广西壮族自治区", "新疆生产建设兵团"]
