"""Audit events as sentences for people: the console's lifecycle and audit log read these."""

import pytest

from heapprivacy.audit.actors import ActorKind
from heapprivacy.audit.models import AuditEvent
from heapprivacy.reports.describe import SENTENCES, actor_words, event_sentence, run_sentence


def event(action: str, details: dict | None = None, **fields: str) -> AuditEvent:
    return AuditEvent(action=action, details=details or {}, **fields)


BATCH = {"target_type": "erasure.deletionbatch", "target_id": "12"}


def test_a_submission_reads_as_what_heap_did() -> None:
    submitted = event(
        "batch.submitted", {"attempt": 1, "http_status": 201, "deletion_request_id": "d"}, **BATCH
    )

    assert event_sentence(submitted) == "Sent to Heap: batch #12, accepted (201), attempt 1"


def test_a_retry_says_what_failed_and_when_it_is_tried_again() -> None:
    retry = event(
        "batch.retry_scheduled",
        {
            "attempt": 2,
            "error_class": "HeapServerError",
            "http_status": 503,
            "retry_at": "2027-03-04T10:05:00+00:00",
        },
        **BATCH,
    )

    assert event_sentence(retry) == (
        "Batch #12 not accepted, attempt 2: Heap failed on its side (server error). It is retried"
        " on its own (503). Retrying at 4 Mar 2027, 10:05 UTC"
    )


def test_a_creation_names_its_channel_and_counts_with_separators() -> None:
    created = event(
        "request.created",
        {"source": "csv", "jurisdiction": "GDPR-EU", "subjects": 10000},
        request_ref="DSR-2026-000001",
    )

    assert event_sentence(created) == (
        "Received DSR-2026-000001 through a CSV import (GDPR-EU), 10,000 subjects"
    )


def test_a_refused_single_sign_on_names_the_domain_and_the_reason() -> None:
    refused = event(
        "user.sso_refused",
        {"reason": "unknown_email", "provider": "Okta", "domain": "elsewhere.example"},
    )

    assert event_sentence(refused) == (
        "Sign-in through Okta refused for an address at elsewhere.example: unknown email"
    )


def test_a_single_sign_on_names_the_user_and_the_provider() -> None:
    signed_in = event("user.sso_signed_in", {"username": "olivia", "provider": "Okta"})

    assert event_sentence(signed_in) == "Staff user olivia signed in through Okta"


@pytest.mark.parametrize("action", sorted(SENTENCES))
def test_every_sentence_reads_without_its_details(action: str) -> None:
    sentence = event_sentence(event(action, **BATCH))

    assert sentence
    assert "None" not in sentence
    assert "_" not in sentence


def test_an_action_without_a_sentence_reads_as_its_name_made_plain() -> None:
    assert event_sentence(event("retention.idempotency_records_deleted")) == (
        "Retention: idempotency records deleted"
    )


def test_a_run_of_alike_events_is_summed_up() -> None:
    created = event("request.created", target_type="erasure.erasurerequest")
    checked = event("heap_account.checked", {"ok": True})

    assert run_sentence(created, 100_000) == "Received 100,000 requests"
    assert run_sentence(checked, 3) == ("Connection to Heap tested: it works (and 2 more like it)")


@pytest.mark.parametrize(
    ("kind", "label", "words"),
    [
        (ActorKind.USER, "olivia", "olivia"),
        (ActorKind.API_CLIENT, "crm", "API client “crm”"),
        (ActorKind.SYSTEM, "system", "heapprivacy (automatic)"),
        (ActorKind.SYSTEM, "retention", "Retention"),
    ],
)
def test_who_acted_reads_as_a_name_never_as_system_system(
    kind: ActorKind, label: str, words: str
) -> None:
    assert actor_words(kind, label) == words
