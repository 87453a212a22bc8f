from django.urls import path

from distribution.views import desk

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
]
