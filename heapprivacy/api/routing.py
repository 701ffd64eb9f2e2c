"""One URL, several operations: `GET /v1/requests` lists and `POST /v1/requests` creates, each its
own APIView (STYLE.md: one APIView per operation), dispatched by method here.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from heapprivacy.api.views.base import ApiView, MethodRefused

Endpoint = tuple[str, str, str, Callable[..., Any]]


def operations(**views: type[ApiView]) -> Callable[..., HttpResponseBase]:
    """A URL callback sending each method to its operation's view: operations(get=A, post=B)."""
    callbacks = {method.upper(): view.as_view() for method, view in views.items()}
    if "GET" in callbacks:
        callbacks["HEAD"] = callbacks["GET"]
    allowed = tuple(method.upper() for method in views)
    refuse = type("MethodRefused" + "".join(allowed), (MethodRefused,), {"allowed": allowed})
    refuse_view = refuse.as_view()

    @csrf_exempt
    def route(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        callback = callbacks.get(request.method, refuse_view)
        return callback(request, *args, **kwargs)

    # For drf-spectacular: `cls` lists the methods; routed_operations picks each one's view.
    route.cls = refuse
    route.initkwargs = {}
    route.operations = callbacks
    return route


def routed_operations(endpoints: list[Endpoint]) -> list[Endpoint]:
    """drf-spectacular preprocessing hook: document each method of a routed URL by its view."""
    return [
        (path, path_regex, method, getattr(callback, "operations", {}).get(method, callback))
        for path, path_regex, method, callback in endpoints
    ]
