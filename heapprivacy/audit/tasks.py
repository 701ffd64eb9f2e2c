"""Thin Celery tasks over the audit services (beat schedule in settings.CELERY_BEAT_SCHEDULE)."""

from heapprivacy.audit.services import audit_anchor
from heapprivacy.celery import app


@app.task
def anchor_audit_head() -> None:
    """Daily: record a chain.anchor event and write the head to the log and AUDIT_ANCHOR_FILE."""
    audit_anchor()
