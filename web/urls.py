"""The templates' ``url_for`` with the links that are the same on every page built once per process.

A portal page builds about ten links (5-10 µs each); the menu's, the footer's and the static files' never
differ between requests: an endpoint without values, or a static file by name, below the request's script
root (``SCRIPT_NAME``, where a proxy mounts the site). Those are kept per script root; every other link (with
an id, a ``next``, an anchor, external, relative to the blueprint) is built by Flask as before. This holds
while no ``url_defaults`` adds per-request values (web/assets.py adds only the file's fingerprint) and links
are relative to the request's host (no ``SERVER_NAME`` among our settings, config.py); in debug mode nothing
is kept, so an edited file's new fingerprint shows.
"""
from __future__ import annotations

from flask import Flask
from flask.globals import _cv_request
from werkzeug.routing import IntegerConverter

from core.validators import MAX_ROW_ID

KEPT_URLS = 1000  # a bound, whatever script roots a proxy sends


def keep_fixed_urls(app: Flask) -> None:
    """Replace the templates' ``url_for``."""
    build = app.jinja_env.globals["url_for"]
    kept: dict[tuple[str, str, str | None], str] = {}

    def url_for(endpoint: str, **values) -> str:
        request_ctx = _cv_request.get(None)
        fixed = not values or (len(values) == 1 and "filename" in values and endpoint.endswith("static"))
        if not fixed or request_ctx is None or endpoint.startswith(".") or app.debug:
            return build(endpoint, **values)
        key = (request_ctx.request.root_path, endpoint, values.get("filename"))
        url = kept.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(kept) < KEPT_URLS:
                kept[key] = url
        return url

    app.jinja_env.globals["url_for"] = url_for


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in our routes is a row's id: beyond a 32-bit integer it names no row and matches no route
    (404), instead of reaching the database as an overflow (a 500 on PostgreSQL and SQLite)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)
