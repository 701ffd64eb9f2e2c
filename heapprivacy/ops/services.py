from django.utils import timezone

from heapprivacy.ops.models import WorkerHeartbeat


def heartbeat_record(hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
