"""GET /healthz: is the database answering, and can the broker be reached?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return f"error: {exc.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker configured: tasks run in-process
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            # One retry, at once: kombu otherwise sleeps 2 s first, and a probe with a 2 s timeout
            # would see the health check time out instead of the broker reported down.
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:  # kombu raises many transport-specific errors
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 while the database answers; a broker outage is reported but is not fatal, because
    notifications wait in the outbox until the broker is back."""
    database = database_status()
    broker = broker_status()
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database, "broker": broker}, status=status
    )
