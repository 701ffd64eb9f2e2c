"""Staff pages open only after the second factor: a signed-in user who still owes a code (or
an authenticator) is sent to give it, wherever they were going."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from heapprivacy.accounts.mfa import second_factor_due

# Pages a half-signed-in user may still open: signing in and out, the second factor itself,
# setting a password, and what needs no staff session at all.
OPEN_PREFIXES = ("/accounts/", "/static/", "/privacy/", "/api/", "/healthz", "/favicon.ico")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES) and second_factor_due(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_verify')}?{query}")
        return self.get_response(request)
