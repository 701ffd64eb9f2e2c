"""Four eyes: whoever created a request may not approve it, whichever door they come through.

The rule lives in request_approve; the console, the API and the admin only turn its refusal
into their answer (the console's own test: tests/console/test_request_actions.py).
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.api.models import Scope
from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.lifecycle.requests import request_approve
from heapprivacy.erasure.models import ErasureRequest
from heapprivacy.refusals import ActorRefused
from tests.api.conftest import Caller, client_with
from tests.erasure.factories import make_account, make_request, make_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers() -> tuple[User, User]:
    return User.objects.create_user("olivia"), User.objects.create_user("oscar")


def reload(request: ErasureRequest) -> ErasureRequest:
    return ErasureRequest.objects.get(pk=request.pk)


def test_the_officer_who_created_a_request_may_not_approve_it(officers) -> None:
    creator, other = (Actor.for_user(user) for user in officers)
    request = make_verified(make_account(), actor=creator)

    with pytest.raises(ActorRefused, match="four eyes"):
        request_approve(request, actor=creator)

    assert reload(request).state == ErasureRequest.State.VERIFIED
    assert request_approve(request, actor=other) == 1


def test_the_api_client_that_created_a_request_may_not_approve_it() -> None:
    creating, _ = client_with(Scope.REQUESTS_CREATE, Scope.REQUESTS_DECIDE)
    deciding, _ = client_with(Scope.REQUESTS_DECIDE)
    request = make_verified(make_account(), actor=Actor.for_api_client(str(creating.pk), "crm"))

    with pytest.raises(ActorRefused, match="four eyes"):
        request_approve(request, actor=Actor.for_api_client(str(creating.pk), "crm"))

    assert request_approve(request, actor=Actor.for_api_client(str(deciding.pk), "ops")) == 1


def test_a_user_and_an_api_client_with_the_same_id_are_not_the_same_actor(officers) -> None:
    user = officers[0]
    request = make_verified(make_account(), actor=Actor.for_user(user))

    assert request_approve(request, actor=Actor.for_api_client(str(user.pk), "crm")) == 1


def test_through_the_api_a_client_with_both_scopes_is_refused_403() -> None:
    make_account(label="acme")
    caller = Caller(client_with(Scope.REQUESTS_CREATE, Scope.REQUESTS_DECIDE)[1])
    subjects = [{"kind": "identity", "value": "alice@example.com"}]
    created = caller.post("/api/v1/requests", {"subjects": subjects, "heap_account": "acme"})
    reference = created.json()["reference"]

    response = caller.post(f"/api/v1/requests/{reference}/approve")

    assert response.status_code == 403
    assert "four eyes" in response.json()["detail"]
    assert ErasureRequest.objects.get(reference=reference).state == ErasureRequest.State.RECEIVED
    call = AuditEvent.objects.filter(action="api.call", request_ref=reference).last()
    assert call.details["status"] == 403


def test_the_admin_offers_no_way_to_approve(admin_client: Client) -> None:
    request = make_request(make_account())
    change = f"/admin/erasure/erasurerequest/{request.pk}/change/"

    response = admin_client.post(change, {"state": "approved", "decision": "approved"})

    assert response.status_code == 403
    assert reload(request).state == ErasureRequest.State.RECEIVED
