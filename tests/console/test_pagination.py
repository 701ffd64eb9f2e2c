"""A far page read from the end of its list holds the same rows as read from the start."""

import pytest

from heapprivacy.console import selectors
from heapprivacy.console.selectors import page_of
from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import make_account, make_request

pytestmark = pytest.mark.django_db

REQUESTS = 7


@pytest.fixture
def listed(monkeypatch: pytest.MonkeyPatch):
    account = make_account()
    for _ in range(REQUESTS):
        make_request(account)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    return ErasureRequest.objects.order_by("-received_at", "-pk")


def pages(queryset, monkeypatch: pytest.MonkeyPatch, reverse_after: int) -> list:
    monkeypatch.setattr(selectors, "REVERSE_AFTER", reverse_after)
    return [
        ([row.pk for row in page.rows], page.has_next, page.has_previous)
        for page in (page_of(queryset, number) for number in range(1, 7))
    ]


def test_every_page_is_the_same_read_from_either_end(listed, monkeypatch) -> None:
    from_the_start = pages(listed, monkeypatch, reverse_after=10**9)
    from_the_end = pages(listed, monkeypatch, reverse_after=0)

    assert from_the_end == from_the_start
    assert [len(rows) for rows, _, _ in from_the_start] == [2, 2, 2, 1, 0, 0]
    assert [has_next for _, has_next, _ in from_the_start] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
