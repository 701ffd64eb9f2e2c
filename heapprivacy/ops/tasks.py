from celery import Task

from heapprivacy.celery import app
from heapprivacy.ops.services import heartbeat_record


@app.task(bind=True)
def record_heartbeat(self: Task) -> None:
    heartbeat_record(self.request.hostname or "unknown")
