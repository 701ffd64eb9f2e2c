"""Template filters of the console."""

import unicodedata
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Characters a reader cannot see, or could mistake for others: shown as their code point.
# Categories: Cc/Cf (controls, zero-width and bidi marks), Zs other than the plain space,
# Zl/Zp (line/paragraph separators), Co/Cn (private use, unassigned).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}


@register.filter
def visible(value: object) -> SafeString:
    """The value escaped, with invisible characters and edge whitespace made visible.

    An identity is shown exactly: nothing is dropped or normalised, only marked.
    """
    text = str(value)
    parts = [_mark(char, index, len(text)) for index, char in enumerate(text)]
    return mark_safe("".join(parts))  # noqa: S308 - every character is escaped by _mark


def _mark(char: str, index: int, length: int) -> str:
    at_edge = index in (0, length - 1)
    if char == " " and not at_edge:
        return char
    if unicodedata.category(char) in INVISIBLE_CATEGORIES or (at_edge and char.isspace()):
        name = unicodedata.name(char, "unnamed character")
        return f'<mark class="cp" title="{escape(name)}">U+{ord(char):04X}</mark>'
    if not char.isascii() and unicodedata.category(char).startswith("L"):
        # A letter outside ASCII may pass for an ASCII one (Cyrillic U+0430 for Latin "a").
        name = escape(unicodedata.name(char, ""))
        return f'<span class="confusable" title="{name}">{escape(char)}</span>'
    return escape(char)


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
