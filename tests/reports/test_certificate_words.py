import pytest

from heapprivacy.reports.certificate_words import certificate_words, heap_words, human_time
from heapprivacy.reports.certificates import IssuedCertificate, canonical_json, certificate_html

VERSION_1 = {
    "certificate": "erasure",
    "version": 1,
    "reference": "DSR-2026-000007",
    "jurisdiction": "CCPA",
    "issued_at": "2026-12-04T14:05:59+00:00",
    "audit_head": "12:ab",
    "timeline": {
        "received": "2026-11-01T09:00:00+00:00",
        "verified": "",
        "approved": "2026-11-02T09:00:00+00:00",
        "submitted_to_heap": "2026-11-02T09:15:00+00:00",
        "confirmed_by_heap": "2026-11-03T09:00:00+00:00",
        "completed": "2026-11-03T09:01:00+00:00",
    },
    "approved_by": {
        "actor_kind": "user",
        "actor_label": "olivia",
        "at": "2026-11-02T09:00:00+00:00",
        "audit_seq": 9,
    },
    "heap_deletions": [
        {
            "deletion_request_id": "8ac45a48",
            "heap_account": "acme",
            "subjects": 1,
            "submitted_at": "2026-11-02T09:15:00+00:00",
            "completed_at": "2026-11-03T09:00:00+00:00",
            "second_approval_by": "arthur",
        }
    ],
    "pseudonymisation": "HMAC-SHA256",
    "subjects": [
        {
            "kind": "identity",
            "reference": "f00d",
            "heap_account": "acme",
            "state": "erased",
            "erased_at": "2026-11-03T09:00:00+00:00",
        }
    ],
}


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("2026-12-04T14:05:59+00:00", "4 December 2026, 14:05 UTC"),
        ("2026-12-04T15:05:00+01:00", "4 December 2026, 14:05 UTC"),
        ("", "not recorded"),
    ],
)
def test_a_stored_time_reads_as_a_utc_date_in_words(stored: str, words: str) -> None:
    assert human_time(stored) == words


def test_heap_is_named_by_its_region_or_plainly() -> None:
    assert [heap_words(region) for region in ("us", "eu", "")] == ["Heap (US)", "Heap (EU)", "Heap"]


def test_a_version_1_certificate_reads_without_the_names_it_holds(settings) -> None:
    settings.ORGANISATION_NAME = "Northwind Trading plc"

    words = certificate_words(VERSION_1, subjects_shown=1)

    assert words["approval"] == "a member of staff, 2 November 2026, 09:00 UTC (audit event #9)"
    assert words["issuer"]["name"] == "Northwind Trading plc"
    assert words["jurisdiction"] == "California CCPA/CPRA (CCPA)"
    assert (words["deletions"][0]["heap"], words["subjects"][0]["heap"]) == ("Heap", "Heap")
    html = certificate_html(IssuedCertificate("DSR-2026-000007", canonical_json(VERSION_1), "0"))
    for name in ("olivia", "acme", "arthur"):
        assert name not in html


def test_an_approval_nobody_recorded_says_so() -> None:
    content = {**VERSION_1, "approved_by": {"role": "", "at": "", "audit_seq": 0}}

    assert certificate_words(content)["approval"] == "not recorded"


def test_an_approval_without_verification_says_so() -> None:
    approved_by = {**VERSION_1["approved_by"], "role": "approver", "without_verification": True}

    approval = certificate_words({**VERSION_1, "approved_by": approved_by})["approval"]

    assert approval == (
        "an approver, 2 November 2026, 09:00 UTC (audit event #9); nobody verified the "
        "requester's identity here: approved for a recorded reason"
    )
