"""The privacy officers' daily digest: what needs them today, in one email each.

Sent by beat at 07:00 to every active user in the "Privacy officer" group who has an email
address: requests due within 7 days, overdue, at risk (near their latest safe submit), batches
that need attention and Heap's latest errors, with links into the console. The figures are the
dashboard's (console/dashboard.py). It holds references and dates, never a subject's data. It
goes every day, also when all is quiet: silence would look the same as a stopped beat.
"""

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from heapprivacy.accounts.roles import Role
from heapprivacy.console import dashboard
from heapprivacy.console.selectors import requests_filtered
from heapprivacy.erasure.legal.due import at_risk, open_with_deadline
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest
from heapprivacy.notifications.models import Notification
from heapprivacy.notifications.notices import date_text, public_url
from heapprivacy.notifications.services import notify

DIGEST = "notifications/digest"
LISTED = 50  # rows per section; the counts above each section are complete


def digest_send(today: date | None = None) -> list[Notification]:
    """Record today's digest for each officer with an address; once a day, however often run."""
    today = today or timezone.localdate()
    context = digest_context()
    subject = (
        f"Privacy requests on {today:%Y-%m-%d}: {context['counts']['overdue']} overdue, "
        f"{context['counts']['due_in_7_days']} due within 7 days, "
        f"{context['counts']['at_risk']} at risk"
    )
    with transaction.atomic():
        return [
            notify(
                DIGEST,
                recipient=officer.email,
                subject=subject,
                context=context,
                key=f"digest:{today:%Y-%m-%d}:{officer.pk}",
            )
            for officer in digest_recipients()
        ]


def digest_recipients() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.OFFICER)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digest_context() -> dict[str, Any]:
    """The digest's content as JSON (it waits in the outbox rows until sent)."""
    batches = DeletionBatch.objects.filter(state=DeletionBatch.State.NEEDS_ATTENTION)
    return {
        "counts": {**dashboard.deadline_counts(), "needs_attention": batches.count()},
        "due_soon": _requests(requests_filtered({"due": "7d", "order": "deadline_at"})),
        "overdue": _requests(requests_filtered({"due": "overdue", "order": "deadline_at"})),
        "at_risk": _requests(at_risk_requests()),
        "needs_attention": [_batch(batch) for batch in batches.select_related("account")[:LISTED]],
        "heap_errors": [_error(error) for error in dashboard.last_heap_errors()],
        "dashboard_url": public_url("console:dashboard"),
    }


def at_risk_requests() -> QuerySet[ErasureRequest]:
    """Open, not yet overdue, and near the latest safe submit: the dashboard's "at risk"."""
    requests = open_with_deadline(ErasureRequest.objects.all())
    return requests.filter(at_risk(timezone.now())).order_by("latest_safe_submit", "pk")


def _requests(requests: QuerySet[ErasureRequest]) -> list[dict[str, str]]:
    return [
        {
            "reference": request.reference,
            "state": request.get_state_display(),
            "jurisdiction": request.jurisdiction,
            "deadline": date_text(request.deadline),
            "latest_safe_submit": _moment(request.latest_safe_submit),
            "url": public_url("console:request_detail", request.reference),
        }
        for request in requests[:LISTED]
    ]


def _batch(batch: DeletionBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "account": batch.account.label,
        "size": batch.size,
        "attempts": batch.attempts,
        "last_error": batch.last_error[:200],
        "url": public_url("console:batch_detail", str(batch.pk)),
    }


def _error(error: dict[str, Any]) -> dict[str, Any]:
    return {**error, "at": _moment(error["at"])}


def _moment(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else ""
