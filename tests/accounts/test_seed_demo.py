from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from heapprivacy.erasure.models import HeapAccount
from heapprivacy.ops.management.commands.seed_demo import DEMO_USERS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: object, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_a_cast_that_can_finish_what_it_shows() -> None:
    seed()

    roles = {
        user.username: list(user.groups.values_list("name", flat=True))
        for user in User.objects.all()
    }
    # Two officers: what one creates or imports, the other may approve (four eyes).
    assert roles == {
        "officer": ["Privacy officer"],
        "officer2": ["Privacy officer"],
        "approver": ["Approver"],
        "auditor": ["Auditor"],
        "admin": ["Administrator"],
    }


def test_it_prints_working_passwords(client: object) -> None:
    output = seed()

    password = output.split("officer")[1].split()[0]
    response = client.post("/accounts/login/", {"username": "officer", "password": password})
    assert response.status_code == 302


def test_a_second_run_creates_nothing_and_prints_the_same_passwords() -> None:
    first = seed()

    assert seed() == first
    assert User.objects.count() == len(DEMO_USERS)


def test_the_credentials_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    seed()

    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o077 == 0


def test_the_demo_heap_account_uses_the_sandbox_the_procfile_starts() -> None:
    seed()
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()

    account = HeapAccount.objects.get(label="demo-sandbox")
    sandbox_line = next(line for line in procfile.splitlines() if line.startswith("sandbox:"))
    assert f"--port {account.deletion_base_url.rsplit(':', 1)[1]}" in sandbox_line
    assert f"--account {account.app_id}:{account.api_key()}" in sandbox_line
