"""Where the laptops are: académies, départements, technician zones and establishments."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Academie(models.TextChoices):
    TOULOUSE = "toulouse", _("Toulouse")
    MONTPELLIER = "montpellier", _("Montpellier")


class Departement(models.TextChoices):
    ARIEGE = "09", "09 Ariège"
    AUDE = "11", "11 Aude"
    AVEYRON = "12", "12 Aveyron"
    GARD = "30", "30 Gard"
    HAUTE_GARONNE = "31", "31 Haute-Garonne"
    GERS = "32", "32 Gers"
    HERAULT = "34", "34 Hérault"
    LOT = "46", "46 Lot"
    LOZERE = "48", "48 Lozère"
    HAUTES_PYRENEES = "65", "65 Hautes-Pyrénées"
    PYRENEES_ORIENTALES = "66", "66 Pyrénées-Orientales"
    TARN = "81", "81 Tarn"
    TARN_ET_GARONNE = "82", "82 Tarn-et-Garonne"


ACADEMIE_DEPARTEMENTS: dict[str, tuple[str, ...]] = {
    Academie.TOULOUSE: ("09", "12", "31", "32", "46", "65", "81", "82"),
    Academie.MONTPELLIER: ("11", "30", "34", "48", "66"),
}
DEPARTEMENT_ACADEMIE: dict[str, str] = {
    dep: academie for academie, deps in ACADEMIE_DEPARTEMENTS.items() for dep in deps
}


def academie_for_departement(departement: str) -> str:
    return DEPARTEMENT_ACADEMIE[departement]


class Zone(models.Model):
    """A technician zone: a set of establishments (through Establishment.zone), or the depot."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_depot = models.BooleanField(_("depot"), default=False)

    class Meta:
        verbose_name = _("technician zone")
        verbose_name_plural = _("technician zones")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


uai_validator = RegexValidator(r"^[0-9]{7}[A-Za-z]$", _("A UAI code is 7 digits followed by a letter, e.g. 0310024H."))


class Establishment(models.Model):
    class Kind(models.TextChoices):
        LGT = "lgt", _("General and technological lycée")
        LP = "lp", _("Vocational lycée")
        POLYVALENT = "polyvalent", _("Multi-track lycée")
        AGRICOLE = "agricole", _("Agricultural lycée")
        EREA = "erea", _("EREA")

    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    uai = models.CharField(_("UAI code"), max_length=8, unique=True, validators=[uai_validator])
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    departement = models.CharField(_("département"), max_length=2, choices=Departement.choices)
    # Derived from the département on save; stored so that reports can group and filter on it.
    academie = models.CharField(_("académie"), max_length=16, choices=Academie.choices, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LGT)
    sector = models.CharField(_("sector"), max_length=8, choices=Sector.choices, default=Sector.PUBLIC)
    lycee_numerique = models.BooleanField(_("“lycée numérique” label"), default=False)
    zone = models.ForeignKey(
        Zone,
        verbose_name=_("technician zone"),
        on_delete=models.PROTECT,
        related_name="establishments",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="establishment_uai_upper",
                condition=Q(uai=Upper("uai")),
            ),
            models.CheckConstraint(
                name="establishment_academie_matches_departement",
                condition=(
                    Q(academie=Academie.TOULOUSE, departement__in=ACADEMIE_DEPARTEMENTS[Academie.TOULOUSE])
                    | Q(academie=Academie.MONTPELLIER, departement__in=ACADEMIE_DEPARTEMENTS[Academie.MONTPELLIER])
                ),
            ),
        ]
        indexes = [models.Index(fields=["academie", "departement"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    def save(self, *args, **kwargs):
        self.normalise()
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        self.uai = (self.uai or "").strip().upper()
        if self.departement in DEPARTEMENT_ACADEMIE:
            self.academie = DEPARTEMENT_ACADEMIE[self.departement]

    def clean(self) -> None:
        # Before validate_unique, so that "0310024h" is seen as the existing "0310024H".
        self.normalise()
