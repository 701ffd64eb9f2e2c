"""A CSV import previewed before it is confirmed.

`requests_preview` runs the importer's own reading and checks (`importer.rows_import`) and
writes nothing, so what the preview promises is what the import does. The console's uploads
that wait between preview and import live in `heapprivacy/intake/uploads.py`.
"""

from collections.abc import Iterable

from heapprivacy.erasure.imports.importer import ImportReport, Progress, rows_import
from heapprivacy.erasure.models import HeapAccount

PREVIEW_KEEP = 200  # refused rows, warnings and references listed; the counts are complete


def requests_preview(
    lines: Iterable[bytes | str],
    *,
    account: HeapAccount,
    keep: int | None = PREVIEW_KEEP,
    progress: Progress | None = None,
) -> ImportReport:
    """What requests_import would do with `lines`, found without writing anything.

    Raises InvalidFile, as the import would, when the file cannot be read to its end.
    `progress` is handed the running report after each chunk.
    """
    report = ImportReport(keep=keep)
    rows_import(
        lines,
        account=account,
        report=report,
        # Any number unique to each request will do: its first line.
        create_requests=lambda new: [request.row.line for request in new],
        add_subjects=lambda rows, hashes, owners: None,
        progress=progress,
    )
    return report
