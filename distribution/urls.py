from django.urls import path

from distribution.views import dashboard

app_name = "distribution"

urlpatterns: list = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/live/", dashboard.dashboard_live, name="dashboard_live"),
    path("dashboard/campaign.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("dashboard/campaign.pdf", dashboard.dashboard_pdf, name="dashboard_pdf"),
]
