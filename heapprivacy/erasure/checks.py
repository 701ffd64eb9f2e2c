"""System checks that need the database: `manage.py check --database default`, and migrate."""

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from heapprivacy.erasure.accounts import undecryptable_reason


@register(Tags.database)
def api_keys_decrypt(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Error]:
    """Wrong FIELD_ENCRYPTION_KEYS would otherwise show only when a batch is sent."""
    if not databases:
        return []
    try:
        reason = undecryptable_reason()
    except DatabaseError:  # not migrated yet: nothing saved to decrypt
        return []
    if reason is None:
        return []
    return [Error(reason, id="heapprivacy.E001", hint="FIELD_ENCRYPTION_KEYS in README.md")]
