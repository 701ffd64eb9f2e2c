import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root"))
    return client


def test_the_list_shows_seq_actor_action_target_and_request(admin_client: Client) -> None:
    officer = User.objects.create_user("officer")
    audit_record(
        "request.approved",
        actor=Actor.for_user(officer),
        target=officer,
        request_ref="DSR-2026-000123",
    )

    page = admin_client.get("/admin/audit/auditevent/").content.decode()

    assert "request.approved" in page
    assert "user: officer" in page
    assert f"auth.user {officer.pk}" in page
    assert "DSR-2026-000123" in page


def test_even_a_superuser_cannot_add_change_or_delete_an_event(admin_client: Client) -> None:
    event = audit_record("batch.released", actor=Actor.system())
    page = f"/admin/audit/auditevent/{event.pk}"

    assert admin_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert admin_client.post(f"{page}/change/", {"action": "batch.edited"}).status_code == 403
    assert admin_client.post(f"{page}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{page}/change/").status_code == 200
    assert AuditEvent.objects.get().action == "batch.released"
