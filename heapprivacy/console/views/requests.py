"""Requests: the list, one request's page, and the actions officers take on it."""

from django.contrib import messages
from django.forms import Form
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from heapprivacy.accounts.access import StaffRequest, access_denied, permission_required
from heapprivacy.audit.actors import Actor
from heapprivacy.console import selectors
from heapprivacy.console.actions import action_apply
from heapprivacy.console.bulk import BULK_ACTIONS, BULK_LIMIT, bulk_apply
from heapprivacy.console.forms import (
    ApproveForm,
    BulkActionForm,
    CancelForm,
    ClockForm,
    ExtendForm,
    NoteForm,
    RejectForm,
    RequestFilterForm,
    VerifyForm,
)
from heapprivacy.console.next_step import is_creator, next_step
from heapprivacy.erasure.legal.clock import (
    request_clock_pause,
    request_clock_restart,
    request_clock_resume,
    request_extend,
)
from heapprivacy.erasure.legal.jurisdictions import rule_for
from heapprivacy.erasure.lifecycle.requests import (
    request_approve,
    request_cancel,
    request_note_add,
    request_note_write,
    request_reject,
    request_verify,
)
from heapprivacy.erasure.models import ErasureRequest, Subject
from heapprivacy.erasure.pipeline.packing import expected_pack_time
from heapprivacy.erasure.selectors import request_timeline

SUBJECTS_SHOWN = 50


@require_GET
@permission_required("erasure.view_erasurerequest")
def request_list(request: StaffRequest) -> HttpResponse:
    form = RequestFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    requests = selectors.requests_filtered(filters)
    page = selectors.page_of(selectors.with_previously_erased(requests), filters.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    bulk = BulkActionForm(initial={"back": "?" + request.GET.urlencode()}, auto_id="bulk_%s")
    return render(
        request,
        "console/request_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "bulk_form": bulk,
            "may_bulk": any(request.user.has_perm(perm) for perm, _ in BULK_ACTIONS.values()),
        },
    )


@require_POST
@permission_required("erasure.view_erasurerequest")
def request_bulk_view(request: StaffRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    references = list(dict.fromkeys(request.POST.getlist("reference")))
    if not form.is_valid() or not references or len(references) > BULK_LIMIT:
        _flash_errors(request, form)
        if not references:
            messages.error(request, "Tick the requests to apply the action to.")
        if len(references) > BULK_LIMIT:
            messages.error(request, f"At most {BULK_LIMIT} requests at a time.")
        return redirect(reverse("console:request_list") + form.data.get("back", "")[:2000])
    action = form.cleaned_data["action"]
    permission, _ = BULK_ACTIONS[action]
    if not request.user.has_perm(permission):
        access_denied(request, permission)
    outcomes = bulk_apply(request, action, references, form.cleaned_data)
    return render(
        request,
        "console/request_bulk_result.html",
        {
            "action": action,
            "outcomes": outcomes,
            "applied": sum(outcome.applied for outcome in outcomes),
            "back": reverse("console:request_list") + form.cleaned_data["back"],
        },
    )


@require_GET
@permission_required("erasure.view_erasurerequest")
def request_detail(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(
        selectors.with_previously_erased(ErasureRequest.objects.all()), reference=reference
    )
    subject_counts = selectors.request_subject_counts(erasure_request)
    account = selectors.request_account(erasure_request)
    created_it = is_creator(erasure_request, request.user)
    queued = subject_counts.get(Subject.State.QUEUED, 0)
    sending = account if account is not None and account.is_active and queued else None
    context = {
        "erasure_request": erasure_request,
        "step": next_step(erasure_request, request.user, created_it=created_it),
        "is_creator": created_it,
        "queued_count": queued,
        "account_active": account is None or account.is_active,
        "pack_expected": expected_pack_time(sending) if sending else None,
        "timeline": request_timeline(erasure_request),
        "subject_counts": subject_counts,
        "subjects": erasure_request.subjects.with_heap_state().order_by("pk")[:SUBJECTS_SHOWN],
        "batches": selectors.request_batches(erasure_request),
        "notes": erasure_request.notes.select_related("author").order_by("created_at"),
        "verify_form": VerifyForm(prefix="verify"),
        "approve_form": ApproveForm(prefix="approve"),
        "reject_form": RejectForm(prefix="reject"),
        "cancel_form": CancelForm(prefix="cancel"),
        "note_form": NoteForm(),
        "extend_form": ExtendForm(prefix="extend"),
        "rule": rule_for(erasure_request.jurisdiction),
    }
    return render(request, "console/request_detail.html", context)


@require_POST
@permission_required("erasure.verify_request")
def request_verify_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = VerifyForm(request.POST, prefix="verify")
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())

    def verify() -> None:
        note_id = request_note_write(
            erasure_request, author=request.user, text=form.cleaned_data["note"]
        )
        request_verify(
            erasure_request,
            actor=Actor.for_user(request.user),
            method=form.cleaned_data["method"],
            note_id=note_id,
        )

    action_apply(request, verify, "Marked verified.")
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.decide_request")
def request_approve_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = ApproveForm(request.POST, prefix="approve")
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    action_apply(
        request,
        lambda: request_approve(
            erasure_request,
            actor=Actor.for_user(request.user),
            verification_override=form.cleaned_data["verification_override"],
        ),
        "Approved: its subjects are queued for the next batch.",
    )
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.decide_request")
def request_reject_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = RejectForm(request.POST, prefix="reject")
    if not form.is_valid():
        return _refused(request, reference, form)
    action_apply(
        request,
        lambda: request_reject(
            erasure_request,
            actor=Actor.for_user(request.user),
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
        ),
        "Rejected.",
    )
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.extend_request")
def request_extend_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = ExtendForm(request.POST, prefix="extend")
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    action_apply(
        request,
        lambda: request_extend(
            erasure_request, actor=Actor.for_user(request.user), reason=form.cleaned_data["reason"]
        ),
        "Extended. The subject is sent the new deadline and your reasons.",
    )
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.extend_request")
def request_clock_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = ClockForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    actor = Actor.for_user(request.user)
    change = {
        "restart": lambda: request_clock_restart(erasure_request, actor=actor, at=timezone.now()),
        "pause": lambda: request_clock_pause(erasure_request, actor=actor),
        "resume": lambda: request_clock_resume(erasure_request, actor=actor),
    }[form.cleaned_data["action"]]
    action_apply(request, change, "The legal clock and the deadlines are updated.")
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.cancel_request")
def request_cancel_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = CancelForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _refused(request, reference, form)
    action_apply(
        request,
        lambda: request_cancel(
            erasure_request,
            actor=Actor.for_user(request.user),
            author=request.user,
            reason=form.cleaned_data["reason"],
        ),
        "Cancelled.",
    )
    return redirect("console:request_detail", reference=reference)


@require_POST
@permission_required("erasure.annotate_request")
def request_note_view(request: StaffRequest, reference: str) -> HttpResponse:
    erasure_request = get_object_or_404(ErasureRequest, reference=reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text())
    request_note_add(
        erasure_request,
        actor=Actor.for_user(request.user),
        author=request.user,
        text=form.cleaned_data["text"],
    )
    messages.success(request, "Note added.")
    return redirect("console:request_detail", reference=reference)


def _refused(request: StaffRequest, reference: str, form: Form) -> HttpResponse:
    """Back to the request page with what was missing: a reason the officer left out."""
    _flash_errors(request, form)
    return redirect("console:request_detail", reference=reference)


def _flash_errors(request: StaffRequest, form: Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
