"""Every staff page, for every role, reads as words for people: no Python class name, no raw
`None`, no unformatted ISO timestamp.

The world behind the pages holds a request in every state, a batch Heap erased (through the
sandbox, so its evidence is real), a batch that failed with recorded errors, a CSV import and a
compliance pack. Every GET page of the console and the reports is listed below; a new page that
is not added here fails `test_every_page_is_listed`.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.legal.clock import request_extend
from heapprivacy.erasure.lifecycle.requests import (
    request_approve,
    request_cancel,
    request_reject,
    request_verify,
)
from heapprivacy.erasure.models import DeletionBatch, ErasureRequest, HeapAccount, SubmissionAttempt
from heapprivacy.sandbox import Sandbox, SandboxConfig
from tests.console.factories import make_batch
from tests.erasure.conftest import APP_ID
from tests.erasure.factories import API_KEY, make_account, make_request
from tests.reports.conftest import run_to_completion
from tests.support.cast import ROLES, logged_in
from tests.support.processes import tasks_in_process

pytestmark = pytest.mark.django_db

PYTHON_NAMES = re.compile(
    r"\b\w+(?:Error|Exception)\b|<class |object at 0x|<QuerySet|\b[A-Z]\w+ object \(\d+\)"
)
RAW_NONE = re.compile(r"\bNone\b")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d\.\d+|[+-]\d\d:\d\d\b")

# Named GET pages of the console (namespace console) and the reports (namespace reports) that
# answer something other than an HTML page, or only POST.
NOT_PAGES = {
    "console:home",  # redirects to the dashboard
    "console:request_bulk",
    "console:request_verify",
    "console:request_approve",
    "console:request_reject",
    "console:request_cancel",
    "console:request_extend",
    "console:request_clock",
    "console:request_note",
    "console:batch_release",
    "console:batch_payload",
    "console:batch_retry",
    "console:batch_approve",
    "console:heap_account_test",
    "console:staff_password_link",
    "console:staff_mfa_reset",
    "console:api_client_revoke",
    "console:import_preview_json",
    "console:import_confirm",
    "console:import_discard",
    "console:import_progress_json",
    "reports:register_csv",
    "reports:audit_csv",
    "reports:audit_jsonl",
    "reports:metrics_csv",
    "reports:pack",
    "reports:pack_job_progress",
    "reports:pack_job_download",
    "reports:certificate",  # a PDF or JSON: tests/reports/test_certificates.py reads its text
}


class VisibleText(HTMLParser):
    """The text a reader sees: element text and title attributes, not scripts, styles or data.

    An element marked `data-raw` holds a stored record exactly as kept (the raw audit event
    behind a sentence): it is evidence, shown as stored on purpose, and not read here.
    """

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN or any(name == "data-raw" for name, _ in attrs):
            self._hidden.append(tag)
        if not self._hidden:
            self.parts.extend(value for name, value in attrs if name == "title" and value)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def flaws(text: str) -> list[str]:
    found = []
    for name, pattern in [
        ("Python name", PYTHON_NAMES),
        ("raw None", RAW_NONE),
        ("ISO timestamp", ISO_TIMESTAMP),
    ]:
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{name}: …{text[start : match.end() + 40]}…")
    return found


def named_get_pages() -> set[str]:
    names = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in ("console", "reports"):
            names |= {f"{entry.namespace}:{name}" for name in _names(entry.url_patterns)}
    return names


def _names(patterns: list) -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            names |= _names(entry.url_patterns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(entry.name)
    return names


@pytest.fixture
def sandbox_account(settings: object) -> HeapAccount:
    settings.BATCH_LINGER = 0
    settings.POLL_FIRST_DELAY = 0
    cache.clear()  # no access token left from another sandbox in the shared cache
    with Sandbox(SandboxConfig(accounts={APP_ID: API_KEY}, complete_after=0)) as sandbox:
        yield make_account("heap", base_url=sandbox.url, app_id=APP_ID)


@pytest.fixture
def world(
    sandbox_account: HeapAccount,
    officer: User,
    second_officer: User,
    approver: User,
    auditor: User,
    administrator: User,
    settings: object,
    tmp_path: Path,
) -> dict[str, str]:
    """A request in every state, their batches, an import and a compliance pack; answers the
    URLs of the pages that show one of them."""
    settings.VAR_DIR = tmp_path
    account, by_officer = sandbox_account, Actor.for_user(officer)
    by_approver = Actor.for_user(approver)
    make_request(account, ["received@example.com"], external_ref="T-RECEIVED")
    verified = make_request(account, ["verified@example.com"])
    request_verify(verified, actor=by_officer, method="email_link")
    overridden = make_request(account, ["override@example.com"])
    request_approve(overridden, actor=by_approver, verification_override="known customer")
    rejected = make_request(account, ["rejected@example.com"])
    request_reject(rejected, actor=by_approver, reason_code="other", note="not our customer")
    cancelled = make_request(account, ["cancelled@example.com"])
    request_cancel(cancelled, actor=by_officer, author=officer, reason="sent twice")
    extended = make_request(account, ["extended@example.com"], jurisdiction="GDPR-UK")
    request_extend(extended, actor=by_officer, reason="complex request")
    completed = make_request(account, ["done@example.com", "done2@example.com"])
    request_verify(completed, actor=by_officer, method="email_link")
    request_approve(completed, actor=by_approver)
    run_to_completion(completed)
    failed = make_batch(
        make_account("broken"), ["failed@example.com"], state=DeletionBatch.State.NEEDS_ATTENTION
    )
    SubmissionAttempt.objects.create(
        batch=failed,
        number=1,
        started_at=timezone.now(),
        outcome=SubmissionAttempt.Outcome.TRANSIENT,
        http_status=503,
        error_class="HeapServerError",
        message="Heap answered 503",
    )
    SubmissionAttempt.objects.create(
        batch=failed,
        number=2,
        started_at=timezone.now(),
        outcome=SubmissionAttempt.Outcome.PERMANENT,
        error_class="HeapConnectionError",
        message="not sent: connection refused",
    )
    done_batch = DeletionBatch.objects.get(request_links__request=completed)
    return {
        **{f"request {r.state}": f"/requests/{r.reference}/" for r in ErasureRequest.objects.all()},
        "completed batch": f"/batches/{done_batch.pk}/",
        "failed batch": f"/batches/{failed.pk}/",
        "heap account": f"/heap-accounts/{account.pk}/edit",
        "staff user": f"/users/{officer.pk}/",
        "batch preview": f"/batches/preview?account={failed.account_id}",
        "import preview": _import_preview(officer, account),
        "import progress": _import_done(officer, account),
    }


def _import_preview(officer: User, account: HeapAccount) -> str:
    csv = b"identity,external_ref\nnew@example.com,T-9\n,T-10\nreceived@example.com,T-11\n"
    file = SimpleUploadedFile("requests.csv", csv, content_type="text/csv")
    response = logged_in(officer).post("/imports/", {"file": file, "account": account.pk})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def _import_done(officer: User, account: HeapAccount) -> str:
    client = logged_in(officer)
    preview = _import_preview(officer, account)
    with tasks_in_process(), TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"{preview}confirm").status_code == 302
    return f"{preview}progress"


def _pack_job(client: Client) -> list[str]:
    """The page of a compliance pack the client asked for, if its role may (each user sees
    only their own)."""
    with tasks_in_process(), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/reports/packs/")
    return [response["Location"]] if response.status_code == 302 else []


FIXED_PAGES = [
    "/dashboard/",
    "/requests/",
    "/requests/?state=needs_attention",
    "/batches/",
    "/heap-accounts/",
    "/heap-accounts/new",
    "/api-clients/",
    "/api-clients/new",
    "/users/",
    "/users/invite",
    "/imports/",
    "/reports/",
    "/reports/metrics/",
    "/reports/audit/",
]


def test_every_page_is_listed() -> None:
    listed = {
        "console:dashboard",
        "console:request_list",
        "console:request_detail",
        "console:batch_list",
        "console:batch_preview",
        "console:batch_detail",
        "console:heap_account_list",
        "console:heap_account_new",
        "console:heap_account_edit",
        "console:api_client_list",
        "console:api_client_new",
        "console:staff_list",
        "console:staff_invite",
        "console:staff_detail",
        "console:import_upload",
        "console:import_preview",
        "console:import_progress",
        "reports:exports",
        "reports:metrics",
        "reports:audit_log",
        "reports:pack_job_new",
        "reports:pack_job",
    }

    assert named_get_pages() - NOT_PAGES == listed


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_as_words_for_people(
    role: str, world: dict[str, str], request: pytest.FixtureRequest
) -> None:
    client: Client = logged_in(request.getfixturevalue(role))
    problems = []
    for url in [*FIXED_PAGES, *world.values(), *_pack_job(client)]:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403), f"{url}: {response.status_code}"
        if response["Content-Type"].startswith("text/html"):
            problems += [f"{url}: {flaw}" for flaw in flaws(visible_text(response.text))]

    assert problems == [], "\n".join(problems)
