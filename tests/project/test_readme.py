"""README.md is the user's door: every environment variable the settings read is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_CALL = re.compile(r"""(?:read_\w+|env\.\w+)\(\s*"([A-Z][A-Z0-9_]+)\"""")


def variables_read_by_settings() -> set[str]:
    return set(READ_CALL.findall((ROOT / "heapprivacy" / "settings.py").read_text()))


def test_the_settings_read_variables() -> None:
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY"} <= variables_read_by_settings()


def test_every_variable_the_settings_read_has_a_row_in_the_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text()

    missing = {name for name in variables_read_by_settings() if f"| `{name}` |" not in readme}
    assert missing == set()


def test_quick_start_is_exactly_the_two_make_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start")[1].split("```sh")[1].split("```")[0]

    commands = [line.split("#")[0].strip() for line in quick_start.strip().splitlines()]
    assert commands == ["make demo", "make test"]
