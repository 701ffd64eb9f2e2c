from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from kombu import Connection

from heapprivacy.celery import app as celery_app
from heapprivacy.ops.models import WorkerHeartbeat
from tests.erasure.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real connection attempt to a port where nothing listens."""
    nowhere = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection(nowhere))


def test_it_answers_200_when_database_broker_and_cache_answer(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "encryption": "ok",
        "worker": "unknown",
        "intake": "no active Heap account",
    }


def test_it_says_when_the_public_form_cannot_route_and_stays_200(client: Client) -> None:
    make_account("acme")
    assert client.get("/healthz").json()["intake"] == "ok"

    make_account("second", app_id="9999999999999")
    response = client.get("/healthz")

    assert response.status_code == 200  # a configuration mistake is not an outage of this node
    assert response.json()["intake"].startswith("set INTAKE_HEAP_ACCOUNT")


@pytest.mark.slow  # waits out the broker connection timeout
def test_it_answers_503_naming_the_broker_when_the_broker_is_down(
    client: Client, unreachable_broker: None
) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]
    assert response.json()["broker"] != "ok"


def test_it_reports_a_recent_worker_heartbeat_as_ok(client: Client) -> None:
    WorkerHeartbeat.objects.create(hostname="w1@host", seen_at=timezone.now())

    assert client.get("/healthz").json()["worker"] == "ok"


def test_it_reports_a_worker_silent_for_minutes_as_stale_without_failing(client: Client) -> None:
    WorkerHeartbeat.objects.create(hostname="w1@host", seen_at=timezone.now() - timedelta(hours=1))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"] == "stale"


def test_it_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_it_is_not_cached(client: Client) -> None:
    assert "no-cache" in client.get("/healthz")["Cache-Control"]
