from django.db import migrations
from django.db.models import F


def delivered_when_handed_over(apps, schema_editor):
    # A repair's swap opened the new assignment without a delivery time, and the campaign counts a
    # student from the delivery: the swapped students dropped out of its figures. Only a parcel
    # (home delivery) is handed over before it is delivered.
    Assignment = apps.get_model("devices", "Assignment")
    Assignment.objects.filter(delivered_at__isnull=True).exclude(channel="carrier").update(
        delivered_at=F("handed_over_at")
    )


class Migration(migrations.Migration):
    dependencies = [("devices", "0009_assignment_delivered_at")]

    operations = [migrations.RunPython(delivered_when_handed_over, migrations.RunPython.noop)]
