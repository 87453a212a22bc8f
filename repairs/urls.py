from django.urls import path

from repairs import views

app_name = "repairs"

urlpatterns = [
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
