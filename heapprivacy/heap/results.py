"""What the User Deletion API answers, as values the pipeline can store as evidence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

DOCUMENTED_STATUSES = frozenset({"pending", "complete"})
# The longest deletion_request_id or status kept as evidence (the erasure models' columns).
# Heap's ids are UUIDs; a longer text breaks the contract, and is refused whole, quoted in the
# error, rather than cut or failing to be stored.
MAX_TEXT = 255


@dataclass(frozen=True)
class DeletionReceipt:
    """Heap's acceptance of a ``user_deletion`` request: accepted, not yet deleted.

    ``response_sha256`` is the SHA-256 (hex) of the raw response body bytes. ``location`` is
    None when Heap leaves out ``deletion_request_location`` (assumption: only the id is
    essential; the client never follows the location, it builds the status URL itself).
    """

    deletion_request_id: str
    status: str
    location: str | None
    http_status: int
    response_sha256: str

    @classmethod
    def from_response(cls, http_status: int, raw: bytes) -> DeletionReceipt:
        """Parse a 2xx answer; ValueError says how a body breaks the contract."""
        data = _json_object(raw)
        location = data.get("deletion_request_location")
        return cls(
            deletion_request_id=_required_text(data, "deletion_request_id"),
            status=_required_text(data, "status"),
            location=location if isinstance(location, str) else None,
            http_status=http_status,
            response_sha256=hashlib.sha256(raw).hexdigest(),
        )


@dataclass(frozen=True)
class DeletionStatus:
    """Heap's answer to ``deletion_status``.

    ``status`` is kept verbatim. Heap documents ``pending`` and ``complete`` only: anything
    else means "not done, unknown" (``is_documented`` is False) and should reach a human.
    """

    deletion_request_id: str
    status: str
    response_sha256: str

    @property
    def is_complete(self) -> bool:
        """True only for ``complete`` (compared case-insensitively; not ``completed``)."""
        return self.status.lower() == "complete"

    @property
    def is_documented(self) -> bool:
        """True for the values Heap documents: ``pending`` and ``complete``."""
        return self.status.lower() in DOCUMENTED_STATUSES

    @classmethod
    def from_response(cls, requested_id: str, raw: bytes) -> DeletionStatus:
        """Parse a 2xx answer about ``requested_id``; ValueError says how it breaks the contract."""
        data = _json_object(raw)
        answered_id = _required_text(data, "deletion_request_id")
        if answered_id != requested_id:
            raise ValueError("deletion_request_id differs from the one asked about")
        return cls(answered_id, _required_text(data, "status"), hashlib.sha256(raw).hexdigest())


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValueError("body is not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("body is not a JSON object")
    return data


def _required_text(data: dict[str, object], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} missing or not a non-empty string")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{key} of {len(value)} characters, over the {MAX_TEXT} kept: {value}")
    return value
