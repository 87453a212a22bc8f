from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from config.health import healthz

admin.site.site_header = _("Laptop repair service")
admin.site.site_title = _("Laptop repair service")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls", namespace="api")),
    path("", include("repairs.urls")),
    # The role home pages arrive with the web application; until then the admin is the app.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
]
