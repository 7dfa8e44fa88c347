"""Helpers of the browser tests (tests/browser; its fixtures are in tests/browser/conftest.py)."""
from __future__ import annotations

from core.db import db


def browser_login(page, live_server, app, cand):
    """Put a portal session cookie into the browser (the login page is another area's test)."""
    from core.services.sessions import open_session
    from flask import session
    token = open_session(cand, "127.0.0.1")
    db.session.commit()
    with app.test_request_context():
        session["sid"] = token
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    page.context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_server}])
