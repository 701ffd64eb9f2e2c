"""The REST API under /api/: v1 operations, the OpenAPI schema and the reference page.

Paths carry no trailing slash. Anything else under /api/ is an audited problem+json 404.
"""

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from heapprivacy.api.views.audit import AuditListApi
from heapprivacy.api.views.base import ApiNotFound
from heapprivacy.api.views.batches import BatchListApi
from heapprivacy.api.views.docs import api_docs
from heapprivacy.api.views.requests import (
    RequestApproveApi,
    RequestDetailApi,
    RequestRejectApi,
    RequestsApi,
)


class ReferenceConverter:
    """A request reference (DSR-2026-000123): anything else never reaches the database."""

    regex = r"[A-Za-z0-9-]{1,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("v1/requests", RequestsApi.as_view(), name="requests"),
    path("v1/requests/<reference:reference>", RequestDetailApi.as_view(), name="request"),
    path(
        "v1/requests/<reference:reference>/approve",
        RequestApproveApi.as_view(),
        name="request_approve",
    ),
    path(
        "v1/requests/<reference:reference>/reject",
        RequestRejectApi.as_view(),
        name="request_reject",
    ),
    path("v1/batches", BatchListApi.as_view(), name="batches"),
    path("v1/audit", AuditListApi.as_view(), name="audit"),
    re_path(r"^", ApiNotFound.as_view(), name="not_found"),
]
