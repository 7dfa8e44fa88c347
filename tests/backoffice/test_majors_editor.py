"""专业目录 in the back office (issue 13): national staff add, edit and disable majors and import them from
Excel/CSV with a report row by row; every change audited with its Chinese name; bad input refused beside the
field or row, nothing written; region staff cannot open it."""
from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import db
from core.models import AuditEntry, Major
from core.services import audit_text
from core.services.majors import put_default_majors, search_majors
from tests.support.web import admin_csrf, csrf_token_from, staff_login

FORM = {"code": "100208TK", "name": "医学影像技术", "level": "本科", "category": "非医师类",
        "ministry_class": "1010 医学技术类", "edition": "普通高等学校本科专业目录（2024年）", "active": "y"}


def _post(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_national_admin_adds_a_major_audited_and_offered_to_candidates(world, client):
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/majors/add").get_data(as_text=True)
    for field in ("code", "name", "level", "category", "active"):
        assert f'for="{field}"' in page
    assert _post(client, "/admin/majors/add", {**FORM, "code": "101003"}).status_code == 302
    major = db.session.scalar(select(Major).filter_by(code="101003"))
    assert (major.name, major.initials, major.active, major.category) == ("医学影像技术", "yxyxjs", True, "非医师类")
    entry = db.session.scalar(select(AuditEntry).filter_by(action="catalogue.majors.added"))
    assert entry.object_id == major.id and entry.actor_name == world["staff"]["national"][1]
    assert audit_text.action_label(entry.action) == "新增专业"
    assert [m.code for m in search_majors("yxyxjs", "本科")] == ["101003"]


def test_bad_major_input_is_refused_beside_the_field_and_nothing_saved(world, client):
    put_default_majors()
    db.session.commit()
    before = db.session.scalar(select(func.count(Major.id)))
    staff_login(client, world["staff"]["national"][1])
    bad = _post(client, "/admin/majors/add", {**FORM, "code": "口腔", "name": ""})
    html = bad.get_data(as_text=True)
    assert "专业代码为4位或6位数字，可带T、K" in html and "该字段是必填字段。" in html
    taken = _post(client, "/admin/majors/add", {**FORM, "code": "100301K"})
    assert "该专业代码已在专业目录中。" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Major.id))) == before


def test_disabling_a_major_is_audited_and_it_is_no_longer_offered(world, client):
    put_default_majors()
    db.session.commit()
    major = db.session.scalar(select(Major).filter_by(code="100301K"))
    staff_login(client, world["staff"]["national"][1])
    data = {"code": major.code, "name": major.name, "level": major.level, "category": major.category,
            "ministry_class": major.ministry_class, "edition": major.edition}  # 启用 unticked
    assert _post(client, f"/admin/majors/edit/{major.id}", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Major, major.id).active is False
    entry = db.session.scalar(select(AuditEntry).filter_by(action="catalogue.majors.changed"))
    assert entry.before == {"active": True} and entry.after == {"active": False}
    assert audit_text.action_label(entry.action) == "修改专业"
    assert search_majors("kqyx", "本科") == []
    listing = client.get("/admin/majors/list/?_flt_0_code=100301K").get_data(as_text=True)
    assert 'id="majors-import"' in listing


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str):
    return client.post("/admin/majors/import", data={"csrf_token": admin_csrf(client), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_from_csv_adds_and_updates_with_a_report_row_by_row(world, client):
    put_default_majors()
    db.session.commit()
    staff_login(client, world["staff"]["national"][1])
    csv_text = ("专业代码,专业名称,层次,专业类别,所属专业类,启用\n"
                "100301K,口腔医学,本科,口腔医学类,1003 口腔医学类,否\n"
                "520402K,中医骨伤,专科,中医学类,5204 中医药类,是\n"
                "100201K,临床医学,本科,临床医学类,1002 临床医学类,是\n")
    done = _upload(client, csv_text.encode("gb18030"), "majors.csv")  # the Chinese Windows encoding
    html = done.get_data(as_text=True).replace(' class="text-nowrap"', "")
    assert done.status_code == 200 and "导入完成：新增 1 条，更新 1 条，未变 1 条。" in html
    assert "<td>3</td><td>520402K</td><td>中医骨伤</td><td>新增</td>" in html
    assert "<td>2</td><td>100301K</td><td>口腔医学</td><td>更新</td>" in html
    assert db.session.scalar(select(Major.active).filter_by(code="100301K")) is False
    assert db.session.scalar(select(Major.initials).filter_by(code="520402K")) == "zygs"
    entry = db.session.scalar(select(AuditEntry).filter_by(action="dictionary.majors.imported"))
    assert entry.after == {"added": 1, "updated": 1, "unchanged": 1}
    assert audit_text.action_label(entry.action) == "导入专业目录"


def test_import_with_bad_rows_writes_nothing_and_says_why_for_each_row(world, client):
    staff_login(client, world["staff"]["national"][1])
    data = _xlsx([["专业代码", "专业名称", "层次", "专业类别"],
                  ["100201K", "临床医学", "本科", "临床医学类"],
                  ["10-03", "口腔医学", "本科", "口腔"],
                  ["100201K", "临床医学", "大专", "临床医学类"],
                  [None, None, None, None],
                  ["100401K", "", "本科", "公共卫生与预防医学类"]])
    refused = _upload(client, data, "majors.xlsx")
    html = refused.get_data(as_text=True).replace(' class="text-nowrap"', "")
    assert refused.status_code == 422 and "有 3 行有误，未导入任何专业。" in html
    assert "<td>2</td><td>100201K</td><td>临床医学</td><td>无误</td>" in html
    assert "<td>3</td><td>10-03</td><td>口腔医学</td><td>有误</td><td>专业代码为4位或6位数字" in html
    assert "专业类别应为：临床医学类" in html
    assert "层次应为本科、专科或研究生。与第 2 行的专业代码重复。" in html
    assert "<td>6</td><td>100401K</td><td></td><td>有误</td><td>请填写专业名称（最多60个字）。" in html
    assert db.session.scalar(select(func.count(Major.id))) == 0
    assert db.session.scalar(select(AuditEntry).filter_by(action="dictionary.majors.imported")) is None


def test_import_of_a_file_that_is_no_list_of_majors_is_refused(world, client):
    staff_login(client, world["staff"]["national"][1])
    for data, name, message in ((b"", "empty.csv", "找不到表头"), (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.csv", "不是"),
                                (b"PK\x03\x04broken", "broken.xlsx", "无法读取表格"),
                                ("名称,代码\n口腔医学,100301K\n".encode(), "wrong.csv", "找不到表头")):
        refused = _upload(client, data, name)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), name
    missing = client.post("/admin/majors/import", data={"csrf_token": admin_csrf(client)})
    assert missing.status_code == 422 and "请选择要上传的文件。" in missing.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Major.id))) == 0


def test_region_admin_cannot_open_the_majors_dictionary(world, client):
    staff_login(client, world["staff"]["region"][1])
    assert client.get("/admin/majors/list/").status_code in (302, 403)
    token = admin_csrf(client)
    assert client.post("/admin/majors/add", data={"csrf_token": token, **FORM}).status_code in (302, 403)
    upload = client.post("/admin/majors/import", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "a.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code in (302, 403)
    assert db.session.scalar(select(func.count(Major.id))) == 0
