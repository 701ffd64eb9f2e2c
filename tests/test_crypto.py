import base64
import os

import pytest

from heapprivacy import crypto


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_a_secret_round_trips_and_is_not_stored_in_clear() -> None:
    ciphertext = crypto.encrypt("canary-api-key-1234")

    assert "canary" not in ciphertext
    assert crypto.decrypt(ciphertext) == "canary-api-key-1234"


def test_a_wrong_key_raises_instead_of_returning_ciphertext(settings: object) -> None:
    ciphertext = crypto.encrypt("canary-api-key-1234")
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext)


def test_keys_rotate_old_values_still_decrypt_and_reencrypt_under_the_new_key(
    settings: object,
) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    ciphertext = crypto.encrypt("canary-api-key-1234")
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), old_key]

    rotated = crypto.reencrypt(ciphertext)
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]

    assert crypto.decrypt(rotated) == "canary-api-key-1234"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext)
