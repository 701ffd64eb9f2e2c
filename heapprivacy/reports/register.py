"""The request register: one row per request, the records CCPA §7101 asks a business to keep
plus the GDPR dates. docs/reports.md describes every column."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Aggregate, TextField

from heapprivacy.erasure.legal.due import DEADLINE_IN_FORCE
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.reports.csvsafe import csv_stream
from heapprivacy.reports.filters import Period

State = ErasureRequest.State
CHUNK = 2_000

COLUMNS = [
    "reference",
    "external_ref",
    "received_at",
    "nature_of_request",
    "source",
    "jurisdiction",
    "due_at",
    "extended_due_at",
    "responded_at",
    "nature_of_response",
    "denial_basis",
    "heap_deletion_request_ids",
    "completed_at",
    "on_time",
]
RESPONSES = {State.COMPLETED: "completed", State.REJECTED: "rejected", State.CANCELLED: "cancelled"}
FIELDS = [
    "reference",
    "external_ref",
    "received_at",
    "source",
    "jurisdiction",
    "state",
    "due_at",
    "responded_at",
    "decided_at",
    "reason_code",
    "completed_at",
]


class GroupConcat(Aggregate):
    """SQLite's GROUP_CONCAT; with DISTINCT it only joins with ",", split again in _ids."""

    function = "GROUP_CONCAT"
    allow_distinct = True
    output_field = TextField()


def register_csv(period: Period) -> Iterator[bytes]:
    return csv_stream(register_rows(period))


def register_rows(period: Period) -> Iterator[list[Any]]:
    """The header, then one row per request received in `period`, oldest first, streamed."""
    yield COLUMNS
    for request in register_values(period):
        yield register_row(request)


def register_values(period: Period) -> Iterator[dict[str, Any]]:
    """Requests as dicts with their Heap deletion_request_ids aggregated in the same query."""
    requests = (
        ErasureRequest.objects.filter(period.q("received_at"))
        .values(*FIELDS, "extended_due_at")
        .annotate(deadline_at=DEADLINE_IN_FORCE, deletion_ids=_deletion_ids())
        .order_by("received_at", "reference")
    )
    return requests.iterator(chunk_size=CHUNK)


def register_row(request: dict[str, Any]) -> list[Any]:
    return [
        request["reference"],
        request["external_ref"],
        request["received_at"],
        "deletion",
        request["source"],
        request["jurisdiction"],
        request["due_at"],
        request.get("extended_due_at"),
        response_at(request),
        RESPONSES.get(request["state"], "pending"),
        request["reason_code"],
        ";".join(_ids(request["deletion_ids"])),
        request["completed_at"],
        on_time(request),
    ]


def response_at(request: dict[str, Any]) -> datetime | None:
    """When the requester was answered: responded_at, else the completion, else the rejection."""
    if request["responded_at"]:
        return request["responded_at"]
    if request["state"] == State.COMPLETED:
        return request["completed_at"]
    if request["state"] == State.REJECTED:
        return request["decided_at"]
    return None


def on_time(request: dict[str, Any]) -> str:
    """yes / no for a finished request with a deadline: completed (Heap confirmed the erasure)
    or rejected by then; empty while open, when cancelled, or without a deadline."""
    if request["state"] == State.COMPLETED:
        finished = request["completed_at"]
    elif request["state"] == State.REJECTED:
        finished = response_at(request)
    else:
        return ""
    deadline = request["deadline_at"]
    if deadline is None or finished is None:
        return ""
    return "yes" if finished <= deadline else "no"


def _deletion_ids() -> Aggregate:
    field = "batch_links__batch__deletion_request_id"
    if connection.vendor == "postgresql":
        from django.contrib.postgres.aggregates import StringAgg

        return StringAgg(field, delimiter=",", distinct=True)
    return GroupConcat(field, distinct=True)


def _ids(joined: str | None) -> list[str]:
    """Sorted, without the empty id of a batch Heap has not accepted yet."""
    return sorted(filter(None, (joined or "").split(",")))
