from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, list[str]]:
    """The signed-in user's roles, shown in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    return {"user_roles": list(user.groups.values_list("name", flat=True))}
