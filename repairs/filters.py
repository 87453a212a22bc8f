"""The ticket filters of the queue page and of the API: same parameters, so a filtered queue URL
and an API query read alike."""

import django_filters
from django.utils.translation import gettext_lazy as _

from config import compiled_sql
from devices import permissions as fleet
from devices.models import FaultCategory
from repairs import selectors
from repairs.keyset import ORDERS
from repairs.models import Ticket
from repairs.queryhints import filter_unindexed
from repairs.search import ticket_search
from repairs.states import OPEN_STATES, Priority, State
from repairs.widgets import Choices, QuickCheckboxes, QuickSelect, QuickTextInput

SLA_CHOICES = Choices([("ok", _("On time")), ("at_risk", _("At risk")), ("breached", _("Late"))])
ASSIGNED_CHOICES = Choices([("me", _("Assigned to me")), ("none", _("Unassigned"))])
SORT_CHOICES = Choices([("due", _("Due date")), ("-declared", _("Newest first")), ("declared", _("Oldest first"))])


class TicketFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Reference, serial number, asset tag, student's name or words of the description"),
        max_length=200,
    )
    # distinct=False: every filter reads the ticket's own row (no list of related rows), so there is
    # nothing to deduplicate, and DISTINCT would make the database sort whatever matched.
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=Choices(State.choices), method="filter_state", distinct=False
    )
    establishment = django_filters.CharFilter(label=_("Establishment"), method="filter_establishment")
    category = django_filters.MultipleChoiceFilter(
        label=_("Category"), choices=Choices(FaultCategory.choices), distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"), choices=Choices(Priority.choices), distinct=False
    )
    assigned_to = django_filters.CharFilter(
        label=_("Assigned to"), method="filter_assigned_to", help_text=_("A username, “me” or “none”")
    )
    sla = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=SLA_CHOICES, method="filter_sla", empty_label=_("All")
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Ticket
        fields = ["search", "state", "establishment", "category", "priority", "assigned_to", "sla", "sort"]

    def __init__(self, *args, html: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if html:
            self.use_html_widgets()

    def use_html_widgets(self) -> None:
        """Selects for the web page; the API keeps free text (a UAI, a username)."""
        user = self.request.user
        establishments = compiled_sql.evaluate(
            ("establishment choices", fleet.scope_key(user)),
            lambda: fleet.visible_establishments(user=user).order_by("name").values_list("uai", "name"),
        )
        # What the form's drawing depends on besides the language and the query (templatetags).
        self.establishment_pairs = tuple(establishments)
        self.filters["establishment"].field.widget = QuickSelect(
            choices=Choices([("", _("All")), *[(uai, f"{name} ({uai})") for uai, name in establishments]])
        )
        search = self.filters["search"].field
        search.widget = QuickTextInput(attrs=search.widget.attrs)  # with the field's maxlength
        self.filters["assigned_to"].field.widget = QuickSelect(choices=[("", _("Anyone")), *ASSIGNED_CHOICES])
        for name in ("sla", "sort"):
            self.filters[name].field.widget = QuickSelect(choices=self.filters[name].field.choices)
        for name in ("state", "category", "priority"):
            self.filters[name].field.widget = QuickCheckboxes(choices=self.filters[name].field.choices)

    def filter_state(self, queryset, name, value):
        """One state reads its own index in the list's order; every open state, the open tickets'
        index; several states, that list's index, keeping the rows in one of them."""
        states = set(value)
        if not states:
            return queryset
        if states <= set(OPEN_STATES):
            queryset = queryset.filter(is_open=True)
            if states == set(OPEN_STATES):
                return queryset
        if len(states) == 1:
            return queryset.filter(state=states.pop())
        return filter_unindexed(queryset, "state", sorted(states))

    def filter_establishment(self, queryset, name, value):
        return queryset.filter(establishment__uai=value.strip().upper())

    def filter_assigned_to(self, queryset, name, value):
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        return queryset.filter(assignee__username=value)

    def filter_sla(self, queryset, name, value):
        return queryset.filter(selectors.sla_filter(value))

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return ticket_search(queryset=queryset, text=value)

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*ORDERS.get(value, ORDERS["due"]).fields)
