from datetime import timedelta

import pytest
from django.utils import timezone

from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import DeletionBatch, Subject
from heapprivacy.erasure.pipeline.packing import batches_pack
from heapprivacy.erasure.pipeline.payloads import batch_payload, payload_sha256
from tests.erasure.factories import SYSTEM, make_request

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]


def approve(account, identities: list[str]):
    request = make_request(account, identities)
    request_approve(request, actor=SYSTEM)
    return request


def test_a_full_batch_of_10000_is_packed_at_once_and_the_rest_waits(account, settings) -> None:
    settings.BATCH_LINGER = 900
    approve(account, [f"user-{n}" for n in range(10_001)])

    batch_ids = batches_pack(account)

    assert [DeletionBatch.objects.get(pk=pk).size for pk in batch_ids] == [10_000]
    assert Subject.objects.filter(state=Subject.State.QUEUED).count() == 1


def test_a_partial_batch_is_packed_once_its_oldest_subject_has_lingered(account, settings) -> None:
    settings.BATCH_LINGER = 900
    approve(account, ["a", "b"])
    Subject.objects.update(queued_at=timezone.now() - timedelta(seconds=901))

    (batch_id,) = batches_pack(account)

    assert DeletionBatch.objects.get(pk=batch_id).size == 2


def test_an_officer_release_packs_a_partial_batch_at_once(account, settings) -> None:
    settings.BATCH_LINGER = 900
    approve(account, ["a"])

    assert batches_pack(account) == []
    assert len(batches_pack(account, release=True)) == 1


def test_the_same_identity_in_two_requests_is_sent_once_per_batch(account, settings) -> None:
    approve(account, ["same@example.com"])
    approve(account, ["same@example.com", "other"])

    (batch_id,) = batches_pack(account, release=True)

    batch = DeletionBatch.objects.get(pk=batch_id)
    assert batch.size == 3
    assert batch_payload(batch) == [{"identity": "same@example.com"}, {"identity": "other"}]


def test_the_payload_hash_is_recorded_at_packing(account) -> None:
    approve(account, ["a", " b"])

    (batch_id,) = batches_pack(account, release=True)

    batch = DeletionBatch.objects.get(pk=batch_id)
    assert batch.payload_sha256 == payload_sha256([{"identity": "a"}, {"identity": " b"}])


def test_pending_subjects_of_unapproved_requests_are_never_packed(account) -> None:
    make_request(account, ["waiting"])

    assert batches_pack(account, release=True) == []
