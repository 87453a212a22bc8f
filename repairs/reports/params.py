"""What a report is asked for: a period, a scope (filters) and a grouping, validated in one place
for the web page, the API and the tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.models import Academie, Departement, DeviceModel, Establishment, FaultCategory, Role
from repairs.sla.calendar import PARIS
from repairs.states import Coverage
from repairs.widgets import QuickSelect, QuickTextInput


@dataclass(frozen=True)
class Dimension:
    """A way to group tickets (and, where it makes sense, the fleet)."""

    name: str
    label: str
    ticket_key: str  # values() path from Ticket
    ticket_labels: tuple[str, ...] = ()  # more values() paths to name the group
    device_key: str | None = None  # path from Device; None: fleet figures do not apply
    device_labels: tuple[str, ...] = ()


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            "establishment",
            _("Establishment"),
            "establishment__uai",
            ("establishment__name", "establishment__city"),
            "establishment__uai",
            ("establishment__name", "establishment__city"),
        ),
        Dimension("departement", _("Département"), "establishment__departement", (), "establishment__departement"),
        Dimension("academie", _("Académie"), "establishment__academie", (), "establishment__academie"),
        Dimension("technician", _("Technician"), "assignee__username", ("assignee__first_name", "assignee__last_name")),
        Dimension("category", _("Category"), "category"),
        Dimension(
            "model",
            _("Device model"),
            "device__model_id",
            ("device__model__manufacturer", "device__model__name"),
            "model_id",
            ("model__manufacturer", "model__name"),
        ),
        Dimension("coverage", _("Coverage"), "coverage"),
    )
}
GROUP_BY_CHOICES = [(d.name, d.label) for d in DIMENSIONS.values()]


@dataclass(frozen=True)
class ReportParams:
    date_from: dt.date
    date_to: dt.date  # inclusive
    group_by: str = "establishment"
    filters: dict[str, str] = field(default_factory=dict)  # scope: only the non-empty ones

    @property
    def dimension(self) -> Dimension:
        return DIMENSIONS[self.group_by]

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time(), tzinfo=PARIS)

    @property
    def end(self) -> dt.datetime:
        """Midnight after the last day (exclusive), Paris time."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)

    def ticket_scope(self) -> Q:
        f = self.filters
        paths = {
            "academie": "establishment__academie",
            "departement": "establishment__departement",
            "establishment": "establishment__uai",
            "technician": "assignee__username",
            "category": "category",
            "model": "device__model_id",
            "coverage": "coverage",
        }
        return Q(**{paths[name]: value for name, value in f.items()})

    def device_scope(self) -> Q | None:
        """The fleet in scope, or None when the scope is not a place or a model (a technician,
        a category, a coverage: devices have none)."""
        if {"technician", "category", "coverage"} & self.filters.keys() or self.dimension.device_key is None:
            return None
        paths = {
            "academie": "establishment__academie",
            "departement": "establishment__departement",
            "establishment": "establishment__uai",
            "model": "model_id",
        }
        return Q(**{paths[name]: value for name, value in self.filters.items()})

    def as_query(self) -> dict[str, str]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "group_by": self.group_by,
            **self.filters,
        }

    def as_json(self) -> dict:
        return {**asdict(self), "date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> ReportParams:
        return cls(
            date_from=dt.date.fromisoformat(data["date_from"]),
            date_to=dt.date.fromisoformat(data["date_to"]),
            group_by=data["group_by"],
            filters=dict(data.get("filters") or {}),
        )


FILTER_NAMES = ("academie", "departement", "establishment", "technician", "category", "model", "coverage")


def _blank(choices) -> list:
    return [("", _("All")), *choices]


class ReportForm(forms.Form):
    """Query parameters of a report: `from`, `to` (YYYY-MM-DD), `group_by`, and filters."""

    date_from = forms.DateField(label=_("From"), input_formats=["%Y-%m-%d"], required=False)
    date_to = forms.DateField(label=_("To"), input_formats=["%Y-%m-%d"], required=False)
    # Drawn without a template per <option> (repairs/widgets.py, the same markup): the page's form
    # has some 150 options (technicians, models), which took 10 ms of the report page.
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_BY_CHOICES, required=False, widget=QuickSelect)
    academie = forms.ChoiceField(
        label=_("Académie"), choices=_blank(Academie.choices), required=False, widget=QuickSelect
    )
    departement = forms.ChoiceField(
        label=_("Département"), choices=_blank(Departement.choices), required=False, widget=QuickSelect
    )
    establishment = forms.CharField(label=_("Establishment (UAI)"), max_length=8, required=False, widget=QuickTextInput)
    technician = forms.ChoiceField(label=_("Technician"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(
        label=_("Category"), choices=_blank(FaultCategory.choices), required=False, widget=QuickSelect
    )
    model = forms.ChoiceField(label=_("Device model"), required=False, widget=QuickSelect)
    coverage = forms.ChoiceField(
        label=_("Coverage"), choices=_blank(Coverage.choices), required=False, widget=QuickSelect
    )

    # Any period of the program's life answers; a date outside these years is a typing error.
    FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

    def __init__(self, data=None, *, require_dates: bool = False, **kwargs):
        if data is not None:
            # The contract's names are `from` and `to`, which are Python keywords: map them.
            data = {**{k: data.get(k) for k in data}, "date_from": data.get("from"), "date_to": data.get("to")}
        super().__init__(data, **kwargs)
        self.require_dates = require_dates
        self.fields["date_from"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["date_to"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        technicians = (
            get_user_model()
            .objects.filter(profile__role=Role.TECHNICIAN)
            .order_by("last_name", "first_name", "username")
            .values_list("username", "first_name", "last_name")
        )
        self.fields["technician"].choices = _blank(
            (username, f"{first} {last}".strip() or username) for username, first, last in technicians
        )
        self.fields["model"].choices = _blank(
            (str(m.pk), str(m)) for m in DeviceModel.objects.order_by("manufacturer", "name")
        )

    def clean_establishment(self) -> str:
        uai = (self.cleaned_data.get("establishment") or "").strip().upper()
        if uai and not Establishment.objects.filter(uai=uai).exists():
            raise forms.ValidationError(_("No establishment has the UAI code “%(uai)s”."), params={"uai": uai})
        return uai

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        for name, label in (("date_from", "from"), ("date_to", "to")):
            if self.require_dates and not data.get(name) and name not in self.errors:
                self.add_error(name, _("“%(name)s” is required, as YYYY-MM-DD.") % {"name": label})
        date_from = data.get("date_from") or today.replace(day=1)
        date_to = data.get("date_to") or today
        for name, day in (("date_from", date_from), ("date_to", date_to)):
            if not self.FIRST_DAY <= day <= self.LAST_DAY and name not in self.errors:
                self.add_error(name, _("Choose a date between 2000 and 2099."))
        if date_from > date_to:
            self.add_error("date_to", _("The end of the period is before its start."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def params(self) -> ReportParams:
        data = self.cleaned_data
        return ReportParams(
            date_from=data["date_from"],
            date_to=data["date_to"],
            group_by=data.get("group_by") or "establishment",
            filters={name: str(data[name]) for name in FILTER_NAMES if data.get(name)},
        )

    def errors_json(self) -> dict[str, list[str]]:
        rename = {"date_from": "from", "date_to": "to"}
        return {rename.get(name, name): [str(m) for m in messages] for name, messages in self.errors.items()}
