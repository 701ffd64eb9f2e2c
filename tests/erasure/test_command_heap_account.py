"""`manage.py heap_account`: add, list, check and rotate-keys, the api_key never in clear."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from heapprivacy.audit.models import AuditEvent
from heapprivacy.crypto import DecryptionError
from heapprivacy.erasure.models import HeapAccount
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import API_KEY, make_account

pytestmark = pytest.mark.django_db


def heap_account(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("heap_account", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def add(label: str = "acme", app_id: str = APP_ID, *extra: str) -> tuple[str, str]:
    return heap_account(
        "add", "--label", label, "--app-id", app_id, "--api-key-env", "HEAP_API_KEY", *extra
    )


def stored_ciphertexts() -> list[str]:
    """The api_key column as the database holds it, read without the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT api_key_encrypted FROM {HeapAccount._meta.db_table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def api_key_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HEAP_API_KEY", API_KEY)
    return API_KEY


def test_add_reads_the_key_from_the_named_variable_and_stores_it_encrypted(api_key_env) -> None:
    stdout, stderr = add()

    account = HeapAccount.objects.get(label="acme")
    assert account.app_id == APP_ID
    assert account.api_key() == API_KEY
    assert account.api_key_last4 == API_KEY[-4:]
    [ciphertext] = stored_ciphertexts()
    assert API_KEY not in ciphertext
    assert stdout == f"added acme (app_id {APP_ID})\n"
    assert API_KEY not in stdout + stderr


def test_add_records_an_audit_event_without_the_key(api_key_env) -> None:
    add()

    event = AuditEvent.objects.get(action="heap_account.created")
    assert event.details == {"label": "acme", "app_id": APP_ID, "region": "us"}
    assert API_KEY not in str(event.to_chain_dict())


@pytest.mark.parametrize("value", ["", None], ids=["empty", "unset"])
def test_add_refuses_an_empty_or_unset_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("HEAP_API_KEY", raising=False)
    else:
        monkeypatch.setenv("HEAP_API_KEY", value)

    with pytest.raises(CommandError, match="HEAP_API_KEY is empty or unset"):
        add()

    assert not HeapAccount.objects.exists()


def test_add_refuses_an_app_id_that_is_not_digits(api_key_env) -> None:
    with pytest.raises(CommandError, match=r"The app_id is a string of digits\."):
        add("acme", "12ab")

    assert not HeapAccount.objects.exists()


def test_add_refuses_a_label_taken_by_another_account(api_key_env) -> None:
    add()

    with pytest.raises(CommandError, match=r"Heap account with this Label already exists\."):
        add()


def test_add_in_the_eu_region_defaults_the_ingestion_url_to_heaps_eu_endpoint(
    api_key_env,
) -> None:
    add("acme-eu", APP_ID, "--region", "eu")

    account = HeapAccount.objects.get(label="acme-eu")
    assert account.region == HeapAccount.Region.EU
    assert account.ingestion_base_url == "https://c.eu.heap-api.com"


def test_add_in_the_us_region_keeps_the_default_ingestion_url(api_key_env) -> None:
    add()

    assert HeapAccount.objects.get().ingestion_base_url == "https://heapanalytics.com"


def test_an_explicit_ingestion_url_wins_over_the_eu_default(api_key_env) -> None:
    add("acme-eu", APP_ID, "--region", "eu", "--ingestion-url", "https://proxy.example.com")

    assert HeapAccount.objects.get().ingestion_base_url == "https://proxy.example.com"


def test_list_masks_every_key_to_its_last_four_characters() -> None:
    make_account("acme")
    make_account("globex", api_key="another-secret-key-9876")

    stdout, stderr = heap_account("list")

    lines = stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["acme", "globex"]
    assert "key ••••leak" in lines[0]
    assert "key ••••9876" in lines[1]
    assert API_KEY not in stdout + stderr
    assert "another-secret-key-9876" not in stdout + stderr


def test_list_prints_nothing_without_accounts() -> None:
    assert heap_account("list") == ("", "")


def test_check_asks_the_sandbox_for_a_token_and_records_the_answer(
    heap: HeapSandbox, api_key_env
) -> None:
    add("acme", APP_ID, "--deletion-url", heap.url, "--ingestion-url", heap.url)

    stdout, stderr = heap_account("check", "acme")

    assert stdout == "ok\n"
    assert heap.calls()["auth_token"] == 1
    event = AuditEvent.objects.get(action="heap_account.checked")
    assert event.details == {"ok": True, "error_class": ""}
    assert API_KEY not in stdout + stderr


def test_check_with_a_wrong_key_fails_saying_what_to_check_and_heaps_answer(
    heap: HeapSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEAP_API_KEY", "wrong-key-0000")
    add("acme", APP_ID, "--deletion-url", heap.url, "--ingestion-url", heap.url)

    with pytest.raises(CommandError, match=r"check its app_id and API key.*Invalid") as raised:
        heap_account("check", "acme")

    assert "wrong-key-0000" not in str(raised.value)
    event = AuditEvent.objects.get(action="heap_account.checked")
    assert event.details == {"ok": False, "error_class": "HeapAuthError"}


def test_check_of_an_unknown_label_fails_without_calling_heap(heap: HeapSandbox) -> None:
    with pytest.raises(CommandError, match="no Heap account labelled 'nope'"):
        heap_account("check", "nope")

    assert not heap.calls()


def test_rotate_keys_reencrypts_every_key_under_the_new_first_key(settings) -> None:
    make_account("acme")
    make_account("globex", api_key="another-secret-key-9876")
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]
    before = stored_ciphertexts()

    stdout, _ = heap_account("rotate-keys")

    assert stdout == "re-encrypted 2 account keys\n"
    assert set(stored_ciphertexts()).isdisjoint(before)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    keys = dict(HeapAccount.objects.values_list("label", "api_key_last4"))
    assert keys == {"acme": "leak", "globex": "9876"}
    assert HeapAccount.objects.get(label="acme").api_key() == API_KEY
    assert HeapAccount.objects.get(label="globex").api_key() == "another-secret-key-9876"
    assert AuditEvent.objects.get(action="heap_account.keys_rotated").details == {"accounts": 2}


def test_without_rotation_the_new_key_alone_cannot_decrypt(settings) -> None:
    """The control for the test above: dropping the old key too early loses the credentials."""
    make_account("acme")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError):
        HeapAccount.objects.get().api_key()
