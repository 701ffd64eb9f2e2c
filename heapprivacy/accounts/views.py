"""Signing in: the login page, the identity provider's answer, the TOTP code, setting up an
authenticator, and setting a password from an invitation or reset link."""

import logging
from base64 import b32encode
from typing import Any

import jwt
import requests
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from heapprivacy.accounts.access import StaffRequest
from heapprivacy.accounts.mfa import (
    authenticator_confirm,
    authenticator_enrolled,
    authenticator_qr_data_url,
    authenticator_start,
    provider_sign_in_remember,
    second_factor_due,
    second_factor_verify,
)
from heapprivacy.accounts.oidc import refusal_words
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record

logger = logging.getLogger("heapprivacy.accounts")


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\d{6}$",
        label="Code from your authenticator app",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SignInView(auth_views.LoginView):
    """The password form, below the identity provider's button when single sign-on is on."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = settings.OIDC_PROVIDER_NAME if settings.OIDC_RP_CLIENT_ID else ""
        return context


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the user back: signed in, or to the login page with
    what happened in words."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as exc:
            # A replayed or forged answer, a bad signature, a provider that cannot be reached.
            logger.warning("Sign-in through the identity provider failed: %s", exc)
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        provider_sign_in_remember(self.request)
        return response

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, refusal_words(self.request))
        return redirect("login")


@require_http_methods(["GET", "POST"])
@login_required
def second_factor(request: StaffRequest) -> HttpResponse:
    if not second_factor_due(request):
        return redirect(_next(request))
    if not authenticator_enrolled(request.user):
        return redirect(f"{reverse('mfa_setup')}?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if second_factor_verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error("code", "That code is not right, or has expired: try the current one.")
    return render(request, "accounts/second_factor.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
@login_required
def authenticator_setup(request: StaffRequest) -> HttpResponse:
    """Shows the key (QR code and text) and asks for the first code; replaces an older app."""
    if authenticator_enrolled(request.user) and second_factor_due(request):
        return redirect(f"{reverse('mfa_verify')}?{request.GET.urlencode()}")
    device = authenticator_start(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if authenticator_confirm(request, device, form.cleaned_data["code"]):
            messages.success(request, "Two-factor sign-in is set up: keep the app on your phone.")
            return redirect(_next(request))
        form.add_error("code", "That code does not match the key: scan it again and retry.")
    context = {
        "form": form,
        "qr_url": authenticator_qr_data_url(device),
        "secret": _grouped(device.bin_key),
        "next": _next(request),
    }
    return render(request, "accounts/authenticator_setup.html", context)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """An invitation or reset link: the user chooses a password, then signs in."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: forms.Form) -> HttpResponse:
        response = super().form_valid(form)
        details = {"username": self.user.username}
        audit_record(
            "user.password_set", actor=Actor.for_user(self.user), target=self.user, details=details
        )
        messages.success(self.request, "Your password is set: sign in with it.")
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("console:home")


def _grouped(key: bytes) -> str:
    """The base32 key in groups of four, for typing into an app that cannot scan."""
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
