import re

import pytest

from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import make_request
from tests.reports.conftest import MAY_EXPORT, MAY_NOT_EXPORT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", MAY_EXPORT)
def test_officers_and_auditors_see_every_export(client_as, role: str) -> None:
    response = client_as(role).get("/reports/")

    assert response.status_code == 200
    for url in ("register.csv", "audit.csv", "audit.jsonl", "metrics.csv", "pack.zip"):
        assert f'"/reports/{url}"'.encode() in response.content


def test_it_offers_certificates_of_recently_completed_requests_only(
    auditor_client, idle_account
) -> None:
    done, still_open = make_request(idle_account), make_request(idle_account)
    ErasureRequest.objects.filter(pk=done.pk).update(state="completed")

    response = auditor_client.get("/reports/")

    assert [item["reference"] for item in response.context["completed"]] == [done.reference]
    assert f"reference={done.reference}&amp;format=pdf".encode() in response.content
    assert still_open.reference.encode() not in response.content


def test_the_page_links_to_the_audit_browser(auditor_client) -> None:
    assert b'"/reports/audit/"' in auditor_client.get("/reports/").content


@pytest.mark.parametrize("role", MAY_NOT_EXPORT)
def test_approvers_and_administrators_are_refused(client_as, role: str) -> None:
    assert client_as(role).get("/reports/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client) -> None:
    assert client.get("/reports/")["Location"].startswith("/accounts/login/")


def test_the_page_refuses_post(auditor_client) -> None:
    assert auditor_client.post("/reports/").status_code == 405


def test_the_page_has_no_inline_script_or_style(auditor_client) -> None:
    html = auditor_client.get("/reports/").content.decode()

    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_no_two_fields_share_an_id(auditor_client) -> None:
    html = auditor_client.get("/reports/").content.decode()

    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
