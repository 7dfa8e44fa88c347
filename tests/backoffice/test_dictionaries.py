"""Dictionaries through the back office: the Ministry's school list upload, work units from Excel,
pinyin exceptions, rule settings — each with its bad input."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from core.db import db
from core.models import (AuditEntry, CertificateType, EligibilityRuleSetting, ExamYear, PinyinException, School,
                         TrainingType, WorkUnit)
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


@pytest.mark.parametrize("route, model, flag, title, label", [
    ("training-types", TrainingType, "selectable_for_physician", "培训类型", "医师资格考试可勾选"),
    ("certificate-types", CertificateType, "qualifies_assistant", "证书类型", "可作为中专报考执业医师的助理医师证书")])
def test_code_name_flag_dictionaries_add_and_list(world, client, route, model, flag, title, label):
    staff_login(client, world["staff"]["national"][1])
    page = client.get(f"/admin/{route}/add").get_data(as_text=True)
    assert f"新增{title}" in page and f'<label for="{flag}"' in page and label in page
    client.post(f"/admin/{route}/add", data={"code": "T9", "name": "测试项", flag: "y",
                                             "csrf_token": csrf_token_from(page)})
    assert db.session.scalar(select(getattr(model, flag)).where(model.code == "T9")) is True
    listed = client.get(f"/admin/{route}/list/").get_data(as_text=True)
    assert title in listed and "测试项" in listed and label in listed


def _rule_form(values: dict, token: str, **changes) -> list[tuple[str, str]]:
    """The rule-settings form as the page posts it, from core.services.rule_settings.current's values."""
    data = [("csrf_token", token)]
    data += [(f"route-{code}", "1") for code, is_open in values["routes"].items() if is_open]
    for rule, params in values["rules"].items():
        for key, value in params.items():
            name = f"rule-{rule}-{key}"
            if key == "on" or isinstance(value, bool):
                data += [(name, "1")] if value else []
            elif isinstance(value, dict):
                data += [(f"{name}-{major}", c) for major, cats in value.items() for c in cats]
            elif isinstance(value, list):
                data += [(name, c) for c in value]
            else:
                data.append((name, str(value)))
    data = [(k, v) for k, v in data if k not in changes]
    return data + [(k, v) for k, v in changes.items() if v is not None]


def test_rule_settings_are_labelled_fields_saying_what_each_switch_does(world, client):
    staff_login(client, world["staff"]["national"][1])
    html = client.get(f"/admin/rule-settings/{world['ids']['year']}").get_data(as_text=True)
    assert "JSON" not in html and "<textarea" not in html
    assert '<label for="f-route-physician_secondary">开放：中专学历报考执业医师</label>' in html
    assert ('关闭的作用：关闭后不再检查取得证书后的执业年限和证书注册信息；仍须勾选“执业助理医师”证书（报考途径的条件）。'
            '要停止中专学历报考执业医师，请关闭报考途径。') in html
    assert '<label for="f-rule-R11-enrolled_after" class="control-label">入学截止日期（此日以后入学的不予认可）' in html
    assert 'value="2002-10-31"' in html
    assert "正在网上报名" in html  # the window is open: the page says so before anything is saved


def test_rule_settings_bad_input_beside_the_field_and_nothing_saved(world, client):
    from core.services.rule_settings import current
    staff_login(client, world["staff"]["national"][1])
    url = f"/admin/rule-settings/{world['ids']['year']}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    values = current(world["ids"]["year"])
    bad = client.post(url, data=MultiDict(_rule_form(values, token, **{"rule-R1-practice_years": "一年",
                                                                        "rule-R11-enrolled_after": "2002/10/31"})))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "请填写0至20之间的整数（年）。" in html and "日期格式应为YYYY-MM-DD，如2002-10-31。" in html
    assert 'value="2002/10/31"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count(EligibilityRuleSetting.id))) == 0


def test_closing_a_route_during_the_window_needs_a_confirmation_and_is_audited(world, client):
    from core.eligibility import settings_for
    from core.services.rule_settings import current
    staff_login(client, world["staff"]["national"][1])
    year = world["ids"]["year"]
    url = f"/admin/rule-settings/{year}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    values = current(year)
    closing = _rule_form(values, token, **{"route-physician_secondary": None, "rule-R3-on": None})
    refused = client.post(url, data=MultiDict(closing))
    assert refused.status_code == 422
    assert "修改立即影响正在填报和提交的考生。请勾选“确认在报名期间修改”后再保存。" in refused.get_data(as_text=True)
    assert settings_for(db.session.get(ExamYear, year)).route_open("physician_secondary")
    assert client.post(url, data=MultiDict(closing + [("confirm", "1")])).status_code == 302
    db.session.expire_all()  # the year as another request reads it now: its settings_key is new, so are its settings
    s = settings_for(db.session.get(ExamYear, year))
    assert not s.route_open("physician_secondary") and not s.on("R3") and s.on("R1")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalogue.eligibility_settings.changed"))
    assert entry.before == {"routes": {"physician_secondary": True}, "rules": {"R3": {"on": True}}}
    assert entry.after == {"routes": {"physician_secondary": False}, "rules": {"R3": {"on": False}}}
    # saving the same again changes nothing and asks nothing
    again = client.post(url, data=MultiDict(closing), follow_redirects=True)
    assert "没有修改。" in again.get_data(as_text=True)


def test_region_admin_cannot_open_rule_settings(world, client):
    staff_login(client, world["staff"]["region"][1])
    url = f"/admin/rule-settings/{world['ids']['year']}"
    assert client.get(url).status_code == 403
    token = admin_csrf(client)
    assert client.post(url, data={"csrf_token": token, "confirm": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(EligibilityRuleSetting.id))) == 0


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
