"""Where the guide puts things: 「可通过报考项目方框右下方的“放弃报考”予以放弃」, and 上一步 that always goes back."""
from __future__ import annotations

import os

import pytest

from core.db import db
from tests.factories import make_catalogue, make_registration, ready_candidate, ready_draft
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser


def test_abandon_sits_at_the_bottom_right_of_the_card(app_ctx, live_server, page):
    cat = make_catalogue()
    reg = make_registration(cat=cat)
    db.session.commit()
    browser_login(page, live_server, app_ctx, reg.candidate)
    page.goto(f"{live_server}/registration")
    card = page.locator(f"#registration-{reg.id}").bounding_box()
    button = page.locator(f"#registration-{reg.id} button.abandon").bounding_box()
    others = page.locator(f"#registration-{reg.id} .actions > a").all()
    if os.environ.get("SCREENSHOT_DIR"):
        page.locator(f"#registration-{reg.id}").screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/card.png")
    right_gap = card["x"] + card["width"] - (button["x"] + button["width"])
    bottom_gap = card["y"] + card["height"] - (button["y"] + button["height"])
    assert 0 <= right_gap < 40 and 0 <= bottom_gap < 40  # the card's padding, no more
    for link in others:  # 打印申请表 (and 缴费) stay on the left
        assert link.bounding_box()["x"] < card["x"] + card["width"] / 2


def test_prev_goes_back_from_a_refused_step_and_the_input_comes_back(app_ctx, live_server, page):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    db.session.commit()
    browser_login(page, live_server, app_ctx, cand)
    page.goto(f"{live_server}/registration/{reg.id}/step/work")
    page.fill("#title_date", "2022-8")
    page.click("#nav-prev")
    page.wait_for_url("**/step/basic")
    assert "“工作情况”中有填写有误的内容" in page.locator(".flash-error").inner_text()
    page.click("button[value='goto:work']")  # the step bar
    page.wait_for_url("**/step/work")
    assert page.input_value("#title_date") == "2022-8" and page.locator("#title_date-error").is_visible()
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/work.png")
