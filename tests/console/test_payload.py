"""The exact user_deletion body: a batch's (download or preview), and a dry run of a release."""

import hashlib
import json

import pytest
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import DeletionBatch, Subject
from heapprivacy.erasure.pipeline import heap as erasure_heap
from heapprivacy.erasure.pipeline.payloads import payload_sha256, payload_users
from tests.console.factories import approved, make_batch
from tests.erasure.factories import API_KEY, make_account, make_request
from tests.support.cast import ROLES

pytestmark = pytest.mark.django_db

PREVIEW = "/batches/preview"


def payload_url(batch: DeletionBatch) -> str:
    return f"/batches/{batch.pk}/payload.json"


def members_payload(batch: DeletionBatch) -> list[dict[str, object]]:
    return payload_users(batch.members.order_by("id").values_list("kind", "value"))


# --- A batch's payload ---------------------------------------------------------------------------


def test_the_download_is_the_payload_of_the_members_in_id_order(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["zoe", "adam", "zoe", "mia"])

    response = officer_client.get(payload_url(batch))

    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"users": members_payload(batch)}
    assert json.loads(response.content) == {
        "users": [{"identity": "zoe"}, {"identity": "adam"}, {"identity": "mia"}]
    }


def test_the_download_is_an_attachment_named_after_the_batch(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a"])

    response = officer_client.get(payload_url(batch))

    assert response["Content-Disposition"] == (
        f'attachment; filename="batch-{batch.pk}-payload.json"'
    )


def test_the_sha256_header_is_the_hash_recorded_when_packed_and_the_hash_of_the_body(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["a", "é\u200b", "<b>"])

    response = officer_client.get(payload_url(batch))

    assert response["X-Payload-SHA256"] == batch.payload_sha256
    assert hashlib.sha256(response.content).hexdigest() == batch.payload_sha256


def test_the_body_keeps_non_ascii_identities_as_utf8_like_the_heap_client(
    officer_client: Client, account
) -> None:
    batch = make_batch(account, ["zoë"])

    assert (
        officer_client.get(payload_url(batch)).content == '{"users":[{"identity":"zoë"}]}'.encode()
    )


def test_user_ids_are_sent_as_numbers(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])
    batch.members.update(kind=Subject.Kind.USER_ID, value="12345")

    response = officer_client.get(payload_url(batch))

    assert json.loads(response.content) == {"users": [{"user_id": 12345}]}
    assert response["X-Payload-SHA256"] == payload_sha256([{"user_id": 12345}])


def test_the_preview_link_shows_the_same_body_inline(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    download = officer_client.get(payload_url(batch))
    preview = officer_client.get(payload_url(batch), {"inline": "1"})

    assert preview["Content-Disposition"].startswith("inline;")
    assert preview.content == download.content


def test_a_payload_is_never_sniffed_as_html(officer_client: Client, account) -> None:
    batch = make_batch(account, ["<script>alert(1)</script>"])

    response = officer_client.get(payload_url(batch), {"inline": "1"})

    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_batch_has_no_payload(officer_client: Client) -> None:
    assert officer_client.get("/batches/999/payload.json").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("approver", 200), ("auditor", 200), ("administrator", 403)],
)
def test_who_may_read_a_payload(client_as, account, role: str, status: int) -> None:
    batch = make_batch(account, ["a"])

    assert client_as(role).get(payload_url(batch)).status_code == status


def test_an_administrators_refusal_is_audited(administrator_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    administrator_client.get(payload_url(batch))

    assert AuditEvent.objects.get(action="access.denied").details["path"] == payload_url(batch)


def test_the_anonymous_are_sent_to_log_in_for_a_payload(client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    response = client.get(payload_url(batch))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_payload_answers_only_get(officer_client: Client, account) -> None:
    batch = make_batch(account, ["a"])

    assert officer_client.post(payload_url(batch)).status_code == 405


# --- Dry run of a release ------------------------------------------------------------------------


@pytest.fixture
def no_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any Heap client built from here on fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the preview must not call Heap")

    monkeypatch.setattr(erasure_heap, "HeapClient", refuse)


def test_the_dry_run_shows_what_a_release_would_send_now(
    officer_client: Client, account, no_heap: None
) -> None:
    approved(account, ["zoe", "adam", "zoe"])

    response = officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    users = [{"identity": "zoe"}, {"identity": "adam"}]
    assert json.loads(response.content) == {"users": users}
    assert response["X-Payload-SHA256"] == payload_sha256(users)
    assert response["X-Batch-Members"] == "3"
    assert response["Content-Disposition"].startswith("inline;")


def test_the_dry_run_hash_is_the_hash_the_release_then_records(
    officer_client: Client, account
) -> None:
    approved(account, ["a", "b"])
    preview = officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    officer_client.post("/batches/release", {"account": account.pk})

    assert DeletionBatch.objects.get().payload_sha256 == preview["X-Payload-SHA256"]


def test_the_dry_run_changes_nothing(officer_client: Client, account, no_heap: None) -> None:
    approved(account, ["a"])
    events = AuditEvent.objects.count()

    officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    assert not DeletionBatch.objects.exists()
    assert Subject.objects.get().state == Subject.State.QUEUED
    assert AuditEvent.objects.count() == events


def test_the_dry_run_shows_only_the_first_batch_of_10000(officer_client: Client, account) -> None:
    request = approved(account, ["first"])
    Subject.objects.bulk_create(
        Subject(
            request=request,
            account=account,
            kind=Subject.Kind.IDENTITY,
            value=f"user-{n}",
            state=Subject.State.QUEUED,
        )
        for n in range(10_000)
    )

    response = officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    users = json.loads(response.content)["users"]
    assert len(users) == 10_000
    assert users[0] == {"identity": "first"}
    assert users[-1] == {"identity": "user-9998"}


def test_the_dry_run_leaves_out_other_accounts_and_unapproved_requests(
    officer_client: Client, account
) -> None:
    approved(make_account("globex"), ["theirs"])
    make_request(account, ["unapproved"])
    approved(account, ["ours"])

    response = officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    assert json.loads(response.content) == {"users": [{"identity": "ours"}]}


def test_the_dry_run_of_an_account_with_nothing_queued_is_empty(
    officer_client: Client, account
) -> None:
    response = officer_client.get(PREVIEW, {"account": account.pk, "format": "json"})

    assert json.loads(response.content) == {"users": []}
    assert response["X-Batch-Members"] == "0"


@pytest.mark.parametrize("query", [{}, {"account": "x"}, {"account": "999"}])
def test_the_dry_run_refuses_a_missing_or_unknown_account_with_400(
    officer_client: Client, query: dict
) -> None:
    assert officer_client.get(PREVIEW, query).status_code == 400


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("approver", 200), ("auditor", 200), ("administrator", 403)],
)
def test_who_may_see_a_dry_run(client_as, account, role: str, status: int) -> None:
    assert client_as(role).get(PREVIEW, {"account": account.pk}).status_code == status


def test_the_anonymous_are_sent_to_log_in_for_a_dry_run(client: Client, account) -> None:
    assert client.get(PREVIEW, {"account": account.pk}).status_code == 302


def test_a_dry_run_answers_only_get(officer_client: Client, account) -> None:
    assert officer_client.post(PREVIEW, {"account": account.pk}).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_the_api_key_never_appears_in_a_payload(client_as, account, role: str) -> None:
    batch = make_batch(account, ["a"])
    approved(account, ["b"])

    client = client_as(role)

    assert API_KEY not in client.get(payload_url(batch)).content.decode()
    assert API_KEY not in client.get(PREVIEW, {"account": account.pk}).content.decode()


def test_the_dry_run_is_a_page_that_says_what_and_when_it_would_send(
    officer_client: Client, account
) -> None:
    approved(account, ["zoe", "adam", "zoe"])

    page = officer_client.get(PREVIEW, {"account": account.pk}).content.decode()

    users = [{"identity": "zoe"}, {"identity": "adam"}]
    assert "3 queued (2 distinct: each identity is sent once)" in page
    assert "Expected to be sent by" in page
    assert payload_sha256(users) in page
    assert "<code>adam</code>" in page
    assert f"?account={account.pk}&amp;format=json" in page


def test_the_dry_run_page_says_an_inactive_account_sends_nothing(
    officer_client: Client, account
) -> None:
    approved(account, ["zoe"])
    account.is_active = False
    account.save()

    page = officer_client.get(PREVIEW, {"account": account.pk}).content.decode()

    assert "Never while the account is inactive" in page
