"""The one place the Django side builds a Heap client for an account."""

from django.conf import settings
from django.core.cache import cache

from heapprivacy.erasure.models import HeapAccount
from heapprivacy.heap import HeapClient

# Why nothing was sent when the account's API key cannot be decrypted (crypto.DecryptionError
# from heap_client): a setting to fix, not a Heap failure to retry.
NO_KEY = (
    "not sent: no key in FIELD_ENCRYPTION_KEYS decrypts the Heap account's API key; restore "
    "the key it was saved under, or save the API key again"
)


def heap_client(account: HeapAccount) -> HeapClient:
    """A client whose access tokens are shared between processes through the cache."""
    return HeapClient(
        app_id=account.app_id,
        api_key=account.api_key(),
        deletion_base_url=account.deletion_base_url,
        ingestion_base_url=account.ingestion_base_url,
        timeout=(settings.HEAP_CONNECT_TIMEOUT, settings.HEAP_READ_TIMEOUT),
        token_cache=cache,
    )
