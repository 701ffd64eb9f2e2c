"""A module imported first in a fresh interpreter: importing notifications.services before the
erasure services used to fail with a circular ImportError (a worker's task module can be the
first thing a process imports)."""

import subprocess
import sys

import pytest

FIRST = ["heapprivacy.notifications.services", "heapprivacy.notifications.tasks"]


@pytest.mark.parametrize("module", FIRST)
def test_it_imports_first_in_a_fresh_process(module: str) -> None:
    code = f"import django; django.setup(); import {module}"
    env = {"DJANGO_SETTINGS_MODULE": "heapprivacy.settings", "DEBUG": "true", "VAR_DIR": "var/test"}

    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr[-2000:]
