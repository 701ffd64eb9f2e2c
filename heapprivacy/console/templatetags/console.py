"""Template filters of the console."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from heapprivacy.erasure.imports.characters import marked_html

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
