"""Batches and their evidence, built for console tests."""

import functools
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import (
    BatchRequest,
    DeletionBatch,
    ErasureRequest,
    HeapAccount,
    StatusPoll,
    Subject,
    SubmissionAttempt,
)
from heapprivacy.erasure.pipeline.batches import batches_release
from heapprivacy.erasure.pipeline.payloads import payload_sha256, payload_users
from tests.erasure.factories import SYSTEM, make_verified


def approved(
    account: HeapAccount, identities: Iterable[str] = ("alice@example.com",), by: Actor = SYSTEM
) -> ErasureRequest:
    request = make_verified(account, list(identities))
    request_approve(request, actor=by)
    return request


def make_batch(
    account: HeapAccount,
    identities: Iterable[str] = ("alice@example.com",),
    *,
    state: str = DeletionBatch.State.READY,
    decided_by: User | None = None,
    **fields: object,
) -> DeletionBatch:
    """A batch packed the way the pipeline packs one, then put in `state` for the test.

    `decided_by` approved the batch's request (the system when None).
    """
    by = Actor.for_user(decided_by) if decided_by else SYSTEM
    approved(account, identities, by=by)
    (batch_id,) = batches_release(account, actor=SYSTEM)
    DeletionBatch.objects.filter(pk=batch_id).update(state=state, **fields)
    return DeletionBatch.objects.get(pk=batch_id)


def bulk_batches(account: HeapAccount, count: int) -> None:
    DeletionBatch.objects.bulk_create(
        DeletionBatch(account=account, size=n + 1, payload_sha256=f"{n:064x}", attempts=n % 3)
        for n in range(count)
    )


def batch_with_evidence(account: HeapAccount, count: int) -> DeletionBatch:
    """A batch with `count` requests, members, submission attempts and status polls."""
    now = timezone.now()
    requests = ErasureRequest.objects.bulk_create(
        ErasureRequest(
            reference=f"DSR-2000-{n:06d}",
            source=ErasureRequest.Source.CSV,
            jurisdiction="GDPR-EU",
            state=ErasureRequest.State.IN_PROGRESS,
            received_at=now,
        )
        for n in range(count)
    )
    values = [f"user-{n}@example.com" for n in range(count)]
    users = payload_users((Subject.Kind.IDENTITY, value) for value in values)
    batch = DeletionBatch.objects.create(
        account=account,
        size=count,
        payload_sha256=payload_sha256(users),
        state=DeletionBatch.State.SUBMITTED,
        attempts=count,
        deletion_request_id="del-123",
        submitted_at=now,
    )
    Subject.objects.bulk_create(
        Subject(
            request=request,
            account=account,
            kind=Subject.Kind.IDENTITY,
            value=value,
            state=Subject.State.BATCHED,
            batch=batch,
        )
        for request, value in zip(requests, values, strict=True)
    )
    ErasureRequest.objects.filter(pk__in=[request.pk for request in requests]).update(
        subject_count=1
    )
    BatchRequest.objects.bulk_create(
        BatchRequest(batch=batch, request=request, members=1) for request in requests
    )
    SubmissionAttempt.objects.bulk_create(
        SubmissionAttempt(
            batch=batch,
            number=n + 1,
            started_at=now + timedelta(seconds=n),
            outcome=SubmissionAttempt.Outcome.TRANSIENT,
            http_status=503,
            error_class="HeapServerError",
            message="try later",
        )
        for n in range(count)
    )
    StatusPoll.objects.bulk_create(
        StatusPoll(batch=batch, at=now + timedelta(seconds=n), http_status=200, status="pending")
        for n in range(count)
    )
    return batch


def enqueued(callbacks: list) -> list[tuple[str, tuple]]:
    """(task name, arguments) of each Celery task an on-commit callback would send."""
    return [
        (callback.func.__self__.name, callback.args)
        for callback in callbacks
        if isinstance(callback, functools.partial)
    ]


SUBMIT = "heapprivacy.erasure.tasks.submit_batch"
POLL = "heapprivacy.erasure.tasks.poll_batch"
