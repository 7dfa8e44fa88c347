"""考务管理 back office: a Flask-AppBuilder app mounted at /admin (see factory.py)."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, g, request, session
from flask_appbuilder import AppBuilder, IndexView, expose

from backoffice.settings import fab_settings
from core.db import db
from web import init_web
from web.i18n import install_template_gettext


class BackofficeIndexView(IndexView):
    """工作台: the work waiting within the staff member's scope, with links to it, and today's counts."""

    index_template = "backoffice/index.html"

    @expose("/")
    def index(self):
        from core.services.workload import workload_of
        user = g.user if getattr(g.user, "is_authenticated", False) else None
        work = workload_of(user) if user is not None else None
        return self.render_template(self.index_template, appbuilder=self.appbuilder, work=work,
                                    sm=self.appbuilder.sm)


def create_backoffice_app(cfg, overrides: dict) -> Flask:
    app = Flask("backoffice", template_folder="templates", instance_path=str(cfg.INSTANCE_DIR))
    app.config.from_object(cfg)
    app.config.update(overrides)
    app.config.update(fab_settings(app.config))
    app.config.update(
        SECRET_KEY=app.config["ADMIN_SECRET_KEY"],
        SESSION_COOKIE_NAME=app.config["ADMIN_SESSION_COOKIE_NAME"],
        SESSION_COOKIE_PATH="/admin",
        # Idle timeout: the signed cookie is refused once older than this; every request renews it.
        PERMANENT_SESSION_LIFETIME=app.config["STAFF_IDLE_TIMEOUT"],
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    init_web(app)
    with app.app_context():
        appbuilder = AppBuilder(indexview=BackofficeIndexView, base_template="backoffice/base.html")
        appbuilder.init_app(app, db.session)
        install_template_gettext(app)
        from backoffice.views import register_views
        register_views(appbuilder)
    from backoffice.security import require_password_change
    from backoffice.url_guard import refuse_bad_url_values
    app.before_request(refuse_bad_url_values)
    app.before_request(_permanent_session)
    app.before_request(require_password_change)
    app.after_request(_relative_login_next)
    return app


def _permanent_session() -> None:
    session.permanent = True  # so that PERMANENT_SESSION_LIFETIME (the idle timeout) applies


def _relative_login_next(response):
    """FAB builds the login redirect's ``next`` from ``request.url``, i.e. from the Host header: a forged
    Host would come back in it. Rewrite it to this request's own path, which cannot leave the site."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303, 307, 308) and "/login/" in location and "next=" in location:
        parts = urlsplit(location)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "next"]
        query.append(("next", request.script_root + request.full_path.rstrip("?")))
        response.headers["Location"] = urlunsplit(("", "", parts.path, urlencode(query), ""))
    return response
