"""/api-clients/ in the console: Administrators create clients (token shown once), revoke them."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import token_hash
from heapprivacy.audit.models import AuditEvent
from tests.api.conftest import Caller, client_with
from tests.support.cast import ROLES

pytestmark = pytest.mark.django_db

LIST = "/api-clients/"
NEW = "/api-clients/new"
TOKEN = re.compile(r'value="(hpk_[A-Za-z0-9_-]+)"')


def create(client: Client, name: str = "crm-sync", scopes: tuple = ("requests:read",)) -> str:
    response = client.post(NEW, {"name": name, "scopes": list(scopes)})
    assert response.status_code == 200, response.content
    return TOKEN.search(response.content.decode()).group(1)


def test_an_administrator_creates_a_client_and_sees_its_token_once(
    administrator_client: Client, administrator: User
) -> None:
    response = administrator_client.post(
        NEW, {"name": "crm-sync", "scopes": ["requests:create", "requests:read"]}
    )

    token = TOKEN.search(response.content.decode()).group(1)
    client = ApiClient.objects.get()
    assert client.token_hash == token_hash(token)
    assert client.created_by == administrator
    assert "no-store" in response["Cache-Control"]
    assert token not in administrator_client.get(LIST).content.decode()
    assert Caller(token).get("/api/v1/requests").status_code == 200


def test_the_creation_is_audited_without_the_token(administrator_client: Client) -> None:
    token = create(administrator_client)

    event = AuditEvent.objects.get(action="api_client.created")
    assert event.actor_kind == "user"
    assert event.details["scopes"] == ["requests:read"]
    assert token not in str(event.to_chain_dict())


def test_the_list_shows_prefix_scopes_and_status(administrator_client: Client) -> None:
    token = create(administrator_client, scopes=("audit:read", "batches:read"))

    page = administrator_client.get(LIST).content.decode()

    assert "crm-sync" in page
    assert f"{token[:12]}…" in page
    assert "<code>batches:read</code>, <code>audit:read</code>" in page
    assert "never" in page


def test_a_client_needs_a_name_and_a_scope(administrator_client: Client) -> None:
    response = administrator_client.post(NEW, {"name": "", "scopes": []})

    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert not ApiClient.objects.exists()


def test_a_name_in_use_is_refused_on_the_field(administrator_client: Client) -> None:
    create(administrator_client)

    response = administrator_client.post(NEW, {"name": "crm-sync", "scopes": ["audit:read"]})

    assert b"An API client with this name exists already." in response.content
    assert ApiClient.objects.count() == 1


def test_an_administrator_revokes_a_client(administrator_client: Client) -> None:
    token = create(administrator_client)
    client = ApiClient.objects.get()

    response = administrator_client.post(f"/api-clients/{client.pk}/revoke", follow=True)

    assert b"revoked: its token no longer works" in response.content
    assert Caller(token).get("/api/v1/requests").status_code == 401
    assert AuditEvent.objects.filter(action="api_client.revoked").count() == 1


def test_revoking_twice_says_so_and_records_once(administrator_client: Client) -> None:
    create(administrator_client)
    client = ApiClient.objects.get()
    administrator_client.post(f"/api-clients/{client.pk}/revoke")

    response = administrator_client.post(f"/api-clients/{client.pk}/revoke", follow=True)

    assert b"was revoked already" in response.content
    assert AuditEvent.objects.filter(action="api_client.revoked").count() == 1


@pytest.mark.parametrize("role", [role for role in ROLES if role != "administrator"])
def test_other_roles_are_refused_every_page(client_as: object, role: str) -> None:
    client, _ = client_with("audit:read")
    browser = client_as(role)

    answers = [
        browser.get(LIST),
        browser.get(NEW),
        browser.post(NEW, {"name": "x", "scopes": ["audit:read"]}),
        browser.post(f"/api-clients/{client.pk}/revoke"),
    ]

    assert [answer.status_code for answer in answers] == [403] * 4
    assert ApiClient.objects.get().is_active
    assert ApiClient.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    assert client.get(LIST).status_code == 302


def test_wrong_methods_are_refused(administrator_client: Client) -> None:
    assert administrator_client.post(LIST).status_code == 405
    assert administrator_client.get("/api-clients/1/revoke").status_code == 405


def test_revoke_needs_csrf(administrator: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(administrator)
    client, _ = client_with("audit:read")

    assert browser.post(f"/api-clients/{client.pk}/revoke").status_code == 403
    assert ApiClient.objects.get().is_active


def test_the_migration_grants_the_permission_to_administrators_only() -> None:
    from django.contrib.auth.models import Group

    holders = Group.objects.filter(permissions__codename="manage_apiclient")
    assert list(holders.values_list("name", flat=True)) == ["Administrator"]
