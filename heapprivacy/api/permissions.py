"""Scopes, method by method: each API view maps the methods it serves to the scope they need."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from heapprivacy.api.errors import MissingScope
from heapprivacy.api.models import ApiClient

if TYPE_CHECKING:  # rest_framework.views imports the permission classes: no import at run time
    from rest_framework.views import APIView


class HasScope(BasePermission):
    """401 without a valid token; 403 (missing-scope) when the token lacks the method's scope.

    A method the view does not map has no handler either: DRF answers it 405.
    """

    def has_permission(self, request: Request, view: "APIView") -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False  # DRF turns this into 401: no credentials were accepted
        scope = required_scope(view, request.method or "")
        if scope is not None and not client.has_scope(scope):
            raise MissingScope(scope)
        return True


def required_scope(view: "APIView", method: str) -> str | None:
    scopes = getattr(view, "required_scopes", {})
    return scopes.get("GET" if method == "HEAD" else method)
