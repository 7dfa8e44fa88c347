"""The portal's cookie session keeps its signing serializer (web/cookie_session.py), until the key changes."""
from __future__ import annotations


def test_the_serializer_is_kept_and_a_new_secret_key_refuses_old_cookies(app):
    interface = app.session_interface
    old_key = app.secret_key
    cookie = interface.get_signing_serializer(app).dumps({"sid": "x"})
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    try:
        app.secret_key = "another key entirely"
        assert interface.get_signing_serializer(app).loads_unsafe(cookie)[0] is False
    finally:
        app.secret_key = old_key
    assert interface.get_signing_serializer(app).loads(cookie) == {"sid": "x"}
