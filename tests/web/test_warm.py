"""Every portal template compiled before the first request (gunicorn's post_worker_init calls this)."""
from __future__ import annotations

import pytest

from web.warm import compile_templates


def test_every_template_is_compiled_and_kept_before_any_request(app, monkeypatch):
    env = app.jinja_env
    env.cache.clear()
    names = env.list_templates()
    assert compile_templates(app) == len(names) > 20
    monkeypatch.setattr(env, "_parse", lambda *a: pytest.fail("a template compiled after the start"))
    for name in names:
        env.get_template(name)  # from the cache: no parse


def test_without_the_warm_up_a_template_is_compiled_on_first_use(app, monkeypatch):
    env = app.jinja_env
    env.cache.clear()
    parsed = []
    original = env._parse
    monkeypatch.setattr(env, "_parse", lambda *a: parsed.append(a[1]) or original(*a))
    env.get_template("portal/base.html")
    assert parsed == ["portal/base.html"]
