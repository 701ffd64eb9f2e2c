"""Services for Heap accounts: add, change, check, re-encrypt.

The api_key is encrypted before it touches a model field, and it is write-only: it can be
replaced, never read back, and its replacement is audited without the key.
"""

import hmac

from django.core.cache import cache
from django.db import transaction

from heapprivacy import crypto
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.erasure.pipeline.heap import heap_client
from heapprivacy.heap import HeapError
from heapprivacy.heap.tokens import token_cache_key
from heapprivacy.heap.words import heap_error_words

EU_INGESTION_URL = "https://c.eu.heap-api.com"

EDITABLE_FIELDS = (
    "label",
    "app_id",
    "region",
    "deletion_base_url",
    "ingestion_base_url",
    "is_active",
)
KEY_FIELDS = ["api_key_encrypted", "api_key_last4"]


def heap_account_create(
    *,
    label: str,
    app_id: str,
    api_key: str,
    actor: Actor,
    region: str = HeapAccount.Region.US,
    deletion_base_url: str = "",
    ingestion_base_url: str = "",
) -> HeapAccount:
    account = HeapAccount(label=label, app_id=app_id, region=region)
    account.deletion_base_url = deletion_base_url or account.deletion_base_url
    default_ingestion = EU_INGESTION_URL if region == HeapAccount.Region.EU else ""
    account.ingestion_base_url = (
        ingestion_base_url or default_ingestion or account.ingestion_base_url
    )
    account.set_api_key(api_key)
    account.full_clean()
    with transaction.atomic():
        account.save()
        audit_record(
            "heap_account.created",
            actor=actor,
            target=account,
            details={"label": label, "app_id": app_id, "region": region},
        )
    return account


def heap_account_check(account: HeapAccount, *, actor: Actor) -> tuple[bool, str]:
    """Ask Heap for an access token with the stored credentials; audit the answer."""
    error_class, message = "", "ok"
    try:
        with heap_client(account) as client:
            client.fetch_token()
    except HeapError as error:
        error_class = type(error).__name__
        message = f"{heap_error_words(error_class)}. Heap's answer: {error.message}"
    except DecryptionError:
        error_class = "DecryptionError"
        message = heap_error_words(error_class)
    audit_record(
        "heap_account.checked",
        actor=actor,
        target=account,
        details={"ok": not error_class, "error_class": error_class},
    )
    return not error_class, message


def heap_accounts_reencrypt(*, actor: Actor) -> int:
    """Re-encrypt every api_key under the first key of FIELD_ENCRYPTION_KEYS (key rotation)."""
    count = 0
    with transaction.atomic():
        for account in HeapAccount.objects.select_for_update():
            account.api_key_encrypted = crypto.reencrypt(account.api_key_encrypted)
            account.save(update_fields=["api_key_encrypted"])
            count += 1
        audit_record("heap_account.keys_rotated", actor=actor, details={"accounts": count})
    return count


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


def accounts_undecryptable() -> list[str]:
    """Labels of the active Heap accounts whose API key no key in FIELD_ENCRYPTION_KEYS
    decrypts: nothing can be sent for them until the key is restored or the API key saved
    again. /healthz and `manage.py check --database default` report them."""
    labels = []
    for account in HeapAccount.objects.filter(is_active=True).order_by("label"):
        try:
            account.api_key()
        except DecryptionError:
            labels.append(account.label)
    return labels


def undecryptable_reason() -> str | None:
    labels = accounts_undecryptable()
    if not labels:
        return None
    return (
        f"no key in FIELD_ENCRYPTION_KEYS decrypts the API key of Heap account "
        f"{', '.join(labels)}: restore the key it was saved under, or save the API key again"
    )
