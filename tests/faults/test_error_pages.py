"""Production shows plain Chinese error pages: never the debugger, never a traceback."""
from __future__ import annotations

import secrets

import pytest

from config import ProductionConfig
from tests.support.environment import DB_URL


@pytest.fixture
def production_app(app, monkeypatch):
    """The production configuration (secrets and gateway set as an operator would) on the test database."""
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(ProductionConfig, "ADMIN_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setenv("FLASK_DEBUG", "1")  # a stray debug flag in the environment changes nothing
    from factory import create_app
    prod = create_app("production", SQLALCHEMY_DATABASE_URI=DB_URL)

    @prod.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail /srv/app/core/services/registration.py line 42")

    return prod


def test_production_never_debugs(production_app):
    assert production_app.debug is False and production_app.testing is False
    assert production_app.config["SESSION_COOKIE_SECURE"] is True


def test_an_exception_gives_a_plain_chinese_500_page(production_app):
    response = production_app.test_client().get("/boom-for-test")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统错误" in body and "请稍后再试" in body
    assert "Traceback" not in body and "secret detail" not in body and "RuntimeError" not in body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_page_is_a_404_not_an_error(production_app):
    assert production_app.test_client().get("/no-such-page").status_code == 404
