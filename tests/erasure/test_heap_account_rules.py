"""One Heap account per app on one Heap host, whichever door adds or changes it."""

import pytest
from django.core.exceptions import ValidationError

from heapprivacy.erasure.accounts import heap_account_update
from heapprivacy.erasure.models import HeapAccount
from tests.erasure.factories import SYSTEM, make_account

pytestmark = pytest.mark.django_db

US = "https://heapanalytics.com"
EU = "https://c.eu.heap-api.com"


def test_a_second_account_for_the_same_app_on_the_same_host_is_refused() -> None:
    make_account("acme", US, app_id="1111")

    with pytest.raises(ValidationError) as refused:
        make_account("acme-again", US, app_id="1111")

    assert refused.value.message_dict["app_id"] == [
        "Heap account acme already holds this app_id on heapanalytics.com."
    ]
    assert list(HeapAccount.objects.values_list("label", flat=True)) == ["acme"]


def test_the_same_app_id_on_another_heap_host_is_another_account() -> None:
    make_account("acme-us", US, app_id="1111")

    make_account("acme-eu", EU, app_id="1111")

    assert HeapAccount.objects.count() == 2


def test_an_edit_that_would_make_a_twin_is_refused_and_saves_nothing() -> None:
    make_account("acme", US, app_id="1111")
    other = make_account("beta", US, app_id="2222")

    with pytest.raises(ValidationError):
        heap_account_update(other, actor=SYSTEM, app_id="1111")

    assert HeapAccount.objects.get(label="beta").app_id == "2222"
