"""Point the project's Celery app somewhere for one test, and back."""

import contextlib
from collections.abc import Iterator

from celery import Celery

from config.celery import app as celery_app


def _drop_connections(app: Celery) -> None:
    # Publishing reuses the app's pools, made for the broker of the time: forget them, as Celery
    # itself does after a fork, so the next publish uses the broker configured now. (Kombu keeps
    # one pool per broker URL for the process; those are reused, not closed.)
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_configured(**conf) -> Iterator[Celery]:
    saved = {key: celery_app.conf[key] for key in conf}
    celery_app.conf.update(**conf)
    _drop_connections(celery_app)
    try:
        yield celery_app
    finally:
        celery_app.conf.update(**saved)
        _drop_connections(celery_app)


def eager() -> contextlib.AbstractContextManager[Celery]:
    """Tasks run in-process at publish time: the embedded default of `make run`."""
    return celery_configured(task_always_eager=True)


def broker(url: str, **conf) -> contextlib.AbstractContextManager[Celery]:
    """Tasks are published to (and consumed from) the broker at `url`. Celery prefers the
    CELERY_BROKER_URL environment variable to `broker_url`, but not to the read/write URLs."""
    return celery_configured(task_always_eager=False, broker_url=url, broker_write_url=url, broker_read_url=url, **conf)
