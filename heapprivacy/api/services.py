"""Services for API clients: create (the token is returned once), revoke, and the call log."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from heapprivacy.api.models import ApiClient, Scope
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record

TOKEN_MARKER = "hpk_"  # nosec B105  # noqa: S105 (not a secret) makes a leaked token easy to recognise (secret scanners, logs)
TOKEN_PREFIX_LENGTH = 12  # the marker and 8 random characters: enough to tell tokens apart
# last_used_at is "roughly when": written at most once a minute, not on every call.
LAST_USED_RESOLUTION = timedelta(seconds=60)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def token_hash(token: str) -> str:
    """Tokens are 256 random bits: a plain SHA-256 is enough to store them (no stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_client_create(
    *,
    name: str,
    scopes: list[str],
    actor: Actor,
    created_by: User | None = None,
) -> tuple[ApiClient, str]:
    """Create a client and return it with its token: the only time the token exists in clear."""
    scopes = _scopes_checked(scopes)
    if not name.strip() or len(name) > 100:
        raise ValidationError({"name": "Give a name of 1 to 100 characters."})
    token = TOKEN_MARKER + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                name=name,
                token_prefix=token[:TOKEN_PREFIX_LENGTH],
                token_hash=token_hash(token),
                scopes=scopes,
                created_by=created_by,
            )
            audit_record(
                "api_client.created",
                actor=actor,
                target=client,
                details={"client_id": client.pk, "name": name, "scopes": scopes},
            )
    except IntegrityError:
        raise ValidationError({"name": "An API client with this name exists already."}) from None
    return client, token


def api_client_revoke(client: ApiClient, *, actor: Actor) -> bool:
    """Revoke the token for good; False when it was revoked already (nothing is recorded)."""
    with transaction.atomic():
        revoked = ApiClient.objects.filter(pk=client.pk, is_active=True).update(
            is_active=False, revoked_at=timezone.now()
        )
        if revoked:
            audit_record(
                "api_client.revoked",
                actor=actor,
                target=client,
                details={"client_id": client.pk, "name": client.name},
            )
    client.refresh_from_db(fields=["is_active", "revoked_at"])
    return bool(revoked)


def api_client_touch(client: ApiClient) -> None:
    """Note that the client was seen: a conditional UPDATE that writes at most once a minute,
    not even sent while the client as read says it was seen within that minute."""
    now = timezone.now()
    if client.last_used_at is not None and client.last_used_at >= now - LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


def api_call_record(
    client: ApiClient | None, *, method: str, path: str, status: int, request_ref: str = ""
) -> None:
    """The audit entry every API call leaves, allowed or refused: never the body or the token."""
    if client is None:
        actor = Actor.for_api_client("", "unauthenticated")
    else:
        actor = Actor.for_api_client(str(client.pk), client.name)
    audit_record(
        "api.call",
        actor=actor,
        target=client,
        request_ref=request_ref,
        details={
            "client_id": None if client is None else client.pk,
            "method": _printable(method[:16]),
            "path": _printable(path[:200]),
            "status": status,
        },
    )


def _printable(text: str) -> str:
    """Control characters out (a path may hold %00; PostgreSQL's jsonb refuses \u0000)."""
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def _scopes_checked(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes: {', '.join(unknown)}."})
    if not scopes:
        raise ValidationError({"scopes": "Give at least one scope."})
    # Kept in the order of Scope, once each: two clients with the same rights look the same.
    return [scope for scope in Scope.values if scope in scopes]
