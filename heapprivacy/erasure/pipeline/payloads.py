"""The exact body of a user_deletion call, and its SHA-256 kept as evidence."""

import hashlib
import json
from collections.abc import Iterable

from heapprivacy.erasure.models import DeletionBatch, Subject

MEMBER_CHUNK = 2_000

# One entry of a user_deletion body: {"identity": …} or {"user_id": …}.
HeapUser = dict[str, str | int]


def payload_users(subjects: Iterable[tuple[str, str]]) -> list[HeapUser]:
    """Heap entries for (kind, value) pairs in member order, each identifier once."""
    seen: set[tuple[str, str]] = set()
    users: list[HeapUser] = []
    for kind, value in subjects:
        if (kind, value) in seen:
            continue
        seen.add((kind, value))
        users.append(
            {"user_id": int(value)} if kind == Subject.Kind.USER_ID else {"identity": value}
        )
    return users


def payload_sha256(users: list[HeapUser]) -> str:
    canonical = json.dumps({"users": users}, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def batch_payload(batch: DeletionBatch) -> list[HeapUser]:
    members = batch.members.order_by("id").values_list("kind", "value")
    return payload_users(members.iterator(chunk_size=MEMBER_CHUNK))
