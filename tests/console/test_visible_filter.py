import pytest

from heapprivacy.console.templatetags.console import urgency, visible


def test_plain_text_is_escaped_and_otherwise_unchanged() -> None:
    assert visible("a<b>&c d") == "a&lt;b&gt;&amp;c d"


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("a\u200bb", "U+200B"),
        ("a\u202eb", "U+202E"),
        ("a\u00a0b", "U+00A0"),
        (" a", "U+0020"),
        ("a\t", "U+0009"),
    ],
)
def test_invisible_characters_and_edge_whitespace_are_shown_as_code_points(
    text: str, mark: str
) -> None:
    assert f">{mark}</mark>" in visible(text)


def test_a_letter_that_may_pass_for_ascii_is_marked() -> None:
    assert 'class="confusable"' in visible("p\u0430ypal")


@pytest.mark.parametrize(
    ("days", "colour"), [(30, "green"), (9, "amber"), (4, "red"), (-1, "overdue")]
)
def test_due_dates_are_coloured_by_days_left(days: int, colour: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    assert urgency(timezone.now() + timedelta(days=days, hours=1)) == colour
