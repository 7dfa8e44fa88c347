"""Application factory.

Two Flask apps in one WSGI process: the candidate portal at ``/`` and the Flask-AppBuilder back office
mounted at ``/admin`` with ``DispatcherMiddleware``. Each has its own cookie name, secret and login
machinery, so neither session can ever open the other (docs/architecture.md).
"""
from __future__ import annotations

import logging
import secrets

from flask import Flask, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from config import load_config
from core.db import db

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    cfg = load_config(config_name)
    # The portal's templates and static files belong to the candidate_portal blueprint.
    portal = Flask("candidate_portal", instance_path=str(cfg.INSTANCE_DIR), static_folder=None)
    portal.config.from_object(cfg)
    portal.config.update(overrides)
    _init_shared(portal)

    from candidate_portal import init_portal
    init_portal(portal)

    from core.cli import register_cli
    register_cli(portal)

    portal.add_url_rule("/healthz", "healthz", healthz)

    from backoffice import create_backoffice_app
    admin = create_backoffice_app(cfg, overrides)
    portal.extensions["backoffice"] = admin
    from backoffice.roles import sync_roles
    portal.extensions["post_upgrade"] = [lambda: sync_roles(admin)]
    portal.wsgi_app = DispatcherMiddleware(portal.wsgi_app, {"/admin": admin})
    proxies = portal.config.get("TRUSTED_PROXIES", 0)
    if proxies:  # behind the load balancer: the client's own address (rate limits, audit) and scheme
        from werkzeug.middleware.proxy_fix import ProxyFix
        portal.wsgi_app = ProxyFix(portal.wsgi_app, x_for=proxies, x_proto=proxies)
    return portal


def _init_shared(app: Flask) -> None:
    """What both apps need: the database, CSRF, the instance folders, the pinyin exceptions."""
    import core.models  # noqa: F401  (register every table on the metadata)
    from core.pinyin import load_exceptions

    for folder in (app.config["INSTANCE_DIR"], app.config["PHOTO_DIR"], app.config["EXPORT_DIR"]):
        folder.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    CSRFProtect(app)
    load_exceptions()
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce  # FAB's templates too write nonce="{{ csp_nonce() }}"
    _error_pages(app)


# Scripts run only from our own files or with this response's nonce, in both apps: no 'unsafe-inline', no
# inline event handlers (docs/security.md). Styles keep 'unsafe-inline' for now.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self' 'nonce-{nonce}'; frame-ancestors 'none'; form-action 'self'{form_action}; base-uri 'self'")


def csp_nonce() -> str:
    """This response's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``), kept with the
    request itself: ``g`` can outlive a request (tests hold an app context open) and a nonce is never reused."""
    return request.environ.setdefault("csp_nonce", secrets.token_urlsafe(16))


def csp_header(form_action: str = "") -> str:
    """The Content-Security-Policy of this response; ``form_action``: one more origin forms may post to."""
    return CSP.format(nonce=csp_nonce(), form_action=f" {form_action}" if form_action else "")


def _security_headers(response):
    """Headers for every response of both apps. Pages are personal: never cached by browsers or proxies."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", csp_header())
    if not request.path.startswith(("/static/", "/assets/")):  # CSS and JS may be cached
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _refuse_nul():
    """No text sent to either app may hold a NUL character: PostgreSQL cannot store it, and cannot even
    compare it in a query (a login lookup fails as much as a save). No keyboard types one, so the request is
    refused whole, before any view or form, with a plain page; the other control characters are storable and
    left to the field checks. Runs after the CSRF check, so a form body is already parsed."""
    if request.method == "OPTIONS":
        return None
    values = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.get_data(cache=True)  # keep the raw body readable (the gateway's signed notification)
        values += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in values):
        return ERROR_PAGE.format(title="内容无法接收", text="提交的内容中含有无法保存的控制字符（NUL），"
                                                         "未被接收，已保存的信息没有改变。请返回上一页，重新输入后再提交。"), 400
    return None


# Plain pages without the site layout (which reads the database) and never a traceback (docs/deployment.md).
ERROR_PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
              '<body><h1>{title}</h1><p>{text}</p><p><a href="/">返回首页</a></p></body></html>')


def _error_pages(app: Flask) -> None:
    from sqlalchemy.exc import InterfaceError, OperationalError

    def server_error(_exc):
        return ERROR_PAGE.format(title="系统错误", text="很抱歉，系统暂时无法处理您的请求，已保存的信息不会丢失。"
                                                       "请稍后再试。"), 500

    def database_unavailable(exc):
        log.error("database unavailable: %s", type(exc).__name__)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass
        return ERROR_PAGE.format(title="系统繁忙", text="报名系统暂时无法连接数据库，请稍后刷新页面再试。"), 503

    def too_large(_exc):
        limit = app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
        return ERROR_PAGE.format(title="文件过大", text=f"上传的内容超过 {limit} MB，未被接收。"
                                                       "请返回上一页，选择较小的文件后重试。"), 413

    app.register_error_handler(500, server_error)
    app.register_error_handler(413, too_large)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)


def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
