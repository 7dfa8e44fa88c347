"""Every route that takes an id refuses another user's id.

Portal: every rule with arguments (from the URL map) is requested by candidate Bob with Alice's objects;
Bob gets 404/403 and nothing changes, while Alice herself gets the page (the positive control).
Back office: the scope sweep (tests/backoffice/test_scope_sweep.py) covers the custom id routes; this file
adds what it lacks (the POSTs of 更正 and 密码重置 outside the scope) and checks that every custom
``<int:...>`` route of the back office is covered somewhere.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from core.db import db
from core.models import Candidate, Education
from core.services import passwords
from tests.factories import PASSWORD, login_as, make_candidate
from tests.security.helpers import STATE_CHANGING, apps, build, candidate_world, rules, table_dump
from tests.support.scope_sweep import DETAIL
from tests.support.web import admin_csrf, csrf_token_from, staff_login

# Arguments that name no candidate's object: the notification is signed by the gateway, the language is
# a cookie, the assets are public files, a channel names the logged-in candidate's own mobile or e-mail.
NOT_OBJECTS = {"provider", "code", "filename", "channel"}


def _portal_id_rules(app):
    prefix, portal = apps(app)["portal"]
    return [r for r in rules(portal) if r.arguments and not r.arguments <= NOT_OBJECTS]


def test_portal_routes_with_ids_refuse_another_candidates_objects(app, app_ctx, client):
    alice, bob = make_candidate(name="艾丽"), make_candidate(name="鲍勃")
    objs = candidate_world(alice, bob)
    education = Education(candidate_id=alice.id, school_name="北京大学", level="本科", study_mode="全日制",
                          major="临床医学", start_ym="2010-09", end_ym="2015-07")  # 修改 from the wizard
    db.session.add(education)
    db.session.commit()
    prefix, portal = apps(app)["portal"]
    id_rules = _portal_id_rules(app)
    assert {a for r in id_rules for a in r.arguments} <= {
        "registration_id", "step", "out_trade_no", "message_id", "job_id", "document_id", "which",
        "kind", "entry_id"}, "a new kind of id: give it an object of Alice's here"
    variants = [{"registration_id": objs[kind], "step": step, "out_trade_no": objs["order"],
                 "message_id": objs["message"], "job_id": objs["copy"], "document_id": objs["document"],
                 "which": "thumb", "kind": "education", "entry_id": education.id}
                for kind, step in (("draft", "basic"), ("submitted", "basic"), ("arranged", "basic"),
                                   ("draft", "entries"))]
    login_as(client, bob)
    token = csrf_token_from(client.get("/profile").get_data(as_text=True))
    before = table_dump()
    for rule in id_rules:
        for method in sorted(rule.methods & ({"GET"} | STATE_CHANGING)):
            for values in variants:
                url = build(prefix, portal, rule, method, values)
                resp = client.open(url, method=method, data={"csrf_token": token})
                assert resp.status_code in (403, 404), f"{method} {url} answered {resp.status_code} to Bob"
                assert objs["cat"]["site"].name not in resp.get_data(as_text=True)
    assert table_dump() == before
    login_as(client, alice)  # positive control: the same GETs work for the owner
    for rule in id_rules:
        if "GET" in rule.methods:
            codes = {client.get(build(prefix, portal, rule, "GET", v)).status_code for v in variants}
            assert codes - {403, 404}, f"{rule.rule} refuses even the owner: the check above proves nothing"


def test_staff_correct_and_reset_posts_outside_the_scope_are_refused(world, client):  # noqa: F811
    ids = world["ids"]
    assert staff_login(client, world["staff"]["region"][1]).status_code == 302
    token = admin_csrf(client)
    before = db.session.get(Candidate, ids["cand_b"])
    name_before = before.name
    resp = client.post(f"/admin/candidates/{ids['cand_b']}/correct", data={
        "csrf_token": token, "name": "篡改", "reason": "测试"})
    assert resp.status_code == 404
    resp = client.post(f"/admin/candidates/{ids['cand_b']}/reset-password", data={
        "csrf_token": token, "reason": "考生申请"})
    assert resp.status_code == 404
    db.session.expire_all()
    after = db.session.get(Candidate, ids["cand_b"])
    assert after.name == name_before and passwords.verify(after.password_hash, PASSWORD)


# Custom back-office id routes whose scope is tested outside DETAIL.
COVERED_ELSEWHERE = {
    ("/review/<int:pk>/decide", "POST"): "test_scope_sweep.test_single_decisions_on_foreign_registration_refused",
    ("/candidates/<int:cid>/correct", "POST"): "test_staff_correct_and_reset_posts_outside_the_scope_are_refused",
    ("/candidates/<int:cid>/reset-password", "POST"): "the same",
    ("/candidates/<int:cid>/reveal-contact", "POST"): "tests/backoffice/test_minimisation.py::"
                                                     "test_a_candidate_outside_the_scope_is_not_found",
    ("/reports/print/registration/<int:registration_id>.pdf", "GET"): "tests/reports/test_report_views.py",
    ("/reports/jobs/<int:job_id>", "GET"): "tests/reports/test_report_views.py (someone else's job)",
    ("/reports/jobs/<int:job_id>.json", "GET"): "the same",
    ("/reports/jobs/<int:job_id>/download", "GET"): "the same",
    ("/refunds/<int:pk>/execute", "GET"): "tests/backoffice/test_refunds.py::test_outside_the_scope_nothing_exists",
    ("/refunds/<int:pk>/execute", "POST"): "the same",
    ("/refunds/<int:pk>/external", "GET"): "the same",
    ("/refunds/<int:pk>/external", "POST"): "the same",
    ("/rule-settings/<int:year_id>", "GET"): "tests/backoffice/test_dictionaries.py::"
                                             "test_region_admin_cannot_open_rule_settings (national only)",
    ("/rule-settings/<int:year_id>", "POST"): "the same",
    ("/notify/<int:message_id>/resend", "POST"): "tests/backoffice/test_notify_views.py::"
                                                 "test_failed_list_is_scoped_and_resend_is_audited",
}


def test_every_custom_back_office_id_route_is_in_a_scope_sweep(app):
    _, admin = apps(app)["admin"]
    swept = {(url.removeprefix("/admin"), method) for _, method, url, _, _ in DETAIL}
    missing = []
    for rule in rules(admin):
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue  # FAB's generic <pk> views: scoped by base_filters, swept in test_scope_sweep
        shape = rule.rule
        for arg in rule.arguments:
            shape = shape.replace(f"<int:{arg}>", "{obj}")
        for method in sorted(rule.methods & ({"GET"} | STATE_CHANGING)):
            if (shape, method) not in swept and (rule.rule, method) not in COVERED_ELSEWHERE:
                missing.append(f"{method} /admin{rule.rule}")
    assert not missing, "custom back-office routes with ids that no scope test covers: " + ", ".join(missing)
