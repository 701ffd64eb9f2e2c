"""Single sign-on through the organisation's identity provider (OpenID Connect).

The provider proves who someone is; heapprivacy decides whether they may come in. It signs in
only an existing, active user whose email address the provider has verified, and never creates
one: administrators invite users, and manage their roles, on the users page. Every sign-in and
every refusal of someone the provider vouched for is audited. Failures of the protocol itself
(a bad signature, a replayed state, a provider that cannot be reached) are refused before this
module sees a claim; the callback view tells the user in words.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record

# Who is refused: nobody the trail can name as a user, so the sign-in itself.
SIGN_IN = Actor.system("single sign-on")

# What the login page says for each refusal ({provider}: OIDC_PROVIDER_NAME).
REFUSALS = {
    "no_email": "{provider} did not tell us your email address, so it cannot sign you in here.",
    "email_unverified": (
        "{provider} has not verified your email address, so it cannot sign you in here."
    ),
    "unknown_email": (
        "No heapprivacy user has your email address: an administrator can invite you."
    ),
    "several_users": (
        "More than one heapprivacy user has your email address: ask an administrator to keep it"
        " on one."
    ),
    "inactive": "Your heapprivacy account is deactivated: ask an administrator.",
}
INCOMPLETE = "Signing in with {provider} did not complete: try again, or log in with a password."

# Where the backend leaves a refusal's reason for the callback view, on the request itself.
REFUSAL_ATTRIBUTE = "sso_refusal"


class StaffProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow (state, nonce, PKCE, the ID token's signature), with
    heapprivacy's rule for who may come in."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Only the callback view's call, which passes the nonce it kept: a password log-in whose
        address happens to carry a code and a state is none of the provider's business."""
        if "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        audience = payload.get("aud") or []
        if self.OIDC_RP_CLIENT_ID not in ([audience] if isinstance(audience, str) else audience):
            raise SuspiciousOperation("The ID token was issued to another client.")
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info is not about the ID token's subject.")
        return provider_sign_in(self.request, claims)

    def get_user(self, user_id: int) -> User | None:
        """As for a password sign-in: a user deactivated since is signed out at the next page."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def provider_sign_in(request: HttpRequest, claims: dict[str, Any]) -> User | None:
    """The user the provider's claims name, audited; or None, the refusal audited."""
    email = str(claims.get("email") or "").strip()
    users = list(User.objects.filter(email__iexact=email)[:2]) if email else []
    refusal = _refusal(email, claims.get("email_verified"), users)
    if refusal:
        _refused(request, refusal, email, users[0] if refusal == "inactive" else None)
        return None
    details = {"username": users[0].username, "provider": settings.OIDC_PROVIDER_NAME}
    audit_record(
        "user.sso_signed_in", actor=Actor.for_user(users[0]), target=users[0], details=details
    )
    return users[0]


def refusal_words(request: HttpRequest) -> str:
    """What the login page says after a sign-in through the provider failed."""
    words = REFUSALS.get(getattr(request, REFUSAL_ATTRIBUTE, ""), INCOMPLETE)
    return words.format(provider=settings.OIDC_PROVIDER_NAME)


def _refusal(email: str, verified: object, users: list[User]) -> str:
    if not email:
        return "no_email"
    # Absent means the provider does not say; some providers send the claim as a string.
    if str(verified).lower() == "false":
        return "email_unverified"
    if not users:
        return "unknown_email"
    if len(users) > 1:
        return "several_users"
    return "" if users[0].is_active else "inactive"


def _refused(request: HttpRequest, reason: str, email: str, user: User | None) -> None:
    """Audited with the address's domain only: the trail keeps no email address."""
    setattr(request, REFUSAL_ATTRIBUTE, reason)
    details = {"reason": reason, "provider": settings.OIDC_PROVIDER_NAME}
    if email:
        details["domain"] = email.rpartition("@")[2].lower()
    if user is not None:
        details["username"] = user.username
    audit_record("user.sso_refused", actor=SIGN_IN, target=user, details=details)
