"""Every model change has its migration: what `makemigrations --check` says, run inside the suite
(in parallel with the other tests) instead of as a process of its own before it."""

from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState
from django.utils import translation


def pending_changes() -> dict:
    # As makemigrations does: names compared untranslated, or every French verbose_name differs.
    with translation.override(None):
        return _pending_changes()


def _pending_changes() -> dict:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    detector = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(apps),
        NonInteractiveMigrationQuestioner(specified_apps=set(), dry_run=True),
    )
    return detector.changes(graph=loader.graph)


def test_the_models_and_their_migrations_are_in_step():
    changes = pending_changes()
    described = {app: [migration.operations for migration in found] for app, found in changes.items()}
    assert changes == {}, f"Models changed without a migration: run manage.py makemigrations. {described}"


def test_a_model_change_without_its_migration_is_found(monkeypatch):
    from repairs.models import Ticket

    field = Ticket._meta.get_field("description")
    monkeypatch.setattr(field, "max_length", 12345)
    monkeypatch.setattr(field, "help_text", "changed")
    assert "repairs" in pending_changes()
