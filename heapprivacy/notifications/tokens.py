"""Signed tokens in the links we email: verification, status and certificate links.

Verification tokens expire after VERIFICATION_LINK_TTL and are single use (their nonce is a
VerificationLink row). Status tokens never expire: the status page shows no personal data.
Certificate tokens, emailed to the subject when their request completes, never expire either
(the certificate shows subjects only as keyed hashes): the subject has no login, the signature
is the permission. All are signed with SECRET_KEY (rotation: SECRET_KEY_FALLBACKS), each kind
under its own salt, so one kind of token is never accepted as another.
"""

import secrets

from django.conf import settings
from django.core import signing

VERIFY_SALT = "heapprivacy.intake.verify"
STATUS_SALT = "heapprivacy.intake.status"
CERTIFICATE_SALT = "heapprivacy.notifications.certificate"


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
    return _reference_unsigned(token, STATUS_SALT)


def certificate_token_make(reference: str) -> str:
    return signing.Signer(salt=CERTIFICATE_SALT).sign(reference)


def certificate_token_read(token: str) -> str:
    """The request reference of a certificate token, or TokenInvalid."""
    return _reference_unsigned(token, CERTIFICATE_SALT)


def _reference_unsigned(token: str, salt: str) -> str:
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
