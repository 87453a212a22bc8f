"""What a shared cache's outage raises, for the places that must carry on without the cache."""

from __future__ import annotations

import sys


def cache_outage_errors() -> tuple[type[BaseException], ...]:
    """OSError, and redis-py's RedisError once redis is loaded: only the Redis cache backend can
    raise it, and it loads redis before it does. Read when an exception is being matched (an
    `except` clause evaluates its classes then), so no process imports redis up front for it:
    about 0.3 s at each process's start, a second on a first run that compiles it."""
    exceptions = sys.modules.get("redis.exceptions")
    return (OSError, exceptions.RedisError) if exceptions is not None else (OSError,)
