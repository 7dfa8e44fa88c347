"""What both web apps share (the portal and the back office): the database, CSRF, the security headers
and script nonce, the NUL guard and the plain error pages. A leaf above ``core``: it imports ``core``,
never a front end, so both front ends can import it (docs/architecture.md)."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from core.db import db
from web.errors import init_error_pages
from web.security import csp_nonce, refuse_nul, security_headers


def init_web(app: Flask) -> None:
    """What both apps need: the database, CSRF, the instance folders, the pinyin exceptions."""
    import core.models  # noqa: F401  (register every table on the metadata)
    from core.pinyin import load_exceptions

    for folder in (app.config["INSTANCE_DIR"], app.config["PHOTO_DIR"], app.config["EXPORT_DIR"]):
        folder.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    CSRFProtect(app)
    load_exceptions()
    app.before_request(refuse_nul)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce  # FAB's templates too write nonce="{{ csp_nonce() }}"
    init_error_pages(app)
