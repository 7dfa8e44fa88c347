"""Flask-WTF's CSRF check runs only for the methods it checks (web/__init__.py), in its own place among the
hooks: still before the NUL guard, still refusing a POST without a token; a GET is let through untouched."""
from __future__ import annotations


def test_the_csrf_hook_keeps_its_place_and_wraps_flask_wtf(app):
    hooks = app.before_request_funcs[None]
    names = [h.__name__ for h in hooks]
    assert names.index("csrf_protect") < names.index("refuse_nul")
    check = hooks[names.index("csrf_protect")]
    assert check.__wrapped__.__module__ == "flask_wtf.csrf"


def test_a_post_without_a_token_is_refused_and_a_get_served(app, client):
    assert client.get("/login").status_code == 200
    refused = client.post("/login", data={"username": "x", "password": "y"})
    assert refused.status_code == 400 and "CSRF token is missing" in refused.get_data(as_text=True)
