"""What both web apps share (the portal and the back office): the database, CSRF, the security headers
and script nonce, the NUL guard and the plain error pages. A leaf above ``core``: it imports ``core``,
never a front end, so both front ends can import it (docs/architecture.md)."""
from __future__ import annotations

import functools

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from core.db import db
from core.db_ping import ping_after_idle
from web.assets import init_assets
from web.compression import gzip_response
from web.cookie_session import KeptSerializerSessionInterface
from web.errors import init_error_pages
from web.jinja import QuickImportTemplate
from web.security import csp_nonce, refuse_nul, security_headers
from web.urls import RowIdConverter


def init_web(app: Flask) -> None:
    """What both apps need: the database, CSRF, the instance folders, the pinyin exceptions."""
    import core.models  # noqa: F401  (register every table on the metadata)
    from core.pinyin import load_exceptions

    app.jinja_env.template_class = QuickImportTemplate  # before any template is loaded (web/jinja.py)
    app.url_map.converters["int"] = RowIdConverter  # before any route is added (web/urls.py)
    for folder in (app.config["INSTANCE_DIR"], app.config["PHOTO_DIR"], app.config["EXPORT_DIR"]):
        folder.mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options = engine_options(app.config)
    db.init_app(app)
    if not options.get("pool_pre_ping") and "poolclass" not in options:  # a pool whose connections are kept
        with app.app_context():
            for engine in db.engines.values():
                ping_after_idle(engine, float(app.config["DB_PING_AFTER_IDLE"]))
    app.session_interface = KeptSerializerSessionInterface()
    CSRFProtect(app)
    _csrf_check_by_method_first(app)
    load_exceptions()
    app.before_request(refuse_nul)
    app.after_request(security_headers)
    app.after_request(gzip_response)  # registered last, runs first: the headers see the final body
    app.jinja_env.globals["csp_nonce"] = csp_nonce  # FAB's templates too write nonce="{{ csp_nonce() }}"
    init_error_pages(app)
    init_assets(app)


def _csrf_check_by_method_first(app: Flask) -> None:
    """Flask-WTF's check (the hook CSRFProtect has just registered) looks up the view and its exemptions on every
    request before it looks at the method, about 7 µs for each GET, which it then lets through. The same hook
    runs here only for the methods it checks (WTF_CSRF_METHODS), in its place among the hooks; for any other
    method it would have returned without doing anything."""
    hooks = app.before_request_funcs[None]
    check = hooks[-1]
    if check.__name__ != "csrf_protect":  # not Flask-WTF's hook as we know it: leave everything as it is
        return

    @functools.wraps(check)
    def csrf_protect():
        if request.method in app.config["WTF_CSRF_METHODS"]:
            return check()
        return None

    hooks[-1] = csrf_protect


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS plus, on PostgreSQL, psycopg's ``prepare_threshold`` from DB_PREPARE_THRESHOLD:
    off (None) by default, so that PgBouncer in transaction pooling (Debian 12's 1.18 has no
    max_prepared_statements) never sees a statement prepared on another client's connection; and cursors
    that build a result's column descriptions only when read (web/pg_cursor.py)."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql+psycopg"):
        from web.pg_cursor import LazyDescriptionCursor
        threshold = config.get("DB_PREPARE_THRESHOLD")
        options["connect_args"] = {**options.get("connect_args", {}),
                                   "prepare_threshold": int(threshold) if threshold else None,
                                   "cursor_factory": LazyDescriptionCursor}
    return options
