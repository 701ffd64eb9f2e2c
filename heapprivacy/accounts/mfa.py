"""The second factor: a TOTP authenticator app, set up once, asked for at every sign-in.

A user who has confirmed an authenticator is always asked for its code; with MFA_REQUIRED, a
user who has none must set one up before any staff page opens. A user who signed in through
the organisation's identity provider is asked for none: the provider is then responsible for
MFA. Every change is audited.
"""

from base64 import b64encode
from io import BytesIO

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record

DEVICE_NAME = "Authenticator app"


# Whether the signed-in user had an authenticator at sign-in, kept in the session so that a
# page costs no query to know it. Only the user's own setup adds one (and verifies the session);
# an administrator's reset removes it, and the user is then asked to set up a new one.
ENROLLED_AT_SIGN_IN = "heapprivacy_mfa_enrolled"


# Set when the user signed in through the organisation's identity provider (accounts/oidc.py),
# which authenticated them by its own rules: the identity provider is then responsible for MFA.
SIGNED_IN_BY_PROVIDER = "heapprivacy_signed_in_by_provider"


def second_factor_due(request: HttpRequest) -> bool:
    """Whether the signed-in user must still give a code (or set up an authenticator).

    Never for a session signed in through the identity provider: the identity provider is then
    responsible for MFA. Reads only the session once it knows, so a page costs no query for it.
    """
    user = request.user
    if not user.is_authenticated or request.session.get(SIGNED_IN_BY_PROVIDER):
        return False
    if user.is_verified():  # type: ignore[attr-defined]
        return False
    if settings.MFA_REQUIRED:
        return True
    if ENROLLED_AT_SIGN_IN not in request.session:
        request.session[ENROLLED_AT_SIGN_IN] = authenticator_enrolled(user)
    return bool(request.session[ENROLLED_AT_SIGN_IN])


def enrolment_remember(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    """On user_logged_in (connected in AccountsConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_AT_SIGN_IN] = authenticator_enrolled(user)


def provider_sign_in_remember(request: HttpRequest) -> None:
    """After a sign-in through the identity provider: this session owes no code."""
    request.session[SIGNED_IN_BY_PROVIDER] = True


def authenticator_enrolled(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def authenticator_start(user: User) -> TOTPDevice:
    """The unconfirmed authenticator whose key the setup page shows, made once and reused."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    return device


def authenticator_qr_data_url(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code: an SVG data: URL, which the CSP's img-src allows."""
    out = BytesIO()
    write_qrcode_image(device.config_url, out)
    return f"data:image/svg+xml;base64,{b64encode(out.getvalue()).decode()}"


def authenticator_confirm(request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """The first code from the app proves it holds the key: the device counts from now on."""
    if not device.verify_token(code):
        _audit("user.mfa_failed", Actor.for_user(request.user), device.user, step="setup")
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _audit("user.mfa_enrolled", Actor.for_user(request.user), device.user)
    otp_login(request, device)
    request.session[ENROLLED_AT_SIGN_IN] = True
    return True


def second_factor_verify(request: HttpRequest, code: str) -> bool:
    """A sign-in's code, checked against the user's authenticator (throttled by django-otp)."""
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            otp_login(request, device)
            return True
    if devices:
        _audit("user.mfa_failed", Actor.for_user(request.user), devices[0].user, step="sign-in")
    return False


def authenticator_remove(user: User, *, actor: Actor) -> int:
    """A lost phone: the user sets up a new authenticator at the next sign-in."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        _audit("user.mfa_reset", actor, user, devices=removed)
    return removed


def _audit(action: str, actor: Actor, user: User, **details: object) -> None:
    details = {"username": user.username, **details}
    audit_record(action, actor=actor, target=user, details=details)
