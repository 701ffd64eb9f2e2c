from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from heapprivacy.erasure.accounts import undecryptable_reason
from heapprivacy.intake.services import intake_unavailable_reason
from heapprivacy.ops import health

PROBES = {
    "database": health.probe_database,
    "broker": health.probe_broker,
    "cache": health.probe_cache,
}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when database, broker and cache answer; 503 naming what is down otherwise."""
    failures = {name: probe() for name, probe in PROBES.items()}
    body: dict[str, object] = {name: reason or "ok" for name, reason in failures.items()}
    down = sorted(name for name, reason in failures.items() if reason)
    if "database" not in down:
        # A wrong FIELD_ENCRYPTION_KEYS fails the check: nothing can reach Heap, and a rollout
        # that brought it should stop here rather than at the first batch.
        encryption = undecryptable_reason()
        body["encryption"] = encryption or "ok"
        down += ["encryption"] * bool(encryption)
        body["worker"] = health.worker_status()
        # Informational too: the public form answers 503 until its Heap account is configured.
        body["intake"] = intake_unavailable_reason() or "ok"
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
