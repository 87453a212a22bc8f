from django.urls import path

from insights import api

urlpatterns = [
    path("pools/", api.PoolsView.as_view(), name="insights-pools"),
    path("batches/", api.BatchesView.as_view(), name="insights-batches"),
    path("drift/", api.DriftView.as_view(), name="insights-drift"),
    path("campaigns/", api.CampaignsView.as_view(), name="insights-campaigns"),
    path("campaigns/<int:pk>/", api.CampaignDetailView.as_view(), name="insights-campaign"),
    path("campaigns/<int:pk>/reimage/", api.CampaignReimageView.as_view(), name="insights-campaign-reimage"),
]
