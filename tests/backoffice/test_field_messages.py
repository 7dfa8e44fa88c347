"""Refused add/edit forms come back (200) with the Chinese reason in the field's own error box, the user's
input still in the form, and nothing written — never as a flash message above a lost form."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from core.db import db
from core.models import Fee, PinyinException, Site, StaffScope
from tests.support.web import csrf_token_from, staff_login

FEE_OUT_OF_SCOPE = "不能为您管理范围以外的考区设置收费标准。"
FEE_TWIN = "该考区、报考类别的这一收费项目已有收费标准，请修改原有记录。"
SITE_OUT_OF_SCOPE = "不能在您管理范围以外的考区设置考点。"


def field_cell(page: str, name: str) -> str:
    """The form-table cell holding field ``name`` (FAB: label cell, then the control and its errors)."""
    match = re.search(rf'<label for="{name}"[^>]*>.*?</td>\s*<td>(.*?)</td>', page, re.S)
    assert match, f"no field {name} in the form"
    return match.group(1)


def field_errors(page: str, name: str) -> list[str]:
    """The messages FAB renders in the field's red box (<div class="alert alert-danger"> below the control)."""
    boxes = re.findall(r'<div class="alert alert-danger">(.*?)</div>', field_cell(page, name), re.S)
    return [html_lib.unescape(line.strip()) for box in boxes for line in box.splitlines() if line.strip()]


def refused(resp, name: str, message: str) -> str:
    """Assert the form came back with ``message`` beside field ``name`` and nowhere else (not flashed)."""
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert field_errors(page, name) == [message]
    assert page.count(message) == 1
    return page


def _post(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _fees():
    return sorted(db.session.execute(select(Fee.region_id, Fee.subject_id, Fee.item, Fee.amount_fen)).all())


# --- 收费标准 -------------------------------------------------------------------------------------------

def test_fee_for_a_region_outside_the_scope(world, client):
    ids, before = world["ids"], _fees()
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, "/admin/fees/add", {"region_id": str(ids["region_b"]), "subject_id": str(ids["subject_a"]),
                                             "item": "skills", "amount_yuan": "12.50"})
    page = refused(resp, "region_id", FEE_OUT_OF_SCOPE)
    assert 'value="12.50"' in field_cell(page, "amount_yuan")
    assert f'<option selected value="{ids["subject_a"]}">' in field_cell(page, "subject_id")
    assert '<option selected value="skills">' in field_cell(page, "item")
    assert _fees() == before


def test_fee_moved_to_a_region_outside_the_scope(world, client):
    ids, before = world["ids"], _fees()
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, f"/admin/fees/edit/{ids['fee_a']}", {
        "region_id": str(ids["region_b"]), "subject_id": str(ids["subject_a"]), "item": "registration",
        "amount_yuan": "70"})
    page = refused(resp, "region_id", FEE_OUT_OF_SCOPE)
    assert 'value="70"' in field_cell(page, "amount_yuan")
    db.session.expire_all()
    assert _fees() == before


def test_second_fee_for_the_same_item(world, client):
    ids, before = world["ids"], _fees()  # region A already has a registration fee for subject A
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, "/admin/fees/add", {"region_id": str(ids["region_a"]), "subject_id": str(ids["subject_a"]),
                                             "item": "registration", "amount_yuan": "99"})
    page = refused(resp, "item", FEE_TWIN)
    assert 'value="99"' in field_cell(page, "amount_yuan")
    assert f'<option selected value="{ids["region_a"]}">' in field_cell(page, "region_id")
    assert _fees() == before


def test_fee_edited_into_a_twin_but_not_into_itself(world, client):
    ids = world["ids"]
    db.session.add(Fee(region_id=ids["region_a"], subject_id=ids["subject_a"], item="skills", amount_fen=30000))
    db.session.commit()
    skills = db.session.scalar(select(Fee.id).where(Fee.item == "skills", Fee.region_id == ids["region_a"]))
    before = _fees()
    staff_login(client, world["staff"]["region"][1])
    data = {"region_id": str(ids["region_a"]), "subject_id": str(ids["subject_a"]), "item": "registration"}
    page = refused(_post(client, f"/admin/fees/edit/{skills}", {**data, "amount_yuan": "300"}), "item", FEE_TWIN)
    assert '<option selected value="registration">' in field_cell(page, "item")
    db.session.expire_all()
    assert _fees() == before
    # the fee itself is not its own twin: saving it unchanged but for the amount works
    assert _post(client, f"/admin/fees/edit/{ids['fee_a']}", {**data, "amount_yuan": "70"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Fee, ids["fee_a"]).amount_fen == 7000


@pytest.mark.parametrize("amount, message", [
    ("abc", "金额须为不小于0的数，单位元，最多两位小数。"),
    ("NaN", "金额须为不小于0的数，单位元，最多两位小数。"),  # Decimal parses it; comparing it raised
    ("Infinity", "金额须为不小于0的数，单位元，最多两位小数。"),
    ("-1", "金额须为不小于0的数，单位元，最多两位小数。"),
    ("1.005", "金额最多两位小数（分）。"),
    ("1e8", "金额须小于1000万元。"),  # would overflow the integer fen column
    ("1e309", "金额须小于1000万元。"),  # a finite Decimal whose quantize() raised: a 500
])
def test_fee_amount_refused_beside_the_field(world, client, amount, message):
    ids, before = world["ids"], _fees()
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, "/admin/fees/add", {"region_id": str(ids["region_a"]), "subject_id": str(ids["subject_a"]),
                                             "item": "skills", "amount_yuan": amount})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in field_errors(page, "amount_yuan")
    assert f'value="{amount}"' in field_cell(page, "amount_yuan")
    assert _fees() == before


# --- 考点 ----------------------------------------------------------------------------------------------

def _sites():
    return sorted(db.session.execute(select(Site.id, Site.region_id, Site.code, Site.name, Site.capacity)).all())


def test_site_added_in_a_region_outside_the_scope(world, client):
    ids, before = world["ids"], _sites()
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, "/admin/sites/add", {"region": str(ids["region_b"]), "code": "NEW01", "name": "新考点",
                                              "address": "某路1号", "capacity": "40"})
    page = refused(resp, "region", SITE_OUT_OF_SCOPE)
    assert 'value="NEW01"' in field_cell(page, "code") and 'value="新考点"' in field_cell(page, "name")
    assert 'value="40"' in field_cell(page, "capacity")
    assert _sites() == before


def test_site_moved_to_a_region_outside_the_scope(world, client):
    ids, before = world["ids"], _sites()
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, f"/admin/sites/edit/{ids['site_a']}", {"region": str(ids["region_b"]), "code": "X1",
                                                                "name": "改名", "capacity": "30"})
    page = refused(resp, "region", SITE_OUT_OF_SCOPE)
    assert 'value="改名"' in field_cell(page, "name")
    db.session.expire_all()
    assert _sites() == before


def test_site_capacity_too_large_for_the_column(world, client):
    ids, before = world["ids"], _sites()  # PostgreSQL answered 数据库错误 (integer out of range) above a lost form
    staff_login(client, world["staff"]["region"][1])
    resp = _post(client, f"/admin/sites/edit/{ids['site_a']}", {"region": str(ids["region_a"]), "code": "X1",
                                                                "name": "改名", "capacity": "99999999999"})
    page = refused(resp, "capacity", "容量不能超过1000000。")
    assert 'value="99999999999"' in field_cell(page, "capacity")
    db.session.expire_all()
    assert _sites() == before


# --- 拼音例外 and 考务人员数据范围 ---------------------------------------------------------------------------

def test_pinyin_exception_needs_one_letter_per_character(world, client):
    staff_login(client, world["staff"]["national"][1])
    resp = _post(client, "/admin/pinyin-exceptions/add", {"phrase": "长治", "initials": "c"})
    page = refused(resp, "initials", "每个字对应一个拼音首字母（字数与字母数须相同）。")
    assert 'value="长治"' in field_cell(page, "phrase") and 'value="c"' in field_cell(page, "initials")
    assert db.session.scalar(select(func.count(PinyinException.id))) == 0


@pytest.mark.parametrize("choice", ["both", "neither"])
def test_staff_scope_is_a_region_or_a_site(world, client, choice):
    ids = world["ids"]
    user_id = world["staff"]["finance"][0]
    before = db.session.scalar(select(func.count(StaffScope.id)))
    staff_login(client, world["staff"]["national"][1])
    region, site = (str(ids["region_a"]), str(ids["site_a"])) if choice == "both" else ("__None", "__None")
    resp = _post(client, "/admin/staff-scopes/add", {"user": str(user_id), "region": region, "site": site})
    page = refused(resp, "region", "请在考区与考点中选择且只选择一项。")
    assert f'<option selected value="{user_id}">' in field_cell(page, "user")
    if choice == "both":
        assert f'<option selected value="{ids["site_a"]}">' in field_cell(page, "site")
    assert db.session.scalar(select(func.count(StaffScope.id))) == before


def test_related_choices_show_names_not_object_reprs(world, client):
    """The 考试 choice of 考试年度 and the 考试年度 choice of 报考类别 read as names, never <…object at 0x…>."""
    ids = world["ids"]
    staff_login(client, world["staff"]["national"][1])
    years = client.get(f"/admin/exam-years/edit/{ids['year']}").get_data(as_text=True)
    subjects = client.get(f"/admin/exam-subjects/edit/{ids['subject_a']}").get_data(as_text=True)
    assert "object at 0x" not in years + subjects
    assert "医师资格考试</option>" in years and "2027年医师资格考试</option>" in subjects


def test_work_units_without_a_licence_code_and_a_duplicate_code(world, client):
    """Two units without 执业许可证登记号 both save: blank is NULL, not a second "" (that was FAB's generic
    database error, logged as an exception); a code already used is refused beside the field."""
    from core.models import WorkUnit
    staff_login(client, world["staff"]["national"][1])
    region = str(world["ids"]["region_a"])
    for name in ("甲医院", "乙医院"):
        resp = _post(client, "/admin/work-units/add", {"name": name, "region_id": region, "licence_code": ""})
        assert resp.status_code == 302
    assert _post(client, "/admin/work-units/add", {"name": "丙医院", "region_id": region,
                                                   "licence_code": "PDY1"}).status_code == 302
    refused(_post(client, "/admin/work-units/add", {"name": "丁医院", "region_id": region, "licence_code": "PDY1"}),
            "licence_code", "已经存在")
    db.session.expire_all()
    rows = dict(db.session.execute(select(WorkUnit.name, WorkUnit.licence_code)).all())
    assert rows == {"甲医院": None, "乙医院": None, "丙医院": "PDY1"}
    own = db.session.scalar(select(WorkUnit.id).filter_by(name="丙医院"))  # its own code is no duplicate
    assert _post(client, f"/admin/work-units/edit/{own}", {"name": "丙医院二部", "region_id": region,
                                                           "licence_code": "PDY1"}).status_code == 302
