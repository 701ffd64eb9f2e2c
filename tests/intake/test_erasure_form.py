"""The public form at /privacy/erasure/: rendering, validation, protections, no enumeration."""

import re

import pytest
from django.test import Client

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from heapprivacy.intake.models import VerificationLink
from tests.erasure.factories import make_account, make_request
from tests.intake.conftest import ALICE, FORM_URL, form_data, links, submit

pytestmark = pytest.mark.django_db


def nothing_recorded() -> bool:
    return not ErasureRequest.objects.exists() and not VerificationLink.objects.exists()


def test_it_renders_every_field_with_a_real_label(client: Client) -> None:
    page = client.get(FORM_URL).content.decode()

    for field in ["id_email", "id_jurisdiction", "id_about_me", "id_website"]:
        assert f'<label for="{field}">' in page
        assert f'id="{field}"' in page
    assert 'aria-describedby="id_email_helptext"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_it_has_no_inline_script_or_style(client: Client) -> None:
    page = client.get(FORM_URL).content.decode()

    assert "<script" not in page
    assert "style=" not in page
    assert not re.search(r"\son[a-z]+=", page)


def test_the_jurisdiction_defaults_to_the_configured_one(client: Client, settings) -> None:
    settings.DEFAULT_JURISDICTION = "CCPA"

    page = client.get(FORM_URL).content.decode()

    assert re.search(r'<option value="CCPA"[^>]*selected>California \(', page)


def test_the_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client: Client) -> None:
    page = client.get(FORM_URL).content.decode()

    wrapper = re.search(r'<div hidden aria-hidden="true">(.*?)</div>', page, re.S)
    assert wrapper is not None
    assert 'name="website"' in wrapper.group(1)
    assert 'tabindex="-1"' in wrapper.group(1)


def test_identifiers_are_asked_for_only_when_the_email_is_not_the_identity(
    client: Client, settings
) -> None:
    assert b'name="identifiers"' not in client.get(FORM_URL).content

    settings.INTAKE_IDENTITY_FROM_EMAIL = False

    assert b'<textarea name="identifiers"' in client.get(FORM_URL).content


def test_a_submission_creates_a_received_request_and_sends_one_email(
    client: Client, account: HeapAccount, mailoutbox: list
) -> None:
    response = submit(client, email=f"  {ALICE} ", jurisdiction="GDPR-UK")

    assert response.status_code == 302
    assert response["Location"] == "/privacy/erasure/sent"
    request = ErasureRequest.objects.get()
    assert (request.state, request.source, request.jurisdiction) == ("received", "form", "GDPR-UK")
    assert request.requester_email == ALICE  # surrounding spaces stripped, as for any email
    assert request.verified_at is None
    assert list(request.subjects.values_list("kind", "value", "account")) == [
        ("identity", ALICE, account.pk)
    ]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ALICE]
    assert request.reference in mailoutbox[0].subject
    assert [path.split("/")[3] for path in links(mailoutbox[0])] == ["verify", "status"]


def test_the_email_is_the_identity_exactly_as_typed(client: Client, account) -> None:
    submit(client, email="Alice.Smith+heap@Example.COM")

    assert Subject.objects.get().value == "Alice.Smith+heap@Example.COM"


def test_the_thank_you_page_says_what_happens_next(client: Client, account) -> None:
    page = client.get(submit(client)["Location"]).content.decode()

    assert "Check your email" in page
    assert "What happens next" in page


def test_identifiers_are_kept_byte_for_byte_one_per_line(client: Client, account, settings) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False

    submit(client, identifiers=" user-7 \r\n\r\nCustomer\u200b42\r\n user-7 ")

    assert list(Subject.objects.order_by("pk").values_list("value", flat=True)) == [
        " user-7 ",
        "Customer\u200b42",
    ]


def test_identifiers_are_required_when_the_email_is_not_the_identity(
    client: Client, account, settings
) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False

    response = submit(client, identifiers="")

    assert b"Enter at least one user name or account number." in response.content
    assert nothing_recorded()


def test_it_refuses_identity_over_255_chars_with_the_error_tied_to_the_field(
    client: Client, account, settings
) -> None:
    settings.INTAKE_IDENTITY_FROM_EMAIL = False

    response = submit(client, identifiers="ok\n" + "x" * 256)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: must be 1 to 255 characters (got 256)." in page
    assert re.search(
        r'<textarea[^>]*aria-describedby="id_identifiers_helptext id_identifiers_error"', page
    )
    assert re.search(r'<textarea[^>]*aria-invalid="true"', page)
    assert '<ul class="errorlist" id="id_identifiers_error">' in page
    assert nothing_recorded()


def test_it_refuses_an_invalid_email_with_a_summary_linking_to_the_field(
    client: Client, account, mailoutbox: list
) -> None:
    page = submit(client, email="not an email").content.decode()

    assert '<div class="errors" role="alert"' in page
    assert '<a href="#id_email">Enter an email address like name@example.com.</a>' in page
    assert re.search(r'<input type="email"[^>]*aria-describedby="[^"]*id_email_error"', page)
    assert "<title>Error: " in page
    assert nothing_recorded()
    assert mailoutbox == []


def test_it_refuses_an_unknown_jurisdiction(client: Client, account) -> None:
    page = submit(client, jurisdiction="MARS").content.decode()

    assert "Choose where you live from the list." in page
    assert 'id="id_jurisdiction_error"' in page
    assert nothing_recorded()


def test_it_refuses_a_request_not_stated_to_be_about_the_sender(client: Client, account) -> None:
    data = form_data()
    del data["about_me"]

    page = client.post(FORM_URL, data).content.decode()

    assert '<a href="#id_about_me">Confirm that this request is about you.</a>' in page
    assert re.search(r'<input type="checkbox"[^>]*aria-invalid="true"', page)
    assert nothing_recorded()


def test_the_form_keeps_what_was_typed_after_an_error(client: Client, account) -> None:
    page = submit(client, email="bob@example", jurisdiction="CCPA").content.decode()

    assert 'value="bob@example"' in page
    assert re.search(r'<option value="CCPA"[^>]*selected>', page)


def test_a_filled_honeypot_gets_the_same_answer_and_nothing_happens(
    client: Client, account, mailoutbox: list
) -> None:
    human = submit(client, email="human@example.com")

    bot = submit(client, email="bot@example.com", website="http://spam.example")

    assert (bot.status_code, bot["Location"], bot.content) == (
        human.status_code,
        human["Location"],
        human.content,
    )
    assert list(ErasureRequest.objects.values_list("requester_email", flat=True)) == [
        "human@example.com"
    ]
    assert len(mailoutbox) == 1  # the human's only


def test_a_body_over_20_kb_is_refused_with_413(client: Client, account) -> None:
    response = submit(client, email=ALICE, padding="x" * 20_001)

    assert response.status_code == 413
    assert b"Too much text" in response.content
    assert nothing_recorded()


def test_a_malformed_content_length_is_refused_with_413(client: Client, account) -> None:
    response = client.post(FORM_URL, form_data(), CONTENT_LENGTH="lots")

    assert response.status_code == 413
    assert nothing_recorded()


def test_a_post_without_the_csrf_token_is_refused(account) -> None:
    response = Client(enforce_csrf_checks=True).post(FORM_URL, form_data())

    assert response.status_code == 403
    assert nothing_recorded()


def test_wrong_method_is_refused(client: Client) -> None:
    assert client.put(FORM_URL).status_code == 405


def test_a_known_email_gets_exactly_the_answer_an_unknown_one_gets(
    client: Client, account, mailoutbox: list
) -> None:
    make_request(account, [ALICE], requester_email=ALICE)  # known, open

    known = submit(client, email=ALICE)
    unknown = submit(client, email="nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert known.content == unknown.content
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    assert ErasureRequest.objects.count() == 2  # Alice's one, and nobody's new one
    assert len(mailoutbox) == 2  # each address hears from us, by email only


def test_without_a_usable_heap_account_it_says_so_and_records_nothing(
    client: Client, db: None, settings
) -> None:
    make_account("one")
    make_account("two")

    response = submit(client)

    assert response.status_code == 503
    assert nothing_recorded()
    assert not AuditEvent.objects.filter(action__startswith="request.").exists()
