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


def test_http_errors_are_plain_chinese_pages_not_werkzeugs(tmp_path):
    from flask import abort
    app = _bare_app(tmp_path)

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    @app.get("/bad")
    def bad():
        abort(400)

    client = app.test_client()
    for url, status, title in [("/nowhere", 404, "页面不存在"), ("/forbidden", 403, "无权访问"),
                               ("/bad", 400, "请求有误")]:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == status
        assert f"<h1>{title}</h1>" in page and 'lang="zh-CN"' in page
        for english in ("Not Found", "Forbidden", "Bad Request", "The requested URL"):
            assert english not in page
    assert client.post("/forbidden").status_code == 405
    assert "操作方式有误" in client.post("/forbidden").get_data(as_text=True)


def test_our_own_description_is_shown(tmp_path):
    from flask import abort
    app = _bare_app(tmp_path)

    @app.get("/bad")
    def bad():
        abort(400, "页码和每页条数须为数字。")

    assert "页码和每页条数须为数字。" in app.test_client().get("/bad").get_data(as_text=True)
