"""Signed tokens in the links we email.

Verification tokens expire after VERIFICATION_LINK_TTL and are single use (their nonce is a
VerificationLink row). Status tokens never expire: the status page shows no personal data.
Both are signed with SECRET_KEY (rotation: SECRET_KEY_FALLBACKS), each under its own salt, so
one kind of token is never accepted as the other.
"""

import secrets

from django.conf import settings
from django.core import signing

VERIFY_SALT = "heapprivacy.intake.verify"
STATUS_SALT = "heapprivacy.intake.status"


class TokenInvalid(Exception):
    """Not a token we signed (tampered, truncated, or of another kind)."""


class TokenExpired(TokenInvalid):
    """A token we signed, older than VERIFICATION_LINK_TTL."""


def nonce_new() -> str:
    return secrets.token_urlsafe(16)


def verification_token_make(nonce: str) -> str:
    return signing.dumps(nonce, salt=VERIFY_SALT)


def verification_token_read(token: str) -> str:
    """The nonce of a verification token, or TokenExpired / TokenInvalid."""
    try:
        nonce = signing.loads(token, salt=VERIFY_SALT, max_age=settings.VERIFICATION_LINK_TTL)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    if not isinstance(nonce, str):
        raise TokenInvalid
    return nonce


def status_token_make(reference: str) -> str:
    return signing.Signer(salt=STATUS_SALT).sign(reference)


def status_token_read(token: str) -> str:
    """The request reference of a status token, or TokenInvalid."""
    try:
        return signing.Signer(salt=STATUS_SALT).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
