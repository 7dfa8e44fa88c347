"""Wiring: health check, configuration guards, clear operator errors."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigurationError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_with_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(app):
    from factory import create_app
    broken = create_app("test", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_portal_and_back_office_are_served_in_chinese(client):
    assert "国家医学考试" in client.get("/").get_data(as_text=True)
    login = client.get("/admin/login/")
    assert login.status_code == 200
    assert "登录" in login.get_data(as_text=True)


def test_production_refuses_default_secret(monkeypatch):
    import config
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", config.DEFAULT_SECRET)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config("production")


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigurationError):
        load_config("staging-typo")


def _flask(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    full_env.update(APP_ENV="development", **env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=full_env, capture_output=True, text=True, timeout=120)


def test_wrong_database_url_gives_one_sentence():
    result = _flask("db", "upgrade", DATABASE_URL="nonsense://x")
    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_sentence():
    result = _flask("db", "upgrade", DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "无法连接数据库" in result.stderr
    assert "Traceback" not in result.stderr


def test_pages_are_not_cached_and_carry_security_headers(client):
    for path in ("/", "/admin/login/"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_command_on_an_empty_database_says_to_upgrade_first(tmp_path):
    result = _flask("demo", "load", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}",
                    INSTANCE_DIR=str(tmp_path))
    assert result.returncode == 1
    assert "db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
