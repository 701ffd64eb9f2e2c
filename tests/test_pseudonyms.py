import hashlib
import hmac

from heapprivacy.pseudonyms import subject_pseudonym


def test_a_pseudonym_is_the_hmac_sha256_of_the_value_keyed_with_pseudonym_key(settings) -> None:
    settings.PSEUDONYM_KEY = "k" * 40
    expected = hmac.new(b"k" * 40, b"Alice@Example.com ", hashlib.sha256).hexdigest()

    assert subject_pseudonym("Alice@Example.com ") == expected


def test_another_key_gives_another_pseudonym_and_values_are_not_normalised(settings) -> None:
    settings.PSEUDONYM_KEY = "k" * 40
    first = subject_pseudonym("alice@example.com")
    settings.PSEUDONYM_KEY = "m" * 40

    assert subject_pseudonym("alice@example.com") != first
    assert subject_pseudonym("alice@example.com") != subject_pseudonym("Alice@example.com")
