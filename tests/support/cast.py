"""The shared cast of the tests: one user per role, each with a logged-in client, and a Heap
account nothing calls. tests/conftest.py makes these fixtures available everywhere."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.erasure.models import HeapAccount
from tests.erasure.factories import make_account

PASSWORD = "a long enough password"
ROLES = ["officer", "approver", "auditor", "administrator"]


@pytest.fixture
def officer(db: None) -> User:
    return user_create("olivia", PASSWORD, [Role.OFFICER])


@pytest.fixture
def second_officer(db: None) -> User:
    return user_create("oscar", PASSWORD, [Role.OFFICER])


@pytest.fixture
def approver(db: None) -> User:
    return user_create("april", PASSWORD, [Role.APPROVER])


@pytest.fixture
def auditor(db: None) -> User:
    return user_create("audrey", PASSWORD, [Role.AUDITOR])


@pytest.fixture
def administrator(db: None) -> User:
    return user_create("adam", PASSWORD, [Role.ADMINISTRATOR])


def logged_in(user: User, **client_options: object) -> Client:
    client = Client(**client_options)
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    return logged_in(officer)


@pytest.fixture
def approver_client(approver: User) -> Client:
    return logged_in(approver)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return logged_in(auditor)


@pytest.fixture
def administrator_client(administrator: User) -> Client:
    return logged_in(administrator)


@pytest.fixture
def role_clients(
    officer_client: Client,
    approver_client: Client,
    auditor_client: Client,
    administrator_client: Client,
) -> dict[str, Client]:
    return {
        "officer": officer_client,
        "approver": approver_client,
        "auditor": auditor_client,
        "administrator": administrator_client,
    }


@pytest.fixture
def client_as(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    """client_as("auditor"): the logged-in client of that role alone (only its user created)."""

    def client_for(role: str) -> Client:
        return request.getfixturevalue(f"{role}_client")

    return client_for


@pytest.fixture
def idle_account(db: None) -> HeapAccount:
    """A Heap account nothing calls (port 9 discards); its key is the canary API_KEY."""
    return make_account()


@pytest.fixture
def account(idle_account: HeapAccount) -> HeapAccount:
    """A test's Heap account: the idle one, unless its directory's conftest gives one on a running
    sandbox (tests/erasure, tests/reports)."""
    return idle_account
