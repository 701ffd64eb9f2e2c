"""A certificate's content as its reader sees it, on the PDF and on the public link's page.

The JSON keeps machine values (ISO timestamps, codes); these are the words for people: dates
like "4 December 2026, 14:05 UTC", "not recorded" for what is absent, roles and Heap regions.
Certificates issued before version 2 named the approver and the Heap accounts: their pages show
neither, and the issuer configured now.
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.dateformat import format as date_format

from heapprivacy.erasure.legal.jurisdictions import RULES
from heapprivacy.erasure.models import HeapAccount, Subject

NOT_RECORDED = "not recorded"
TIMELINE = [
    ("received", "Received"),
    ("verified", "Identity verified"),
    ("approved", "Approved"),
    ("submitted_to_heap", "Submitted to Heap"),
    ("confirmed_by_heap", "Confirmed by Heap"),
    ("completed", "Completed"),
]
APPROVERS = {
    "privacy_officer": "a privacy officer",
    "approver": "an approver",
    "staff": "a member of staff",
    "user": "a member of staff",  # version 1 recorded the actor's kind
    "api_client": "an API client",
    "system": "heapprivacy, automatically",
}


def certificate_words(content: dict[str, Any], *, subjects_shown: int = 0) -> dict[str, Any]:
    """The template context of `content`, with its first `subjects_shown` subjects."""
    subjects = content["subjects"]
    return {
        "reference": content["reference"],
        "issuer": content.get("issuer") or _issuer_now(),
        "jurisdiction": _jurisdiction(content["jurisdiction"]),
        "issued": human_time(content["issued_at"]),
        "audit_head": content["audit_head"],
        "approval": _approval(content["approved_by"]),
        "timeline": [(label, human_time(content["timeline"][key])) for key, label in TIMELINE],
        "deletions": [_deletion(deletion) for deletion in content["heap_deletions"]],
        "pseudonymisation": content["pseudonymisation"],
        "subjects": [_subject(subject) for subject in subjects[:subjects_shown]],
        "subjects_total": len(subjects),
        "subjects_more": max(0, len(subjects) - subjects_shown),
        "erased": sum(subject["state"] == Subject.State.ERASED for subject in subjects),
    }


def human_time(value: str) -> str:
    """A stored ISO timestamp as "4 December 2026, 14:05 UTC"; "not recorded" when empty."""
    if not value:
        return NOT_RECORDED
    return date_format(datetime.fromisoformat(value).astimezone(UTC), "j F Y, H:i") + " UTC"


def heap_words(region: str) -> str:
    """ "Heap (US)", "Heap (EU)"; plain "Heap" when the region is not recorded (version 1)."""
    return f"Heap ({region.upper()})" if region in HeapAccount.Region.values else "Heap"


def _issuer_now() -> dict[str, str]:
    return {"name": settings.ORGANISATION_NAME, "contact": settings.ORGANISATION_CONTACT}


def _jurisdiction(code: str) -> str:
    rule = RULES.get(code)
    return f"{rule.name} ({code})" if rule else code


def _approval(approved_by: dict[str, Any]) -> str:
    who = APPROVERS.get(approved_by.get("role") or approved_by.get("actor_kind", ""))
    words = f"{who}, {human_time(approved_by['at'])}" if who else NOT_RECORDED
    if approved_by["audit_seq"]:
        words += f" (audit event #{approved_by['audit_seq']})"
    if approved_by.get("without_verification"):
        words += "; nobody verified the requester's identity here: approved for a recorded reason"
    return words


def _deletion(deletion: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": deletion["deletion_request_id"] or NOT_RECORDED,
        "heap": heap_words(deletion.get("heap_region", "")),
        "subjects": intcomma(deletion["subjects"]),
        "submitted": human_time(deletion["submitted_at"]),
        "completed": human_time(deletion["completed_at"]),
    }


def _subject(subject: dict[str, Any]) -> dict[str, str]:
    state = Subject.State(subject["state"])
    erased = subject["erased_at"] if state == Subject.State.ERASED else ""
    return {
        "kind": Subject.Kind(subject["kind"]).label,
        "reference": subject["reference"],
        "heap": heap_words(subject.get("heap_region", "")),
        "erased": human_time(erased) if erased else state.label,
    }
