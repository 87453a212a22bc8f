from django.urls import path

from distribution.api.handovers import HandoverDeliveredView, HandoverDetailView, HandoverListView, ReturnListView
from distribution.api.progress import ProgressView

urlpatterns = [
    path("handovers/", HandoverListView.as_view(), name="distribution-handovers"),
    path("handovers/<int:pk>/", HandoverDetailView.as_view(), name="distribution-handover"),
    path("handovers/<int:pk>/delivered/", HandoverDeliveredView.as_view(), name="distribution-handover-delivered"),
    path("returns/", ReturnListView.as_view(), name="distribution-returns"),
    path("progress/", ProgressView.as_view(), name="distribution-progress"),
]
