"""The Django admin shows erasure evidence read-only, and never the Heap api_key."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import (
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    RequestNote,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.pipeline.batches import batches_release
from tests.erasure.factories import API_KEY, SYSTEM, make_account, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root"))
    return client


@pytest.fixture
def acme() -> HeapAccount:
    return make_account()


@pytest.fixture
def evidence(acme: HeapAccount) -> dict[str, object]:
    """One of each: a request with a note, its subject, its batch with an attempt and a poll."""
    request = make_request(acme, ["alice@example.com"])
    request_approve(request, actor=SYSTEM)
    (batch_id,) = batches_release(acme, actor=SYSTEM)
    batch = DeletionBatch.objects.get(pk=batch_id)
    attempt = SubmissionAttempt.objects.create(
        batch=batch,
        number=1,
        started_at=timezone.now(),
        outcome=SubmissionAttempt.Outcome.PERMANENT,
        http_status=400,
        error_class="HeapBadRequest",
        message="<img src=x>",
    )
    poll = StatusPoll.objects.create(
        batch=batch, at=timezone.now(), http_status=200, status="pending-heap"
    )
    note = RequestNote.objects.create(
        request=request, author=User.objects.create_user("officer"), text="called back"
    )
    return {
        "heapaccount": acme,
        "erasurerequest": request,
        "subject": Subject.objects.get(),
        "deletionbatch": batch,
        "requestnote": note,
        "attempt": attempt,
        "poll": poll,
    }


MODELS = ["heapaccount", "erasurerequest", "subject", "deletionbatch", "requestnote"]


@pytest.mark.parametrize("model", MODELS)
def test_each_model_has_a_list_and_a_read_only_page(
    admin_client: Client, evidence: dict, model: str
) -> None:
    pk = evidence[model].pk

    assert admin_client.get(f"/admin/erasure/{model}/").status_code == 200
    response = admin_client.get(f"/admin/erasure/{model}/{pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_even_a_superuser_cannot_add_change_or_delete_evidence(
    admin_client: Client, evidence: dict, model: str
) -> None:
    pk = evidence[model].pk
    page = f"/admin/erasure/{model}/{pk}"

    assert admin_client.get(f"/admin/erasure/{model}/add/").status_code == 403
    assert admin_client.post(f"{page}/change/", {"label": "edited"}).status_code == 403
    assert admin_client.post(f"{page}/delete/", {"post": "yes"}).status_code == 403
    assert type(evidence[model]).objects.filter(pk=pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_no_bulk_delete_action_is_offered(admin_client: Client, evidence: dict, model: str) -> None:
    assert "delete_selected" not in admin_client.get(f"/admin/erasure/{model}/").content.decode()


def test_a_heap_account_shows_its_key_masked_and_neither_key_nor_ciphertext(
    admin_client: Client, acme: HeapAccount
) -> None:
    for url in ["/admin/erasure/heapaccount/", f"/admin/erasure/heapaccount/{acme.pk}/change/"]:
        page = admin_client.get(url).content.decode()
        assert f"••••{API_KEY[-4:]}" in page
        assert API_KEY not in page
        assert acme.api_key_encrypted not in page
        assert "api_key_encrypted" not in page


def test_a_request_shows_its_lifecycle_from_the_audit_trail(
    admin_client: Client, evidence: dict
) -> None:
    request: ErasureRequest = evidence["erasurerequest"]

    page = admin_client.get(f"/admin/erasure/erasurerequest/{request.pk}/change/").content.decode()

    assert "lifecycle" in page.lower()
    assert page.index("request.created") < page.index("request.approved")
    assert "tests</li>" in page


def test_the_lifecycle_escapes_what_it_shows(admin_client: Client, acme: HeapAccount) -> None:
    request = make_request(acme, ["a"])
    audit_record(
        "request.noted",
        actor=Actor.system("<script>alert(1)</script>"),
        target=request,
        request_ref=request.reference,
    )

    page = admin_client.get(f"/admin/erasure/erasurerequest/{request.pk}/change/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_a_batch_shows_its_attempts_and_polls_inline_and_escaped(
    admin_client: Client, evidence: dict
) -> None:
    batch = evidence["deletionbatch"]

    page = admin_client.get(f"/admin/erasure/deletionbatch/{batch.pk}/change/").content.decode()

    assert "HeapBadRequest" in page
    assert "&lt;img src=x&gt;" in page
    assert "<img src=x>" not in page
    assert "pending-heap" in page


def test_a_subjects_value_is_shown_with_invisible_characters_marked(
    admin_client: Client, acme: HeapAccount
) -> None:
    make_request(acme, ["al\u200bice"])

    page = admin_client.get("/admin/erasure/subject/").content.decode()

    assert "U+200B" in page


def test_staff_without_the_view_permission_see_no_heap_account(acme: HeapAccount) -> None:
    client = Client()
    client.force_login(User.objects.create_user("staff", is_staff=True))

    assert client.get("/admin/erasure/heapaccount/").status_code == 403
