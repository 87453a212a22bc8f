"""docs/PRIVACY.md maps every field of every model: a new field fails here until it is listed,
as personal (a row of the table, with why, who and how long) or as not personal."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "PRIVACY.md"
# The framework's tables that hold people: accounts, tokens, sessions, the admin's history,
# failed logins. The rest of the framework (permissions, groups, content types) holds no one.
FRAMEWORK_MODELS = (
    "auth.User",
    "authtoken.Token",
    "sessions.Session",
    "admin.LogEntry",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
)
FIELD = re.compile(r"`([a-z_]+\.[A-Z][A-Za-z]+\.[a-z_0-9]+)`")
NOT_PERSONAL = re.compile(r"^- `([a-z_]+\.[A-Z][A-Za-z]+)`: (.+)$")


def models():
    for app in settings.LOCAL_APPS:
        yield from apps.get_app_config(app.rpartition(".")[2]).get_models()
    for label in FRAMEWORK_MODELS:
        yield apps.get_model(label)


def model_fields() -> set[str]:
    return {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in models()
        for field in model._meta.concrete_fields
    }


def documented() -> tuple[set[str], set[str]]:
    personal, not_personal = set(), set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            personal.update(FIELD.findall(line.split("|")[1]))
        match = NOT_PERSONAL.match(line)
        if match:
            names = [name.strip() for name in match.group(2).split(",")]
            not_personal.update(f"{match.group(1)}.{name}" for name in names if name and name != "—")
    return personal, not_personal


def test_every_field_of_every_model_is_in_the_data_map():
    personal, not_personal = documented()
    missing = sorted(model_fields() - personal - not_personal)
    assert missing == [], (
        "docs/PRIVACY.md does not list these fields: add a row to the personal table (why, who sees "
        "it, how long) or the field to its model's line of the not-personal list:\n" + "\n".join(missing)
    )


def test_the_data_map_names_no_field_that_does_not_exist():
    personal, not_personal = documented()
    assert sorted((personal | not_personal) - model_fields()) == []


def test_no_field_is_both_personal_and_not():
    personal, not_personal = documented()
    assert sorted(personal & not_personal) == []


def test_the_service_keeps_no_ine_anywhere():
    """The national student number is never stored: no field is named or labelled after it."""
    for model in models():
        for field in model._meta.concrete_fields:
            words = {field.name.lower(), *re.findall(r"[a-z]+", str(field.verbose_name).lower())}
            assert "ine" not in words, f"{model.__name__}.{field.name}"


def test_no_model_holds_a_postal_address():
    """A home delivery keeps the carrier and tracking number; the carrier holds the address."""
    for model in models():
        names = {field.name for field in model._meta.concrete_fields}
        assert not names & {"address_line", "street", "postal_code", "postcode", "zip_code", "home_address"}, model
