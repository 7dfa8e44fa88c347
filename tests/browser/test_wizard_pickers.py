"""In Chromium: the wizard's 工作单位 “选择…” picker and the “+” form's 毕业学校 by pinyin initials record
dictionary choices; a required field left empty, or a mobile number in the wrong format, turns red at once."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Candidate, Education
from tests.factories import make_catalogue, make_dictionaries, ready_candidate, ready_draft
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser


def _red(page, selector):
    """The field's frame is the server's (.field.has-error) and the input says so to assistive technology."""
    field = page.locator(selector).locator("xpath=ancestor::div[contains(@class, 'field')][1]")
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator(selector)).to_have_attribute("aria-invalid", "true")


def _clear(page, selector):
    field = page.locator(selector).locator("xpath=ancestor::div[contains(@class, 'field')][1]")
    expect(field).not_to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator(selector)).not_to_have_attribute("aria-invalid", "true")


def test_wizard_pickers_and_the_red_frame(app_ctx, live_server, page):
    app = app_ctx
    dicts = make_dictionaries()
    cat = make_catalogue()
    cand = ready_candidate(work_unit_name="某医院")
    reg = ready_draft(cand, cat)
    db.session.commit()
    cand_id, unit, school = cand.id, dicts["units"][0], dicts["schools"]["北京大学"]
    browser_login(page, live_server, app, cand)

    # 工作情况: “选择…” opens the 工作单位选择 page; a choice comes back to the step
    page.goto(f"{live_server}/registration/{reg.id}/step/work")
    page.fill("#title", "主治医师")
    page.get_by_role("button", name="打开工作单位选择页").click()
    expect(page.get_by_role("heading", name="工作单位选择", level=1)).to_be_visible()
    page.get_by_label("单位名称、拼音首字母或执业许可证登记号").fill("bjxh")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("button", name="北京协和医院").click()
    page.wait_for_url("**/step/work")
    expect(page.locator("#f-work_unit_name")).to_have_value("北京协和医院")
    expect(page.locator("#title")).to_have_value("主治医师")  # what was typed before opening the picker
    db.session.expire_all()
    saved = db.session.get(Candidate, cand_id)
    assert (saved.work_unit_id, saved.work_unit_manual) == (unit.id, False)

    # 教育经历 “+”: the school by its pinyin initials; a required field emptied turns red, and clears
    page.goto(f"{live_server}/registration/{reg.id}/step/entries")
    page.get_by_role("button", name="添加教育经历").first.click()
    school_box = page.get_by_role("combobox", name="毕业学校")
    expect(school_box).to_be_focused()
    school_box.press_sequentially("bjdx", delay=40)
    expect(page.get_by_role("option", name=re.compile("^北京大学"))).to_be_visible()
    school_box.press("Enter")
    expect(school_box).to_have_value("北京大学")
    major = page.locator("#f-new_education-major")  # the majors dictionary's combobox, as the school's
    major.fill("内科学")
    major.fill("")
    major.blur()
    _red(page, "#f-new_education-major")
    expect(page.locator("#e-new_education-major")).to_have_text("请填写专业。")
    assert "e-new_education-major" in major.get_attribute("aria-describedby")
    major.fill("内科学")
    _clear(page, "#f-new_education-major")
    expect(page.locator("#e-new_education-major")).to_have_count(0)
    start = page.locator("#new_education-start_ym")
    start.fill("2015-9")
    start.blur()
    _red(page, "#new_education-start_ym")
    start.fill("2015-09")
    _clear(page, "#new_education-start_ym")
    page.select_option("#new_education-level", "硕士研究生")
    page.fill("#new_education-end_ym", "2018-07")
    page.click("#save-education")
    page.wait_for_url("**/step/entries#education")
    db.session.expire_all()
    added = db.session.scalar(db.select(Education).filter_by(candidate_id=cand_id, major="内科学"))
    assert (added.school_id, added.school_name, added.school_manual) == (school.id, "北京大学", False)

    # 个人信息: emptying 手机号码 turns it red at once, a wrong format too; fixing it clears
    page.goto(f"{live_server}/profile")
    mobile = page.locator("#f-mobile")
    mobile.fill("")
    mobile.blur()
    _red(page, "#f-mobile")
    expect(page.locator("#e-mobile")).to_have_text("请填写手机号码。")
    mobile.fill("1391234")
    mobile.blur()
    expect(page.locator("#e-mobile")).to_have_text("手机号码应为以1开头的11位数字。")
    mobile.fill("13912345678")
    _clear(page, "#f-mobile")
    expect(page.locator("#e-mobile")).to_have_count(0)
