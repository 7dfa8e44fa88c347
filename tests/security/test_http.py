"""Redirects stay on the site; session cookies are HttpOnly, SameSite and Secure in production;
pages with personal data are never cached."""
from __future__ import annotations

import secrets

from urllib.parse import urlsplit

import pytest

from core.db import db
from core.services.scope import NATIONAL_ADMIN
from tests.factories import PASSWORD, STAFF_PASSWORD, login, login_as, make_candidate, make_staff
from tests.support.web import csrf_token_from, staff_login

EVIL = ["//evil.example", "https://evil.example", "/\\evil.example", "/\\/evil.example", "\\\\evil.example",
        "http:/evil.example", "/%5Cevil.example", " //evil.example", "//evil.example/%2F..", "\t//evil.example"]


def _stays_on_site(location: str) -> bool:
    """What a browser would do with the Location: a backslash counts as a slash."""
    normalised = location.replace("\\", "/").strip()
    parts = urlsplit(normalised)
    return parts.netloc in ("", "localhost") and not normalised.startswith("//") and "evil" not in parts.netloc


@pytest.mark.parametrize("target", EVIL)
def test_portal_login_next_stays_on_site(client, app_ctx, target):
    cand = make_candidate()
    page = client.get("/login", query_string={"next": target})
    resp = client.post("/login", query_string={"next": target}, data={
        "username": cand.username, "password": PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    assert _stays_on_site(resp.headers["Location"]), resp.headers["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_portal_language_switch_next_stays_on_site(client, target):
    resp = client.get("/lang/zh", query_string={"next": target})
    assert resp.status_code == 302 and _stays_on_site(resp.headers["Location"]), resp.headers["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_staff_login_next_stays_on_site(client, app_ctx, admin_app, target):
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    page = client.get("/admin/login/", query_string={"next": target})
    resp = client.post("/admin/login/", query_string={"next": target}, data={
        "username": staff, "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    assert _stays_on_site(resp.headers["Location"]), resp.headers["Location"]


def test_forged_host_header_in_the_back_office_login_redirect(client):
    """FAB puts request.url (built from Host) in next=; the back office rewrites it to a relative path."""
    resp = client.get("/admin/review/list/?page=2", headers={"Host": "evil.example"})
    location = resp.headers.get("Location", "")
    assert resp.status_code == 400 or ("evil.example" not in location and "/admin/login/" in location)
    if resp.status_code != 400:
        assert "next=%2Fadmin%2Freview%2Flist%2F%3Fpage%3D2" in location


def test_forged_host_header_gives_no_redirect_to_that_host(client, app_ctx):
    """Portal redirects are relative (Werkzeug's default), so a forged Host never appears in a Location."""
    cand = make_candidate()
    db.session.commit()
    for url in ("/profile", "/registration"):
        resp = client.get(url, headers={"Host": "evil.example"})
        assert resp.status_code in (302, 400), url
        assert "evil.example" not in resp.headers.get("Location", ""), url
    login(client, cand)
    resp = client.post("/logout", headers={"Host": "evil.example"},
                       data={"csrf_token": csrf_token_from(client.get("/security").get_data(as_text=True))})
    assert "evil.example" not in resp.headers.get("Location", "")


@pytest.fixture
def production_app(app):
    """The production configuration with its requirements met (secrets, a real gateway), on the test DB."""
    import config
    from factory import create_app
    cfg = config.ProductionConfig
    saved = {k: getattr(cfg, k) for k in ("SECRET_KEY", "ADMIN_SECRET_KEY", "PAYMENT_PROVIDER",
                                          "SANDBOX_BANK_ENABLED", "PAYMENT_GATEWAY_URL", "STAFF_TOTP_REQUIRED")}
    try:
        cfg.SECRET_KEY, cfg.ADMIN_SECRET_KEY = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        cfg.STAFF_TOTP_REQUIRED = False  # the cookie of the logged-in session, not the second step, is tested
        prod = create_app("production", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          SQLALCHEMY_ENGINE_OPTIONS=app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                          STAFF_TOTP_REQUIRED=False, RATELIMIT_ENABLED=False)
    finally:
        for k, v in saved.items():
            setattr(cfg, k, v)
    assert prod.config["ENV_NAME"] == "production" and prod.config["SESSION_COOKIE_SECURE"]
    yield prod


def _cookie(resp, name):
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert cookies, f"no {name} cookie set: {resp.headers.getlist('Set-Cookie')}"
    return cookies[-1].lower()


def test_production_session_cookies_are_secure_httponly_samesite(production_app, app_ctx, admin_app):
    client = production_app.test_client()
    base = "https://localhost"
    cand = make_candidate()
    db.session.commit()
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    page = client.get(base + "/login")
    resp = client.post(base + "/login", headers={"Referer": base + "/login"}, data={"username": cand.username, "password": PASSWORD,
                                              "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302
    portal = _cookie(resp, "portal_session")
    page = client.get(base + "/admin/login/")
    resp = client.post(base + "/admin/login/", headers={"Referer": base + "/admin/login/"}, data={
        "username": staff, "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    admin = _cookie(resp, "admin_session")
    for cookie in (portal, admin):
        assert "; secure" in cookie and "; httponly" in cookie and "samesite=lax" in cookie, cookie
    assert "path=/admin" in admin
    assert "max-age=31536000" in resp.headers.get("Strict-Transport-Security", "").lower()


PERSONAL_PORTAL = ["/", "/profile", "/profile/photo", "/security", "/registration"]
PERSONAL_ADMIN = ["/admin/candidates/{cand}", "/admin/review/list/", "/admin/registrations/list/",
                  "/admin/review/show/{reg}"]


def test_pages_with_personal_data_are_not_stored(client, app_ctx, admin_app):
    from tests.factories import make_registration
    reg = make_registration()
    db.session.commit()
    from core.models import Candidate
    login_as(client, db.session.get(Candidate, reg.candidate_id))
    for url in PERSONAL_PORTAL + ["/login", "/forgot-password"]:
        resp = client.get(url)
        assert "no-store" in resp.headers.get("Cache-Control", ""), url
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    assert staff_login(client, staff).status_code == 302
    for url in PERSONAL_ADMIN:
        resp = client.get(url.format(cand=reg.candidate_id, reg=reg.id))
        assert resp.status_code == 200, url
        assert "no-store" in resp.headers.get("Cache-Control", ""), url
