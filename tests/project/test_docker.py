"""No Docker engine runs here: parse the compose file and check what it runs exists."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]


def import_target(target: str) -> object:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def test_it_defines_the_production_services() -> None:
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(SERVICES)


@pytest.mark.parametrize("service", ["web", "worker", "beat", "postgres", "redis"])
def test_every_long_running_service_has_a_health_check(service: str) -> None:
    assert SERVICES[service]["healthcheck"]["test"]


def test_web_runs_gunicorn_on_the_wsgi_application() -> None:
    command = SERVICES["web"]["command"]

    assert command[0] == "gunicorn"
    assert callable(import_target(command[1]))


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_name_the_celery_app(service: str, subcommand: str) -> None:
    command = SERVICES[service]["command"]

    assert command[:2] == ["celery", "-A"]
    assert isinstance(import_target(command[2]), Celery)
    assert command[3] == subcommand


def test_migrations_run_before_the_app_starts() -> None:
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for service in ["web", "worker", "beat"]:
        condition = SERVICES[service]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_data_lives_in_named_volumes() -> None:
    assert {"postgres-data", "redis-data", "app-var"} <= set(COMPOSE["volumes"])


def test_every_path_the_dockerfile_copies_exists() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()

    for line in re.findall(r"^COPY (.+)$", dockerfile, flags=re.MULTILINE):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), source


def test_the_image_runs_as_a_non_root_user() -> None:
    assert re.search(
        r"^USER (?!root)\w+", (ROOT / "docker" / "Dockerfile").read_text(), re.MULTILINE
    )


def test_every_variable_the_app_reads_in_compose_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    environment = SERVICES["web"]["environment"]

    for variable in environment:
        assert f"`{variable}`" in readme, variable
