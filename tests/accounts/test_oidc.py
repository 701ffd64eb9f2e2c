"""Staff may sign in through the organisation's identity provider (OpenID Connect), which then
answers for their second factor; only users an administrator invited come in.

The provider is a real HTTP server on 127.0.0.1 (tests/accounts/identity_provider.py) that
signs its ID tokens with an RSA key made for the run; the test plays the browser between them.
"""

import importlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import clear_url_caches

import heapprivacy.urls
from heapprivacy.accounts.mfa import SIGNED_IN_BY_PROVIDER, second_factor_due
from heapprivacy.audit.models import AuditEvent
from tests.accounts.identity_provider import LoopbackProvider
from tests.support.cast import PASSWORD

pytestmark = pytest.mark.django_db

BACKEND = "heapprivacy.accounts.oidc.StaffProviderBackend"


def urls_rebuilt() -> None:
    """heapprivacy.urls reads OIDC_RP_CLIENT_ID once, at import, as it does at start-up."""
    importlib.reload(heapprivacy.urls)
    clear_url_caches()


@pytest.fixture(scope="module")
def provider() -> Iterator[LoopbackProvider]:
    running = LoopbackProvider().start()
    yield running
    running.stop()


@pytest.fixture
def sso(settings, provider: LoopbackProvider) -> Iterator[LoopbackProvider]:
    """Single sign-on configured as settings.py does from OIDC_ variables, MFA required."""
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_PROVIDER_NAME = "Okta"
    settings.AUTHENTICATION_BACKENDS = [BACKEND, *settings.AUTHENTICATION_BACKENDS]
    settings.MFA_REQUIRED = True
    urls_rebuilt()
    yield provider
    settings.OIDC_RP_CLIENT_ID = ""
    urls_rebuilt()
    provider.reset()


@pytest.fixture
def olivia(officer: User) -> User:
    officer.email = "Olivia@Example.org"
    officer.save(update_fields=["email"])
    return officer


def claims(email: str = "olivia@example.org", **more: object) -> dict[str, object]:
    return {"sub": "okta-0001", "email": email, "email_verified": True, **more}


def through_provider(
    provider: LoopbackProvider, vouched: dict[str, object], client: Client | None = None
) -> tuple[Client, HttpResponse]:
    """The browser's round trip: to the provider, and back to the callback with its code."""
    client = client or Client()
    start = client.get("/accounts/oidc/authenticate/", {"next": "/requests/"})
    code = provider.authorize(start["Location"], vouched)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    return client, client.get("/accounts/oidc/callback/", {"code": code, "state": state})


def page_after(client: Client, response: HttpResponse) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_the_login_page_offers_the_provider_above_the_password_form(sso) -> None:
    page = Client().get("/accounts/login/?next=/requests/").content.decode()

    button = page.index('href="/accounts/oidc/authenticate/?next=/requests/"')
    assert page.index("Sign in with Okta") > button
    assert page.index('name="password"') > button


def test_signing_in_starts_at_the_provider_with_a_state_and_a_nonce_kept(sso) -> None:
    client = Client()

    response = client.get("/accounts/oidc/authenticate/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso.url}/authorize"
    query = parse_qs(location.query)
    assert query["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]
    kept = client.session["oidc_states"][query["state"][0]]
    assert kept["nonce"] == query["nonce"][0]


def test_a_known_user_signs_in_and_reaches_the_console_without_a_code(sso, olivia) -> None:
    client, response = through_provider(sso, claims())

    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    page = client.get("/requests/")
    assert page.status_code == 200
    assert page.wsgi_request.user == olivia


def test_a_sign_in_through_the_provider_is_audited(sso, olivia) -> None:
    through_provider(sso, claims())

    event = AuditEvent.objects.get(action="user.sso_signed_in")
    assert event.target_id == str(olivia.pk)
    assert event.actor_label == "olivia"
    assert event.details == {"username": "olivia", "provider": "Okta"}


def test_a_session_signed_in_through_the_provider_owes_no_code_at_no_query_cost(
    sso, olivia, django_assert_num_queries
) -> None:
    request = RequestFactory().get("/requests/")
    request.user = olivia
    request.session = SessionStore()
    request.session[SIGNED_IN_BY_PROVIDER] = True

    with django_assert_num_queries(0):
        assert second_factor_due(request) is False


def test_a_password_log_in_still_asks_for_the_code(sso, olivia) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})

    response = client.get("/requests/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")


def test_an_unknown_email_is_refused_and_nobody_is_created(sso, olivia) -> None:
    users = User.objects.count()

    client, response = through_provider(sso, claims("mallory@elsewhere.example"))

    assert "No heapprivacy user has your email address" in page_after(client, response)
    assert User.objects.count() == users
    assert not client.get("/requests/").wsgi_request.user.is_authenticated


def test_a_refusal_is_audited_with_the_domain_and_no_address(sso) -> None:
    through_provider(sso, claims("mallory@Elsewhere.example"))

    event = AuditEvent.objects.get(action="user.sso_refused")
    assert event.details == {
        "reason": "unknown_email",
        "provider": "Okta",
        "domain": "elsewhere.example",
    }
    assert event.target_id == ""


def test_a_deactivated_user_is_refused(sso, olivia) -> None:
    olivia.is_active = False
    olivia.save(update_fields=["is_active"])

    client, response = through_provider(sso, claims())

    assert "Your heapprivacy account is deactivated" in page_after(client, response)
    event = AuditEvent.objects.get(action="user.sso_refused")
    assert (event.details["reason"], event.target_id) == ("inactive", str(olivia.pk))


def test_an_email_the_provider_has_not_verified_is_refused(sso, olivia) -> None:
    client, response = through_provider(sso, claims(email_verified=False))

    assert "Okta has not verified your email address" in page_after(client, response)
    event = AuditEvent.objects.get(action="user.sso_refused")
    assert (event.details["reason"], event.target_id) == ("email_unverified", "")


def test_an_email_shared_by_two_users_signs_neither_in(sso, olivia, second_officer) -> None:
    second_officer.email = "olivia@example.org"
    second_officer.save(update_fields=["email"])

    client, response = through_provider(sso, claims())

    assert "More than one heapprivacy user has your email address" in page_after(client, response)


def test_an_id_token_not_signed_by_the_provider_is_refused(sso, olivia) -> None:
    sso.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    client, response = through_provider(sso, claims())

    assert "Signing in with Okta did not complete" in page_after(client, response)
    assert not AuditEvent.objects.filter(action__startswith="user.sso").exists()


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(sso, olivia) -> None:
    client = Client()
    client.get("/accounts/oidc/authenticate/")

    response = client.get("/accounts/oidc/callback/", {"code": "stolen", "state": "forged"})

    assert "Signing in with Okta did not complete" in page_after(client, response)


def test_a_user_deactivated_after_signing_in_is_signed_out_at_the_next_page(sso, olivia) -> None:
    client, _ = through_provider(sso, claims())
    olivia.is_active = False
    olivia.save(update_fields=["is_active"])

    response = client.get("/requests/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_log_in_with_a_code_in_its_address_is_not_sent_to_the_provider(
    sso, olivia
) -> None:
    response = Client().post(
        "/accounts/login/?code=abc&state=xyz", {"username": "olivia", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert sso.received == []


def test_without_configuration_the_login_page_offers_only_the_password(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()

    assert "Sign in with" not in page
    assert "/accounts/oidc/" not in page


@pytest.mark.parametrize("address", ["/accounts/oidc/authenticate/", "/accounts/oidc/callback/"])
def test_without_configuration_the_single_sign_on_addresses_do_not_exist(
    client: Client, address: str
) -> None:
    assert client.get(address).status_code == 404
