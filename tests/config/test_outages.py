"""The errors a cache outage raises are known without importing redis in every process."""

import ast
import sys

from config.outages import cache_outage_errors
from tests.test_architecture import product_modules


def test_a_redis_error_is_an_outage_once_redis_is_loaded():
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError

    errors = cache_outage_errors()
    assert RedisError in errors
    assert OSError in errors
    assert issubclass(RedisConnectionError, errors)
    assert not issubclass(ValueError, errors)


def test_before_redis_is_loaded_an_outage_is_an_oserror(monkeypatch):
    monkeypatch.delitem(sys.modules, "redis.exceptions", raising=False)
    assert cache_outage_errors() == (OSError,)


def test_no_product_module_imports_redis_when_it_is_loaded():
    """redis-py costs each process about 0.3 s to import (a second when compiled on a first run);
    only the Redis cache backend and Celery's transport load it, when they are used."""
    importers = []
    for name, path in product_modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            if any(n == "redis" or n.startswith("redis.") for n in names):
                importers.append(name)
    assert importers == []
