"""What a transactional test leaves behind for the tests that a worker runs after it."""

import pytest
from django.core.management import call_command

from repairs.models import LabourRate, SlaPolicy


def migration_rows():
    return (
        sorted(
            SlaPolicy.objects.values_list("priority", "category", "name", "first_response_hours", "resolution_hours")
        ),
        sorted(LabourRate.objects.values_list("coverage", "hourly_rate")),
    )


@pytest.mark.django_db(transaction=True)
def test_a_flush_brings_back_the_rows_the_migrations_write():
    written = migration_rows()
    assert written[0] and written[1]
    call_command("flush", interactive=False, verbosity=0)
    assert migration_rows() == written
