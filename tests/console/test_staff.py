"""The users page: administrators invite staff, change their roles, deactivate them and send
password links; every change is audited, and the last administrator cannot be locked out."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from heapprivacy.accounts.roles import Role
from heapprivacy.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def invite(client: Client, username: str = "nina", roles: list[str] | None = None):
    data = {"username": username, "email": f"{username}@example.test"}
    return client.post("/users/invite", {**data, "roles": roles or [str(Role.OFFICER)]})


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password/\S+)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_an_invited_user_chooses_a_password_from_the_emailed_link(administrator_client) -> None:
    response = invite(administrator_client)

    assert response["Location"] == "/users/"
    nina = User.objects.get(username="nina")
    assert not nina.has_usable_password()
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    visitor = Client()
    form_page = visitor.get(link_in(mail.outbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    visitor.post(
        set_url,
        {"new_password1": "correct horse battery", "new_password2": "correct horse battery"},
    )
    signed_in = Client().post(
        "/accounts/login/", {"username": "nina", "password": "correct horse battery"}
    )
    assert signed_in.status_code == 302
    assert list(AuditEvent.objects.filter(target_id=nina.pk).values_list("action", flat=True)) == [
        "user.invited",
        "user.password_set",
    ]


def test_an_invitation_link_works_once(administrator_client) -> None:
    invite(administrator_client)
    link = link_in(mail.outbox[0])
    visitor = Client()
    set_url = visitor.get(link, follow=True).redirect_chain[-1][0]
    visitor.post(
        set_url,
        {"new_password1": "correct horse battery", "new_password2": "correct horse battery"},
    )

    again = Client().get(link, follow=True)

    assert "This link has been used already or has expired" in again.content.decode()


def test_the_invitation_records_the_roles_given(administrator_client) -> None:
    invite(administrator_client, roles=[str(Role.APPROVER), str(Role.AUDITOR)])

    nina = User.objects.get(username="nina")
    assert sorted(nina.groups.values_list("name", flat=True)) == ["Approver", "Auditor"]
    event = AuditEvent.objects.get(action="user.invited")
    assert event.details == {"username": "nina", "roles": ["Approver", "Auditor"]}
    assert "nina@example.test" not in str(event.details)


def test_a_taken_username_is_refused(administrator_client, officer) -> None:
    response = invite(administrator_client, username="Olivia")

    assert "A user named Olivia exists already." in response.content.decode()
    assert mail.outbox == []


def test_an_administrator_changes_roles_and_deactivates(administrator_client, officer) -> None:
    response = administrator_client.post(
        f"/users/{officer.pk}/", {"roles": [str(Role.APPROVER)], "is_active": ""}
    )

    assert response["Location"] == "/users/"
    officer.refresh_from_db()
    assert list(officer.groups.values_list("name", flat=True)) == ["Approver"]
    assert not officer.is_active
    actions = AuditEvent.objects.filter(target_id=officer.pk).values_list("action", flat=True)
    assert list(actions) == ["user.roles_changed", "user.deactivated"]


def test_a_deactivated_user_is_signed_out_of_the_console(administrator_client, officer) -> None:
    session = Client()
    session.force_login(officer)

    administrator_client.post(f"/users/{officer.pk}/", {"roles": [str(Role.OFFICER)]})

    assert session.get("/requests/").status_code == 302


def test_the_last_administrator_cannot_remove_their_own_access(
    administrator_client, administrator
) -> None:
    response = administrator_client.post(
        f"/users/{administrator.pk}/", {"roles": [str(Role.OFFICER)], "is_active": "on"}
    )

    assert "This is the last active administrator" in response.content.decode()
    assert administrator.groups.filter(name=Role.ADMINISTRATOR).exists()


def test_a_password_link_is_sent_on_request_and_audited(administrator_client) -> None:
    invite(administrator_client)
    nina = User.objects.get(username="nina")

    administrator_client.post(f"/users/{nina.pk}/password-link")

    assert len(mail.outbox) == 2
    assert "choose a new heapprivacy password" in mail.outbox[1].subject.lower()
    assert AuditEvent.objects.filter(action="user.password_link_sent", target_id=nina.pk).exists()


def test_the_list_shows_roles_and_two_factor_state(administrator_client, officer) -> None:
    page = administrator_client.get("/users/").content.decode()

    assert "olivia" in page
    assert "Privacy officer" in page
    assert "not set up" in page


@pytest.mark.parametrize("role", ["officer", "approver", "auditor"])
def test_only_administrators_manage_users(role_clients, role, officer) -> None:
    client = role_clients[role]

    assert client.get("/users/").status_code == 403
    assert invite(client).status_code == 403
    assert client.post(f"/users/{officer.pk}/mfa-reset").status_code == 403
