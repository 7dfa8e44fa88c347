"""需要无障碍考场 on the registration card in Chromium at 360/375 px and 1280 px: ticked by its label and saved,
then read-only once the arrangement is published; a stale form gets its message beside the field. Zero axe-core
violations in each state; on phones no horizontal scrolling and 44 px tap targets."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.arrangement import service
from core.db import db
from core.models import Registration
from core.registration.lifecycle import SYSTEM_ACTOR
from tests.factories import arranged_registrations, make_catalogue, make_rooms, make_sessions
from tests.support.a11y import AXE, axe_violations, overflow_px, shot, small_targets
from tests.support.browser import browser_login

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/setup.sh: npm ci)")]


def _problems(page, width) -> list[str]:
    found = axe_violations(page)
    if width < 500:
        if overflow_px(page):
            found.append(f"horizontal scroll {overflow_px(page)} px")
        found += [f"small target {t}" for t in small_targets(page)]
    return found


@pytest.mark.parametrize("width", [360, 375, 1280])
def test_declare_the_need_then_locked_after_publication(app, app_ctx, browser, live_server, width):
    cat = make_catalogue(capacity=50)
    s = make_sessions(cat)
    make_rooms(cat["site"], s["physician"], 10, 10, accessible=(1,))
    reg = arranged_registrations(cat, 3)[0]
    db.session.commit()
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    browser_login(page, live_server, app, reg.candidate)
    page.goto(f"{live_server}/registration")
    card = page.locator(f"#registration-{reg.id}")
    box = card.get_by_label("我需要安排在无障碍考场")
    assert box.is_visible() and not box.is_checked()
    assert _problems(page, width) == []
    shot(page, f"portal_registration_accessible_need-{width}")
    box.check()
    card.get_by_role("button", name="保存无障碍考场需求").click()
    page.wait_for_load_state()
    assert "已保存：需要无障碍考场" in page.content()
    assert page.locator(f"#registration-{reg.id}").get_by_label("我需要安排在无障碍考场").is_checked()
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).needs_accessible_room
    assert _problems(page, width) == []

    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=3)  # published meanwhile
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    card = page.locator(f"#registration-{reg.id}")
    card.get_by_label("我需要安排在无障碍考场").uncheck()  # the page still shows the form: a stale change
    card.get_by_role("button", name="保存无障碍考场需求").click()
    page.wait_for_load_state()
    error = page.locator(f"#need-{reg.id}-error")
    assert error.is_visible() and "不能再修改无障碍考场需求" in error.inner_text()
    assert _problems(page, width) == []
    shot(page, f"portal_registration_accessible_need_refused-{width}")
    page.goto(f"{live_server}/registration")
    state = page.locator(f"#need-{reg.id}-state")
    assert "需要无障碍考场" in state.inner_text() and "考场编排已发布" in state.inner_text()
    assert page.locator(f"#need-{reg.id}").count() == 0
    assert _problems(page, width) == []
    shot(page, f"portal_registration_accessible_need_locked-{width}")
    db.session.expire_all()
    assert db.session.scalar(select(Registration.needs_accessible_room).where(Registration.id == reg.id))
    context.close()
