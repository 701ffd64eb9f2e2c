"""manage.py api_client: create (the token printed once, alone on stdout), list, revoke."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import token_hash
from heapprivacy.audit.models import AuditEvent
from tests.api.conftest import Caller

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_client", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_alone_and_stores_only_its_hash() -> None:
    out, err = run("create", "crm-sync", "--scope", "requests:create", "--scope", "requests:read")

    token = out.strip()
    client = ApiClient.objects.get()
    assert token.startswith("hpk_")
    assert client.token_hash == token_hash(token)
    assert client.token_prefix == token[:12]
    assert client.scopes == ["requests:create", "requests:read"]
    assert "crm-sync" in err
    assert token not in err
    assert Caller(token).get("/api/v1/requests").status_code == 200


def test_create_is_audited_without_the_token() -> None:
    out, _ = run("create", "crm-sync", "--scope", "audit:read")

    event = AuditEvent.objects.get(action="api_client.created")
    assert event.actor_label == "manage.py api_client"
    assert out.strip() not in str(event.to_chain_dict())


def test_create_refuses_an_unknown_scope() -> None:
    with pytest.raises(CommandError):
        run("create", "crm-sync", "--scope", "requests:delete")

    assert not ApiClient.objects.exists()


def test_create_refuses_a_name_in_use() -> None:
    run("create", "crm-sync", "--scope", "audit:read")

    with pytest.raises(CommandError, match="exists already"):
        run("create", "crm-sync", "--scope", "audit:read")


def test_list_shows_prefixes_and_never_a_token() -> None:
    token = run("create", "crm-sync", "--scope", "audit:read")[0].strip()

    out, _ = run("list")

    assert "crm-sync" in out
    assert f"{token[:12]}…" in out
    assert token not in out
    assert "active" in out
    assert "last used never" in out


def test_revoke_stops_the_token_at_once() -> None:
    token = run("create", "crm-sync", "--scope", "audit:read")[0].strip()

    out, _ = run("revoke", "crm-sync")

    assert out.strip() == "revoked crm-sync"
    assert Caller(token).get("/api/v1/audit").status_code == 401
    assert AuditEvent.objects.filter(action="api_client.revoked").count() == 1
    assert "revoked" in run("list")[0]


def test_revoke_refuses_an_unknown_or_already_revoked_client() -> None:
    run("create", "crm-sync", "--scope", "audit:read")
    run("revoke", "crm-sync")

    with pytest.raises(CommandError, match="revoked already"):
        run("revoke", "crm-sync")
    with pytest.raises(CommandError, match="no API client"):
        run("revoke", "nobody")
