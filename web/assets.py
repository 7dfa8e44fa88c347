"""Fingerprinted static files: ``url_for('portal.static', filename='portal.css')`` gives
``/assets/portal.3f9a1c2b7d.css``, whose name changes whenever the file does, so browsers may keep it a year.

A phone on a slow connection then loads the CSS and JS once, not on every page. The fingerprint is the first
ten hex digits of the file's SHA-256, computed once per file version (path and mtime). A request for a
fingerprinted name serves the file; it is marked cacheable for a year only when the fingerprint is the
current one (a page cached before a deployment still gets its CSS, but not an old one forever). Outside
debug mode a file's fingerprint is computed once per process (a deployment restarts the processes); in debug
mode the file's mtime is checked on every link, so an edited stylesheet shows at once.
"""
from __future__ import annotations

import hashlib
import os
import re

from flask import Flask, g
from werkzeug.security import safe_join

FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
ONE_YEAR = 365 * 24 * 3600
_digests: dict[tuple, str | None] = {}


def _digest(folder: str | None, filename: str, debug: bool) -> str | None:
    path = folder and safe_join(folder, filename)
    if not path:
        return None
    try:
        key = (path, os.stat(path).st_mtime_ns) if debug else (path,)
        if key not in _digests:
            with open(path, "rb") as fh:
                _digests[key] = hashlib.sha256(fh.read()).hexdigest()[:10]
    except OSError:
        return None
    return _digests[key]


def init_assets(app: Flask) -> None:
    def folder_of(endpoint: str) -> str | None:
        if endpoint == "static":
            return app.static_folder
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        return blueprint.static_folder if blueprint else None

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        name = values.get("filename")
        if not endpoint.endswith("static") or not name or "." not in name:
            return
        digest = _digest(folder_of(endpoint), name, app.debug)
        if digest:
            stem, ext = os.path.splitext(name)
            values["filename"] = f"{stem}.{digest}{ext}"

    @app.url_value_preprocessor
    def strip_fingerprint(endpoint: str | None, values: dict | None) -> None:
        if not endpoint or not endpoint.endswith("static") or not values:
            return
        found = FINGERPRINTED.match(values.get("filename", ""))
        if not found:
            return
        original = found["stem"] + found["ext"]
        current = _digest(folder_of(endpoint), original, app.debug)
        if current:
            values["filename"] = original
            g.immutable_asset = current == found["digest"]

    @app.after_request
    def cache_for_a_year(response):
        if g.get("immutable_asset") and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
