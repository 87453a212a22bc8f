"""The errors a cache outage raises are known without importing redis in every process."""

import subprocess
import sys

from config.outages import cache_outage_errors


def test_a_redis_error_is_an_outage_once_redis_is_loaded():
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError

    errors = cache_outage_errors()
    assert RedisError in errors
    assert OSError in errors
    assert issubclass(RedisConnectionError, errors)
    assert not issubclass(ValueError, errors)


def test_starting_the_application_does_not_import_redis():
    code = (
        "import sys, django; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import config.throttling, distribution.selectors;"
        "from config.outages import cache_outage_errors;"
        "assert cache_outage_errors() == (OSError,), cache_outage_errors();"
        "print('redis' in sys.modules)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert found.stdout.strip() == "False"
