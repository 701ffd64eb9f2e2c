import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_shows_a_form(client: Client) -> None:
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_the_home_page_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_logs_in_and_sees_their_roles(client: Client, officer: User) -> None:
    response = client.post(
        "/accounts/login/", {"username": "olivia", "password": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert b"Privacy officer" in response.content


def test_a_wrong_password_is_refused(client: Client, officer: User) -> None:
    response = client.post("/accounts/login/", {"username": "olivia", "password": "wrong"})

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_log_out_needs_post(client: Client, officer: User) -> None:
    client.force_login(officer)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
