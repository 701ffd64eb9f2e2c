"""A login brute force: after LOGIN_FAILURE_LIMIT failures the username and address are locked
out, logged as a warning, and let in again with the right password once the cool-off ends."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.support.cast import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(password: str) -> int:
    answer = Client().post("/accounts/login/", {"username": "olivia", "password": password})
    return answer.status_code


def test_a_lockout_is_logged_and_ends_with_its_cool_off(officer, settings, caplog) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="axes"),
        time_machine.travel(timezone.now(), tick=False) as clock,
    ):
        failures = [log_in("wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
        locked = log_in(PASSWORD)
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        after = log_in(PASSWORD)

    assert failures[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert (locked, after) == (429, 302)
    assert "after repeated login failures" in caplog.text  # axes, at the lockout
