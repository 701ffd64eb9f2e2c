"""A received_at before any law here applied (year 1, a typo for 2018) is refused by every
channel that takes one: the API, the CSV import, and the service under both."""

from datetime import UTC, datetime

import pytest

from heapprivacy.erasure.lifecycle.requests import ReceivedOutOfRange
from heapprivacy.erasure.models import ErasureRequest
from tests.api.conftest import Caller, fields
from tests.erasure.factories import make_request

pytestmark = pytest.mark.django_db

YEAR_ONE = "0001-01-01T00:00:00Z"


def test_the_api_refuses_a_received_at_in_year_1(api: Caller, account) -> None:
    body = {
        "subjects": [{"kind": "identity", "value": "alice@example.com"}],
        "heap_account": account.label,
        "received_at": YEAR_ONE,
    }

    response = api.post("/api/v1/requests", body)

    assert response.status_code == 400
    assert "before 25 May 2018" in str(fields(response)["received_at"])
    assert not ErasureRequest.objects.exists()


def test_the_service_refuses_one_a_day_before_the_gdpr(account) -> None:
    with pytest.raises(ReceivedOutOfRange, match="before 25 May 2018"):
        make_request(account, received_at=datetime(2018, 5, 24, 23, 59, tzinfo=UTC))


def test_the_first_day_of_the_gdpr_is_accepted(account) -> None:
    request = make_request(account, received_at=datetime(2018, 5, 25, tzinfo=UTC))

    assert request.received_at.year == 2018
