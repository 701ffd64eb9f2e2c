"""A small named cast for console tests: one user per role, each with a logged-in client."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create

PASSWORD = "a long enough password"


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


def logged_in(user: User) -> Client:
    client = Client()
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
