"""考区 staff choose a site's 实践技能基地 on the 考点 page (a refused choice is explained beside the field),
then read a 实践技能 预排 of the base by day. Screenshots at 375 and 1280 px when SCREENSHOT_DIR is set."""
from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from core.arrangement import service
from core.db import db
from core.models import ExamSession, Site
from core.registration.lifecycle import SYSTEM_ACTOR
from core.services.scope import REGION_ADMIN
from tests.factories import STAFF_PASSWORD, arranged_registrations, make_catalogue, make_rooms, make_staff
from tests.support.a11y import axe_violations, overflow_px

pytestmark = pytest.mark.browser


def _look(page, name):
    """At 375 and 1280 px: no WCAG 2.1 AA violation, no sideways scrolling; screenshots if SCREENSHOT_DIR."""
    folder = os.environ.get("SCREENSHOT_DIR")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert overflow_px(page) <= 0, (name, width)
        if folder:
            page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    assert axe_violations(page) == [], name
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_region_staff_set_a_base_and_read_the_days(app, admin_app, live_server, page):
    with app.app_context():
        cat = make_catalogue(capacity=100)
        day = datetime(2027, 6, 12, 0, 30)
        sessions = [ExamSession(exam_year_id=cat["year"].id, part="skills", level="执业医师", name=name,
                                starts_at=day + timedelta(days=d), ends_at=day + timedelta(days=d, hours=3))
                    for d, name in enumerate(("第一天上午", "第二天上午"))]
        db.session.add_all(sessions)
        base = Site(region=cat["region"], code=f"B{cat['site'].code[1:]}", name="省实践技能考试基地",
                    address="北京市海淀区学院路38号", capacity=100, hosts_skills=True)
        plain = Site(region=cat["region"], code=f"P{cat['site'].code[1:]}", name="东城区考点", capacity=50)
        db.session.add_all([base, plain])
        db.session.flush()
        make_rooms(base, sessions, 4, 3, start=21)
        arranged_registrations(cat, 16)
        db.session.commit()
        site_id, base_id, plain_id, year_id = cat["site"].id, base.id, plain.id, cat["year"].id
        _, name = make_staff(admin_app, REGION_ADMIN, regions=[cat["region"]])
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server}/admin/sites/edit/{site_id}")
    select = page.get_by_label("实践技能基地（本考区可承担实践技能的考点；空：本考点）")
    expect(select.locator("option", has_text="东城区考点")).to_have_count(0)  # not flagged: not offered
    select.evaluate(f"(s) => {{ s.add(new Option('东城区考点', '{plain_id}')); s.value = '{plain_id}'; }}")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("未标记为“可承担实践技能”")).to_be_visible()
    _look(page, "site-edit-refused")
    page.get_by_label("实践技能基地（本考区可承担实践技能的考点；空：本考点）").select_option(label="省实践技能考试基地")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("未标记为“可承担实践技能”")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Site, site_id).skills_base_id == base_id
        run = service.plan_site(base_id, year_id, SYSTEM_ACTOR, seed=5, part="skills")
        db.session.commit()
        run_id = run.id
    page.goto(f"{live_server}/admin/arrangement/runs/{run_id}")
    days = page.locator("#skills-days tbody tr")
    expect(days).to_have_count(2)
    expect(days.nth(0)).to_contain_text("第一天上午")
    expect(page.locator("#shortfall")).to_contain_text("座位不足")
    expect(page.locator("#shortfall")).to_contain_text("2")  # 16 candidates for 14 seats over both days
    _look(page, "skills-run")
    page.goto(f"{live_server}/admin/sites/edit/{site_id}")
    _look(page, "site-edit")
