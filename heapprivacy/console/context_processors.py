from typing import Any

from django.http import HttpRequest

from heapprivacy.accounts.mfa import second_factor_due


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's roles, shown in the header of every page, and whether the header
    waits for the second factor (a half-signed-in user sees no menu)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": [], "second_factor_due": False}
    return {
        "user_roles": list(user.groups.values_list("name", flat=True)),
        "second_factor_due": second_factor_due(request),
    }
