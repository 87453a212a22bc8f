from django.urls import path

from distribution.api.progress import ProgressView

urlpatterns: list = [
    path("progress/", ProgressView.as_view(), name="distribution-progress"),
]
