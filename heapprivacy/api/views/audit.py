"""The audit trail, read forward in chain order; each event exactly as it was hashed."""

from typing import ClassVar

from rest_framework.request import Request
from rest_framework.response import Response

from heapprivacy.api import selectors
from heapprivacy.api.models import Scope
from heapprivacy.api.pagination import AuditPagination
from heapprivacy.api.schema import documented
from heapprivacy.api.serializers import AuditEventOut, AuditFilterIn
from heapprivacy.api.views.base import ApiView, validated


class AuditListApi(ApiView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": Scope.AUDIT_READ}
    pagination_class = AuditPagination

    @documented(
        Scope.AUDIT_READ,
        operation_id="audit_list",
        summary="List audit events in chain order (seq ascending)",
        description="Each event is the dict the hash chain covers (docs/audit.md): a reader can "
        "recompute every hash and check each prev_hash.",
        parameters=[AuditFilterIn],
        responses={200: AuditEventOut(many=True)},
        problems=[400, 404],
    )
    def get(self, request: Request) -> Response:
        filters = validated(AuditFilterIn, request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.audit_events_listed(filters), request, self)
        return paginator.get_paginated_response(AuditEventOut(page, many=True).data)
