"""Reads behind the console's screens, each a fixed number of queries whatever the row count."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from heapprivacy.erasure import selectors as erasure_selectors
from heapprivacy.erasure.legal import due
from heapprivacy.erasure.legal.due import open_with_deadline
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, Subject
from heapprivacy.erasure.records.retention import pseudonym
from heapprivacy.erasure.selectors import subject_counts
from heapprivacy.pseudonyms import subject_pseudonym

PAGE_SIZE = 50
REVERSE_AFTER = 10_000  # rows into a list past which a far page may be read from its end


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def requests_filtered(filters: dict) -> QuerySet[ErasureRequest]:
    requests = ErasureRequest.objects.all()
    for field in ("state", "jurisdiction", "source"):
        if filters.get(field):
            requests = requests.filter(**{field: filters[field]})
    if filters.get("account"):
        requests = requests.filter(
            pk__in=Subject.objects.filter(account=filters["account"]).values("request_id")
        )
    requests = _due_window(requests, filters.get("due"))
    if filters.get("q"):
        requests = _search(requests, filters["q"])
    return requests.order_by(filters.get("order") or "-received_at", "-pk")


DUE_WINDOWS = {
    "7d": due.due_soon,
    "overdue": due.overdue,
    "at_risk": due.at_risk,
    "ack_overdue": due.acknowledgement_overdue,
}


def _due_window(requests: QuerySet, window: str | None) -> QuerySet:
    if not window:
        return requests
    return open_with_deadline(requests).filter(DUE_WINDOWS[window](timezone.now()))


def _search(requests: QuerySet, term: str) -> QuerySet:
    """By reference, requester email (any case) or exact subject value — also once a request was
    pseudonymised after retention, through the keyed hash kept in place of the value."""
    by_subject = Subject.objects.filter(value_hmac=subject_pseudonym(term)).values("request_id")
    email = term.strip()
    return requests.filter(
        Q(reference=email.upper())
        | Q(requester_email__iexact=email)
        | Q(requester_email=pseudonym(email))
        | Q(pk__in=by_subject)
    )


def with_previously_erased(requests: QuerySet[ErasureRequest]) -> QuerySet[ErasureRequest]:
    """Annotate `previously_erased_subjects`: how many of a request's subjects Heap had erased
    before (retention.py), counted in the same query through the partial index of flagged ones."""
    flagged = (
        Subject.objects.filter(request=OuterRef("pk"), previously_erased=True)
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return requests.annotate(previously_erased_subjects=Coalesce(Subquery(flagged), 0))


def page_of(queryset: QuerySet, number: int) -> Page:
    """One page without counting the whole table: fetch one row more to know if there is a next.

    A page further in than REVERSE_AFTER rows is counted first; in the second half of the list
    it is read from the other end, so that OFFSET skips the rows after it, fewer than before.
    """
    start = (number - 1) * PAGE_SIZE
    if start >= REVERSE_AFTER:
        count = queryset.count()
        if start >= count / 2:
            return _page_from_the_end(queryset, number, start, count)
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return Page(rows=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


def _page_from_the_end(queryset: QuerySet, number: int, start: int, count: int) -> Page:
    end = min(start + PAGE_SIZE, count)
    rows = list(queryset.reverse()[count - end : count - start])[::-1] if start < count else []
    return Page(rows=rows, number=number, has_next=end < count)


def request_subject_counts(request: ErasureRequest) -> dict[str, int]:
    """The states its subjects are in, with how many (states with none left out)."""
    return {state: count for state, count in subject_counts(request).items() if count}


def request_account(request: ErasureRequest) -> HeapAccount | None:
    """The Heap account its subjects go to (one per request); None before it has any."""
    subject = request.subjects.select_related("account").order_by("pk").first()
    return subject.account if subject else None


def request_batches(request: ErasureRequest) -> QuerySet[DeletionBatch]:
    return (
        erasure_selectors.request_batches(request)
        .select_related("account")
        .prefetch_related("submissions", "status_polls")
    )
