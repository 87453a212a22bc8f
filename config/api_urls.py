from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from config.auth_views import TokenView
from repairs.api import DeviceDetailView, MeView, TicketViewSet
from repairs.report_views import ReportExportFileView, ReportExportView, ReportSlaView

app_name = "api"

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("me/", MeView.as_view(), name="me"),
    path("devices/<str:serial>/", DeviceDetailView.as_view(), name="device"),
    path("reports/sla/", ReportSlaView.as_view(), name="report-sla"),
    path("reports/exports/<str:token>/", ReportExportView.as_view(), name="report-export"),
    path("reports/exports/<str:token>/file/", ReportExportFileView.as_view(), name="report-export-file"),
    path("distribution/", include("distribution.api_urls")),
    path("insights/", include("insights.api_urls")),
    # privacy: me/export/ and me/access-log/
    path("", include("privacy.api_urls")),
    *router.urls,
]
