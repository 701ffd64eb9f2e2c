"""Characters in an identity that an officer should look at twice: the one rule for them.

An identity is kept exactly as given (Heap matches it byte for byte), so nothing is dropped or
normalised; what a reader cannot see or could mistake is pointed out instead: by the importer's
per-row warnings (importer.identity_flags) and, as HTML, on every page that shows a subject
(`marked_html`: the console's `visible` filter and the admin).
"""

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Characters a reader cannot see: Cc/Cf (controls, zero-width and bidi marks), Zs other than
# the plain space, Zl/Zp (line/paragraph separators), Co/Cn (private use, unassigned).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}


def is_invisible(char: str) -> bool:
    return char != " " and unicodedata.category(char) in INVISIBLE_CATEGORIES


def is_lookalike(char: str) -> bool:
    """A letter outside ASCII may pass for an ASCII one (Cyrillic U+0430 for Latin "a")."""
    return not char.isascii() and unicodedata.category(char).startswith("L")


def marked_html(value: object) -> SafeString:
    """The value escaped, with invisible characters and edge whitespace shown as code points
    and look-alike letters marked."""
    text = str(value)
    parts = [_mark(char, index in (0, len(text) - 1)) for index, char in enumerate(text)]
    return mark_safe("".join(parts))  # nosec B308 B703  # noqa: S308 - each character escaped by _mark


def _mark(char: str, at_edge: bool) -> str:
    if is_invisible(char) or (at_edge and char.isspace()):
        name = unicodedata.name(char, "unnamed character")
        return f'<mark class="cp" title="{escape(name)}">U+{ord(char):04X}</mark>'
    if is_lookalike(char):
        name = escape(unicodedata.name(char, ""))
        return f'<span class="confusable" title="{name}">{escape(char)}</span>'
    return escape(char)
