"""A URL that fails, for the 500 page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tests.erasure.factories import API_KEY


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"a bug, with a secret in its message: {API_KEY}")


urlpatterns = [path("broken", broken)]
