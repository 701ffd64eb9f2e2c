"""A Heap sandbox per test, in process on a free port, with a frozen clock; raw HTTP to it."""

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from heapprivacy.sandbox import Sandbox, SandboxConfig

APP_ID = "4242424242"
# A canary: tests assert it never shows up in call logs, inspection output or log lines.
API_KEY = "canary-api-key-5e1f0c9d"
OTHER_APP_ID = "5151515151"
OTHER_API_KEY = "other-api-key"
# 2026-01-01T00:00:00Z. Only `advance` moves the sandbox's clock in these tests.
NOW = 1_767_225_600.0


class Heap:
    """Raw HTTP against one sandbox: one session, a timeout on every call."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 5)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def token(self, app_id: str = APP_ID, api_key: str = API_KEY) -> str:
        response = self.post("/api/public/v0/auth_token", auth=(app_id, api_key))
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def delete_users(self, users: list[dict[str, Any]], token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.post("/api/public/v0/user_deletion", json={"users": users}, headers=headers)

    def status(self, deletion_id: str, token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.get(f"/api/public/v0/deletion_status/{deletion_id}", headers=headers)

    def track(self, **event: Any) -> requests.Response:
        return self.post("/api/track", json={"app_id": APP_ID, **event})

    def add_fault(self, spec: object) -> requests.Response:
        response = self.post("/_sandbox/faults", json=spec)
        assert response.status_code == 201, response.text
        return response

    def configure(self, **settings: Any) -> requests.Response:
        response = self.post("/_sandbox/config", json=settings)
        assert response.status_code == 200, response.text
        return response

    def advance(self, seconds: float) -> None:
        assert self.post("/_sandbox/advance", json={"seconds": seconds}).status_code == 200

    def calls(self) -> list[dict[str, Any]]:
        return self.get("/_sandbox/calls").json()["calls"]

    def data(self, app_id: str = APP_ID) -> dict[str, Any]:
        return self.get("/_sandbox/data", params={"app_id": app_id}).json()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    config = SandboxConfig(
        accounts={APP_ID: API_KEY, OTHER_APP_ID: OTHER_API_KEY}, clock=lambda: NOW
    )
    with Sandbox(config) as running:
        yield running


@pytest.fixture
def heap(sandbox: Sandbox) -> Iterator[Heap]:
    client = Heap(sandbox.url)
    yield client
    client.session.close()
