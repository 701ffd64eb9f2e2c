"""The outbox in the admin: read-only, and never the address or the email's content."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.erasure.lifecycle.requests import request_reject
from heapprivacy.notifications.models import Notification
from tests.erasure.factories import SYSTEM
from tests.notifications import backends
from tests.notifications.conftest import ALICE, committed

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@corp.example", "pw-1234567890"))
    return client


@pytest.fixture
def pending(alices_request, settings) -> Notification:
    """A rejection email still waiting for the mail server: its row holds the address."""
    settings.EMAIL_BACKEND = backends.DOWN
    with committed():
        request_reject(alices_request, actor=SYSTEM, reason_code="identity_not_verified")
    return Notification.objects.get()


def test_the_list_and_a_row_show_neither_address_nor_content(
    superuser_client: Client, pending: Notification
) -> None:
    listing = superuser_client.get("/admin/notifications/notification/")
    row = superuser_client.get(f"/admin/notifications/notification/{pending.pk}/change/")

    assert listing.status_code == row.status_code == 200
    assert pending.recipient == ALICE
    for page in (listing.content.decode(), row.content.decode()):
        assert ALICE not in page
        assert "status/" not in page
    assert pending.recipient_hmac in row.content.decode()


def test_no_one_adds_or_deletes_an_email_there(
    superuser_client: Client, pending: Notification
) -> None:
    assert superuser_client.get("/admin/notifications/notification/add/").status_code == 403
    delete = f"/admin/notifications/notification/{pending.pk}/delete/"
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.count() == 1
