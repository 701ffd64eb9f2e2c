"""`python -m heapprivacy.sandbox`: the CLI, in a child process and in process."""

import re
from pathlib import Path

import pytest
import requests

from heapprivacy.sandbox import DEMO_API_KEY, DEMO_APP_ID, Sandbox, SandboxProcess
from heapprivacy.sandbox.__main__ import main

from .conftest import API_KEY, APP_ID, Heap


@pytest.mark.integration
def test_it_starts_on_port_0_prints_its_url_and_exits_cleanly_on_sigterm() -> None:
    process = SandboxProcess("--quiet").start()

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", process.url)
    assert f"Heap sandbox listening on {process.url}" in process.output
    assert requests.get(f"{process.url}/_sandbox/config", timeout=5).status_code == 200
    assert process.stop() == 0


@pytest.mark.integration
def test_without_accounts_it_prints_and_serves_the_demo_account() -> None:
    with SandboxProcess("--quiet") as process:
        token = Heap(process.url).token(DEMO_APP_ID, DEMO_API_KEY)

    assert token
    assert process.output[0] == (
        f"Heap sandbox demo account: app_id={DEMO_APP_ID} api_key={DEMO_API_KEY}"
    )


@pytest.mark.integration
def test_it_prints_the_app_ids_of_given_accounts_but_never_their_keys() -> None:
    accounts = ("--account", "111:secret-one", "--account", "222:secret-two")

    with SandboxProcess("--quiet", *accounts) as process:
        heap = Heap(process.url)
        assert heap.token("111", "secret-one")
        assert heap.token("222", "secret-two")

    assert "Heap sandbox accounts (app_ids): 111, 222" in process.output
    assert "secret" not in "\n".join(process.output)


@pytest.mark.integration
def test_it_applies_the_timing_and_rate_limit_options() -> None:
    options = ("--token-ttl", "60", "--complete-after", "0.5", "--complete-after-polls", "2")

    with SandboxProcess("--quiet", *options, "--no-rate-limits") as process:
        settings = requests.get(f"{process.url}/_sandbox/config", timeout=5).json()

    assert settings == {
        "token_ttl": 60,
        "complete_after": 0.5,
        "complete_after_polls": 2,
        "rate_limits": False,
        "app_ids": [DEMO_APP_ID],
    }


@pytest.mark.integration
def test_it_starts_with_the_faults_it_is_given() -> None:
    faults = ("--fault", '{"path": "track", "status": 503}', "--fault", '{"latency_ms": 1}')

    with SandboxProcess("--quiet", *faults) as process:
        response = requests.post(
            f"{process.url}/api/track",
            json={"app_id": "1", "event": "x", "identity": "a"},
            timeout=5,
        )

    assert response.status_code == 503


@pytest.mark.integration
def test_it_logs_one_line_per_call_to_stderr_without_secrets(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"

    with (
        log.open("w") as stderr,
        SandboxProcess("--account", f"{APP_ID}:{API_KEY}", stderr=stderr) as process,
    ):
        heap = Heap(process.url)
        token = heap.token()
        heap.delete_users([{"identity": "alice@example.com"}], token=token)

    text = log.read_text()
    assert "POST /api/public/v0/auth_token 200" in text
    assert "POST /api/public/v0/user_deletion 201" in text
    assert API_KEY not in text
    assert token not in text
    assert "alice" not in text


@pytest.mark.integration
def test_quiet_keeps_stderr_free_of_call_lines(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"

    with log.open("w") as stderr, SandboxProcess("--quiet", stderr=stderr) as process:
        Heap(process.url).token(DEMO_APP_ID, DEMO_API_KEY)

    assert log.read_text() == ""


@pytest.mark.integration
def test_a_process_that_cannot_start_is_reported(tmp_path: Path) -> None:
    with (
        (tmp_path / "stderr.log").open("w") as stderr,
        pytest.raises(RuntimeError, match="did not start"),
    ):
        SandboxProcess("--token-ttl", "0", stderr=stderr).start()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--account", "abc:top-secret-key"], "--account: should be APP_ID:API_KEY"),
        (["--account", "123"], "--account: should be APP_ID:API_KEY"),
        (["--fault", "{not json"], "--fault: should be a JSON object"),
        (["--fault", '{"status": 200}'], "--fault: a 2xx status needs a body and after_processing"),
        (["--token-ttl", "0"], "token_ttl should be"),
        (["--complete-after", "-1"], "complete_after should be"),
        (["--port", "70000"], "port should be"),
    ],
)
def test_it_refuses_bad_options_with_exit_code_2_without_echoing_keys(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error
    assert "top-secret-key" not in error


def test_it_exits_with_1_when_the_port_is_taken(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    port = sandbox.url.rsplit(":", 1)[1]

    with pytest.raises(SystemExit) as exit_info:
        main(["--port", port, "--quiet"])

    assert exit_info.value.code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_stopping_a_process_that_never_started_does_nothing() -> None:
    assert SandboxProcess().stop() is None
