"""Thin Celery tasks of the console: one service call each."""

from heapprivacy.celery import app
from heapprivacy.console import digest


@app.task
def send_officer_digest() -> None:
    digest.digest_send()
