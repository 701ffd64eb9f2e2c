"""Deletion batches: the user_deletion calls sent to Heap, newest first."""

from typing import ClassVar

from rest_framework.request import Request
from rest_framework.response import Response

from heapprivacy.api import selectors
from heapprivacy.api.models import Scope
from heapprivacy.api.pagination import NewestFirstPagination
from heapprivacy.api.schema import documented
from heapprivacy.api.serializers import BatchFilterIn, BatchOut
from heapprivacy.api.views.base import ApiView, validated


class BatchListApi(ApiView):
    required_scopes: ClassVar[dict[str, str]] = {"GET": Scope.BATCHES_READ}
    pagination_class = NewestFirstPagination

    @documented(
        Scope.BATCHES_READ,
        operation_id="batches_list",
        summary="List deletion batches, newest first",
        parameters=[BatchFilterIn],
        responses={200: BatchOut(many=True)},
        problems=[400, 404],
    )
    def get(self, request: Request) -> Response:
        filters = validated(BatchFilterIn, request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.batches_listed(filters), request, self)
        return paginator.get_paginated_response(BatchOut(page, many=True).data)
