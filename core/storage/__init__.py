"""Document storage behind one small interface (``Storage``): the shared file system of
docs/deployment.md (``FileStorage``, the default) or an S3-compatible object store (``S3Storage``).

``storage()`` returns the backend the running app's config names (``DOCUMENT_STORAGE``: ``fs`` or ``s3``).
Keys are made by the caller from random tokens (never from a file name); a backend refuses any other key.
Every failure of the store itself is ``StorageUnavailable``: the caller shows one clear sentence and records
nothing as uploaded.
"""
from __future__ import annotations

from flask import current_app

from core.storage.base import KEY, Storage, StorageUnavailable, new_key
from core.storage.fs import FileStorage
from core.storage.s3 import S3Storage

__all__ = ["KEY", "FileStorage", "S3Storage", "Storage", "StorageUnavailable", "new_key", "storage"]


def storage() -> Storage:
    """The configured backend (one per app, built on first use)."""
    app = current_app._get_current_object()
    backend = app.extensions.get("document_storage")
    if backend is None:
        cfg = app.config
        if cfg["DOCUMENT_STORAGE"] == "s3":
            backend = S3Storage(cfg["S3_ENDPOINT_URL"], cfg["S3_BUCKET"], cfg["S3_ACCESS_KEY"],
                                cfg["S3_SECRET_KEY"], region=cfg["S3_REGION"])
        else:
            backend = FileStorage(cfg["DOCUMENT_DIR"])
        app.extensions["document_storage"] = backend
    return backend
