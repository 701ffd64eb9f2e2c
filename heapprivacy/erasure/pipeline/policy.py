"""Timing policy of the pipeline, read from settings (whole seconds; see README, Configuration)."""

import random
from datetime import datetime, timedelta

from django.conf import settings

MAX_BATCH_SIZE = 10_000  # Heap's documented limit per user_deletion call


def seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def retry_delay(attempt: int, retry_after: float | None = None) -> timedelta:
    """Exponential backoff with full jitter, never shorter than Heap's Retry-After."""
    ceiling = min(
        settings.HEAP_RETRY_MAX_DELAY, settings.HEAP_RETRY_BASE_DELAY * 2 ** (attempt - 1)
    )
    delay = random.uniform(ceiling / 2, ceiling)  # nosec B311  # noqa: S311 - jitter, not a secret
    return timedelta(seconds=max(delay, retry_after or 0))


def next_poll_at(now: datetime, polls_done: int) -> datetime:
    """First poll POLL_FIRST_DELAY after submission, then doubling up to POLL_MAX_INTERVAL."""
    interval = min(settings.POLL_MAX_INTERVAL, settings.POLL_FIRST_DELAY * 2**polls_done)
    return now + timedelta(seconds=interval)
