"""Behind the load balancer, each candidate is known by their own address, not the balancer's.

Production trusts one proxy (TRUSTED_PROXIES=1): the per-address login limit counts each client separately,
where without it the whole country would share the balancer's single address and limit.
"""
from __future__ import annotations

import secrets

import pytest

from config import ProductionConfig
from tests.support.environment import DB_URL
from tests.support.web import csrf_token_from

BASE = "https://baoming.example"


@pytest.fixture
def production_app(app, monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(ProductionConfig, "ADMIN_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(ProductionConfig, "REDIS_URL", None)  # this process's counters are enough here
    from factory import create_app
    return create_app("production", SQLALCHEMY_DATABASE_URI=DB_URL, LOGIN_RATE_LIMIT="3 per minute")


def _attempt(client, address: str) -> str:
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https", "Referer": f"{BASE}/login"}
    page = client.get("/login", base_url=BASE, headers=headers)
    answer = client.post("/login", base_url=BASE, headers=headers,
                         data={"username": "nobody", "password": "wrong-Password1",
                               "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert answer.status_code == 401
    return answer.get_data(as_text=True)


def test_login_limit_counts_each_client_behind_the_balancer(production_app):
    client = production_app.test_client()
    first = [_attempt(client, "203.0.113.5") for _ in range(4)]
    assert all("登录尝试过于频繁" not in page for page in first[:3])
    assert "登录尝试过于频繁" in first[3]
    other = _attempt(production_app.test_client(), "198.51.100.7")  # another candidate, same balancer
    assert "登录尝试过于频繁" not in other and "用户名或密码错误" in other


def test_the_scheme_comes_from_the_balancer(production_app):
    response = production_app.test_client().get("/login", base_url="http://baoming.example",
                                                headers={"X-Forwarded-Proto": "https",
                                                         "X-Forwarded-For": "203.0.113.9"})
    cookie = response.headers["Set-Cookie"]
    assert response.status_code == 200 and "Secure" in cookie and "HttpOnly" in cookie
