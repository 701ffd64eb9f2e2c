"""Template filters of the console."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.imports.characters import marked_html
from heapprivacy.heap.words import heap_error_words
from heapprivacy.reports.describe import actor_words, event_sentence, run_sentence

register = template.Library()


@register.filter
def visible(value: object) -> SafeString:
    """The value escaped, with invisible characters and edge whitespace made visible.

    An identity is shown exactly: nothing is dropped or normalised, only marked.
    """
    return marked_html(value)


@register.filter
def days_left(due_at: datetime | None) -> int | None:
    if due_at is None:
        return None
    return (due_at - timezone.now()).days


@register.filter
def urgency(due_at: datetime | None) -> str:
    """green, amber (< 10 days), red (< 5 days) or overdue."""
    days = days_left(due_at)
    if days is None:
        return "none"
    if days < 0:
        return "overdue"
    if days < 5:
        return "red"
    return "amber" if days < 10 else "green"


@register.filter
def sentence(event: AuditEvent) -> str:
    """The audit event as a sentence for people (the raw event stays one click away)."""
    return event_sentence(event)


@register.filter
def run(event: AuditEvent, count: int) -> str:
    """A line of the audit log: the event, or `count` alike events summed up."""
    return run_sentence(event, count)


@register.filter
def actor(event: AuditEvent) -> str:
    return actor_words(event.actor_kind, event.actor_label)


@register.filter
def heap_error(error_class: str) -> str:
    """A stored error class in words: what failed and what to do."""
    return heap_error_words(error_class)
