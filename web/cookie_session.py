"""Flask's signed cookie session, its signing serializer built once per secret key instead of per request.

Flask builds an itsdangerous serializer for every request that opens a session and again for every one that
saves it (about 6 µs each here); it depends only on the secret key and its fallbacks, so it is kept until
they change. The cookie, its signature and its checks are Flask's own.
"""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]
