"""A fixed-window request counter per client address, in Django's cache: enough to make guessing a
status link hopeless (30 tries a minute against 2^256 secrets) without an account to lock.

The cache must be shared by every web process for the limit to hold across them (Redis or
Memcached in production; the default in-process cache counts per process)."""

from __future__ import annotations

import time

from django.core.cache import cache


def client_address(request) -> str:
    # The proxy in front sets REMOTE_ADDR (or rewrites it); a forwarded header is the client's to forge.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over_limit(*, scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one request for `key` in the current window; True once it exceeds `limit`."""
    bucket = f"throttle:{scope}:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count > limit
