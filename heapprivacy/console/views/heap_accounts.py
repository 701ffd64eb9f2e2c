"""Heap accounts, for Administrators only: list, add, edit, test the connection.

The api_key is write-only. These pages show it masked (••••1234) at most, and only to those who
may view Heap accounts: officers and auditors get a 403 on every one of them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.audit.actors import Actor
from heapprivacy.console.forms_accounts import (
    HeapAccountEditForm,
    HeapAccountForm,
    form_errors_add,
)
from heapprivacy.erasure.accounts import (
    heap_account_check,
    heap_account_create,
    heap_account_update,
)
from heapprivacy.erasure.models import HeapAccount
from heapprivacy.intake.services import intake_unavailable_reason


@require_GET
@permission_required("erasure.view_heapaccount")
def heap_account_list(request: StaffRequest) -> HttpResponse:
    accounts = HeapAccount.objects.order_by("label")
    context = {"accounts": accounts, "intake_unavailable": intake_unavailable_reason()}
    return render(request, "console/heap_account_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("erasure.add_heapaccount")
def heap_account_new(request: StaffRequest) -> HttpResponse:
    form = HeapAccountForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            account = heap_account_create(**form.cleaned_data, actor=Actor.for_user(request.user))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"Heap account {account.label} added.")
            return redirect("console:heap_account_list")
    return render(request, "console/heap_account_form.html", {"form": form, "account": None})


@require_http_methods(["GET", "POST"])
@permission_required("erasure.change_heapaccount")
def heap_account_edit(request: StaffRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(HeapAccount, pk=account_id)
    form = HeapAccountEditForm(
        request.POST if request.method == "POST" else None,
        initial=HeapAccountEditForm.initial_for(account),
    )
    if form.is_valid():
        changes = dict(form.cleaned_data)
        api_key = changes.pop("api_key")
        try:
            changed = heap_account_update(
                account, actor=Actor.for_user(request.user), api_key=api_key, **changes
            )
        except ValidationError as error:
            account.refresh_from_db()  # show what is stored, not the refused values
            form_errors_add(form, error)
        else:
            messages.success(request, _saved_message(account, changed))
            return redirect("console:heap_account_list")
    return render(request, "console/heap_account_form.html", {"form": form, "account": account})


@require_POST
@permission_required("erasure.test_heapaccount")
def heap_account_test(request: StaffRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(HeapAccount, pk=account_id)
    ok, answer = heap_account_check(account, actor=Actor.for_user(request.user))
    if ok:
        messages.success(request, f"{account.label}: Heap accepted the credentials.")
    else:
        messages.error(request, f"{account.label}: {answer}")
    return redirect("console:heap_account_list")


def _saved_message(account: HeapAccount, changed: list[str]) -> str:
    if not changed:
        return f"Heap account {account.label}: nothing changed."
    if "api_key" in changed:
        return f"Heap account {account.label} saved; the API key was replaced."
    return f"Heap account {account.label} saved."
