"""Every portal page and the back-office pages a reviewer uses: zero axe-core violations (WCAG 2.1 A and AA);
the portal at 375 px: no horizontal scrolling, tap targets of 44×44 px, inputs with 16 px text (issue 15)."""
from __future__ import annotations

import pytest

from core.db import db
from core.services.scope import NATIONAL_ADMIN
from core.documents import service
from core.registration import submission
from tests.factories import (STAFF_PASSWORD, make_catalogue, make_registration, make_review_mode, make_staff,
                             ready_candidate, ready_draft, upload_required)
from tests.support.a11y import AXE, axe_violations, overflow_px, shot, small_targets, small_text_inputs
from tests.support.browser import browser_login

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/setup.sh: npm ci)")]

PORTAL_PUBLIC = ["/login", "/register", "/forgot-password"]
PORTAL_PAGES = ["/", "/profile", "/security", "/registration", "/registration/subjects",
                *[f"/registration/{{draft}}/step/{s}" for s in ("basic", "work", "entries", "certificates",
                                                                 "site")], "/registration/{draft}/documents"]
BACKOFFICE_PAGES = ["/admin/", "/admin/candidates/", "/admin/candidates/{cand}", "/admin/review/list/",
                    "/admin/review/show/{reg}", "/admin/registrations/list/", "/admin/payments/list/",
                    "/admin/refunds/list/", "/admin/audit-log/list/", "/admin/sites/list/", "/admin/sites/add",
                    "/admin/fees/list/", "/admin/exam-subjects/list/", "/admin/reports/statistics/",
                    "/admin/online-review/list/", "/admin/online-review/show/{online}", "/admin/online-review/progress",
                    "/admin/review-modes/list/", "/admin/review-modes/add"]


@pytest.fixture
def world(app_ctx, admin_app):
    cat = make_catalogue()
    cand = ready_candidate()
    submitted = make_registration(cand, cat)
    other = make_catalogue()
    draft = ready_draft(cand, other)
    make_review_mode(other)  # the draft's region reviews online: its 审核材料 page asks for documents
    db.session.commit()
    upload_required(draft)
    service.delete(cand, service.current(cand.id)["id_back"].id)  # one missing: the page shows both kinds
    online = ready_draft(ready_candidate(), other)
    db.session.commit()
    upload_required(online)
    online = submission.submit_registration(online.candidate, online.id, "a11y")
    _, staff = make_staff(admin_app, NATIONAL_ADMIN)
    return {"cand": cand, "draft": draft.id, "reg": submitted.id, "cand_id": cand.id, "staff": staff,
            "online": online.id}


def _context(browser, width):
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, bypass_csp=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_portal_pages(app_ctx, browser, live_server, world, width):
    context = _context(browser, width)
    page = context.new_page()
    problems = {}
    for url in PORTAL_PUBLIC:
        page.goto(live_server + url)
        problems[url] = _check(page, url, width)
    browser_login(page, live_server, app_ctx, world["cand"])
    for url in PORTAL_PAGES:
        url = url.format(draft=world["draft"])
        page.goto(live_server + url)
        problems[url] = _check(page, url, width)
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


def test_backoffice_pages(app, browser, live_server, world):
    context = _context(browser, 1280)
    page = context.new_page()
    page.goto(f"{live_server}/admin/login/")
    problems = {"/admin/login/": axe_violations(page)}
    page.get_by_label("用户名").fill(world["staff"])
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    for url in BACKOFFICE_PAGES:
        url = url.format(cand=world["cand_id"], reg=world["reg"], online=world["online"])
        page.goto(live_server + url)
        shot(page, "admin" + url.replace("/", "_"))
        problems[url] = axe_violations(page)
    context.close()
    assert not any(problems.values()), _report(problems)
