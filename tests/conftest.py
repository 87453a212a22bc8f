"""The rows the migrations write come back whenever a transactional test empties the database.

A transactional test (the browser tests, the concurrency tests…) ends with a flush of every
table; Django then sends post_migrate, which brings back the content types and permissions but
not the rows written by the data migrations (the default SLA policies and labour rates). Without
them, a test that a worker runs after a flush (xdist's worksteal hands a worker tests from the
other's queue, in any order) would find no SLA policy. The receiver below writes them again with
the migrations' own functions, so they are the rows the migrations write.
"""

import gc
import importlib

from django.apps import apps
from django.db.models.signals import post_migrate

DATA_MIGRATIONS = [
    ("repairs.migrations.0003_default_sla_policies", "create"),
    ("repairs.migrations.0006_repair_desk", "default_labour_rates"),
]


def restore_migration_rows(sender, **kwargs):
    if sender.label != "repairs":
        return
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


post_migrate.connect(restore_migration_rows, dispatch_uid="tests-restore-migration-rows")


def pytest_collection_finish(session):
    """Once every module is imported, what exists lives for the whole run (Django's apps, the
    URLconf, the collected tests): set it aside from the garbage collector, which otherwise walks
    it again at each full collection (about a sixth of the suite's time in a measured sample)."""
    gc.collect()
    gc.freeze()
