"""A small named cast for erasure tests."""

import zlib

from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.accounts import heap_account_create
from heapprivacy.erasure.lifecycle.requests import (
    request_approve,
    request_create,
    request_verify,
    requests_complete_finished,
)
from heapprivacy.erasure.lifecycle.subjects import subject_parse
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount
from heapprivacy.erasure.pipeline.batches import batches_release

SYSTEM = Actor.system("tests")
API_KEY = "canary-KEY-7f3a-do-not-leak"


ACME_APP_ID = "1234567890123"


def make_account(
    label: str = "acme", base_url: str = "http://127.0.0.1:9", **kw: str
) -> HeapAccount:
    """An account; without an app_id, acme's, or one of the label's own (one app per host)."""
    return heap_account_create(
        label=label,
        app_id=kw.pop("app_id", ACME_APP_ID if label == "acme" else app_id_for(label)),
        api_key=kw.pop("api_key", API_KEY),
        actor=SYSTEM,
        deletion_base_url=base_url,
        ingestion_base_url=base_url,
    )


def app_id_for(label: str) -> str:
    return str(10**12 + zlib.crc32(label.encode()))


def make_request(
    account: HeapAccount, identities: list[str] = ("alice@example.com",), **kw: object
) -> ErasureRequest:
    return request_create(
        source=kw.pop("source", ErasureRequest.Source.STAFF),
        jurisdiction=kw.pop("jurisdiction", "GDPR-EU"),
        account=account,
        subjects=[subject_parse("identity", identity) for identity in identities],
        actor=kw.pop("actor", SYSTEM),
        **kw,
    )


def make_verified(
    account: HeapAccount, identities: list[str] = ("alice@example.com",), **kw: object
) -> ErasureRequest:
    """A request whose requester's identity was verified: ready for a person to approve."""
    request = make_request(account, identities, **kw)
    request_verify(request, actor=SYSTEM, method="email_link")
    return request


def make_erased(request: ErasureRequest) -> ErasureRequest:
    """`request` as the pipeline leaves it once Heap confirmed its erasure: approved, packed
    (with whatever else its accounts had queued), and its batches complete."""
    if request.state in (ErasureRequest.State.RECEIVED, ErasureRequest.State.VERIFIED):
        request_approve(request, actor=SYSTEM)
    for account in HeapAccount.objects.filter(subjects__request=request).distinct():
        batches_release(account, actor=SYSTEM)
    now = timezone.now()
    DeletionBatch.objects.filter(request_links__request=request).update(
        state=DeletionBatch.State.COMPLETE, submitted_at=now, completed_at=now
    )
    request.refresh_from_db()
    return request


def make_completed(request: ErasureRequest) -> ErasureRequest:
    """`request` erased (make_erased), then completed as the last poll of its batches does."""
    make_erased(request)
    for batch in DeletionBatch.objects.filter(request_links__request=request):
        requests_complete_finished(batch)
    request.refresh_from_db()
    return request
