import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from heapprivacy.reports.csvsafe import cell_safe, chunked, csv_stream

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@x", "\tx", "\rx"]


def parse(chunks: list[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"), newline="")))


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(text: str) -> None:
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "a=b", "x+1", " =not first", "'quoted", "", "é@"])
def test_other_cells_are_left_alone(text: str) -> None:
    assert cell_safe(text) == text


def test_none_is_empty_and_moments_are_utc_iso_to_the_second() -> None:
    paris = timezone(timedelta(hours=1))

    assert cell_safe(None) == ""
    assert cell_safe(datetime(2026, 3, 1, 13, 5, 9, 123456, tzinfo=paris)) == (
        "2026-03-01T12:05:09+00:00"
    )
    assert cell_safe(7) == "7"


def test_the_stream_parses_back_to_the_neutralised_cells() -> None:
    rows = [["name", "note"], *[[text, 'say "hi",\nthen go'] for text in FORMULAS]]

    parsed = parse(list(csv_stream(rows)))

    assert parsed[0] == ["name", "note"]
    assert [row[0] for row in parsed[1:]] == ["'" + text for text in FORMULAS]
    assert {row[1] for row in parsed[1:]} == {'say "hi",\nthen go'}


def test_small_lines_are_sent_in_chunks_of_about_the_size_asked() -> None:
    chunks = list(chunked(("x" * 9 + "\n" for _ in range(100)), size=250))

    assert b"".join(chunks) == b"xxxxxxxxx\n" * 100
    assert [len(chunk) for chunk in chunks] == [250, 250, 250, 250]


def test_the_stream_is_utf8_with_crlf_line_ends() -> None:
    data = b"".join(csv_stream([["é", datetime(2026, 1, 1, tzinfo=UTC)]]))

    assert data == "é,2026-01-01T00:00:00+00:00\r\n".encode()
