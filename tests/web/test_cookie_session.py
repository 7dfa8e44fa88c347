"""The portal's cookie session keeps its signing serializer (web/cookie_session.py), until the key changes."""
from __future__ import annotations


def test_a_new_secret_key_refuses_old_cookies_and_a_fallback_still_reads_them(app):
    interface = app.session_interface
    old_key, old_fallbacks = app.secret_key, app.config["SECRET_KEY_FALLBACKS"]
    cookie = interface.get_signing_serializer(app).dumps({"sid": "x"})
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    try:
        app.secret_key = "another key entirely"
        assert interface.get_signing_serializer(app).loads_unsafe(cookie)[0] is False
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert interface.get_signing_serializer(app).loads(cookie) == {"sid": "x"}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = old_fallbacks
    assert interface.get_signing_serializer(app).loads(cookie) == {"sid": "x"}
