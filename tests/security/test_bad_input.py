"""Every state-changing route of both apps, posted bad input WITH a valid CSRF token, answers below 500.

The routes come from the URL maps (as in test_csrf.py), the field names from the forms of the apps' own
pages: every GET page is crawled once and each ``<form>`` is filed under the URL it posts to. Each route
then gets: an empty body; every field set to each bad value at once (every field meets every value class);
and one field at a time set to a bad value while the others keep what the page showed (so a check deep in
the form is reached too). Logged in as someone who may use the route: a candidate with a draft, a
submitted and a paid registration; a 国家管理员 in the back office. A response of 500 or an exception the
app logged is a finding, reported all together at the end.

Special bodies: forms with a file field also get a non-image file and an empty one; the payment gateway's
notification gets unsigned garbage and must be refused (not ``success``), never with a 500.
"""
from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.routing import IntegerConverter

from core.db import db, utcnow
from core.models import PaymentOrder, Refund, StaffScope
from core.services import audit
from core.registration.draft import STEP_NAMES
from core.services.scope import NATIONAL_ADMIN, REGION_ADMIN
from tests.factories import (login_as, make_candidate, make_catalogue, make_dictionaries, make_registration,
                             make_staff)
from tests.security.helpers import STATE_CHANGING, apps, build, candidate_world, rules
from tests.support.web import admin_csrf, csrf_token_from, staff_login

BAD = {
    "empty": "", "blank": " \t ", "long": "测" * 5000, "nan": "NaN", "inf": "Infinity", "minus": "-1",
    "huge": "1e309", "hex": "0x10", "fullwidth": "２０２６-13", "feb30": "2026-02-30",
    "script": "<script>alert(1)</script>", "sql": "' OR 1=1 --", "nul": "a\x00b", "emoji": "😀",
    "surrogate": "\udcff", "list": None,  # None: the field sent twice, ["1", "2"]
}
# Bad values of the ids in URLs that take any string (FAB's <pk>, action names).
BAD_URL_VALUES = ("NaN", "-1", "1e309", "0x10", "99999999999999999999", "' OR 1=1 --")
# Run last: they end what the other routes need (the session, the draft, the registrations).
RUN_LAST = ("portal.registration_submit", "portal.registration_abandon", "portal.logout")
NOT_PAGES = ("static", "appbuilder.static", "portal.static", "healthz", "portal.set_language", "portal.logout",
             "LocaleView.index", "StaffAuthDBView.logout", "UtilView.back")
NOTIFY = "portal.payment_notify"


class _Forms(HTMLParser):
    """Every <form> of a page: (action URL, {field name: value the page shows}, has a file field)."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._form, self._select, self._textarea = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = (urljoin(self.page_url, a.get("action") or self.page_url), {}, [False])
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select:  # the selected option, else the first
            if "selected" in a or not self._form[1][self._select]:
                self._form[1][self._select] = a.get("value", "")
        elif not a.get("name") or a["name"] == "csrf_token":
            return
        elif tag in ("input", "button"):
            kind = (a.get("type") or "text").lower()
            self._form[2][0] |= kind == "file"
            shown = kind not in ("checkbox", "radio", "file") or "checked" in a
            self._form[1].setdefault(a["name"], a.get("value") or "" if shown else "")
        elif tag in ("select", "textarea"):
            setattr(self, f"_{tag}", a["name"])
            self._form[1].setdefault(a["name"], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data


def _crawl(client, pages, findings: list) -> dict:
    """URL path -> (fields with the values the pages showed, multipart?), over every form of every page."""
    found: dict = {}
    for url in pages:
        try:
            resp = client.get(url)
        except Exception as exc:  # noqa: BLE001 - a page that crashes is a finding too
            findings.append(f"GET {url}: raised {type(exc).__name__}: {str(exc)[:200]}")
            db.session.rollback()
            continue
        if resp.status_code >= 500:
            findings.append(f"GET {url}: {resp.status_code}")
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        parser = _Forms("http://localhost" + url)
        parser.feed(resp.get_data(as_text=True))
        for action, fields, file_field in parser.forms:
            path = urlsplit(action).path
            known, multipart = found.setdefault(path, ({}, [False]))
            for name, value in fields.items():
                known.setdefault(name, value)
            multipart[0] |= file_field[0]
    return {path: (fields, multipart[0]) for path, (fields, multipart) in found.items()}


def _value(name: str, default: str, multipart: bool, file_fields: set):
    if name in file_fields:
        return (io.BytesIO(default.encode("utf-8", "surrogateescape")), "x.jpg") if default else default
    return default


def _string_ids(rule) -> bool:
    """The rule takes a pk or an action name as any string (FAB): bad strings are URL input too."""
    return any(a in ("pk", "name") and not isinstance(rule._converters[a], IntegerConverter)
               for a in rule.arguments)


def _bodies(fields: dict, file_fields: set):
    """(label, body): empty; all fields one bad value; each field one bad value, the others as shown."""
    yield "empty", {}
    classes = list(BAD) if fields else []
    for cls in classes:
        yield f"all={cls}", {n: (["1", "2"] if BAD[cls] is None else BAD[cls]) for n in fields}
    for i, name in enumerate(sorted(fields)):
        for cls in (classes[i % len(classes)], classes[(i + 7) % len(classes)]):
            yield f"{name}={cls}", {**fields, name: ["1", "2"] if BAD[cls] is None else BAD[cls]}
    for name in file_fields:
        for label, data, filename in (("text file", b"not an image at all", "x.txt"),
                                      ("text named .jpg", b"%PDF-1.4 not a photo", "x.jpg"),
                                      ("empty file", b"", "x.jpg")):
            yield f"{name}={label}", {**fields, name: (io.BytesIO(data), filename)}


def _encodable(body: dict) -> dict:
    """A lone surrogate cannot be encoded by the test client: send the invalid UTF-8 byte it stands for."""
    def fix(v):
        if isinstance(v, str) and "\udcff" in v:
            return v.encode("utf-8", "surrogateescape")
        return [fix(x) for x in v] if isinstance(v, list) else v
    return {k: fix(v) for k, v in body.items()}


class _Errors(logging.Handler):
    """Records of unhandled exceptions the apps log (Flask: 'Exception on /path [POST]')."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.records.append(f"{record.name}: {record.getMessage()[:120]} {record.exc_info[1]!r}"[:400])


class _Sweep:
    def __init__(self, client, relogin, token):
        self.client, self.relogin, self.token, self.findings, self.requests = client, relogin, token, [], 0
        self.handler = _Errors()

    def post(self, url: str, method: str, label: str, body: dict, multipart: bool, check=None):
        body = _encodable(body)
        files = any(isinstance(v, tuple) for v in body.values())
        kw = {"content_type": "multipart/form-data"} if multipart or files else {}
        self.handler.records.clear()
        self.requests += 1
        try:
            resp = self.client.open(url, method=method, data={**body, "csrf_token": self.token()}, **kw)
        except Exception as exc:  # noqa: BLE001 - the test reports every crash, not only the first
            self.findings.append(f"{method} {url} [{label}]: raised {type(exc).__name__}: {str(exc)[:200]}")
            db.session.rollback()
            return
        if resp.status_code >= 500:
            self.findings.append(f"{method} {url} [{label}]: {resp.status_code}")
        for record in self.handler.records:
            self.findings.append(f"{method} {url} [{label}]: logged {record}")
        if check:
            check(resp, url, label, self.findings)


def _route_order(item):
    rule, _method = item
    return (rule.endpoint in RUN_LAST, RUN_LAST.index(rule.endpoint) if rule.endpoint in RUN_LAST else 0,
            rule.rule)


def _state_changing(flask_app):
    return sorted(((r, m) for r in rules(flask_app) for m in sorted(r.methods & STATE_CHANGING)), key=_route_order)


def _notify_check(resp, url, label, findings):
    if resp.get_data(as_text=True).strip() == "success":
        findings.append(f"POST {url} [{label}]: unsigned garbage was acknowledged as success")


def _sweep(sweep: _Sweep, prefix, flask_app, variants_for, forms: dict) -> set:
    """Every state-changing route with the bodies above; with bad ids in the URL, the empty body only."""
    covered = set()
    for rule, method in _state_changing(flask_app):
        variants = variants_for(rule)
        urls = {build(prefix, flask_app, rule, method, v): True for v in variants}
        if rule.endpoint.endswith(".delete"):  # never delete the rows the sweep needs: bad ids only
            urls = {}
        if _string_ids(rule):
            keep = {"pk": variants[0]["pk"]} if rule.endpoint.endswith(".edit") else {}
            urls.update({build(prefix, flask_app, rule, method, {**variants[0], "pk": bad, "name": bad, **keep}):
                         False for bad in BAD_URL_VALUES})
        for url, full in urls.items():
            sweep.relogin()
            if rule.endpoint == NOTIFY:
                for label, raw in (("garbage", b"\x00\xff garbage"), ("form", "sign=AAAA&out_trade_no=NaN&"
                                   "trade_status=TRADE_SUCCESS&total_amount=1e309&notify_id=%00")):
                    sweep.post(url, method, label, raw, False, _notify_check)
                covered.add(rule.endpoint)
                continue
            path = urlsplit(url).path
            if path in forms:
                covered.add(rule.endpoint)
            fields, multipart = forms.get(path, ({}, False))
            file_fields = {n for n in fields if n in ("photo", "file")} if multipart else set()
            fields = {n: _value(n, v, multipart, file_fields) for n, v in fields.items()}
            for label, body in (_bodies(fields, file_fields) if full else [("empty", {})]):
                sweep.post(url, method, label, body, multipart)
    return covered


def _post_raw(sweep_post):
    """client.open takes a raw body as ``data`` too (the notification's bytes)."""
    def post(url, method, label, body, multipart, check=None):
        if isinstance(body, (bytes, str)):
            resp = sweep_post.__self__.client.open(url, method=method, data=body,
                                                   content_type="application/x-www-form-urlencoded")
            sweep_post.__self__.requests += 1
            if resp.status_code >= 500:
                sweep_post.__self__.findings.append(f"{method} {url} [{label}]: {resp.status_code}")
            if check:
                check(resp, url, label, sweep_post.__self__.findings)
            return
        sweep_post(url, method, label, body, multipart, check)
    return post


def _paid_registration(alice) -> int:
    reg = make_registration(alice, make_catalogue(), payment_status="paid")
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"T{reg.number}", provider="sandbox",
                         amount_fen=6000, status="paid", paid_at=utcnow() - timedelta(hours=1),
                         items=[{"item": "registration", "amount_fen": 6000}])
    db.session.add(order)
    db.session.flush()
    db.session.add(Refund(order_id=order.id, amount_fen=6000, reason="考生放弃"))
    db.session.commit()
    return reg.id


def _report(name, sweep, covered, flask_app, started):
    import time
    print(f"\n{name}: {sweep.requests} requests in {time.monotonic() - started:.1f} s, "
          f"{len(covered)} routes with form fields")
    assert not sweep.findings, f"{len(sweep.findings)} answers of 500 or logged exceptions:\n  " + \
        "\n  ".join(sweep.findings[:80])


@pytest.fixture
def error_log():
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_portal_routes_never_answer_500_to_bad_input(app, app_ctx, client, error_log):
    import time
    started = time.monotonic()
    alice, bob = make_candidate(), make_candidate()
    make_dictionaries()
    world = candidate_world(alice, bob)
    paid = _paid_registration(alice)
    prefix, portal = apps(app)["portal"]
    variants = [{"registration_id": world[k], "step": step, "provider": "sandbox", "out_trade_no": world["order"],
                 "code": "zh", "document_id": world["document"], "which": "thumb", "message_id": world["message"],
                 "job_id": world["copy"], "channel": "sms"} for k in ("draft", "submitted") for step in STEP_NAMES]
    variants.append({**variants[-1], "registration_id": paid})
    login_as(client, alice)
    pages = list(dict.fromkeys(build(prefix, portal, r, "GET", v) for r in rules(portal)
                               if "GET" in r.methods and r.endpoint not in NOT_PAGES
                               and not r.rule.endswith(".pdf") for v in variants))
    def token():  # POST /logout ends the session: a new one before the next request
        page = client.get("/security")
        if page.status_code != 200:
            login_as(client, alice)
            page = client.get("/security")
        return csrf_token_from(page.get_data(as_text=True))

    sweep = _Sweep(client, lambda: None, token)
    sweep.handler = error_log
    sweep.post = _post_raw(sweep.post)
    covered = _sweep(sweep, prefix, portal, lambda rule: variants, _crawl(client, pages, sweep.findings))
    assert {"portal.profile", "portal.upload_photo", "portal.registration_step_save", "portal.register",
            "portal.change_password", "portal.registration_start"} <= covered
    _report("portal", sweep, covered, portal, started)


def _admin_world(admin_app, alice, bob) -> dict:
    world = candidate_world(alice, bob)
    world["paid"] = _paid_registration(alice)
    make_dictionaries()
    from core.models import EligibilityRuleSetting, Fee, PinyinException
    cat = world["cat"]
    db.session.add_all([Fee(region_id=cat["region"].id, subject_id=cat["subject"].id, item="registration",
                            amount_fen=6000),
                        EligibilityRuleSetting(exam_year_id=cat["year"].id, rule="R1", params={"years": 1}),
                        PinyinException(phrase="长治", initials="cz")])
    audit.record("test.sweep", actor_type="system")
    db.session.commit()
    make_staff(admin_app, REGION_ADMIN, regions=[cat["region"]])
    return world


def _first_pks(admin_app) -> dict:
    """Each FAB model view's route base -> the id of its first row (the edit pages show a real form)."""
    out = {}
    for view in admin_app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if model is not None and getattr(view, "route_base", None):
            row = db.session.scalar(db.select(model).limit(1))
            out[view.__class__.__name__] = str(row.id) if row is not None else "1"
    return out


def test_back_office_routes_never_answer_500_to_bad_input(app, app_ctx, admin_app, client, error_log):
    import time
    started = time.monotonic()
    alice, bob = make_candidate(), make_candidate()
    world = _admin_world(admin_app, alice, bob)
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    assert staff_login(client, staff).status_code == 302
    with admin_app.app_context():
        pks = _first_pks(admin_app)
    prefix, admin = apps(app)["admin"]
    refund = db.session.scalar(db.select(Refund.id))
    base = {"cid": alice.id, "registration_id": world["submitted"], "job_id": "1", "name": "NaN",
            "locale": "zh", "group_by": "NaN"}

    def variants_for(rule):
        view = rule.endpoint.split(".")[0]
        pk = {"RefundView": refund, "ReviewQueueView": world["submitted"]}.get(view) or pks.get(view, "1")
        return {**base, "pk": pk}

    pages = []
    for r in rules(admin):
        if "GET" in r.methods and r.endpoint not in NOT_PAGES and not r.rule.endswith((".pdf", ".json")) \
                and not r.endpoint.endswith((".download", ".delete", ".action", ".api", "_info")) \
                and "/api/" not in r.rule:
            pages.append(build(prefix, admin, r, "GET", variants_for(r)))

    def relogin():
        if client.get("/admin/resetmypassword/form").status_code != 200:
            assert staff_login(client, staff).status_code == 302

    sweep = _Sweep(client, relogin, lambda: admin_csrf(client))
    sweep.handler = error_log
    covered = _sweep(sweep, prefix, admin, lambda rule: [variants_for(rule)],
                     _crawl(client, list(dict.fromkeys(pages)), sweep.findings))
    assert {"FeeView.add", "FeeView.edit", "CandidateView.correct", "SchoolView.upload",
            "ReviewQueueView.decide", "RefundView.execute"} <= covered, sorted(covered)
    _report("back office", sweep, covered, admin, started)


@pytest.mark.parametrize("where", ["portal", "admin"])
def test_a_nul_character_is_refused_with_a_message_and_changes_nothing(app, app_ctx, admin_app, client, where):
    """PostgreSQL cannot hold NUL, nor compare it in a query: the request is refused before any view."""
    from core.models import Candidate
    alice = make_candidate(name="艾丽")
    db.session.commit()
    if where == "portal":
        login_as(client, alice)
        token = csrf_token_from(client.get("/profile").get_data(as_text=True))
        resp = client.post("/login", data={"csrf_token": token, "username": "a\x00", "password": "x"})
        assert resp.status_code == 400
        resp = client.post("/profile", data={"csrf_token": token, "group": "contact", "email": "a\x00@b.cn"})
    else:
        assert staff_login(client, make_staff(admin_app, NATIONAL_ADMIN)[1]).status_code == 302
        resp = client.post(f"/admin/candidates/{alice.id}/correct",
                           data={"csrf_token": admin_csrf(client), "name": "篡\x00改", "reason": "测试"})
    assert resp.status_code == 400 and "含有无法保存的控制字符（NUL）" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, alice.id).name == "艾丽"
    assert client.get("/registration?q=a%00" if where == "portal" else "/admin/fees/list/?_flt_0_item=%00"
                      ).status_code == 400
