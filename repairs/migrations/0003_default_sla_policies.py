"""Default SLA policies, one per priority, editable in the admin. Targets in business hours
(a working day of 8:00–18:00 is 10 hours)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # priority, name, first response (h), resolution (h)
    ("urgent", "Urgente : prise en charge 2 h, résolution 2 jours ouvrés", "2", "20"),
    ("high", "Haute : prise en charge 4 h, résolution 3 jours ouvrés", "4", "30"),
    ("normal", "Normale : prise en charge 1 jour, résolution 5 jours ouvrés", "10", "50"),
    ("low", "Basse : prise en charge 2 jours, résolution 10 jours ouvrés", "20", "100"),
]


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("repairs", "SlaPolicy")
    for priority, name, first, resolution in DEFAULTS:
        SlaPolicy.objects.get_or_create(
            priority=priority,
            category="",
            defaults={
                "name": name,
                "first_response_hours": Decimal(first),
                "resolution_hours": Decimal(resolution),
                "workday_start": dt.time(8),
                "workday_end": dt.time(18),
                "working_days": "12345",
                "skip_school_holidays": False,
                "pause_states": ["awaiting_device"],
            },
        )


def remove(apps, schema_editor):
    SlaPolicy = apps.get_model("repairs", "SlaPolicy")
    SlaPolicy.objects.filter(category="", priority__in=[row[0] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("repairs", "0002_sla_reports")]

    operations = [migrations.RunPython(create, remove)]
