from django.urls import path

from repairs import report_views, views
from repairs.views import desk, public

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
    path("tickets/<str:reference>/due/", views.ticket_due_date, name="due_date"),
    path("tickets/<str:reference>/loaner/", views.ticket_lend_loaner, name="lend_loaner"),
    path("tickets/<str:reference>/loaner/collect/", views.ticket_collect_loaner, name="collect_loaner"),
    path("tickets/<str:reference>/loaner/due/", desk.ticket_loaner_due, name="loaner_due"),
    path("tickets/<str:reference>/parts/", desk.ticket_add_part, name="add_part"),
    path("tickets/<str:reference>/parts/<int:line_id>/remove/", desk.ticket_remove_part, name="remove_part"),
    path("tickets/<str:reference>/labour/", desk.ticket_labour, name="labour"),
    path("tickets/<str:reference>/quotes/", desk.ticket_quote_issue, name="quote_issue"),
    path("tickets/<str:reference>/quotes/decision/", desk.ticket_quote_decision, name="quote_decision"),
    path("tickets/<str:reference>/quotes/<int:number>.pdf", desk.ticket_quote_pdf, name="quote_pdf"),
    path("tickets/<str:reference>/status-link/", desk.ticket_status_link_renew, name="status_link_renew"),
    path("tickets/<str:reference>/receipt.pdf", desk.ticket_receipt, name="receipt"),
    path("tickets/<str:reference>/manufacturer-return/", desk.ticket_manufacturer_return, name="manufacturer_return"),
    # The status link without an account: short, to fit an SMS and a QR code.
    path("s/<str:token>/", public.status, name="status"),
    path("s/<str:token>/quote/", public.status_quote_decision, name="status_quote"),
    path("s/<str:token>/quotes/<int:number>.pdf", public.status_quote_pdf, name="status_quote_pdf"),
    path("devices/<str:serial>/", views.device_detail, name="device"),
    path("preferences/", views.preferences, name="preferences"),
    path("establishment/", views.establishment_detail, name="establishment"),
    path("establishments/<str:uai>/", views.establishment_detail, name="establishment_uai"),
    path("establishments/<str:uai>/labels.pdf", views.establishment_labels, name="labels"),
    path("reports/", report_views.report_page, name="reports"),
    path("reports/report.csv", report_views.report_csv_download, name="report_csv"),
    path("reports/report.pdf", report_views.report_pdf_download, name="report_pdf"),
    path("reports/exports/<str:token>/", report_views.report_export_status, name="report_export"),
    path("reports/exports/<str:token>/report.pdf", report_views.report_export_download, name="report_export_download"),
]
