from django.urls import path

from distribution.views import dashboard, desk

app_name = "distribution"

urlpatterns = [
    path("", desk.desk, name="desk"),
    path("students/", desk.desk_students, name="desk_students"),
    path("handovers/<int:pk>/undo/", desk.undo, name="undo"),
    path("handovers/<int:pk>/receipt.pdf", desk.receipt, name="receipt"),
    path("handovers/<int:pk>/delivered/", desk.delivered, name="delivered"),
    path("returns/", desk.returns, name="returns"),
    path("deliveries/", desk.deliveries, name="deliveries"),
    path("my-laptop/", desk.my_laptop, name="my_laptop"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/live/", dashboard.dashboard_live, name="dashboard_live"),
    path("dashboard/campaign.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("dashboard/campaign.pdf", dashboard.dashboard_pdf, name="dashboard_pdf"),
]
