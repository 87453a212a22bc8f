"""Who may log in, and how often one may try.

- Demo accounts (`demo-…`, made by seed_demo with a published password) never work where demo data
  is not allowed (the production profile): not by password, not by session, not by API token.
- Failed logins are counted by django-axes, on the login form and on the API's token endpoint
  alike: 10 failures for one account, or 50 from one address, each within 15 minutes of the one
  before, lock that account or address for 15 minutes, even with the right password. The form
  says so in French; the API answers 429 with a JSON body (config/auth_views.py).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from config import compiled_sql

DEMO_USERNAME_PREFIX = "demo-"


def is_refused_demo_account(user) -> bool:
    return not settings.DEMO_DATA_ALLOWED and user.get_username().startswith(DEMO_USERNAME_PREFIX)


class DemoAwareModelBackend(ModelBackend):
    """Django's backend, except that demo accounts cannot log in where demo data is not allowed.

    A production database restored from a demo, or seeded by mistake, must not open a door
    with a published password. (Sessions too: a session is re-checked through this backend.)
    """

    def user_can_authenticate(self, user) -> bool:
        if is_refused_demo_account(user):
            return False
        return super().user_can_authenticate(user)

    def get_user(self, user_id):
        # Every page reads the person's role, establishment and zone: with the user, in one query.
        # The statement is compiled once per process (config/compiled_sql.py), the person read each time.
        found = compiled_sql.evaluate(("session user",), _user_with_profile, user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_with_profile(user_id):
    return get_user_model()._default_manager.select_related("profile__zone").filter(pk=user_id).order_by("pk")[:1]


class DemoAwareTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing demo accounts' tokens where demo data is not allowed:
    a token made while the demo ran keeps no door open once the production profile is on."""

    def authenticate_credentials(self, key):
        # The person's role, establishment and zone, which every API view reads, come with the
        # token in one query (as with a session: DemoAwareModelBackend.get_user).
        token = self.get_model().objects.select_related("user__profile__zone").filter(key=key).first()
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's refusal, in its own words
        if is_refused_demo_account(token.user):
            raise exceptions.AuthenticationFailed(_("Demo accounts are disabled on this server."))
        return token.user, token


class AccountOrAddressHandler(AxesDatabaseHandler):
    """Axes counts one number against one limit; the service has two (per account, per address).
    Failures from one address are scaled so that AXES_ADDRESS_FAILURE_LIMIT of them weigh
    AXES_FAILURE_LIMIT: floor(n × 10 / 50) ≥ 10 exactly when n ≥ 50."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = by_address = 0
        if username:
            by_account = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
        address = getattr(request, "axes_ip_address", None)
        if address:
            by_address = recent.filter(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"] or 0
        return max(by_account, by_address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT)


def client_ip(request) -> str:
    """The caller's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the entry
    of X-Forwarded-For that the outermost of them wrote (what a client writes itself is ignored)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """What axes writes in its log lines: the path only (a username is often a person's name)."""
    return f"a client of {path_info}"
