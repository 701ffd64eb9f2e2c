"""Services for Heap accounts. The api_key is encrypted before it touches a model field."""

from django.db import transaction

from heapprivacy import crypto
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.heap import heap_client
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.heap import HeapError

EU_INGESTION_URL = "https://c.eu.heap-api.com"


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
    try:
        with heap_client(account) as client:
            client.fetch_token()
    except HeapError as error:
        ok, message = False, f"{type(error).__name__}: {error.message}"
    except DecryptionError as error:
        ok, message = False, f"DecryptionError: {error}"
    else:
        ok, message = True, "ok"
    audit_record(
        "heap_account.checked",
        actor=actor,
        target=account,
        details={"ok": ok, "error_class": "" if ok else message.split(":")[0]},
    )
    return ok, message


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
