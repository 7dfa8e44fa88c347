"""Application factory.

Two Flask apps in one WSGI process: the candidate portal at ``/`` and the Flask-AppBuilder back office
mounted at ``/admin`` with ``DispatcherMiddleware``. Each has its own cookie name, secret and login
machinery, so neither session can ever open the other (docs/architecture.md).
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from config import load_config
from core.db import db
from web import init_web

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    cfg = load_config(config_name)
    # The portal's templates and static files belong to the candidate_portal blueprint.
    portal = Flask("candidate_portal", instance_path=str(cfg.INSTANCE_DIR), static_folder=None)
    portal.config.from_object(cfg)
    portal.config.update(overrides)
    init_web(portal)

    from candidate_portal import init_portal
    init_portal(portal)

    from commands import register_commands
    register_commands(portal)

    portal.add_url_rule("/healthz", "healthz", healthz)

    from backoffice import create_backoffice_app
    admin = create_backoffice_app(cfg, overrides)
    portal.extensions["backoffice"] = admin
    portal.wsgi_app = DispatcherMiddleware(portal.wsgi_app, {"/admin": admin})
    proxies = portal.config["TRUSTED_PROXIES"]
    if proxies:  # behind the load balancer: the client's own address (rate limits, audit) and scheme,
        # believed only from the balancer's addresses (web/proxies.py)
        from web.proxies import TrustedProxyFix, parse_networks
        portal.wsgi_app = TrustedProxyFix(portal.wsgi_app, proxies,
                                          parse_networks(portal.config["TRUSTED_PROXY_ADDRESSES"]))
    return portal


_PING = text("SELECT 1")


def healthz():
    try:
        db.session.execute(_PING)
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", type(exc).__name__)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
