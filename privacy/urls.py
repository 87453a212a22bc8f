from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("me/", views.my_data, name="my_data"),
    path("me/export.json", views.my_export, name="my_export"),
    path("students/<int:user_id>/export.json", views.student_export, name="student_export"),
]
