"""DRF throttles that let requests through when their cache is unreachable: a Redis outage must
cost the API its rate limits for a while, not its answers (login throttling, which is about
security, counts in the database through django-axes and does not depend on this)."""

from __future__ import annotations

import logging

from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from config.outages import cache_outage_errors

logger = logging.getLogger(__name__)


class FailOpen:
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except cache_outage_errors() as exc:
            logger.warning("API throttle skipped, cache unreachable: %s", exc.__class__.__name__)
            return True


class UserThrottle(FailOpen, UserRateThrottle):
    pass


class AnonThrottle(FailOpen, AnonRateThrottle):
    pass


def over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event under `key` in a fixed window and say whether it is past `limit`. Counts
    in the shared cache (CACHE_URL), and lets the event through when the cache is unreachable."""
    try:
        if cache.add(key, 1, timeout=window_seconds):
            return False
        return cache.incr(key) > limit
    except (*cache_outage_errors(), ValueError) as exc:  # ValueError: the key expired between add and incr
        logger.warning("Rate limit skipped for %s: %s", key.split(":", 1)[0], exc.__class__.__name__)
        return False
