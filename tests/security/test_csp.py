"""The Content-Security-Policy of both apps runs only scripts from our own files or carrying the response's
nonce: no 'unsafe-inline', a new nonce per response, every <script> of every main page nonced and no
inline event handler anywhere (docs/security.md). Flask-AppBuilder's templates nonce their own scripts."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from core.db import db
from core.services.scope import NATIONAL_ADMIN
from tests.factories import (add_fees, login_as, make_catalogue, make_dictionaries, make_registration, make_staff,
                             ready_candidate, ready_draft)
from tests.support.web import csrf_token_from, staff_login

STEPS = ("basic", "work", "entries", "certificates", "site")


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def script_nonce(response) -> str:
    """The nonce of the response's script-src, after checking the directive is the strict one."""
    script_src = directives(response.headers["Content-Security-Policy"])["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, script_src
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    assert script_src[0] == "'self'" and len(nonces) == 1, script_src
    nonce = nonces[0][len("'nonce-"):-1]
    assert len(nonce) >= 16
    return nonce


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.handlers: list[tuple[str, str]] = []
        self.js_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs_d)
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        self.js_urls += [v for k, v in attrs if k in ("href", "src", "action", "formaction")
                         and (v or "").strip().lower().startswith("javascript:")]


def assert_strict(response, what: str) -> None:
    assert response.status_code == 200, what
    nonce = script_nonce(response)
    tags = Tags()
    tags.feed(response.get_data(as_text=True))
    assert tags.scripts, f"{what}: no <script> at all (portal.js is on every page)"
    for script in tags.scripts:
        assert script.get("nonce") == nonce, f"{what}: {script}"
    assert tags.handlers == [], f"{what}: inline event handlers {tags.handlers}"
    assert tags.js_urls == [], what


def test_every_portal_response_gets_a_fresh_nonce(client):
    first, second = client.get("/login"), client.get("/login")
    assert script_nonce(first) != script_nonce(second)
    # the rest of the policy is the shared one
    policy = directives(first.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # styles: not yet (docs/security.md)
    # static files and error pages too
    assert script_nonce(client.get("/assets/portal.js"))
    assert script_nonce(client.get("/no-such-page"))


def test_the_back_office_pages_are_strict(client, app_ctx, admin_app):
    cat = make_catalogue()
    reg = make_registration(cat=cat)
    db.session.commit()
    assert_strict(client.get("/admin/login/"), "staff login")
    staff_login(client, make_staff(admin_app, NATIONAL_ADMIN)[1])
    for path in ("/admin/", "/admin/review/list/", f"/admin/review/show/{reg.id}", "/admin/registrations/list/",
                 f"/admin/exam-years/edit/{cat['year'].id}", "/admin/users/list/", "/admin/reports/statistics/",
                 "/admin/schools/import", "/admin/candidates/"):
        assert_strict(client.get(path), path)
    first, second = client.get("/admin/"), client.get("/admin/")
    assert script_nonce(first) != script_nonce(second)


def test_pages_before_login_are_strict(client):
    for path in ("/login", "/register", "/forgot-password"):
        assert_strict(client.get(path), path)


def test_the_main_pages_are_strict(client, session, pay_config):
    make_dictionaries()
    cand = ready_candidate()
    submitted = make_registration(cand, make_catalogue())
    add_fees({"region": submitted.region, "subject": submitted.subject})
    draft = ready_draft(cand, make_catalogue())
    session.commit()
    login_as(client, cand)

    pages = ["/", "/profile", "/security", "/registration", "/registration/subjects",
             f"/registration/{submitted.id}/pay"] + [f"/registration/{draft.id}/step/{s}" for s in STEPS]
    for path in pages:
        assert_strict(client.get(path), path)

    # 放弃报考 asks through data-confirm (static/portal.js), translated, no onsubmit
    listing = client.get("/registration").get_data(as_text=True)
    assert re.search(r'<form [^>]*class="abandon-form"[^>]*data-confirm="确定放弃报考[^"]+吗？放弃后可重新开始新的报名。"',
                     listing)

    # the 工作单位选择 page, as the work step's “选择…” button posts to it
    step = client.get(f"/registration/{draft.id}/step/work").get_data(as_text=True)
    picker = client.post(f"/registration/{draft.id}/work-unit-picker",
                         data={"csrf_token": csrf_token_from(step), "action": "pick_work_unit", "picker_q": "bjxh"})
    assert_strict(picker, "work-unit picker")
    assert "北京协和医院" in picker.get_data(as_text=True)
    db.session.rollback()


def test_the_confirm_text_is_translated(app, client):
    with app.app_context():  # not held open: Flask-Babel keeps the locale on g for the context's life
        reg = make_registration()
        db.session.commit()
        login_as(client, reg.candidate)
    client.get("/lang/en")
    english = client.get("/registration").get_data(as_text=True)
    assert 'data-confirm="Abandon the registration for ' in english and "确定放弃报考" not in english


def test_the_pay_page_adds_the_bank_to_form_action_and_keeps_the_nonce(client, session, pay_config):
    reg = make_registration()
    session.commit()
    login_as(client, reg.candidate)
    response = client.get(f"/registration/{reg.id}/pay")
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["form-action"] == ["'self'", "http://127.0.0.1:9"]
    assert_strict(response, "pay")
