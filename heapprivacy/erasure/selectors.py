"""Reads shared by services, commands and screens."""

from heapprivacy.erasure.models import DeletionBatch


def batch_request_ids(batch: DeletionBatch) -> list[int]:
    return list(batch.members.values_list("request_id", flat=True).distinct())
