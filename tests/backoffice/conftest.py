"""Back-office test helpers: staff users with roles and scope, login through the real /admin/login/ form."""
from __future__ import annotations

import itertools

import pyotp
import pytest
from werkzeug.security import generate_password_hash

from core.db import db
from core.models import StaffScope, StaffSecurity
from core.services.scope import FINANCE, NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER
from tests.conftest import csrf_token_from
from tests.factories import make_catalogue, make_registration

STAFF_PASSWORD = "Kaowu#2027-Strong"
STAFF_PASSWORD_HASH = generate_password_hash(STAFF_PASSWORD)  # hashed once: scrypt is slow on purpose
_seq = itertools.count(1)


def make_staff(admin_app, role: str, *, regions=(), sites=(), totp_secret: str | None = None,
               username: str | None = None):
    """A FAB user with one role and StaffScope rows (regions: whole regions, sites: single sites)."""
    with admin_app.app_context():
        sm = admin_app.appbuilder.sm
        name = username or f"staff{next(_seq)}"
        user = sm.add_user(name, "考务", "人员", f"{name}@example.cn", sm.find_role(role),
                           hashed_password=STAFF_PASSWORD_HASH)
        assert user, "add_user failed"
        for region in regions:
            db.session.add(StaffScope(user_id=user.id, region_id=region.id))
        for site in sites:
            db.session.add(StaffScope(user_id=user.id, site_id=site.id))
        if totp_secret:
            db.session.add(StaffSecurity(user_id=user.id, totp_secret=totp_secret, must_change_password=False,
                                         failed_logins=0))
        db.session.commit()
        return user.id, name


def staff_login(client, username: str, password: str = STAFF_PASSWORD, totp_secret: str | None = None):
    """Log in through the real form (and the two-factor step when a secret is given)."""
    page = client.get("/admin/login/")
    resp = client.post("/admin/login/", data={"username": username, "password": password,
                                              "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    if totp_secret and resp.status_code == 302 and "/login/2fa/" in resp.headers["Location"]:
        page = client.get("/admin/login/2fa/")
        resp = client.post("/admin/login/2fa/", data={"code": pyotp.TOTP(totp_secret).now(),
                                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    return resp


def admin_csrf(client) -> str:
    """The CSRF token of the logged-in staff session (every role may open its own password form)."""
    return csrf_token_from(client.get("/admin/resetmypassword/form").get_data(as_text=True))


@pytest.fixture
def world(app_ctx, admin_app):
    """Two regions (A, B), each with a site and a submitted registration; A has a second site A2.

    Staff: national admin, region admin of A, site reviewer of A1, finance of A, plus B's region admin.
    """
    a = make_catalogue()
    b = make_catalogue()
    b["site"].name = "海淀区考点"
    from core.models import Site
    a2 = Site(region=a["region"], code=f"A2{next(_seq):04d}", name="朝阳区考点", capacity=20)
    db.session.add(a2)
    db.session.flush()
    reg_a = make_registration(cat=a)
    reg_b = make_registration(cat=b)
    from core.models import PaymentOrder
    orders = [PaymentOrder(registration_id=r.id, out_trade_no=f"T{r.number}", provider="sandbox",
                           amount_fen=50000, items=[{"item": "registration", "amount_fen": 50000}])
              for r in (reg_a, reg_b)]
    db.session.add_all(orders)
    from core.models import Fee
    fees = [Fee(region_id=c["region"].id, subject_id=c["subject"].id, item="registration", amount_fen=6000)
            for c in (a, b)]
    db.session.add_all(fees)
    db.session.commit()
    ids = dict(region_a=a["region"].id, region_b=b["region"].id, site_a=a["site"].id, site_a2=a2.id,
               site_b=b["site"].id, reg_a=reg_a.id, reg_b=reg_b.id, cand_a=reg_a.candidate_id,
               cand_b=reg_b.candidate_id, year=a["year"].id, subject_a=a["subject"].id,
               region_a_name=a["region"].name, region_b_name=b["region"].name,
               site_b_name=b["site"].name, number_a=reg_a.number, number_b=reg_b.number,
               order_a=orders[0].id, order_b=orders[1].id, fee_a=fees[0].id, fee_b=fees[1].id)
    staff = {
        "national": make_staff(admin_app, NATIONAL_ADMIN),
        "region": make_staff(admin_app, REGION_ADMIN, regions=[a["region"]]),
        "site": make_staff(admin_app, SITE_REVIEWER, sites=[a["site"]]),
        "finance": make_staff(admin_app, FINANCE, regions=[a["region"]]),
    }
    return {"ids": ids, "staff": staff, "cat_a": a, "cat_b": b}
