from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("pools/", views.pools, name="pools"),
    path("batches/", views.batches, name="batches"),
    path("batches/notices/<int:pk>/", views.batch_notice, name="batch_notice"),
    path("drift/", views.drift, name="drift"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/start/", views.campaign_start, name="campaign_start"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/reimage/<int:device_pk>/", views.campaign_reimage, name="campaign_reimage"),
]
