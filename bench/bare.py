"""The yardstick: a bare one-query JSON view on the tickets table, served beside the whole site.

Every figure of bench/region_figures.py is divided by this view's time measured in the same run,
request for request, so that a figure survives a busy machine: the ratio moves far less than
the milliseconds when four people share two cores.

    gunicorn --pythonpath bench 'bare:make_application()'   # the site plus /bench/bare/
"""

from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    from repairs.models import Ticket

    rows = Ticket.objects.order_by("pk").values_list("reference", "state", "resolution_due_at")[:50]
    return JsonResponse({"tickets": list(rows)})


def __getattr__(name: str):
    # Built on first use rather than at import: gunicorn imports this module before Django is set up.
    if name == "urlpatterns":
        return [path("bench/bare/", bare), path("", include("config.urls"))]
    raise AttributeError(name)


def make_application():
    """The site's WSGI application with this module as URL configuration."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    settings.ROOT_URLCONF = __name__
    return application
