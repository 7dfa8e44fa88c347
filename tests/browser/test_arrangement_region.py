"""考场编排 page in Chromium: a 考区管理员 starts 全区编排并发布 and the job page reports each site; the page at
375 px and 1280 px (screenshots into SCREENSHOT_DIR when set)."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from core.db import db
from core.services.scope import REGION_ADMIN
from tests.factories import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser


def test_region_wide_arrangement_from_the_page(app, admin_app, live_server, page, published_site, monkeypatch):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    with app.app_context():
        _, name = make_staff(admin_app, REGION_ADMIN, regions=[db.session.merge(published_site["region"])])
        region_id, site_name = published_site["region"].id, published_site["site"].name
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server}/admin/arrangement/")
    shots = os.environ.get("SCREENSHOT_DIR")
    if shots:
        page.screenshot(path=f"{shots}/arrangement-1280.png", full_page=True)
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=f"{shots}/arrangement-375.png", full_page=True)
    page.get_by_label("考区").select_option(str(region_id))
    page.get_by_role("button", name="全区编排并发布").click()
    expect(page.get_by_text(f"{site_name}：已安排 5 人，未能安排 0 人")).to_be_visible()
    expect(page.get_by_text("1 个考点已发布")).to_be_visible()
