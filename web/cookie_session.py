"""Flask's signed cookie session, its signing serializer built once instead of per request.

Flask builds an itsdangerous serializer for every request that opens a session and again for every one that
saves it (about 6 µs each here). It is built here on first use, by Flask, from the secret key and Flask's
key fallbacks (none among our settings, config.py), and again only if the secret key changes. The cookie,
its signature and its checks are Flask's own.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._kept: tuple[str | bytes | None, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        kept = self._kept
        if kept is None or kept[0] != app.secret_key:
            kept = self._kept = (app.secret_key, super().get_signing_serializer(app))
        return kept[1]
