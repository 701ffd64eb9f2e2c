"""CSV that a spreadsheet cannot execute, written row by row for streaming responses.

A cell that starts with = + - @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets (CSV injection); such a cell gets a leading apostrophe, which they
show as text. The JSON Lines exports are never neutralised: they are for machines, byte-exact.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024


def cell_safe(value: object) -> str:
    """The cell's text: None empty, datetimes ISO 8601 UTC, formula-looking text neutralised."""
    text = value if type(value) is str else _text(value)  # text first: most cells are
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def iso(moment: datetime | None) -> str:
    """UTC to the second: `2026-11-28T22:59:01+00:00`; empty for None."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


class _Line:
    """A file-like object whose write() hands the line back, so csv.writer can stream."""

    def write(self, line: str) -> str:
        return line


def csv_stream(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """UTF-8 CSV (RFC 4180, CRLF) of `rows`, every cell neutralised, in chunks of about 64 KB."""
    writer = csv.writer(_Line())
    return chunked(writer.writerow(map(cell_safe, row)) for row in rows)


def chunked(lines: Iterable[str | bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Join small lines (text is UTF-8 encoded) into chunks of about `size` bytes: fewer
    writes, same flat memory."""
    buffer: list[bytes] = []
    length = 0
    for line in lines:
        data = line.encode("utf-8") if isinstance(line, str) else line
        buffer.append(data)
        length += len(data)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)
