"""Login throttling (10 failures per account or 50 per address within 15 minutes lock for 15
minutes, even with the right password), API throttles, demo accounts refused under the production
profile, and password reset by e-mail."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.throttling import UserThrottle
from devices.importing import students_import
from tests.devices.factories import EstablishmentFactory, make_person

pytestmark = pytest.mark.django_db
LOCKED_FR = "Trop d’échecs"


@pytest.fixture(autouse=True)
def axes_on(settings):
    settings.AXES_ENABLED = True
    cache.clear()


def login(client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def test_ten_failures_lock_the_account_for_15_minutes_even_with_the_right_password(client):
    make_person("technician", username="tech")
    answers = [login(client, "tech", "wrong").status_code for _ in range(10)]
    assert answers == [200] * 9 + [429]
    locked = login(client, "tech", "pw")
    assert locked.status_code == 429
    assert LOCKED_FR in locked.content.decode()  # on the login form, in French
    assert 'name="username"' in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # Another account from the same address still logs in: 10 failures are far from 50.
    make_person("manager", username="chef")
    assert login(client, "chef", "pw").status_code == 302

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert login(client, "tech", "pw").status_code == 302


def test_fifty_failures_from_one_address_lock_every_account_from_it(client):
    make_person("manager", username="chef")
    for number in range(49):
        assert login(client, f"inconnu-{number % 7}", "wrong").status_code == 200
    assert login(client, "chef", "pw").status_code == 302
    client.logout()
    assert login(client, "inconnu-9", "wrong").status_code == 429  # the 50th
    assert login(client, "chef", "pw").status_code == 429
    # Another address is not concerned.
    assert client.post("/login/", {"username": "chef", "password": "pw"}, REMOTE_ADDR="10.9.8.7").status_code == 302


def test_the_token_endpoint_counts_failures_and_answers_429_in_json():
    make_person("technician", username="tech")
    api = APIClient()
    answers = [api.post("/api/v1/auth/token/", {"username": "tech", "password": "wrong"}) for _ in range(10)]
    assert [answer.status_code for answer in answers] == [400] * 9 + [429]
    assert answers[0].json()["code"] == "invalid"
    locked = api.post("/api/v1/auth/token/", {"username": "tech", "password": "pw"})
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked" and LOCKED_FR in locked.json()["detail"]
    assert not Token.objects.exists()


def test_the_token_endpoint_gives_a_token_for_the_right_password():
    person = make_person("technician", username="tech")
    response = APIClient().post("/api/v1/auth/token/", {"username": "tech", "password": "pw"})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=person).key}


def test_a_demo_accounts_token_is_refused_where_demo_data_is_not_allowed(settings):
    person = make_person("manager", username="demo-manager")
    token = Token.objects.create(user=person)  # made while the demo ran
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 200
    settings.DEMO_DATA_ALLOWED = False
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 401
    assert "démonstration" in refused.json()["detail"]
    assert APIClient().post("/api/v1/auth/token/", {"username": "demo-manager", "password": "pw"}).status_code == 400


def test_a_demo_accounts_session_ends_where_demo_data_is_not_allowed(client, settings):
    client.force_login(make_person("manager", username="demo-manager"))
    assert client.get("/tickets/").status_code == 200
    settings.DEMO_DATA_ALLOWED = False
    assert client.get("/tickets/").status_code == 302  # back to the login page


def test_the_api_throttles_each_caller(monkeypatch):
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    api = APIClient()
    api.force_authenticate(make_person("technician", username="tech"))
    answers = [api.get("/api/v1/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = APIClient()
    other.force_authenticate(make_person("technician", username="tech-2"))
    assert other.get("/api/v1/me/").status_code == 200


def test_the_api_answers_when_the_throttles_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens: refused at once
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    api = APIClient()
    api.force_authenticate(make_person("technician", username="tech"))
    assert api.get("/api/v1/me/").status_code == 200


def test_password_reset_by_email_sets_a_new_password(client, settings):
    settings.SITE_URL = "https://sav.example.org"
    make_person("staff", username="referente", email="referente@example.org")
    login_page = client.get("/login/").content.decode()
    assert "Mot de passe oublié ?" in login_page
    response = client.post("/password-reset/", {"email": "referente@example.org"})
    assert response.status_code == 302
    assert "Consultez votre messagerie" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["referente@example.org"]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"https://sav\.example\.org(/password-reset/\S+/)", message.body)[1]
    form = client.get(link, follow=True)
    assert "Choisissez un nouveau mot de passe" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Ordi-2026-neuf", "new_password2": "Ordi-2026-neuf"}
    )
    assert done.status_code == 302
    settings.AXES_ENABLED = False  # the test client's login() passes no request
    assert client.login(username="referente", password="Ordi-2026-neuf")


def test_a_student_from_the_roster_import_chooses_a_first_password_by_reset(client, settings, tmp_path):
    # The import makes accounts without a password; the reset is how a student gets in.
    EstablishmentFactory(uai="0310024H")
    roster = tmp_path / "eleves.csv"
    roster.write_text(
        "student_id,last_name,first_name,class,establishment_uai,email\n"
        "E00042,Martin,Camille,2NDE1,0310024H,camille.martin@example.org\n"
    )
    students_import(path=roster)
    student = get_user_model().objects.get(email="camille.martin@example.org")
    assert not student.has_usable_password()
    assert client.post("/password-reset/", {"email": "Camille.Martin@example.org"}).status_code == 302
    assert [m.to for m in mail.outbox] == [["camille.martin@example.org"]]
    link = re.search(r"(/password-reset/\S+/)", mail.outbox[0].body)[1]
    form = client.get(link, follow=True)
    assert "Choisissez un nouveau mot de passe" in form.content.decode()
    client.post(form.redirect_chain[-1][0], {"new_password1": "Ordi-2026-neuf", "new_password2": "Ordi-2026-neuf"})
    settings.AXES_ENABLED = False  # the test client's login() passes no request
    assert client.login(username=student.username, password="Ordi-2026-neuf")


def test_a_closed_account_gets_no_reset_even_without_a_password(client):
    person = make_person("student", username="parti", email="parti@example.org")
    person.set_unusable_password()
    person.is_active = False
    person.save()
    assert client.post("/password-reset/", {"email": "parti@example.org"}).status_code == 302
    assert mail.outbox == []


def test_password_reset_sends_nothing_for_an_unknown_address_or_a_refused_demo_account(client, settings):
    make_person("manager", username="demo-manager", email="demo@example.org")
    settings.DEMO_DATA_ALLOWED = False
    for address in ("personne@example.org", "demo@example.org"):
        assert client.post("/password-reset/", {"email": address}).status_code == 302  # same answer: no oracle
    assert mail.outbox == []


def test_password_reset_mails_a_mailbox_three_times_an_hour_and_refuses_a_caller_past_ten(client, settings):
    from django.core.cache import cache

    cache.clear()
    make_person("staff", username="referente", email="referente@example.org")
    for _ in range(5):
        assert client.post("/password-reset/", {"email": "referente@example.org"}).status_code == 302
    assert len(mail.outbox) == 3  # the same answer each time, but the mailbox is not flooded
    for n in range(5):
        assert client.post("/password-reset/", {"email": f"autre{n}@example.org"}).status_code == 302
    refused = client.post("/password-reset/", {"email": "referente@example.org"})
    assert refused.status_code == 429
    assert "Trop de demandes de réinitialisation" in refused.content.decode()
    assert len(mail.outbox) == 3
    cache.clear()
