"""Audit events in words for people: one sentence per event, and who did it.

The stored event (its action name and details) stays the evidence; these sentences are how the
console shows it. An action without a sentence of its own reads as its name made plain, so a new
event never shows as code.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from heapprivacy.audit.actors import ActorKind
from heapprivacy.audit.models import AuditEvent
from heapprivacy.heap.words import heap_error_words

Details = Mapping[str, Any]

CHANNELS = {
    "form": "the public form",
    "api": "the API",
    "csv": "a CSV import",
    "staff": "the console",
}
NOUNS = {"erasure.deletionbatch": "batch", "erasure.erasurerequest": "request"}


def event_sentence(event: AuditEvent) -> str:
    """What happened, as a sentence: "Sent to Heap: batch #12, 10,000 subjects, accepted (201)"."""
    sentence = SENTENCES.get(event.action)
    details = event.details if isinstance(event.details, dict) else {}
    if sentence is None:
        return _plain(event.action)
    return sentence(details, _target(event))


def run_sentence(event: AuditEvent, count: int) -> str:
    """A run of `count` alike events, newest `event`: "Received 100,000 requests via CSV"."""
    if count == 1:
        return event_sentence(event)
    noun = NOUNS.get(event.target_type, "event")
    summary = RUNS.get(event.action)
    plural = _count(count, noun).replace("batchs", "batches")
    if summary is None:
        return f"{event_sentence(event)} (and {intcomma(count - 1)} more like it)"
    return summary.format(n=plural)


def actor_words(kind: str, label: str) -> str:
    """Who acted: a user's name, an API client by its label, or what the system did it as."""
    if kind == ActorKind.API_CLIENT:
        return f"API client “{label}”"
    if kind == ActorKind.SYSTEM:
        return "heapprivacy (automatic)" if label in ("", "system") else label.capitalize()
    return label


def when(value: object) -> str:
    """A stored ISO timestamp as a reader's date: "4 Mar 2027, 23:59 UTC"."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return "—"
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{formats.date_format(local, 'j M Y, H:i')} {local.tzname() or ''}".strip()


def _count(value: object, noun: str) -> str:
    number = value if isinstance(value, int) else 0
    return f"{intcomma(number)} {noun}{'' if number == 1 else 's'}"


def _plain(action: str) -> str:
    return action.replace(".", ": ").replace("_", " ").capitalize()


def _target(event: AuditEvent) -> str:
    if event.target_type == "erasure.deletionbatch":
        return f"batch #{event.target_id}"
    return event.request_ref or event.target_id


def _heap_answer(details: Details) -> str:
    status = details.get("http_status")
    words = heap_error_words(str(details.get("error_class") or ""))
    return f"{words} ({status})" if status else words


def _attempt(details: Details) -> str:
    number = details.get("attempt")
    return f", attempt {number}" if number else ""


def _said(details: Details) -> str:
    return str(details.get("status") or "not given")


def _who(details: Details) -> str:
    return f"Staff user {details.get('username') or 'unknown'}"


def _provider(details: Details) -> str:
    return str(details.get("provider") or "the identity provider")


def _refused_whom(details: Details) -> str:
    """A refused sign-in names the user it matched, or else only the address's domain."""
    if details.get("username"):
        return f" for {_who(details)}"
    return f" for an address at {details['domain']}" if details.get("domain") else ""


def _roles(value: object) -> str:
    roles = [str(role) for role in value] if isinstance(value, list) else []
    return ", ".join(roles) or "no role"


def _reason(details: Details) -> str:
    reason = details.get("reason_code") or details.get("reason") or ""
    return f": {str(reason).replace('_', ' ')}" if reason else ""


SENTENCES: dict[str, Callable[[Details, str], str]] = {
    "request.created": lambda d, t: (
        f"Received {t} through {CHANNELS.get(str(d.get('source')), 'an unknown channel')}"
        f" ({d.get('jurisdiction') or 'no jurisdiction'}), {_count(d.get('subjects'), 'subject')}"
    ),
    "request.in_progress": lambda d, t: "In progress: its subjects are on their way to Heap",
    "request.needs_attention": lambda d, t: "Needs attention: a batch holding its subjects stalled",
    "request.subjects_added": lambda d, t: f"Added {_count(d.get('subjects'), 'subject')} to {t}",
    "request.verified": lambda d, t: (
        f"Requester's identity verified by {str(d.get('method') or 'an officer').replace('_', ' ')}"
    ),
    "request.note_added": lambda d, t: "Added a note",
    "request.approved": lambda d, t: (
        f"Approved: {_count(d.get('subjects_queued'), 'subject')} queued for the next batch"
        + (
            " (identity not verified: approved by override)"
            if "verification_overridden" in d
            else ""
        )
    ),
    "request.rejected": lambda d, t: f"Rejected{_reason(d)}",
    "request.cancelled": lambda d, t: "Cancelled" + (" (reason in the notes)" if d else ""),
    "request.completed": lambda d, t: "Completed: Heap erased every subject",
    "request.extended": lambda d, t: f"Deadline extended to {when(d.get('extended_due_at'))}",
    "request.due_overridden": lambda d, t: (
        f"Due date changed from {when(d.get('from'))} to {when(d.get('to'))}"
    ),
    "request.clock_paused": lambda d, t: "Clock stopped while waiting for the requester",
    "request.clock_resumed": lambda d, t: f"Clock resumed: now due {when(d.get('due_at'))}",
    "request.clock_restarted": lambda d, t: f"Clock restarted: now due {when(d.get('due_at'))}",
    "request.previously_erased": lambda d, t: (
        f"{_count(d.get('subjects'), 'subject')} already erased for an earlier request"
    ),
    "request.pseudonymised": lambda d, t: "Personal data replaced by keyed hashes (retention)",
    "batch.packed": lambda d, t: (
        f"Packed into {t} ({_count(d.get('members'), 'subject')} in all)"
        + (", waiting for a second approval" if d.get("state") == "awaiting_approval" else "")
    ),
    "batch.approved": lambda d, t: f"Second approval of {t} ({_count(d.get('size'), 'subject')})",
    "batch.sending": lambda d, t: f"Sending {t} to Heap{_attempt(d)}",
    "batch.submitted": lambda d, t: (
        f"Sent to Heap: {t}, accepted ({d.get('http_status') or 'no status'}){_attempt(d)}"
    ),
    "batch.accepted_after_lease_expired": lambda d, t: (
        f"Heap accepted {t} after its lease expired ({d.get('http_status') or 'no status'})"
        f"{_attempt(d)}"
    ),
    "batch.retry_scheduled": lambda d, t: (
        f"{t.capitalize()} not accepted{_attempt(d)}: {_heap_answer(d)}. "
        f"Retrying at {when(d.get('retry_at'))}"
    ),
    "batch.lease_expired": lambda d, t: (
        f"Sending {t} took too long{_attempt(d)}: "
        + ("it will be sent again" if d.get("resubmit") else "needs an officer's check")
    ),
    "batch.needs_attention": lambda d, t: f"{t.capitalize()} needs attention{_reason(d)}",
    "batch.retried": lambda d, t: f"{t.capitalize()} sent again by an officer",
    "batch.status_undocumented": lambda d, t: (
        f"Heap reported an undocumented status for {t}: {_said(d)}"
    ),
    "batch.complete": lambda d, t: f"Heap confirmed {t} erased (status {_said(d)})",
    "certificate.issued": lambda d, t: "Certificate of erasure issued",
    "export.certificate": lambda d, t: f"Certificate downloaded ({d.get('format') or 'file'})",
    "export.pack": lambda d, t: "Compliance pack exported",
    "import.previewed": lambda d, t: "CSV file checked before import",
    "import.confirmed": lambda d, t: (
        f"CSV imported: {_count(d.get('requests'), 'request')}, "
        f"{_count(d.get('subjects'), 'subject')}"
    ),
    "import.discarded": lambda d, t: "CSV upload discarded",
    "heap_account.created": lambda d, t: f"Heap account “{d.get('label') or t}” added",
    "heap_account.updated": lambda d, t: (
        f"Heap account changed: {', '.join(str(f) for f in d.get('fields') or []) or 'nothing'}"
    ),
    "heap_account.key_changed": lambda d, t: "Heap API key replaced",
    "heap_account.keys_rotated": lambda d, t: (
        f"API keys re-encrypted under the newest key ({_count(d.get('accounts'), 'account')})"
    ),
    "heap_account.checked": lambda d, t: (
        "Connection to Heap tested: it works"
        if d.get("ok")
        else f"Connection to Heap tested: {heap_error_words(str(d.get('error_class') or ''))}"
    ),
    "api_client.created": lambda d, t: "API client created",
    "api_client.revoked": lambda d, t: "API client revoked",
    "access.denied": lambda d, t: "Access refused",
    "user.invited": lambda d, t: f"{_who(d)} invited as {_roles(d.get('roles'))}",
    "user.roles_changed": lambda d, t: (
        f"Roles of {_who(d)} changed from {_roles(d.get('roles_before'))} to "
        f"{_roles(d.get('roles'))}"
    ),
    "user.deactivated": lambda d, t: f"{_who(d)} deactivated: may no longer sign in",
    "user.reactivated": lambda d, t: f"{_who(d)} may sign in again",
    "user.password_link_sent": lambda d, t: f"{_who(d)} emailed a link to choose a password",
    "user.password_set": lambda d, t: f"{_who(d)} chose a password",
    "user.mfa_enrolled": lambda d, t: f"{_who(d)} set up two-factor sign-in",
    "user.mfa_failed": lambda d, t: f"Wrong two-factor code for {_who(d)}",
    "user.mfa_reset": lambda d, t: f"Two-factor sign-in of {_who(d)} reset: set up anew at sign-in",
    "user.sso_signed_in": lambda d, t: f"{_who(d)} signed in through {_provider(d)}",
    "user.sso_refused": lambda d, t: (
        f"Sign-in through {_provider(d)} refused{_refused_whom(d)}{_reason(d)}"
    ),
}

# Runs of alike events, as one line of the audit log ({n}: "2,000 requests").
RUNS = {
    "request.created": "Received {n}",
    "request.approved": "Approved {n}",
    "request.rejected": "Rejected {n}",
    "request.cancelled": "Cancelled {n}",
    "request.completed": "Completed {n}: Heap erased every subject",
    "request.in_progress": "{n} in progress: their subjects are on their way to Heap",
    "request.needs_attention": "{n} need attention: a batch holding their subjects stalled",
    "request.previously_erased": "{n} hold subjects already erased for an earlier request",
    "request.pseudonymised": "Personal data of {n} replaced by keyed hashes (retention)",
    "batch.packed": "Packed {n}",
    "batch.complete": "Heap confirmed {n} erased",
}

# What the audit log's action filter suggests: every action with a sentence, and their groups.
ACTIONS = sorted({*SENTENCES, *(action.split(".")[0] for action in SENTENCES)})
