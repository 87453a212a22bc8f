from django.urls import path

from repairs import views

app_name = "repairs"

urlpatterns = [
    path("declare/", views.declare, name="declare"),
    path("declare/<str:asset_tag>/", views.declare, name="declare_device"),
    path("d/<str:asset_tag>", views.device_by_tag, name="qr"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/assign/", views.bulk_assign, name="bulk_assign"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/declared/", views.declared, name="declared"),
    path("tickets/<str:reference>/transitions/<str:name>/", views.ticket_transition, name="transition"),
    path("tickets/<str:reference>/comments/", views.ticket_comment, name="comment"),
    path("tickets/<str:reference>/attachments/", views.ticket_attach, name="attach"),
    path("tickets/<str:reference>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("tickets/<str:reference>/priority/", views.ticket_priority, name="priority"),
    path("tickets/<str:reference>/take/", views.ticket_take, name="take"),
    path("tickets/<str:reference>/loaner/", views.ticket_lend_loaner, name="lend_loaner"),
    path("tickets/<str:reference>/loaner/collect/", views.ticket_collect_loaner, name="collect_loaner"),
    path("devices/<str:serial>/", views.device_detail, name="device"),
    path("establishment/", views.establishment_detail, name="establishment"),
    path("establishments/<str:uai>/", views.establishment_detail, name="establishment_uai"),
    path("establishments/<str:uai>/labels.pdf", views.establishment_labels, name="labels"),
]
