"""The dashboard's parameters, read the same way by the page, its downloads and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from devices.models import Academie, Departement
from distribution.dates import school_year_of
from distribution.progress import GROUP_BY_CHOICES


@dataclass(frozen=True)
class ProgressParams:
    year: int
    group_by: str = "establishment"
    academie: str = ""
    departement: str = ""

    def as_query(self) -> dict[str, str]:
        query = {"year": str(self.year), "group_by": self.group_by}
        if self.academie:
            query["academie"] = self.academie
        if self.departement:
            query["departement"] = self.departement
        return query


class ProgressForm(forms.Form):
    year = forms.IntegerField(
        label=_("School year starting in"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("The year is a number such as 2026 (for the school year 2026-2027).")},
    )
    group_by = forms.ChoiceField(label=_("Grouped by"), choices=GROUP_BY_CHOICES, required=False)
    academie = forms.ChoiceField(label=_("Académie"), choices=[("", _("All")), *Academie.choices], required=False)
    departement = forms.ChoiceField(
        label=_("Département"), choices=[("", _("All")), *Departement.choices], required=False
    )

    def params(self) -> ProgressParams:
        data = self.cleaned_data
        return ProgressParams(
            year=data.get("year") or school_year_of(timezone.localdate()),
            group_by=data.get("group_by") or "establishment",
            academie=data.get("academie") or "",
            departement=data.get("departement") or "",
        )

    def errors_json(self) -> dict[str, list[str]]:
        return {field: [str(e) for e in errors] for field, errors in self.errors.items()}
