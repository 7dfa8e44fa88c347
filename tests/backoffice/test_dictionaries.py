"""Dictionaries through the back office: the Ministry's school list upload, work units from Excel,
pinyin exceptions, rule settings — each with its bad input."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import db
from core.models import AuditEntry, EligibilityRuleSetting, PinyinException, School, WorkUnit
from core.pinyin import initials
from tests.support.web import admin_csrf, csrf_token_from, staff_login

SCHOOLS_JSON = Path(__file__).resolve().parents[3] / "shared" / "data" / "schools" / \
    "moe-regular-institutions-2025.json"


def test_school_list_upload(world, client):
    staff_login(client, world["staff"]["national"][1])
    token = admin_csrf(client)
    bad = client.post("/admin/schools/import", data={"csrf_token": token,
                                                     "file": (io.BytesIO(b"not a list"), "list.xls")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "has-error" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(School.id))) == 0
    data = SCHOOLS_JSON.read_bytes()
    resp = client.post("/admin/schools/import", data={"csrf_token": token,
                                                      "file": (io.BytesIO(data), SCHOOLS_JSON.name)},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    assert db.session.scalar(select(func.count(School.id))) > 2800
    assert db.session.scalar(select(School.initials).where(School.name == "北京大学")) == "bjdx"
    assert db.session.scalar(select(AuditEntry.actor_name).where(
        AuditEntry.action == "dictionary.schools.imported")) == world["staff"]["national"][1]


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_work_units_import_from_excel(world, client):
    staff_login(client, world["staff"]["national"][1])
    token = admin_csrf(client)
    region = world["ids"]["region_a_name"]
    bad = client.post("/admin/work-units/import", data={"csrf_token": token, "file": (
        io.BytesIO(_xlsx([["单位名称", "所在考区"], ["协和医院", "火星"]])), "units.xlsx")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "火星" in bad.get_data(as_text=True)
    ok = client.post("/admin/work-units/import", data={"csrf_token": token, "file": (
        io.BytesIO(_xlsx([["单位名称", "所在考区", "执业许可证登记号"], ["长治市人民医院", region, "A1234"]])),
        "units.xlsx")}, content_type="multipart/form-data")
    assert ok.status_code == 302
    unit = db.session.scalar(select(WorkUnit))
    assert unit.region_id == world["ids"]["region_a"] and unit.initials == "czsrmyy"


def test_pinyin_exception_added_in_back_office(world, client):
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/pinyin-exceptions/add").get_data(as_text=True)
    bad = client.post("/admin/pinyin-exceptions/add", data={"phrase": "蔚县", "initials": "y1",
                                                             "csrf_token": csrf_token_from(page)})
    assert "拼音首字母只能是字母" in bad.get_data(as_text=True)
    client.post("/admin/pinyin-exceptions/add", data={"phrase": "蔚县", "initials": "YX",
                                                       "csrf_token": csrf_token_from(page)})
    assert db.session.scalar(select(PinyinException.initials).where(PinyinException.phrase == "蔚县")) == "yx"
    assert initials("蔚县人民医院") == "yxrmyy"


def test_rule_setting_params_must_be_json(world, client):
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/rule-settings/add").get_data(as_text=True)
    data = {"exam_year": str(world["ids"]["year"]), "rule": "R3", "enabled": "",
            "csrf_token": csrf_token_from(page)}
    bad = client.post("/admin/rule-settings/add", data={**data, "params_json": "{allowed: no"})
    assert "参数须为JSON对象" in bad.get_data(as_text=True)
    client.post("/admin/rule-settings/add", data={**data, "params_json": '{"allowed": false}'})
    row = db.session.scalar(select(EligibilityRuleSetting))
    assert row.rule == "R3" and row.enabled is False and row.params == {"allowed": False}


def test_region_admin_closes_online_payment_with_deadline_in_shanghai(world, client):
    from datetime import datetime
    from core.models import Region
    ids = world["ids"]
    staff_login(client, world["staff"]["region"][1])
    url = f"/admin/regions/edit/{ids['region_a']}"
    page = client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"payment_deadline": "2027-02-10 18:00:00", "fee_collection_note": "现场缴费",
                                  "csrf_token": csrf_token_from(page)})  # checkbox unticked: closed
    assert resp.status_code == 302
    db.session.expire_all()
    region = db.session.get(Region, ids["region_a"])
    assert region.online_payment_open is False and region.payment_deadline == datetime(2027, 2, 10, 10, 0)
    assert client.get(f"/admin/regions/edit/{ids['region_b']}").status_code == 404
