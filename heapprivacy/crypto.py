"""Encryption of credentials at rest (Heap api_keys) with keys from FIELD_ENCRYPTION_KEYS.

MultiFernet: the first key encrypts, every key decrypts, so keys rotate without downtime. A value
that no configured key can decrypt raises DecryptionError: it is never returned as ciphertext.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """No configured key decrypts this value (wrong or missing key in FIELD_ENCRYPTION_KEYS)."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no key in FIELD_ENCRYPTION_KEYS decrypts this value") from None


def reencrypt(ciphertext: str) -> str:
    """The same secret encrypted under the first (newest) key."""
    try:
        return _fernet().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError("no key in FIELD_ENCRYPTION_KEYS decrypts this value") from None
