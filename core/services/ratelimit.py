"""Fixed-window rate limits (限流) for logins and password recovery.

Counters live in Redis when ``REDIS_URL`` is set (shared by every worker) and in this process's memory
otherwise. Keys never contain a document number: callers pass usernames or IP addresses.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds``."""
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """'10 per minute', '5 per 5 minute', '20 per hour'."""
        count, _, rest = text.partition(" per ")
        parts = rest.split()
        amount, unit = (int(parts[0]), parts[1]) if len(parts) == 2 else (1, parts[0])
        unit_seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]
        return cls(int(count), amount * unit_seconds)


class MemoryStore:
    def __init__(self):
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, seconds: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + seconds
            self._counts[key] = (count + 1, expires)
            return count + 1

    def get(self, key: str) -> int:
        count, expires = self._counts.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class RedisStore:
    """Counters shared by every app server. When Redis is unreachable the limits fall back to this
    process's memory (still limits, only per process) instead of refusing every login."""

    def __init__(self, url: str, prefix: str = "medexam:rl:"):
        import redis
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = redis.RedisError
        self._prefix = prefix
        self._fallback = MemoryStore()

    def _call(self, op: str, key: str, *args):
        try:
            return getattr(self, f"_{op}")(self._prefix + key, *args)
        except self._errors as exc:
            log.warning("rate limits: Redis unavailable (%s); counting in process memory", type(exc).__name__)
            return getattr(self._fallback, op)(key, *args)

    def incr(self, key: str, seconds: int) -> int:
        return self._call("incr", key, seconds)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def clear(self, key: str) -> None:
        self._call("clear", key)

    def _incr(self, full_key: str, seconds: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(full_key)
        pipe.expire(full_key, seconds, nx=True)
        return int(pipe.execute()[0])

    def _get(self, full_key: str) -> int:
        return int(self._redis.get(full_key) or 0)

    def _clear(self, full_key: str) -> None:
        self._redis.delete(full_key)


def store():
    """The app's counter store, created once per app from REDIS_URL."""
    ext = current_app.extensions
    if "portal_ratelimit" not in ext:
        url = current_app.config.get("REDIS_URL")
        ext["portal_ratelimit"] = RedisStore(url) if url else MemoryStore()
    return ext["portal_ratelimit"]


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def hit(key: str, limit: Limit) -> bool:
    """Count one attempt; False when the limit is now exceeded."""
    if not enabled():
        return True
    return store().incr(key, limit.seconds) <= limit.count


def exceeded(key: str, limit: Limit) -> bool:
    """True when earlier hits already used up the limit (nothing is counted)."""
    return enabled() and store().get(key) >= limit.count


def clear(key: str) -> None:
    store().clear(key)


def block(key: str, seconds: int) -> None:
    """Refuse ``key`` for the next ``seconds`` (a delay, not a count; see ``blocked``)."""
    if enabled() and seconds > 0:
        store().incr(key, seconds)


def blocked(key: str) -> bool:
    return enabled() and store().get(key) > 0
