"""What an export covers. Views fill these from their forms, `manage.py export` from its options."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included; an open end is unbounded."""

    since: date | None = None
    until: date | None = None

    def q(self, field: str) -> Q:
        condition = Q()
        if self.since:
            condition &= Q(**{f"{field}__gte": _midnight(self.since)})
        if self.until:
            condition &= Q(**{f"{field}__lt": _midnight(self.until + timedelta(days=1))})
        return condition

    def details(self) -> dict[str, str]:
        """For the export's audit event: only what was set."""
        bounds = {"since": self.since, "until": self.until}
        return {name: day.isoformat() for name, day in bounds.items() if day}


@dataclass(frozen=True)
class AuditFilters:
    """An audit export's selection. Empty: the whole chain, which verifies on its own."""

    period: Period = Period()
    request_ref: str = ""
    actor: str = ""
    action: str = ""

    def q(self) -> Q:
        condition = self.period.q("at")
        if self.request_ref:
            condition &= Q(request_ref=self.request_ref)
        if self.actor:
            condition &= Q(actor_label=self.actor)
        if self.action:
            # "request" selects request.created, request.approved, …; "request.approved" just it.
            condition &= Q(action=self.action) | Q(action__startswith=self.action + ".")
        return condition

    @property
    def is_whole_chain(self) -> bool:
        return self == AuditFilters()

    def details(self) -> dict[str, str]:
        chosen = {"request_ref": self.request_ref, "actor": self.actor, "action": self.action}
        return {**self.period.details(), **{name: value for name, value in chosen.items() if value}}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
