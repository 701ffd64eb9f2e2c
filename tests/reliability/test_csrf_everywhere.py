"""CSRF on every POST: each URL of the console, the reports, the public pages and sign-in
refuses a POST without the CSRF token (403) before its view runs; only the API, which takes
bearer tokens a browser never sends by itself, is exempt."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# What a URL's converters get: any value reaches the CSRF check, which runs before the view.
SAMPLES = {
    "int": "1",
    "str": "DSR-2026-000001",
    "slug": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
    "path": "x",
}
EXEMPT = ("api/",)


def every_path(patterns: list, prefix: str = "") -> list[str]:
    paths = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            paths += every_path(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            paths.append(route)
    return paths


def concrete(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], route)
    return "/" + route.lstrip("^").rstrip("$")


def test_every_post_without_the_csrf_token_is_refused(administrator) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    paths = [
        concrete(r) for r in every_path(get_resolver().url_patterns) if not r.startswith(EXEMPT)
    ]

    answered = {path: client.post(path, {}).status_code for path in paths}

    assert len(paths) > 40
    assert {path: status for path, status in answered.items() if status != 403} == {}
