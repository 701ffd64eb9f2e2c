"""Pseudonymous references to personal data: a keyed hash nobody can reverse without the key.

HMAC-SHA256 keyed with settings.PSEUDONYM_KEY over the value's UTF-8 bytes, as 64 hex digits.
Whoever holds the key and a value can recompute the reference; nobody can go the other way.
Other code that keeps keyed hashes of subject values (suppression after retention) should use
this function, so that the same value always has the same reference.
"""

import hashlib
import hmac

from django.conf import settings


def subject_pseudonym(value: str) -> str:
    key = settings.PSEUDONYM_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
