"""The base of every API operation: the one place where each call is written to the audit trail."""

import logging
from typing import Any, ClassVar

from django.utils.cache import patch_cache_control
from rest_framework.exceptions import APIException, NotFound, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from heapprivacy.api.models import ApiClient
from heapprivacy.api.services import api_call_record
from heapprivacy.api.throttling import auth_failure_count, auth_failures_wait
from heapprivacy.audit.actors import Actor

logger = logging.getLogger("heapprivacy.api")


class ApiView(APIView):
    """One operation. `required_scopes` maps each method it serves to the scope that method needs.

    Authentication, scopes, the rate limit, the renderer and problem+json errors come from
    settings.REST_FRAMEWORK. Every response, refusals included, is audited as `api.call`.
    """

    required_scopes: ClassVar[dict[str, str]] = {}
    # OPTIONS and the verbs no operation serves answer 405, after authentication.
    http_method_names = ["get", "post", "head"]

    audit_request_ref = ""  # set by an operation that found or created a request
    audited = True  # False for a refusal of an address past its failed authentications

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        wait = auth_failures_wait(request._request)
        if wait is not None:
            self.audited = False
            raise Throttled(wait, detail="Too many failed authentications from this address.")
        super().initial(request, *args, **kwargs)

    @property
    def allowed_methods(self) -> list[str]:
        """The operations, for `Allow` on a 405: HEAD goes with GET and is not named."""
        return [method for method in super().allowed_methods if method != "HEAD"]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 401:
            auth_failure_count(request._request)
        if self.audited:
            api_call_record(
                client_of(request),
                method=request.method or "",
                path=request.path,
                status=response.status_code,
                request_ref=self.audit_request_ref,
            )
        else:
            logger.info("API call refused unaudited: %s %s", request.method, request.path[:200])
        # Answers may carry personal data (external_ref): no shared or browser cache keeps them.
        patch_cache_control(response, private=True, no_store=True)
        return response


class ApiNotFound(ApiView):
    """Any other path under /api/: authenticated, audited, and a problem+json 404."""

    schema = None
    http_method_names = [
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "trace",
    ]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound("No API operation at this path.")


def client_of(request: Request) -> ApiClient | None:
    """The authenticated client or None (authentication may not have run: a 406 comes first)."""
    try:
        client = request.auth
    except APIException:
        return None
    return client if isinstance(client, ApiClient) else None


def authenticated_client(request: Request) -> ApiClient:
    """The client of a call that passed authentication and its scope check."""
    client = client_of(request)
    if client is None:
        raise TypeError("the operation ran without an authenticated API client")
    return client


def validated(serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
    """The input serializer's validated data; a 400 problem naming each refused field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def client_actor(request: Request) -> Actor:
    """The audit actor of the call's authenticated client."""
    client = authenticated_client(request)
    return Actor.for_api_client(str(client.pk), client.name)
