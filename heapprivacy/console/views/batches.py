"""Deletion batches: the list, one batch's evidence, its payload, and what people do to batches.

Actions call the services in erasure/pipeline/batches.py, then nudge a worker once the change is
committed (`delay_on_commit`). The nudge is only a shortcut: the sweeps find the work again if it
is lost.
"""

from functools import partial
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.audit.actors import Actor
from heapprivacy.console import selectors
from heapprivacy.console.actions import action_apply
from heapprivacy.console.forms import filter_accounts
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.pipeline.batches import (
    batch_approve,
    batch_decided_by,
    batch_retry,
    batches_release,
)
from heapprivacy.erasure.pipeline.packing import expected_pack_time
from heapprivacy.erasure.pipeline.payloads import (
    HeapUser,
    batch_payload,
    payload_sha256,
    payload_users,
)
from heapprivacy.erasure.pipeline.policy import MAX_BATCH_SIZE
from heapprivacy.erasure.tasks import poll_batch, submit_batch
from heapprivacy.heap.client import encode_json

Batch = DeletionBatch.State
MEMBERS_SHOWN = 50
REQUESTS_SHOWN = 100


class BatchFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *Batch.choices])
    account = forms.ModelChoiceField(
        required=False, queryset=HeapAccount.objects.none(), empty_label="Any account"
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = cast(forms.ModelChoiceField, self.fields["account"])
        account.queryset = filter_accounts(self.data.get("account"))


class ReleaseForm(forms.Form):
    """Which account to release now. Inactive accounts are never packed, not even by hand."""

    account = forms.ModelChoiceField(queryset=HeapAccount.objects.filter(is_active=True))


class PreviewForm(forms.Form):
    account = forms.ModelChoiceField(queryset=HeapAccount.objects.all())
    format = forms.ChoiceField(choices=[("html", "Page"), ("json", "JSON")], required=False)


@require_GET
@permission_required("erasure.view_deletionbatch")
def batch_list(request: StaffRequest) -> HttpResponse:
    form = BatchFilterForm(request.GET)
    if not form.is_valid():
        refused: dict[str, Any] = {"form": form, "page": None, "queued": []}
        return render(request, "console/batch_list.html", refused, status=400)
    filters = form.cleaned_data
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": selectors.page_of(batches_filtered(filters), filters["page"] or 1),
        "query": query.urlencode(),
        "queued": queued_by_account(),
    }
    return render(request, "console/batch_list.html", context)


@require_GET
@permission_required("erasure.view_deletionbatch")
def batch_detail(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(
        DeletionBatch.objects.select_related("account", "approved_by"), pk=batch_id
    )
    served = list(batch_requests(batch)[: REQUESTS_SHOWN + 1])
    context = {
        "batch": batch,
        "attempts": batch.submissions.order_by("number"),
        "polls": batch.status_polls.order_by("at", "pk"),
        "member_counts": member_counts(batch),
        "members": batch.members.select_related("request").order_by("pk")[:MEMBERS_SHOWN],
        "member_state": Subject.State(batch.member_state).label,
        "members_shown": MEMBERS_SHOWN,
        "requests": served[:REQUESTS_SHOWN],
        "more_requests": len(served) > REQUESTS_SHOWN,
        "approver_decided": _approver_decided(request, batch),
        "can_act": _can_act(request, batch),
    }
    return render(request, "console/batch_detail.html", context)


def _can_act(request: StaffRequest, batch: DeletionBatch) -> bool:
    """Whether the page has an action for this user: no empty Actions card on a finished batch."""
    State = DeletionBatch.State
    if batch.state == State.NEEDS_ATTENTION:
        return request.user.has_perm("erasure.retry_batch")
    return batch.state == State.AWAITING_APPROVAL and request.user.has_perm("erasure.approve_batch")


@require_GET
@permission_required("erasure.view_deletionbatch")
def batch_payload_view(request: StaffRequest, batch_id: int) -> HttpResponse:
    """The exact user_deletion body of the batch: `?inline=1` shows it, otherwise a download."""
    batch = get_object_or_404(DeletionBatch, pk=batch_id)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    return _payload_response(batch_payload(batch), f"batch-{batch.pk}-payload.json", disposition)


@require_GET
@permission_required("erasure.view_deletionbatch")
def batch_preview(request: StaffRequest) -> HttpResponse:
    """Dry run: the body a release would send now for the account's first batch (barring a
    concurrent packer holding some of its rows).

    Reads only: no row is claimed or changed, and Heap is not called.
    """
    form = PreviewForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    account = form.cleaned_data["account"]
    members = queued_members(account)
    users = payload_users(members)
    if form.cleaned_data["format"] != "json":
        context = {
            "account": account,
            "members": len(members),
            "users": users[:MEMBERS_SHOWN],
            "entries": len(users),
            "sha256": payload_sha256(users),
            "pack_expected": expected_pack_time(account) if account.is_active else None,
        }
        return render(request, "console/batch_preview.html", context)
    response = _payload_response(users, f"{account.label}-release-preview.json", "inline")
    response["X-Batch-Members"] = str(len(members))
    return response


@require_POST
@permission_required("erasure.release_batch")
def batch_release_view(request: StaffRequest) -> HttpResponse:
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    account = form.cleaned_data["account"]
    # Each batch is committed inside batches_release; outside a transaction on_commit runs at
    # once, so a worker is only ever nudged about a committed batch.
    batch_ids = batches_release(account, actor=Actor.for_user(request.user))
    ready = DeletionBatch.objects.filter(pk__in=batch_ids, state=Batch.READY)
    ready_ids = list(ready.values_list("pk", flat=True))
    for batch_id in ready_ids:
        submit_batch.delay_on_commit(batch_id)  # type: ignore[attr-defined]  # not in celery-types yet
    messages.success(request, _released_message(account, batch_ids, ready_ids))
    return redirect("console:batch_list")


@require_POST
@permission_required("erasure.retry_batch")
def batch_retry_view(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(DeletionBatch, pk=batch_id)
    retry = partial(batch_retry, batch, actor=Actor.for_user(request.user))
    if action_apply(request, retry, f"Batch #{batch.pk} will be retried."):
        # Heap already holds a deletion request: ask about it again; otherwise send the batch.
        task = poll_batch if batch.deletion_request_id else submit_batch
        task.delay_on_commit(batch.pk)  # type: ignore[attr-defined]  # not in celery-types yet
    return redirect("console:batch_detail", batch_id=batch.pk)


@require_POST
@permission_required("erasure.approve_batch")
def batch_approve_view(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(DeletionBatch, pk=batch_id)
    approve = partial(batch_approve, batch, actor=Actor.for_user(request.user))
    if action_apply(request, approve, f"Batch #{batch.pk} approved: it will be sent to Heap."):
        submit_batch.delay_on_commit(batch.pk)  # type: ignore[attr-defined]  # not in celery-types yet
    return redirect("console:batch_detail", batch_id=batch.pk)


def batches_filtered(filters: dict) -> QuerySet[DeletionBatch]:
    batches = DeletionBatch.objects.select_related("account")
    if filters.get("state"):
        batches = batches.filter(state=filters["state"])
    if filters.get("account"):
        batches = batches.filter(account=filters["account"])
    return batches.order_by("-created_at", "-pk")


def queued_by_account() -> list[dict[str, object]]:
    """Accounts with queued subjects, and how many, in one aggregate query."""
    rows = Subject.objects.filter(state=Subject.State.QUEUED).values(
        "account_id", "account__label", "account__is_active"
    )
    return list(rows.annotate(queued=Count("pk")).order_by("account__label"))


def queued_members(account: HeapAccount) -> list[tuple[str, str]]:
    """What batches_pack would claim now for the account's next batch, read without locking."""
    queued = Subject.objects.filter(account=account, state=Subject.State.QUEUED).order_by("id")
    return list(queued.values_list("kind", "value")[:MAX_BATCH_SIZE])


def member_counts(batch: DeletionBatch) -> dict[str, int]:
    """Every member is in its batch's state (Subject's docstring)."""
    return {Subject.State(batch.member_state).label: batch.size}


def batch_requests(batch: DeletionBatch) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(batch_links__batch=batch).order_by("reference")


def _approver_decided(request: StaffRequest, batch: DeletionBatch) -> bool:
    """Whether to show "someone else must approve" instead of the Approve button."""
    if batch.state != Batch.AWAITING_APPROVAL or not request.user.has_perm("erasure.approve_batch"):
        return False
    return batch_decided_by(batch, Actor.for_user(request.user))


def _payload_response(users: list[HeapUser], filename: str, disposition: str) -> HttpResponse:
    # The same compact UTF-8 bytes the Heap client sends, so their SHA-256 is the recorded hash.
    response = HttpResponse(encode_json({"users": users}), content_type="application/json")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Payload-SHA256"] = payload_sha256(users)
    return response


def _released_message(account: HeapAccount, batch_ids: list[int], ready_ids: list[int]) -> str:
    if not batch_ids:
        return f"Nothing queued for {account.label}."
    message = f"Released {len(batch_ids)} batch(es) for {account.label}: {_ids(batch_ids)}."
    waiting = [pk for pk in batch_ids if pk not in ready_ids]
    if waiting:
        message += f" Awaiting a second approval: {_ids(waiting)}."
    return message


def _ids(batch_ids: list[int]) -> str:
    return ", ".join(f"#{pk}" for pk in batch_ids)
