from django.urls import path

from privacy.api import MyAccessLogView, MyExportView

urlpatterns = [
    path("me/export/", MyExportView.as_view(), name="me-export"),
    path("me/access-log/", MyAccessLogView.as_view(), name="me-access-log"),
]
