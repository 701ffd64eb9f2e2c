"""Probes behind /healthz. Each returns None when healthy, or a short reason when not."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from heapprivacy.celery import app as celery_app
from heapprivacy.ops.models import WorkerHeartbeat

# Beat schedules a heartbeat every minute; three missed beats mean no worker is consuming.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def probe_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "down"; its class is the reason
        return type(exc).__name__
    return None


def probe_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return type(exc).__name__
    return None


def probe_cache() -> str | None:
    try:
        cache.set("healthz", "ok", 10)
        ok = cache.get("healthz") == "ok"
    except Exception as exc:
        return type(exc).__name__
    return None if ok else "value not read back"


def worker_status() -> str:
    """Informational: a web node stays in rotation while workers are down (the DB keeps work)."""
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is None:
        return "unknown"
    return "ok" if timezone.now() - latest < HEARTBEAT_STALE_AFTER else "stale"
