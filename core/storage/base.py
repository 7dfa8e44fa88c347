"""The storage interface every backend implements, and the one shape of a key."""
from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator

# <2 hex>/<32 hex>.<suffix>: random, never guessable, never a path of the candidate's choosing
KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,12})+")


class StorageUnavailable(Exception):
    """The store could not be read or written (network, disk, credentials): nothing was stored."""


def new_key(suffix: str) -> str:
    return f"{secrets.token_hex(1)}/{secrets.token_hex(16)}.{suffix}"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    """put/get/delete of whole small files (documents are at most a few MB) by key."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` completely or not at all (a reader never sees half a file)."""

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The bytes stored under ``key``, or None when there is no such file."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; no error when it is already gone."""

    @abstractmethod
    def keys(self) -> Iterator[tuple[str, float]]:
        """(key, modification time as a Unix timestamp) of every stored file, for housekeeping."""
