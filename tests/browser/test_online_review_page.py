"""The 网上资格审核 case page in Chromium: each entry beside its documents at 1280 px, stacked at 375 px, axe-core
clean at both; the viewer's zoom, rotation and reset, and the keyboard (J next document, R rotate, X 需补正)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import STAFF_PASSWORD
from tests.support.a11y import AXE, axe_violations, shot

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/setup.sh: npm ci)")]


@pytest.mark.parametrize("width", [375, 1280])
def test_entries_beside_their_documents(app, browser, live_server, page_world, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(page_world["staff"])
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server}/admin/online-review/show/{page_world['online']}")
    page.wait_for_load_state("networkidle")
    shot(page, f"admin_online_review_show-{width}")
    problems = axe_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"horizontal scroll {overflow} px")

    education = page.locator("section.entry-group", has=page.get_by_role("heading", name="教育经历"))
    expect(education.locator(".doc-panel")).to_have_count(2)  # 毕业证书 and 学历证书电子注册备案表
    expect(education.locator(".entry-facts")).to_contain_text("北京大学")
    facts = education.locator(".entry-facts").bounding_box()
    docs = education.locator(".entry-docs").bounding_box()
    if width >= 992:  # side by side: what was entered on the left, its documents on the right
        assert docs["x"] >= facts["x"] + facts["width"] - 1 and abs(docs["y"] - facts["y"]) < 5, (facts, docs)
    else:  # stacked: the entry first, its documents below
        assert docs["y"] >= facts["y"] + facts["height"] - 1, (facts, docs)
    expect(page.locator(".doc-strip img")).to_have_count(page.locator(".doc-panel").count())

    first = page.locator(".doc-panel").first
    image = first.locator(".doc-page")
    before = image.bounding_box()["width"]
    first.get_by_role("button", name="放大").click()
    assert image.bounding_box()["width"] > before * 1.2
    first.get_by_role("button", name="复原").click()
    assert abs(image.bounding_box()["width"] - before) < 2

    first.locator("h4").click()  # this document is the current one
    page.keyboard.press("j")
    second = page.locator(".doc-panel").nth(1)
    assert page.evaluate("document.activeElement.id") == second.get_attribute("id")
    page.keyboard.press("r")
    assert "rotate(90deg)" in second.locator(".doc-page").get_attribute("style")
    page.keyboard.press("x")
    expect(second.locator("input[value=correction]")).to_be_checked()
    assert page.evaluate("document.activeElement.name") == "reasons"  # the reviewer picks the reasons next
    context.close()
    assert not problems, "\n".join(problems)
