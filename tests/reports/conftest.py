"""The cast of report tests: one user per role, the Heap sandbox, and requests taken all the
way through the pipeline (completed) or turned down (rejected)."""

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.lifecycle.requests import request_approve, request_reject, request_verify
from heapprivacy.erasure.models import ErasureRequest, HeapAccount
from heapprivacy.erasure.pipeline.polling import batch_poll
from heapprivacy.erasure.pipeline.submission import batch_submit
from heapprivacy.erasure.pipeline.sweeps import sweeps_run
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.erasure.conftest import APP_ID, HeapSandbox
from tests.erasure.factories import API_KEY, make_account, make_request

PASSWORD = "a-long-test-password"
USERNAMES = {"officer": "olivia", "approver": "arthur", "auditor": "audrey", "administrator": "ada"}
ROLES = {
    "officer": Role.OFFICER,
    "approver": Role.APPROVER,
    "auditor": Role.AUDITOR,
    "administrator": Role.ADMINISTRATOR,
}
MAY_EXPORT = ["officer", "auditor"]
MAY_NOT_EXPORT = ["approver", "administrator"]

BETA_APP_ID = "2234567890123"  # a second Heap app the sandbox knows


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def user_as(db: None) -> Callable[[str], User]:
    """user_as("auditor"): that role's user, created on first use."""
    users: dict[str, User] = {}

    def user_for(role: str) -> User:
        if role not in users:
            users[role] = user_create(USERNAMES[role], PASSWORD, [ROLES[role]])
        return users[role]

    return user_for


@pytest.fixture
def client_as(user_as: Callable[[str], User]) -> Callable[[str], Client]:
    return lambda role: logged_in(user_as(role))


@pytest.fixture
def officer(user_as: Callable[[str], User]) -> User:
    return user_as("officer")


@pytest.fixture
def auditor_client(client_as: Callable[[str], Client]) -> Client:
    return client_as("auditor")


@pytest.fixture
def heap() -> Iterator[HeapSandbox]:
    """A Heap sandbox on a free local port that confirms deletions at the first poll; it knows
    two apps, for requests whose subjects are in two Heap accounts."""
    cache.clear()  # no access token left from another sandbox in the shared file cache
    apps = {APP_ID: API_KEY, BETA_APP_ID: API_KEY}
    with Sandbox(SandboxConfig(accounts=apps, complete_after=0)) as sandbox:
        yield HeapSandbox(sandbox)


@pytest.fixture
def account(heap: HeapSandbox, db: None) -> HeapAccount:
    return make_account(base_url=heap.url, app_id=APP_ID)


@pytest.fixture(autouse=True)
def _quick_pipeline(settings: object) -> None:
    settings.BATCH_LINGER = 0
    settings.POLL_FIRST_DELAY = 0
    settings.HEAP_RETRY_BASE_DELAY = 0
    settings.HEAP_READ_TIMEOUT = 2


def run_to_completion(request: ErasureRequest) -> ErasureRequest:
    """Beat's sweeps, in process: pack, submit to the sandbox, poll until Heap says complete."""
    for _ in range(4):
        sweeps_run(submit=batch_submit, poll=batch_poll)
        request.refresh_from_db()
        if request.state == ErasureRequest.State.COMPLETED:
            return request
    raise AssertionError(f"{request.reference} is still {request.state}")


def complete(request: ErasureRequest, officer: User) -> ErasureRequest:
    actor = Actor.for_user(officer)
    request_verify(request, actor=actor, method="email_link")
    request_approve(request, actor=actor)
    return run_to_completion(request)


@pytest.fixture
def completed_request(account: HeapAccount, officer: User) -> ErasureRequest:
    """Two identities, verified and approved by the officer, erased by Heap (the sandbox)."""
    request = make_request(account, ["alice@example.com", "bob@example.com"], external_ref="T-1")
    return complete(request, officer)


@pytest.fixture
def rejected_request(account: HeapAccount, officer: User) -> ErasureRequest:
    request = make_request(account, ["carol@example.com"], external_ref="T-2")
    request_reject(request, actor=Actor.for_user(officer), reason_code="identity_not_verified")
    request.refresh_from_db()
    return request


@pytest.fixture
def idle_account(db: None) -> HeapAccount:
    """An account nothing calls (port 9 discards), for requests that never reach Heap."""
    return make_account("idle")
