"""The answers of a locked-out login (django-axes' lockout callable) and the API's token endpoint.
Apart from config/auth.py, which DRF imports while loading its views (no view imports there)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, _unicode_ci_compare
from django.forms.utils import ErrorDict
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.auth import client_ip, is_refused_demo_account
from config.throttling import over_limit


def locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed attempts: logging in is blocked for %(minutes)s minutes. Try again later.") % {
        "minutes": minutes
    }


def lockout_response(request, original_response=None, credentials=None):
    """429 everywhere; the login page shows its form again with the reason, the API a JSON body."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": locked_message(), "code": "locked"}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    form = AuthenticationForm(request, data=request.POST or None)
    # Not validated again: that would count one more failure. The reason is the form's only error.
    form.cleaned_data, form._errors = {}, ErrorDict()
    form.add_error(None, locked_message())
    return render(request, "registration/login.html", {"form": form, "next": request.POST.get("next", "")}, status=429)


class TokenView(ObtainAuthToken):
    """POST username + password → the user's API token; 429 while the account or address is locked."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # the bounded JSON parser, as everywhere

    def post(self, request, *args, **kwargs):
        credentials = {"username": request.data.get("username")}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request._request, credentials):
            return lockout_response(request._request)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # This failure may be the one that locks: then say so rather than "wrong password".
            if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request._request, credentials):
                return lockout_response(request._request)
            return Response(
                {
                    "detail": _("Unable to log in with these credentials."),
                    "code": "invalid",
                    "errors": serializer.errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class DemoAwarePasswordResetForm(PasswordResetForm):
    """Django's form, minus the demo accounts where they may not log in: a reset must not turn a
    published demo account into a working one.

    Django's own leaves out accounts without a usable password (meant for single sign-on). Here
    those are the students the roster import created, and the reset is how they choose their
    first password; closed accounts (left, purged) are inactive and stay out."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        # The address compared as Django's own form compares it (`iexact` alone lets "ß" match "ss"
        # on some databases), with its function: the rest of its get_users is what is left out here.
        return (user for user in users if _unicode_ci_compare(email, user.email) and not is_refused_demo_account(user))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view, rate-limited: each request sends an e-mail, so an address (a caller) may ask
    PASSWORD_RESETS_PER_ADDRESS times an hour before a French refusal (429), and one mailbox gets
    at most PASSWORD_RESETS_PER_EMAIL messages an hour — past that the answer stays the same,
    so that it tells nothing about which addresses have an account."""

    form_class = DemoAwarePasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        if over_limit(
            f"pwreset-ip:{client_ip(request)}", limit=settings.PASSWORD_RESETS_PER_ADDRESS, window_seconds=3600
        ):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many password reset requests from this connection: try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().casefold()
        if over_limit(f"pwreset-mail:{email}", limit=settings.PASSWORD_RESETS_PER_EMAIL, window_seconds=3600):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)

    @property
    def extra_email_context(self):  # links point to the public address, not to the request's host
        return {"site_url": settings.SITE_URL}
