"""Erasure requests: create (idempotent), list, retrieve, approve, reject."""

from typing import Any, ClassVar

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from heapprivacy.api import selectors
from heapprivacy.api.idempotency import (
    HEADER,
    KEY_PATTERN,
    call_fingerprint,
    idempotency_key,
    idempotency_replay,
    idempotent,
)
from heapprivacy.api.models import Scope
from heapprivacy.api.pagination import RequestCursorPagination
from heapprivacy.api.schema import documented, example_of
from heapprivacy.api.serializers import (
    RequestApproveIn,
    RequestCreatedOut,
    RequestCreateIn,
    RequestDetailOut,
    RequestFilterIn,
    RequestOut,
    RequestRejectIn,
)
from heapprivacy.api.views.base import ApiView, authenticated_client, client_actor, validated
from heapprivacy.erasure.lifecycle.requests import (
    ReceivedOutOfRange,
    request_approve,
    request_create,
    request_reject,
)
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.erasure.selectors import request_warnings

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    description="Any string of 1 to 255 visible ASCII characters (a UUID): a retry with the same "
    "key and body gets the first response back and creates nothing; the same key with another "
    "body is refused (422).",
)


class RequestsApi(ApiView):
    """/v1/requests: list them (GET) and create one (POST)."""

    required_scopes: ClassVar[dict[str, str]] = {
        "GET": Scope.REQUESTS_READ,
        "POST": Scope.REQUESTS_CREATE,
    }
    pagination_class = RequestCursorPagination

    @documented(
        Scope.REQUESTS_CREATE,
        operation_id="requests_create",
        examples=example_of("requests_create"),
        summary="Create a request",
        request=RequestCreateIn,
        responses={201: RequestCreatedOut},
        problems=[400, 413, 415, 422],
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request) -> Response:
        client = authenticated_client(request)
        key = idempotency_key(request)
        fingerprint = call_fingerprint(request)
        outcome = idempotency_replay(client, key, fingerprint) if key else None
        if outcome is None:
            data = validated(RequestCreateIn, request.data)
            outcome = idempotent(client, key, fingerprint, lambda: self.create(request, data))
        self.audit_request_ref = outcome.body["reference"]
        headers = {"Location": outcome.body["links"]["self"]}
        if outcome.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(outcome.body, status=outcome.status, headers=headers)

    def create(self, request: Request, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            created = request_create(
                source=ErasureRequest.Source.API,
                jurisdiction=data["jurisdiction"],
                account=data["heap_account"],
                subjects=data["subjects"],
                actor=client_actor(request),
                received_at=data.get("received_at"),
                requester_email=data["requester_email"],
                external_ref=data["external_ref"],
            )
        except ReceivedOutOfRange as error:
            raise ValidationError({"received_at": [str(error)]}) from None
        # Answered from what was just written (a GET reads the same values back).
        created.warnings = request_warnings(created)  # type: ignore[attr-defined]
        return 201, dict(RequestCreatedOut(created, context={"request": request}).data)

    @documented(
        Scope.REQUESTS_READ,
        operation_id="requests_list",
        summary="List requests, newest received first",
        parameters=[RequestFilterIn],
        responses={200: RequestOut(many=True)},
        problems=[400, 404],
    )
    def get(self, request: Request) -> Response:
        filters = validated(RequestFilterIn, request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.requests_listed(filters), request, self)
        data = RequestOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class RequestDetailApi(ApiView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": Scope.REQUESTS_READ}

    @documented(
        Scope.REQUESTS_READ,
        operation_id="requests_retrieve",
        summary="Retrieve a request with its subject counts and batches",
        responses={200: RequestDetailOut},
        problems=[404],
    )
    def get(self, request: Request, reference: str) -> Response:
        erasure_request = selectors.request_detail(reference)
        self.audit_request_ref = erasure_request.reference
        return Response(RequestDetailOut(erasure_request, context={"request": request}).data)


class RequestApproveApi(ApiView):
    required_scopes: ClassVar[dict[str, str]] = {"POST": Scope.REQUESTS_DECIDE}

    @documented(
        Scope.REQUESTS_DECIDE,
        operation_id="requests_approve",
        examples=example_of("requests_approve"),
        summary="Approve a request: its subjects are queued for the next batch",
        request=RequestApproveIn,
        responses={200: RequestOut},
        problems=[400, 404, 409, 415],
    )
    def post(self, request: Request, reference: str) -> Response:
        erasure_request = selectors.request_found(reference)
        self.audit_request_ref = erasure_request.reference
        data = validated(RequestApproveIn, request.data)
        request_approve(
            erasure_request,
            actor=client_actor(request),
            verification_override=data["verification_override"],
        )
        return request_answer(request, reference)


class RequestRejectApi(ApiView):
    required_scopes: ClassVar[dict[str, str]] = {"POST": Scope.REQUESTS_DECIDE}

    @documented(
        Scope.REQUESTS_DECIDE,
        operation_id="requests_reject",
        examples=example_of("requests_reject"),
        summary="Reject a request with a reason code",
        request=RequestRejectIn,
        responses={200: RequestOut},
        problems=[400, 404, 409, 415],
    )
    def post(self, request: Request, reference: str) -> Response:
        erasure_request = selectors.request_found(reference)
        self.audit_request_ref = erasure_request.reference
        data = validated(RequestRejectIn, request.data)
        request_reject(
            erasure_request,
            actor=client_actor(request),
            reason_code=data["reason_code"],
            note=data["note"],
        )
        return request_answer(request, reference)


def request_answer(request: Request, reference: str) -> Response:
    erasure_request = selectors.request_found(reference)
    return Response(RequestOut(erasure_request, context={"request": request}).data)
