"""R7 in Chromium: a 口腔医学 graduate who chose 临床执业医师 picks the major from the dictionary (pinyin
initials), ticks the diploma, and is refused at the 教育经历 step, beside the field, naming the major and
the category it may take."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.registration import draft
from core.services.majors import put_default_majors
from tests.factories import make_catalogue, ready_candidate
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser

REFUSAL = ("专业“口腔医学”（口腔医学类）的学历只能报考口腔类别，不能报考临床类别："
           "请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。")


def test_dental_graduate_trying_clinical_is_refused_at_the_education_step(app_ctx, live_server, page):
    cat = make_catalogue()
    put_default_majors()
    cand = ready_candidate()
    db.session.delete(cand.educations[0])
    db.session.flush()
    reg = draft.start_registration(cand, cat["subject"].id)  # 临床执业医师
    passed = draft.Draft.of(reg)
    passed.done = ["basic", "work"]  # the steps before 教育经历 (opened only in order)
    passed.store(reg)
    db.session.commit()
    browser_login(page, live_server, app_ctx, cand)

    page.goto(f"{live_server}/registration/{reg.id}/step/entries")
    page.click("#add-education summary")
    page.fill("#f-new_education-school_name", "重庆医科大学")
    page.select_option("#new_education-level", "本科")
    page.fill("#f-new_education-major", "kqyx")
    option = page.locator("#new_education-major-list [role=option]", has_text="口腔医学").first
    expect(option).to_be_visible()
    option.dispatch_event("mousedown")
    expect(page.locator("#f-new_education-major")).to_have_value("口腔医学")
    page.fill("#new_education-start_ym", "2017-09")
    page.fill("#new_education-end_ym", "2022-06")
    page.fill("#new_education-diploma_number", "106311202205000456")
    page.click("#save-education")
    page.wait_for_url("**/step/entries*")
    edu = db.session.scalar(db.select(type(cand).educations.property.mapper.class_).filter_by(candidate_id=cand.id))
    assert (edu.major, edu.major_category, edu.major_manual) == ("口腔医学", "口腔医学类", False)
    expect(page.locator(f"#education-{edu.id}")).to_be_checked()

    page.click("#nav-next")
    expect(page.locator("#education_ids-error")).to_have_text(REFUSAL)
    expect(page.locator(".findings [data-rule=R7]")).to_have_text(REFUSAL)
    assert page.url.endswith("/step/entries")
