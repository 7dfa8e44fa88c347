"""The shared web pieces (web/) on a bare Flask app: what either front end gets from init_web."""
from __future__ import annotations

from flask import Flask

from config import TestConfig
from core.services.errors import NotAllowed
from web import init_web


def _bare_app(tmp_path) -> Flask:
    app = Flask("bare")
    app.config.from_object(TestConfig)
    app.config.update(INSTANCE_DIR=tmp_path, PHOTO_DIR=tmp_path / "photos", EXPORT_DIR=tmp_path / "exports",
                      SQLALCHEMY_DATABASE_URI="sqlite://")
    init_web(app)
    return app


def test_not_allowed_is_a_404_that_says_nothing_about_the_record(tmp_path):
    app = _bare_app(tmp_path)

    @app.get("/registration/<int:pk>")
    def someone_elses(pk):
        raise NotAllowed("找不到该报名。")

    response = app.test_client().get("/registration/7")
    assert response.status_code == 404
    assert "找不到该报名" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # the shared headers still apply
