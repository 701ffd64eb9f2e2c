"""The public status page: progress of a request, reached by a signed link, no personal data."""

import pytest
from django.test import Client

from heapprivacy.erasure.legal.clock import request_extend
from heapprivacy.erasure.legal.deadlines import local_date
from heapprivacy.erasure.lifecycle.requests import request_approve, request_reject
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.notifications.tokens import status_token_make
from tests.erasure.factories import SYSTEM
from tests.intake.conftest import ALICE, confirm, status_path, submit, verify_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_and_path(client: Client, account, mailoutbox: list) -> tuple[ErasureRequest, str]:
    submit(client, email=ALICE)
    return ErasureRequest.objects.get(), status_path(mailoutbox[0])


def test_it_shows_reference_state_and_dates(client: Client, request_and_path) -> None:
    request, path = request_and_path

    response = client.get(path)

    page = response.content.decode()
    assert response.status_code == 200
    assert request.reference in page
    assert '<span class="state received">' in page
    assert f'<time datetime="{request.received_at.isoformat()}' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_shows_no_personal_data(client: Client, request_and_path) -> None:
    _, path = request_and_path

    page = client.get(path).content.decode().lower()

    assert ALICE not in page
    assert "alice" not in page
    assert "example.com" not in page


def test_it_follows_the_request_to_approved(
    client: Client, request_and_path, mailoutbox: list
) -> None:
    _, path = request_and_path
    confirm(client, verify_path(mailoutbox[0]))
    request_approve(ErasureRequest.objects.get(), actor=SYSTEM)

    page = client.get(path).content.decode()

    assert '<span class="state approved">' in page
    assert "<strong>Confirmed</strong>" in page
    assert "<strong>Approved</strong>" in page
    assert "Completed <span" in page  # not yet


def test_a_rejected_request_says_it_was_not_carried_out_without_the_note(
    client: Client, request_and_path
) -> None:
    request, path = request_and_path
    request_reject(request, actor=SYSTEM, reason_code="other", note="Alice Smith's lawyer")

    page = client.get(path).content.decode()

    assert '<span class="state rejected">Not carried out</span>' in page
    assert "Smith" not in page


def test_a_request_needing_attention_shows_as_in_progress(client: Client, request_and_path) -> None:
    request, path = request_and_path
    ErasureRequest.objects.filter(pk=request.pk).update(state="needs_attention")

    assert b'<span class="state in_progress">In progress</span>' in client.get(path).content


def test_a_tampered_status_link_is_not_found(client: Client, request_and_path) -> None:
    request, _ = request_and_path
    forged = status_token_make(request.reference).replace(request.reference, "DSR-2026-000999")

    response = client.get(f"/privacy/erasure/status/{forged}")

    assert response.status_code == 404
    assert request.reference not in response.content.decode()


def test_a_status_link_for_a_request_that_no_longer_exists_is_not_found(
    client: Client, db: None
) -> None:
    path = f"/privacy/erasure/status/{status_token_make('DSR-2026-000999')}"

    assert client.get(path).status_code == 404


def test_wrong_method_is_refused(client: Client, request_and_path) -> None:
    assert client.post(request_and_path[1]).status_code == 405


def test_an_open_request_gives_the_day_we_respond_by(client: Client, request_and_path) -> None:
    request, path = request_and_path

    page = client.get(path).content.decode()

    day = local_date(request.due_at)
    assert f'<dt>We respond by</dt><dd><time datetime="{day:%Y-%m-%d}">' in page
    assert f"{day.day} {day:%B %Y}" in page


def test_an_extended_request_gives_the_extended_day(client: Client, request_and_path) -> None:
    request, path = request_and_path
    request_extend(request, actor=SYSTEM, reason="many systems to search")

    page = client.get(path).content.decode()

    day = local_date(ErasureRequest.objects.get().extended_due_at)
    assert f'<time datetime="{day:%Y-%m-%d}">' in page
    assert "(extended: we wrote to you with the reason)" in page


def test_a_closed_request_gives_no_day_to_respond_by(client: Client, request_and_path) -> None:
    request, path = request_and_path
    request_reject(request, actor=SYSTEM, reason_code="other", note="not ours")

    assert "We respond by" not in client.get(path).content.decode()
