"""Admin actions that ask for a few fields before acting on the selected tickets."""

from django.contrib import admin
from django.template.response import TemplateResponse


def ask_for_fields(modeladmin, request, queryset, *, form, title: str) -> TemplateResponse:
    """The intermediate page of an action: the form, then the same action again with "apply"."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "tickets": queryset,
        "action": request.POST.get("action"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/repairs/ticket/transition.html", context)
