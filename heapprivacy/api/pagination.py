"""Cursor pagination: stable pages while rows are added, no COUNT over the whole table."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Field, Model, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class ApiCursorPagination(CursorPagination):
    """`?cursor=` from the `next` / `previous` links; `?page_size=` up to 200 (default 50)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list:
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view) or []

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF checks a cursor's shape, not that its position fits the ordering column: a forged
        position would reach the database and fail there (a 500). It is a 404 here."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            position_check(self.model, self.ordering[0].lstrip("-"), str(cursor.position))
        return cursor


class RequestCursorPagination(ApiCursorPagination):
    ordering = ("-received_at", "-pk")


class NewestFirstPagination(ApiCursorPagination):
    ordering = ("-pk",)


class AuditPagination(ApiCursorPagination):
    """The audit trail is read forward, in chain order."""

    ordering = ("seq",)


def position_check(model: type[Model], field_name: str, position: str) -> None:
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    if not isinstance(field, Field):  # a relation: no ordering here uses one
        raise NotFound(CursorPagination.invalid_cursor_message)
    try:
        value = field.to_python(position)
        if isinstance(value, datetime):
            value.astimezone(UTC)  # an offset can push year 1 or 9999 out of range
        elif isinstance(value, int) and not 0 <= value < 2**63:
            raise ValueError("out of range")
    except (ValidationError, ValueError, OverflowError, TypeError):
        raise NotFound(CursorPagination.invalid_cursor_message) from None
