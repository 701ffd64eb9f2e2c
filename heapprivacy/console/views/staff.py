"""Staff users, for Administrators: list, invite, change roles, deactivate, send a password
link, reset two-factor sign-in. Every change goes through heapprivacy.accounts and is audited."""

from smtplib import SMTPException

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from heapprivacy.accounts.access import StaffRequest, permission_required
from heapprivacy.accounts.mfa import authenticator_remove
from heapprivacy.accounts.staff import (
    staff_invite,
    staff_password_link_send,
    staff_roles,
    staff_update,
)
from heapprivacy.audit.actors import Actor
from heapprivacy.console.forms_accounts import form_errors_add
from heapprivacy.console.forms_staff import StaffChangeForm, StaffInviteForm

MAIL_FAILED = "The email could not be sent ({error}): send the link again once mail works."


@require_GET
@permission_required("auth.view_user")
def staff_list(request: StaffRequest) -> HttpResponse:
    users = (
        User.objects.annotate(
            authenticators=Count("totpdevice", filter=Q(totpdevice__confirmed=True))
        )
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    return render(request, "console/staff_list.html", {"users": users})


@require_http_methods(["GET", "POST"])
@permission_required("auth.add_user")
def staff_invite_view(request: StaffRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if form.is_valid():
        try:
            user = staff_invite(**form.cleaned_data, actor=Actor.for_user(request.user))
        except ValidationError as error:
            form_errors_add(form, error)
        except (SMTPException, OSError) as error:
            messages.warning(request, MAIL_FAILED.format(error=type(error).__name__))
            return redirect("console:staff_list")
        else:
            messages.success(request, f"{user.username} is invited: the email is on its way.")
            return redirect("console:staff_list")
    context = {"form": form, "mfa_required": settings.MFA_REQUIRED}
    return render(request, "console/staff_invite.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("auth.change_user")
def staff_detail(request: StaffRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    initial = {"roles": [str(role) for role in staff_roles(user)], "is_active": user.is_active}
    form = StaffChangeForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            changed = staff_update(user, **form.cleaned_data, actor=Actor.for_user(request.user))
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, f"{user.username}: {_changed_words(changed)}.")
            return redirect("console:staff_list")
    context = {
        "staff": user,
        "form": form,
        "authenticators": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        "mfa_required": settings.MFA_REQUIRED,
    }
    return render(request, "console/staff_detail.html", context)


@require_POST
@permission_required("auth.change_user")
def staff_password_link_view(request: StaffRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        staff_password_link_send(user, actor=Actor.for_user(request.user))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (SMTPException, OSError) as error:
        messages.warning(request, MAIL_FAILED.format(error=type(error).__name__))
    else:
        messages.success(request, f"A link to choose a new password is on its way to {user}.")
    return redirect("console:staff_detail", user_id=user.pk)


@require_POST
@permission_required("auth.change_user")
def staff_mfa_reset_view(request: StaffRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    authenticator_remove(user, actor=Actor.for_user(request.user))
    messages.success(request, f"{user}'s authenticator is removed: a new one is set up at sign-in.")
    return redirect("console:staff_detail", user_id=user.pk)


def _changed_words(changed: list[str]) -> str:
    words = {"roles": "roles changed", "active": "access changed"}
    return " and ".join(words[c] for c in changed) if changed else "nothing to change"
