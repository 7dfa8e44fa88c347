"""The whole wizard in Chromium: subject choice → five steps → 提交, then 放弃报考 and 开始新的报名 again."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Registration, Site
from tests.factories import make_catalogue, ready_candidate
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser


def test_register_abandon_register_again(app_ctx, live_server, page):
    app = app_ctx
    cat = make_catalogue(capacity=5)
    cand = ready_candidate()
    db.session.commit()
    browser_login(page, live_server, app, cand)

    page.goto(f"{live_server}/registration")
    page.click("#start-new")
    page.wait_for_load_state("load")  # the filter script is bound once the page has loaded
    page.select_option("#level", "执业助理医师")  # filters narrow the list at once
    expect(page.locator("tr:visible", has_text="临床执业医师")).to_have_count(0)
    page.select_option("#level", "")
    page.fill("#q", "110")
    page.click("button[aria-label='报名 临床执业医师']")

    page.wait_for_url("**/step/basic")
    page.select_option("#military_identity", "active")
    page.click("#nav-next")
    page.wait_for_url("**/step/work")
    assert "加考军事医学" in page.content()
    page.fill("#title_date", "2021-7")
    page.click("#nav-next")
    assert page.locator("#title_date-error").is_visible()
    page.fill("#title_date", "2021-07")
    page.click("#nav-next")
    page.wait_for_url("**/step/entries")
    page.check(f"#education-{cand.educations[0].id}")
    page.click("#nav-next")
    page.wait_for_url("**/step/certificates")
    page.click("#nav-next")
    page.wait_for_url("**/step/site")
    page.select_option("#region_id", str(cat["region"].id))
    page.check(f"#site-{cat['site'].id}")
    page.click("#nav-submit")

    page.wait_for_url("**/registration")
    card = page.locator(".reg-card").first
    number = card.locator(".reg-number").inner_text()
    assert number.startswith("2027") and "已提交" in card.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    card.locator("button.abandon").click()
    page.wait_for_load_state()
    assert "已放弃" in page.locator(".reg-card").first.inner_text()
    db.session.expire_all()
    assert db.session.get(Site, cat["site"].id).taken == 0

    page.click("#start-new")
    page.click("button[aria-label='报名 临床执业医师']")
    page.wait_for_url("**/step/basic")
    assert db.session.scalar(db.select(db.func.count(Registration.id)).filter_by(status="draft")) == 1


def test_changing_the_region_loads_only_its_sites(app_ctx, live_server, page):
    from core.models import Region
    from tests.factories import ready_draft
    app = app_ctx
    cat = make_catalogue(capacity=5)
    other = Region(code="440000", name="广东省")
    db.session.add_all([other, Site(region=other, code="G1", name="广州考点", capacity=3)])
    cand = ready_candidate()
    db.session.flush()
    reg = ready_draft(cand, cat)
    db.session.commit()
    browser_login(page, live_server, app, cand)

    page.goto(f"{live_server}/registration/{reg.id}/step/site")
    assert page.locator(f"#site-{cat['site'].id}").is_checked() and page.locator("text=广州考点").count() == 0
    assert not page.locator("#choose-region").is_visible()  # with JavaScript the change itself loads the sites
    page.select_option("#region_id", str(other.id))
    page.locator("label", has_text="广州考点").wait_for()
    assert page.locator(f"#site-{cat['site'].id}").count() == 0
    assert page.url.endswith("/step/site") and page.input_value("#attempts") == "1"
