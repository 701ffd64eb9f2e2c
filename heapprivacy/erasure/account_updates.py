"""Changing a Heap account after it was added. The api_key is write-only: it can be replaced,
never read back, and its replacement is audited without the key."""

import hmac

from django.core.cache import cache
from django.db import transaction

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.heap.tokens import token_cache_key

EDITABLE_FIELDS = (
    "label",
    "app_id",
    "region",
    "deletion_base_url",
    "ingestion_base_url",
    "is_active",
)
KEY_FIELDS = ["api_key_encrypted", "api_key_last4"]


def heap_account_update(
    account: HeapAccount, *, actor: Actor, api_key: str = "", **changes: object
) -> list[str]:
    """Apply `changes`; a non-blank `api_key` replaces the stored key. Returns what changed.

    Raises ValidationError (nothing saved) when the result is not a valid account.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    # The client keys its cached token by the base URL without a trailing slash (heap/client.py).
    old_token_key = token_cache_key(account.deletion_base_url.rstrip("/"), account.app_id)
    changed = [name for name, value in changes.items() if getattr(account, name) != value]
    for name in changed:
        setattr(account, name, changes[name])
    key_changed = bool(api_key) and not _is_current_key(account, api_key)
    if key_changed:
        account.set_api_key(api_key)
    account.full_clean()
    if not changed and not key_changed:
        return []
    with transaction.atomic():
        account.save(update_fields=changed + (KEY_FIELDS if key_changed else []))
        if changed:
            audit_record(
                "heap_account.updated", actor=actor, target=account, details={"fields": changed}
            )
        if key_changed:
            audit_record("heap_account.key_changed", actor=actor, target=account)
            # A token fetched with the old key must not outlive it (the old key may be revoked).
            transaction.on_commit(lambda: cache.delete(old_token_key))
    return changed + (["api_key"] if key_changed else [])


def _is_current_key(account: HeapAccount, api_key: str) -> bool:
    """Whether `api_key` is the key already stored (submitting it again changes nothing)."""
    try:
        current = account.api_key()
    except DecryptionError:
        return False  # an undecryptable key is exactly what a new one is meant to replace
    return hmac.compare_digest(current.encode(), api_key.encode())
