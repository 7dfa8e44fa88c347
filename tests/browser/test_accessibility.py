"""Every portal page and the back-office pages a reviewer uses: zero axe-core violations (WCAG 2.1 A and AA),
the back office's navigation on one line at 1280 px; the portal at 360, 375 and 414 px (phones): no horizontal
scrolling, tap targets of 44×44 px, inputs with 16 px text (issue 15)."""
from __future__ import annotations

import pytest

from core.db import db
from tests.factories import STAFF_PASSWORD, make_candidate
from tests.support.a11y import AXE, axe_violations, overflow_px, shot, small_targets, small_text_inputs
from tests.support.browser import browser_login
from tests.support.pages import BACKOFFICE_PAGES, PORTAL_PAGES, PORTAL_PUBLIC, filled

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/setup.sh: npm ci)")]


def _context(browser, width):
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, bypass_csp=True)


@pytest.mark.parametrize("width", [360, 375, 414, 1280])
def test_portal_pages(app_ctx, browser, live_server, page_world, width):
    context = _context(browser, width)
    page = context.new_page()
    problems = {}
    for url in PORTAL_PUBLIC:
        page.goto(live_server + url)
        problems[url] = _check(page, url, width)
    browser_login(page, live_server, app_ctx, page_world["cand"])
    for url in PORTAL_PAGES:
        url = filled(url, page_world)
        page.goto(live_server + url)
        problems[url] = _check(page, url, width)
    context.close()
    assert not any(problems.values()), _report(problems)


@pytest.mark.parametrize("width", [375, 1280])
def test_consent_page_asked_again(app_ctx, browser, live_server, width):
    """The page a new notice version opens before any other (a candidate without the current consent)."""
    cand = make_candidate(consent=False)
    db.session.commit()
    context = _context(browser, width)
    page = context.new_page()
    browser_login(page, live_server, app_ctx, cand)
    page.goto(live_server + "/profile")
    assert "/privacy/consent" in page.url
    problems = {"/privacy/consent": _check(page, "/privacy/consent", width)}
    context.close()
    assert not any(problems.values()), _report(problems)


def _report(problems: dict) -> str:
    return "\n".join(f"{url}\n    " + "\n    ".join(found) for url, found in problems.items() if found)


def _check(page, url, width) -> list[str]:
    shot(page, f"portal{url.replace('/', '_') or '_home'}-{width}")
    found = axe_violations(page)
    if width < 500:
        if overflow_px(page) > 0:
            found.append(f"horizontal scroll {overflow_px(page)} px")
        found += [f"small target {t}" for t in small_targets(page)]
        found += [f"small text {t}" for t in small_text_inputs(page)]
    return found


def test_backoffice_pages(app, browser, live_server, page_world):
    context = _context(browser, 1280)
    page = context.new_page()
    page.goto(f"{live_server}/admin/login/")
    problems = {"/admin/login/": axe_violations(page)}
    page.get_by_label("用户名").fill(page_world["staff"])
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    for url in BACKOFFICE_PAGES:
        url = filled(url, page_world)
        page.goto(live_server + url)
        shot(page, "admin" + url.replace("/", "_"))
        problems[url] = axe_violations(page)
        nav = page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")
        if nav > 60:  # the brand, the menus and the user menu on one line at 1280 px (issue 15)
            problems[url].append(f"navigation wraps: {nav} px high")
    context.close()
    assert not any(problems.values()), _report(problems)


@pytest.mark.parametrize("width", [375, 1280])
def test_backoffice_minimisation_pages(app, browser, live_server, page_world, width):
    """The candidate's page with its contact data masked and then shown (an audited POST), the retention
    schedule with each period's basis, and 报名详情 telling that 审核材料 exist: no axe-core violations."""
    context = _context(browser, width)
    page = context.new_page()
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(page_world["staff"])
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    problems = {}
    for url in ("/admin/candidates/{cand}", "/admin/retention/", "/admin/registrations/show/{online}"):
        url = filled(url, page_world)
        page.goto(live_server + url)
        shot(page, f"min{width}" + url.replace("/", "_"))
        problems[url] = axe_violations(page)
    page.goto(live_server + filled("/admin/candidates/{cand}", page_world))
    assert "13800138000" not in page.content()
    page.get_by_role("button", name="显示完整联系方式（将记入审计日志）").click()
    page.wait_for_load_state()
    assert "13800138000" in page.locator("#contacts").inner_text()
    shot(page, f"min{width}_candidate_revealed")
    problems["revealed"] = axe_violations(page)
    context.close()
    assert not any(problems.values()), _report(problems)
