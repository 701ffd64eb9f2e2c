"""The Heap HTTP client: plain Python, no Django; every Heap server-side API call goes here.

See docs/heap-client.md for a guide and errors.py for the retry semantics of each error.
"""

from .client import HeapClient, encode_deletion_request
from .errors import (
    HeapAuthError,
    HeapBadRequest,
    HeapConnectionError,
    HeapError,
    HeapNotFound,
    HeapProtocolError,
    HeapRateLimited,
    HeapServerError,
    HeapTimeout,
    HeapValidationError,
)
from .results import DeletionReceipt, DeletionStatus
from .tokens import TokenCache, TokenInfo
from .validation import (
    MAX_BULK_ITEMS,
    MAX_DELETION_USERS,
    MAX_IDENTITY_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_USER_ID,
    validate_deletion_users,
    validate_identity,
    validate_user_id,
)

__all__ = [
    "MAX_BULK_ITEMS",
    "MAX_DELETION_USERS",
    "MAX_IDENTITY_LENGTH",
    "MAX_TEXT_LENGTH",
    "MAX_USER_ID",
    "DeletionReceipt",
    "DeletionStatus",
    "HeapAuthError",
    "HeapBadRequest",
    "HeapClient",
    "HeapConnectionError",
    "HeapError",
    "HeapNotFound",
    "HeapProtocolError",
    "HeapRateLimited",
    "HeapServerError",
    "HeapTimeout",
    "HeapValidationError",
    "TokenCache",
    "TokenInfo",
    "encode_deletion_request",
    "validate_deletion_users",
    "validate_identity",
    "validate_user_id",
]
