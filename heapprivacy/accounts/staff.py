"""Staff accounts, as administrators manage them: invite, change roles, deactivate, send a
password link. Every change is audited; nobody can lock the last administrator out."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from heapprivacy.accounts.roles import Role
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record


def staff_roles(user: User) -> list[Role]:
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role in names]


def staff_invite(*, username: str, email: str, roles: list[Role], actor: Actor) -> User:
    """A new staff user with no password yet: the emailed link lets them choose one."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user named {username} exists already."})
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _roles_set(user, roles)
        _audit("user.invited", actor, user, roles=[str(r) for r in roles])
    password_link_mail(user, invited=True)
    return user


def staff_update(user: User, *, roles: list[Role], is_active: bool, actor: Actor) -> list[str]:
    """Change a user's roles and whether they may sign in; returns what changed."""
    before = staff_roles(user)
    changed = []
    if set(before) != set(roles):
        changed.append("roles")
    if user.is_active != is_active:
        changed.append("active")
    if not changed:
        return []
    _refuse_last_administrator_loss(user, before, roles, is_active)
    with transaction.atomic():
        _roles_set(user, roles)
        user.is_active = is_active
        user.save(update_fields=["is_active", "is_staff"])
        if "roles" in changed:
            roles_before = [str(r) for r in before]
            _audit("user.roles_changed", actor, user, roles_before=roles_before, roles=roles)
        if "active" in changed:
            _audit("user.reactivated" if is_active else "user.deactivated", actor, user)
    return changed


def staff_password_link_send(user: User, *, actor: Actor) -> None:
    """A reset: the user chooses a new password from the emailed link (the old one still works
    until then). An inactive user or one without an email address gets nothing."""
    if not user.is_active or not user.email:
        raise ValidationError(f"{user.username} has no active account with an email address.")
    _audit("user.password_link_sent", actor, user)
    password_link_mail(user, invited=False)


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("password_set", args=[uid, default_token_generator.make_token(user)])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def password_link_mail(user: User, *, invited: bool) -> None:
    """Sent at once, so a mail server's refusal reaches the administrator who asked (OSError,
    smtplib's errors included); the link can be sent again from the user's page."""
    context = {
        "user": user,
        "link": password_link(user),
        "invited": invited,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86_400,
        "mfa_required": settings.MFA_REQUIRED,
    }
    subject = "Your heapprivacy account" if invited else "Choose a new heapprivacy password"
    body = render_to_string("accounts/password_link.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _roles_set(user: User, roles: list[Role]) -> None:
    user.groups.set(Group.objects.filter(name__in=[str(role) for role in roles]))
    user.is_staff = Role.ADMINISTRATOR in roles


def _refuse_last_administrator_loss(
    user: User, before: list[Role], roles: list[Role], is_active: bool
) -> None:
    if Role.ADMINISTRATOR not in before or (Role.ADMINISTRATOR in roles and is_active):
        return
    others = User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR).exclude(
        pk=user.pk
    )
    if not others.exists():
        raise ValidationError("This is the last active administrator: add another one first.")


def _audit(action: str, actor: Actor, user: User, **details: object) -> None:
    details = {"username": user.username, **details}
    audit_record(action, actor=actor, target=user, details=details)
