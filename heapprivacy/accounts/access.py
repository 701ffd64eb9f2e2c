"""Who may do what in the staff pages (console, reports). A refusal is a 403, written to the
audit trail."""

from collections.abc import Callable
from functools import wraps
from typing import NoReturn

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.services import audit_record

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """The request of a page behind `permission_required`: its user is signed in. For the type
    checker only (django-stubs types request.user as User or AnonymousUser)."""

    user: User


def permission_required(permission: str) -> Callable[[View], View]:
    """Log in first; then 403, audited, unless the user holds `permission`."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not request.user.has_perm(permission):
                access_denied(request, permission)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def access_denied(request: HttpRequest, reason: str) -> NoReturn:
    """Record the refusal, then raise the 403."""
    access_denied_record(request, reason)
    raise PermissionDenied(reason)


def access_denied_record(request: HttpRequest, reason: str) -> None:
    """Record a refusal the page answers itself (one request of a bulk action, say)."""
    audit_record(
        "access.denied",
        actor=Actor.for_user(request.user),
        details={"reason": reason, "method": request.method, "path": request.path[:200]},
    )
