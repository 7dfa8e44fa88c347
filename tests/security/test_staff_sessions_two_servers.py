"""Issue 14, finding 3 on two real app servers: a staff session ended on one server is refused by the other.

Before the fix the admin cookie was a signed cookie renewed on every request: a copy replayed after 退出 or
after a password change still opened candidate pages, on any server.
"""
from __future__ import annotations

import pytest

from core.services.scope import REGION_ADMIN
from tests.factories import STAFF_PASSWORD, make_catalogue, make_staff
from tests.support.environment import DB_URL, IS_SQLITE
from tests.support.servers import Server, request
from tests.support.web import csrf_token_from

pytestmark = pytest.mark.skipif(IS_SQLITE, reason="needs PostgreSQL (TEST_DATABASE_URL): two servers, one database")


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    log = tmp_path_factory.mktemp("servers") / "gunicorn.log"
    started = []
    try:
        for _ in range(2):
            started.append(Server(DB_URL, log, wait=False))
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def _staff_login(port: int, username: str, password: str = STAFF_PASSWORD) -> dict:
    cookies: dict = {}
    page = request(port, "GET", "/admin/login/", cookies=cookies)
    resp = request(port, "POST", "/admin/login/", {"username": username, "password": password,
                                                   "csrf_token": csrf_token_from(page.text)}, cookies)
    assert resp.status == 302 and "/login/" not in resp.location
    return cookies


def _opens(port: int, cookies: dict) -> bool:
    return request(port, "GET", "/admin/candidates/", cookies=dict(cookies)).status == 200


def test_logout_on_one_server_ends_the_session_on_the_other(servers, session, admin_app):
    a, b = servers
    cat = make_catalogue()
    session.commit()
    _, name = make_staff(admin_app, REGION_ADMIN, regions=[cat["region"].id])
    cookies = _staff_login(a.port, name)
    stolen = dict(cookies)
    assert _opens(b.port, stolen) and _opens(a.port, stolen)
    assert request(b.port, "GET", "/admin/logout/", cookies=cookies).status == 302
    assert not _opens(a.port, stolen) and not _opens(b.port, stolen)


def test_password_change_on_one_server_ends_other_copies_everywhere(servers, session, admin_app):
    a, b = servers
    cat = make_catalogue()
    session.commit()
    _, name = make_staff(admin_app, REGION_ADMIN, regions=[cat["region"].id])
    cookies = _staff_login(a.port, name)
    stolen = dict(cookies)
    form = request(b.port, "GET", "/admin/resetmypassword/form", cookies=cookies)
    new = "Changed#2027-Strong-Pw"
    done = request(b.port, "POST", "/admin/resetmypassword/form",
                   {"password": new, "conf_password": new, "csrf_token": csrf_token_from(form.text)}, cookies)
    assert done.status == 302
    assert not _opens(a.port, stolen) and not _opens(b.port, stolen)
    assert _opens(a.port, cookies)  # the user who changed it goes on, with the new token
