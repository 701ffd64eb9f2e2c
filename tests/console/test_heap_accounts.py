"""Heap accounts, Administrators only: list, add, edit (the key write-only), test the connection."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.heap.tokens import token_cache_key
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import API_KEY, make_account
from tests.support.cast import ROLES, logged_in

pytestmark = pytest.mark.django_db

LIST = "/heap-accounts/"
NEW = "/heap-accounts/new"
NEW_KEY = "fresh-KEY-0000-aaaa-9876"
VALID = {
    "label": "initech",
    "app_id": "42",
    "api_key": API_KEY,
    "region": "us",
    "deletion_base_url": "",
    "ingestion_base_url": "",
}


def edit_url(account: HeapAccount) -> str:
    return f"/heap-accounts/{account.pk}/edit"


def check_url(account: HeapAccount) -> str:
    return f"/heap-accounts/{account.pk}/test"


def edited(account: HeapAccount, **changes: object) -> dict[str, object]:
    """The edit form as submitted unchanged, with `changes` (no api_key: keep the key)."""
    data = {
        "label": account.label,
        "app_id": account.app_id,
        "region": account.region,
        "deletion_base_url": account.deletion_base_url,
        "ingestion_base_url": account.ingestion_base_url,
        "is_active": "on" if account.is_active else "",
        "api_key": "",
    }
    return {**data, **changes}


def denials() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied"))


def pages(account: HeapAccount) -> list[tuple[str, str]]:
    return [("get", LIST), ("get", NEW), ("post", NEW), ("get", edit_url(account)),
            ("post", edit_url(account)), ("post", check_url(account))]  # fmt: skip


# --- List ----------------------------------------------------------------------------------------


def test_the_list_shows_each_account_with_its_key_masked(
    administrator_client: Client, account: HeapAccount
) -> None:
    page = administrator_client.get(LIST).content.decode()

    assert "acme" in page
    assert "1234567890123" in page
    assert f"••••{API_KEY[-4:]}" in page
    assert f'href="{edit_url(account)}"' in page
    assert f'action="{check_url(account)}"' in page


def test_a_short_key_shows_no_characters_at_all(administrator_client: Client) -> None:
    make_account("tiny", api_key="abc123")

    page = administrator_client.get(LIST).content.decode()

    assert "<code>••••</code>" in page
    assert "c123" not in page


def test_the_list_answers_only_get(administrator_client: Client) -> None:
    assert administrator_client.post(LIST).status_code == 405


# --- Who may see any of it -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "approver", "auditor"])
def test_every_heap_account_page_is_an_audited_403_to_everyone_but_administrators(
    client_as, account: HeapAccount, role: str
) -> None:
    client = client_as(role)

    for method, url in pages(account):
        response = getattr(client, method)(url, {**VALID, "label": "sneaky"})
        assert response.status_code == 403, (method, url)
        assert API_KEY not in response.content.decode()
        assert "••••" not in response.content.decode()

    assert len(denials()) == len(pages(account))
    assert not HeapAccount.objects.filter(label="sneaky").exists()
    assert not AuditEvent.objects.filter(action="heap_account.checked").exists()


def test_the_anonymous_are_sent_to_log_in_from_every_heap_account_page(
    client: Client, account: HeapAccount
) -> None:
    for method, url in pages(account):
        response = getattr(client, method)(url, VALID)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["officer", "approver", "auditor"])
def test_only_administrators_get_the_heap_accounts_link(client_as, role: str) -> None:
    page = client_as(role).get("/batches/").content.decode()

    assert 'href="/heap-accounts/"' not in page


def test_administrators_get_the_heap_accounts_link(administrator_client: Client) -> None:
    page = administrator_client.get(LIST).content.decode()

    assert 'href="/heap-accounts/"' in page


@pytest.mark.parametrize("role", ROLES)
def test_the_api_key_never_appears_on_any_page_for_any_role(
    client_as, account: HeapAccount, role: str
) -> None:
    client = client_as(role)

    for url in [LIST, NEW, edit_url(account), "/batches/"]:
        assert API_KEY not in client.get(url).content.decode(), url
    assert account.api_key_encrypted not in client.get(edit_url(account)).content.decode()


# --- Add -----------------------------------------------------------------------------------------


def test_the_new_account_form_asks_for_the_key_in_a_blank_password_field(
    administrator_client: Client,
) -> None:
    page = administrator_client.get(NEW).content.decode()

    assert 'type="password" name="api_key"' in page
    assert 'autocomplete="new-password"' in page


def test_adding_an_account_stores_the_key_encrypted(administrator_client: Client) -> None:
    response = administrator_client.post(NEW, VALID)

    assert response.status_code == 302
    assert response["Location"] == LIST
    account = HeapAccount.objects.get(label="initech")
    assert account.app_id == "42"
    assert account.api_key() == API_KEY
    assert API_KEY not in account.api_key_encrypted


def test_adding_an_account_is_audited_without_the_key(administrator_client: Client) -> None:
    administrator_client.post(NEW, VALID)

    event = AuditEvent.objects.get(action="heap_account.created")
    assert event.actor_label == "adam"
    assert API_KEY not in str(event.details)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("app_id", "12ab", "The app_id is a string of digits."),
        ("label", "not a slug", "Enter a valid “slug”"),
        ("api_key", "", "This field is required."),
        ("api_key", "has spaces in it", "printable ASCII without spaces"),
        ("deletion_base_url", "ftp://heap.example", "Use an http or https URL."),
        ("ingestion_base_url", "https://u:p@heap.example", "no credentials"),
    ],
)
def test_a_bad_new_account_is_shown_again_with_the_error_and_without_the_key(
    administrator_client: Client, field: str, value: str, error: str
) -> None:
    response = administrator_client.post(NEW, {**VALID, field: value})

    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    assert API_KEY not in page
    assert not HeapAccount.objects.exists()


def test_a_label_already_taken_is_a_form_error(
    administrator_client: Client, account: HeapAccount
) -> None:
    response = administrator_client.post(NEW, {**VALID, "label": "acme"})

    assert "already exists" in response.content.decode()
    assert HeapAccount.objects.count() == 1


def test_adding_without_a_csrf_token_is_refused(administrator: User) -> None:
    response = logged_in(administrator, enforce_csrf_checks=True).post(NEW, VALID)

    assert response.status_code == 403
    assert not HeapAccount.objects.exists()


def test_the_new_account_page_answers_only_get_and_post(administrator_client: Client) -> None:
    assert administrator_client.put(NEW).status_code == 405


# --- Edit ----------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_key_only_masked_and_the_key_field_blank(
    administrator_client: Client, account: HeapAccount
) -> None:
    page = administrator_client.get(edit_url(account)).content.decode()

    assert f"<code>••••{API_KEY[-4:]}</code>" in page
    assert 'type="password" name="api_key"' in page
    assert "Leave blank to keep the current key." in page
    assert 'value="acme"' in page


def test_a_blank_key_keeps_the_current_key(
    administrator_client: Client, account: HeapAccount
) -> None:
    response = administrator_client.post(edit_url(account), edited(account, app_id="777"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.app_id, account.api_key()) == ("777", API_KEY)
    assert not AuditEvent.objects.filter(action="heap_account.key_changed").exists()
    assert AuditEvent.objects.get(action="heap_account.updated").details == {"fields": ["app_id"]}


def test_a_new_key_replaces_the_current_one_and_is_audited_without_the_key(
    administrator_client: Client, account: HeapAccount
) -> None:
    administrator_client.post(edit_url(account), edited(account, api_key=NEW_KEY))

    account.refresh_from_db()
    assert account.api_key() == NEW_KEY
    assert account.api_key_masked == "••••9876"
    event = AuditEvent.objects.get(action="heap_account.key_changed")
    assert (event.actor_label, event.target_id) == ("adam", str(account.pk))
    assert NEW_KEY not in str(event.details)
    assert API_KEY not in str(event.details)
    assert not AuditEvent.objects.filter(action="heap_account.updated").exists()


def test_a_new_key_drops_the_token_fetched_with_the_old_one_once_committed(
    administrator_client: Client, account: HeapAccount, django_capture_on_commit_callbacks
) -> None:
    token_key = token_cache_key(account.deletion_base_url, account.app_id)
    cache.set(token_key, {"access_token": "old-token", "refresh_at": 0})

    with django_capture_on_commit_callbacks(execute=True):
        administrator_client.post(edit_url(account), edited(account, api_key=NEW_KEY))

    assert cache.get(token_key) is None


def test_the_same_key_again_changes_nothing(
    administrator_client: Client, account: HeapAccount
) -> None:
    response = administrator_client.post(
        edit_url(account), edited(account, api_key=API_KEY), follow=True
    )

    assert "nothing changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="heap_account.k").exists()


def test_an_account_can_be_deactivated(administrator_client: Client, account: HeapAccount) -> None:
    administrator_client.post(edit_url(account), edited(account, is_active=""))

    account.refresh_from_db()
    assert account.is_active is False


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("app_id", "x1", "The app_id is a string of digits."),
        ("deletion_base_url", "", "This field is required."),
        ("api_key", "tab\tin-key-0000", "printable ASCII without spaces"),
    ],
)
def test_a_bad_edit_is_shown_again_with_the_error_and_changes_nothing(
    administrator_client: Client, account: HeapAccount, field: str, value: str, error: str
) -> None:
    response = administrator_client.post(
        edit_url(account), edited(account, **{field: value, "label": "renamed"})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert error in page
    account.refresh_from_db()
    assert (account.label, account.api_key()) == ("acme", API_KEY)
    assert API_KEY not in page


def test_a_label_taken_by_another_account_is_a_form_error_and_the_key_is_not_echoed(
    administrator_client: Client, account: HeapAccount
) -> None:
    make_account("globex")

    response = administrator_client.post(
        edit_url(account), edited(account, label="globex", api_key=NEW_KEY)
    )

    page = response.content.decode()
    assert "already exists" in page
    assert NEW_KEY not in page
    assert "Heap account acme" in page
    account.refresh_from_db()
    assert (account.label, account.api_key()) == ("acme", API_KEY)
    assert not AuditEvent.objects.filter(action="heap_account.key_changed").exists()


def test_editing_an_unknown_account_is_404(administrator_client: Client) -> None:
    assert administrator_client.get("/heap-accounts/999/edit").status_code == 404


def test_editing_without_a_csrf_token_is_refused(administrator: User, account: HeapAccount) -> None:
    client = logged_in(administrator, enforce_csrf_checks=True)

    response = client.post(edit_url(account), edited(account, api_key=NEW_KEY))

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.api_key() == API_KEY


def test_the_edit_page_answers_only_get_and_post(
    administrator_client: Client, account: HeapAccount
) -> None:
    assert administrator_client.delete(edit_url(account)).status_code == 405


# --- Test connection -----------------------------------------------------------------------------


@pytest.fixture
def sandboxed(heap: HeapSandbox) -> HeapAccount:
    return make_account("sandboxed", base_url=heap.url, app_id=APP_ID)


def test_testing_the_connection_asks_heap_for_a_token_and_says_ok(
    administrator_client: Client, sandboxed: HeapAccount, heap: HeapSandbox
) -> None:
    response = administrator_client.post(check_url(sandboxed), follow=True)

    assert "sandboxed: Heap accepted the credentials." in response.content.decode()
    assert heap.calls()["auth_token"] == 1
    event = AuditEvent.objects.get(action="heap_account.checked")
    assert (event.actor_label, event.details["ok"]) == ("adam", True)


def test_a_refused_key_is_shown_as_heaps_error_and_audited(
    administrator_client: Client, heap: HeapSandbox
) -> None:
    wrong = make_account("wrong", base_url=heap.url, app_id=APP_ID, api_key="wrong-key-0000-0000")

    response = administrator_client.post(check_url(wrong), follow=True)

    page = response.content.decode()
    assert (
        "wrong: Heap refused the account&#x27;s credentials: check its app_id and API key" in page
    )
    assert "HeapAuthError" not in page
    assert "wrong-key-0000-0000" not in page
    assert AuditEvent.objects.get(action="heap_account.checked").details["ok"] is False


def test_testing_an_unknown_account_is_404(administrator_client: Client) -> None:
    assert administrator_client.post("/heap-accounts/999/test").status_code == 404


def test_testing_answers_only_post(administrator_client: Client, account: HeapAccount) -> None:
    assert administrator_client.get(check_url(account)).status_code == 405


def test_testing_without_a_csrf_token_is_refused(administrator: User, account: HeapAccount) -> None:
    response = logged_in(administrator, enforce_csrf_checks=True).post(check_url(account))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="heap_account.checked").exists()


def test_the_accounts_page_says_when_a_second_active_account_stops_the_public_form(
    administrator_client: Client,
) -> None:
    make_account("acme")
    assert "public request form cannot" not in administrator_client.get(LIST).content.decode()

    make_account("second", app_id="9999999999999")
    page = administrator_client.get(LIST).content.decode()

    assert "The public request form cannot take requests: set INTAKE_HEAP_ACCOUNT" in page
