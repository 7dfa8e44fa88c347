"""Every state-changing route of both apps, found in the URL maps, refuses a request without a CSRF token.

The only exemption is the payment gateway's asynchronous notification (``portal.payment_notify``): the
gateway cannot hold a session, and the notification is verified by its RSA2 signature instead
(core/payments/rsa2.py, tests/core/test_payments_notifications.py).
"""
from __future__ import annotations

import pytest

from core.services.scope import NATIONAL_ADMIN
from tests.factories import login_as, make_candidate, make_staff
from tests.security.helpers import STATE_CHANGING, apps, build, candidate_world, rules, table_dump
from tests.support.web import staff_login

CSRF_EXEMPT = {("portal", "portal.payment_notify")}


def _state_changing(flask_app):
    return [(rule, method) for rule in rules(flask_app) for method in sorted(rule.methods & STATE_CHANGING)]


def test_the_sweep_finds_the_routes(app):
    """Guard against an empty sweep: the enumeration sees both apps' forms."""
    found = {name: {r.endpoint for r, _ in _state_changing(a)} for name, (_, a) in apps(app).items()}
    assert {"portal.login", "portal.registration_submit", "portal.upload_photo"} <= found["portal"]
    assert {"CandidateView.reveal", "ReviewQueueView.decide", "SchoolView.upload"} <= found["admin"]


@pytest.mark.parametrize("name", ["portal", "admin"])
def test_every_state_changing_route_refuses_a_missing_csrf_token(app, app_ctx, admin_app, client, name):
    alice, bob = make_candidate(), make_candidate()
    world = candidate_world(alice, bob)
    if name == "portal":
        login_as(client, alice)
    else:
        staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
        assert staff_login(client, staff).status_code == 302
    values = {"registration_id": world["submitted"], "step": "basic", "provider": "sandbox",
              "out_trade_no": world["order"], "cid": alice.id}
    prefix, flask_app = apps(app)[name]
    before = table_dump()
    accepted = set()
    for rule, method in _state_changing(flask_app):
        url = build(prefix, flask_app, rule, method, values)
        resp = client.open(url, method=method, data={"username": "x", "password": "y"})
        if not (resp.status_code == 400 and "CSRF token is missing" in resp.get_data(as_text=True)):
            accepted.add((name, rule.endpoint))  # answered by the view: not protected by the token
    assert accepted == {e for e in CSRF_EXEMPT if e[0] == name}
    assert table_dump() == before, "a request without a CSRF token changed the database"


def test_fab_get_mutations_are_refused(app, app_ctx, admin_app, client):
    """FAB keeps GET on /delete/<pk> and /action/<name>/<pk>: with CSRF on it must refuse to act on GET."""
    candidate_world(make_candidate(), make_candidate())
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    assert staff_login(client, staff).status_code == 302
    prefix, flask_app = apps(app)["admin"]
    before = table_dump()
    gets = [r for r in rules(flask_app) if "GET" in r.methods and r.endpoint.endswith((".delete", ".action"))]
    assert gets
    for rule in gets:
        for pk in ("1", "2"):
            client.get(build(prefix, flask_app, rule, "GET", {"pk": pk, "name": "copy_role"}))
    assert table_dump() == before


def test_no_token_login_api_beside_the_staff_login(app, app_ctx, admin_app, client):
    """FAB's JWT login would skip the second factor and the rate limit: it is not offered."""
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    resp = client.post("/admin/api/v1/security/login",
                       json={"username": staff, "password": "Kaowu#2027-Strong", "provider": "db"})
    assert resp.status_code == 404 and "access_token" not in resp.get_data(as_text=True)
