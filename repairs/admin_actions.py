"""Admin actions that ask for a few fields before acting on the selected tickets."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django_fsm import ConcurrentTransition

from repairs import services


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


def apply_to_each(modeladmin, request, queryset, call: Callable) -> int:
    """Run a service on each selected ticket, each in its own transaction; a refusal becomes a
    message naming the ticket and the others go on. Returns how many succeeded."""
    done = 0
    for ticket in queryset:
        try:
            call(ticket)
            done += 1
        except (services.TicketError, ConcurrentTransition) as exc:
            modeladmin.message_user(request, f"{ticket.reference}: {exc.args[0]}", messages.ERROR)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{ticket.reference}: {' '.join(exc.messages)}", messages.ERROR)
    return done
