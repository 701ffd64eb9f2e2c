from django.db import transaction

from heapprivacy.erasure.models import ReferenceCounter


def references_allocate(year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive public references for `year` (DSR-2026-000123)."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"DSR-{year}-{number:06d}" for number in range(first, first + count)]
