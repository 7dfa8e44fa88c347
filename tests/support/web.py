"""Using the apps as a browser does: a page's CSRF token, posting a page's form, staff log-in through the real
/admin/login/ form."""
from __future__ import annotations

import re

import pyotp

from tests.factories import STAFF_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page (tests post forms the way a browser does)."""
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1) or match.group(2)


def post_page(client, url: str, data: dict, page: str | None = None, **kw):
    """Post a form the way a browser does: take the CSRF token from the page (GET ``page`` or ``url``)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(html)}, **kw)


def text(response) -> str:
    return response.get_data(as_text=True)


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
