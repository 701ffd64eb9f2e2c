"""The signed token of a certificate link, emailed to the subject when their request completes.

The subject has no login: the signature is the permission. It never expires (the certificate
shows no personal data: subjects appear only as keyed hashes) and is signed under its own salt,
so no status or verification token opens a certificate, nor the other way round.
"""

from django.core import signing

from heapprivacy.intake.tokens import TokenInvalid

CERTIFICATE_SALT = "heapprivacy.notifications.certificate"

__all__ = ["TokenInvalid", "certificate_token_make", "certificate_token_read"]


def certificate_token_make(reference: str) -> str:
    return signing.Signer(salt=CERTIFICATE_SALT).sign(reference)


def certificate_token_read(token: str) -> str:
    """The request reference of a certificate token, or TokenInvalid."""
    try:
        return signing.Signer(salt=CERTIFICATE_SALT).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
