"""`manage.py import_requests`: each bad row reported by its line, the rest imported."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.imports.importer import ImportReport
from heapprivacy.erasure.management.commands.import_requests import Bar
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]

MAX_USER_ID = 2**53 - 1


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


class Terminal(StringIO):
    """What the command writes to when a person runs it in a terminal."""

    def isatty(self) -> bool:
        return True


def import_requests(
    path: Path, *args: str, account: str = "acme", stderr: StringIO | None = None
) -> tuple[str, str]:
    stdout, stderr = StringIO(), stderr or StringIO()
    call_command(
        "import_requests", str(path), "--account", account, *args, stdout=stdout, stderr=stderr
    )
    return stdout.getvalue(), stderr.getvalue()


def thousand_rows(path: Path) -> Path:
    rows = [[f"user-{n}@example.com", f"REF-{n // 100}"] for n in range(1000)]
    rows[99] = ["x" * 256, "REF-0"]  # line 101
    return write_csv(path, [["identity", "external_ref"], *rows])


def test_on_a_terminal_a_progress_bar_is_drawn_on_stderr_before_the_usual_output(
    tmp_path: Path, account: HeapAccount
) -> None:
    stdout, stderr = import_requests(thousand_rows(tmp_path / "requests.csv"), stderr=Terminal())

    bar, problems = stderr.split("\n", 1)
    assert bar.startswith("\r")
    last = bar.split("\r")[-1].rstrip()
    assert last.startswith("100%  1,000 rows read  ")
    assert " rows/s  in 0:" in last
    assert problems == "line 101: identity: must be 1 to 255 characters (got 256)\n"
    assert stdout == "imported 10 requests with 999 subjects; refused 1 rows\n"


def test_with_json_no_bar_is_drawn_even_on_a_terminal(tmp_path: Path, account: HeapAccount) -> None:
    path = thousand_rows(tmp_path / "requests.csv")

    stdout, stderr = import_requests(path, "--json", stderr=Terminal())

    assert stderr == "line 101: identity: must be 1 to 255 characters (got 256)\n"
    assert json.loads(stdout)["subjects"] == 999


def test_when_stderr_is_not_a_terminal_no_bar_is_drawn(
    tmp_path: Path, account: HeapAccount
) -> None:
    _, stderr = import_requests(thousand_rows(tmp_path / "requests.csv"))

    assert "\r" not in stderr
    assert stderr == "line 101: identity: must be 1 to 255 characters (got 256)\n"


def test_the_bar_reckons_rows_per_second_and_time_left_from_the_bytes_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b"x" * 1000)
    screen = Terminal()
    times = iter([0.0, 10.0, 10.1, 20.0])
    with path.open("rb") as file:
        bar = Bar(OutputWrapper(screen), file, clock=lambda: next(times), interval=1.0)
        file.seek(250)
        bar(ImportReport(subjects=4000, refused=0))  # 10 s for a quarter: 30 s to go
        file.seek(500)
        bar(ImportReport(subjects=8000, refused=0))  # 0.1 s later: not redrawn
        file.seek(1000)
        bar.close()

    assert [line.rstrip() for line in screen.getvalue().split("\r")] == [
        "",
        " 25%  4,000 rows read  400 rows/s  ETA 0:30",
        "100%  8,000 rows read  400 rows/s  in 0:20",
    ]
    assert screen.getvalue().endswith("\n")


def test_a_thousand_rows_with_three_bad_ones_import_the_rest_and_name_each_bad_line(
    tmp_path: Path, account: HeapAccount
) -> None:
    rows = [[f"user-{n}@example.com", f"REF-{n // 100}"] for n in range(1000)]
    rows[99] = ["x" * 256, "REF-0"]  # line 101
    rows[499] = ["user-499@example.com", "REF-4", "extra"]  # line 501
    rows[998] = ["", "REF-9"]  # line 1000
    path = write_csv(tmp_path / "requests.csv", [["identity", "external_ref"], *rows])

    stdout, stderr = import_requests(path)

    assert stdout == "imported 10 requests with 997 subjects; refused 3 rows\n"
    assert stderr.splitlines() == [
        "line 101: identity: must be 1 to 255 characters (got 256)",
        "line 501: 3 fields where the header has 2",
        "line 1000: give exactly one of identity or user_id",
    ]
    assert Subject.objects.count() == 997
    assert ErasureRequest.objects.count() == 10
    assert not Subject.objects.filter(value="x" * 256).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["x" * 256, "", "", "", ""], "identity: must be 1 to 255 characters (got 256)"),
        (["a@example.com", "", "", "", "", "", ""], "7 fields where the header has 5"),
        (["a@example.com", "bob@", "", "", ""], "email is not an email address"),
        (["a@example.com", "", "PIPL", "", ""], "unknown jurisdiction 'PIPL'"),
        (["a@example.com", "", "", "last tuesday", ""], "is not an ISO 8601 date"),
        (["a@example.com", "", "", "2024-02-30T10:00:00Z", ""], "is not an ISO 8601 date"),
        (["a@example.com", "", "", "2999-01-01T00:00:00Z", ""], "received_at is in the future"),
        (["a@example.com", "", "", "0001-01-01T00:00:00Z", ""], "received_at is before 25 May"),
    ],
    ids=[
        "identity-256-chars",
        "wrong-field-count",
        "bad-email",
        "unknown-jurisdiction",
        "received-at-not-a-date",
        "received-at-impossible-day",
        "received-at-in-the-future",
        "received-at-in-year-1",
    ],
)
def test_each_kind_of_bad_row_is_refused_with_its_line_and_reason(
    tmp_path: Path, account: HeapAccount, row: list[str], message: str
) -> None:
    header = ["identity", "email", "jurisdiction", "received_at", "external_ref"]
    first, last = ["ok1@example.com", "", "", "", ""], ["ok2@example.com", "", "", "", ""]
    path = write_csv(tmp_path / "requests.csv", [header, first, row, last])

    stdout, stderr = import_requests(path)

    assert stderr.startswith("line 3: ")
    assert message in stderr
    assert stdout == "imported 2 requests with 2 subjects; refused 1 rows\n"


def test_a_row_with_both_identity_and_user_id_is_refused(
    tmp_path: Path, account: HeapAccount
) -> None:
    path = write_csv(tmp_path / "requests.csv", [["identity", "user_id"], ["a", "1"], ["b", ""]])

    _, stderr = import_requests(path)

    assert stderr == "line 2: give exactly one of identity or user_id\n"
    assert list(Subject.objects.values_list("value", flat=True)) == ["b"]


def test_the_optional_columns_are_stored_on_the_request(
    tmp_path: Path, account: HeapAccount
) -> None:
    header = ["identity", "email", "jurisdiction", "received_at", "external_ref"]
    row = ["a@example.com", "alice@example.com", "CCPA", "2025-03-01T09:30:00+01:00", "T-1"]
    path = write_csv(tmp_path / "requests.csv", [header, row])

    import_requests(path)

    request = ErasureRequest.objects.get()
    assert request.source == ErasureRequest.Source.CSV
    assert request.requester_email == "alice@example.com"
    assert request.jurisdiction == "CCPA"
    assert request.received_at.isoformat() == "2025-03-01T08:30:00+00:00"
    assert request.external_ref == "T-1"
    assert request.state == ErasureRequest.State.RECEIVED


def test_a_row_without_jurisdiction_gets_the_default_one(
    tmp_path: Path, account: HeapAccount, settings
) -> None:
    settings.DEFAULT_JURISDICTION = "GDPR-UK"
    path = write_csv(tmp_path / "requests.csv", [["identity", "jurisdiction"], ["a", ""]])

    import_requests(path)

    assert ErasureRequest.objects.get().jurisdiction == "GDPR-UK"


def test_rows_sharing_an_external_ref_form_one_request(
    tmp_path: Path, account: HeapAccount
) -> None:
    rows = [["identity", "external_ref"], ["a", "T-1"], ["b", "T-2"], ["c", "T-1"], ["d", ""]]
    path = write_csv(tmp_path / "requests.csv", rows)

    stdout, _ = import_requests(path)

    assert stdout == "imported 3 requests with 4 subjects; refused 0 rows\n"
    t1 = ErasureRequest.objects.get(external_ref="T-1")
    assert sorted(t1.subjects.values_list("value", flat=True)) == ["a", "c"]
    t2 = ErasureRequest.objects.get(external_ref="T-2")
    assert list(t2.subjects.values_list("value", flat=True)) == ["b"]
    created = AuditEvent.objects.filter(action="request.created", request_ref=t1.reference)
    assert [event.details["subjects"] for event in created] == [2]


def test_json_prints_requests_subjects_references_and_errors(
    tmp_path: Path, account: HeapAccount
) -> None:
    rows = [["identity", "external_ref"], ["a", "T-1"], ["", "T-2"], ["c", "T-1"], ["d", "T-3"]]
    path = write_csv(tmp_path / "requests.csv", rows)

    stdout, _ = import_requests(path, "--json")

    summary = json.loads(stdout)
    references = dict(ErasureRequest.objects.values_list("external_ref", "reference"))
    assert summary == {
        "requests": 2,
        "subjects": 3,
        "references": {"T-1": references["T-1"], "T-3": references["T-3"]},
        "duplicates": 0,
        "errors": [{"line": 3, "message": "give exactly one of identity or user_id"}],
        "warnings": [],
    }


def test_approve_queues_every_imported_subject(tmp_path: Path, account: HeapAccount) -> None:
    rows = [["identity", "external_ref"], ["a", "T-1"], ["b", "T-1"], ["c", "T-2"]]
    path = write_csv(tmp_path / "requests.csv", rows)

    import_requests(path, "--approve")

    assert set(ErasureRequest.objects.values_list("state", flat=True)) == {"approved"}
    assert set(Subject.objects.values_list("state", flat=True)) == {Subject.State.QUEUED}
    assert not Subject.objects.filter(queued_at__isnull=True).exists()


def test_without_approve_the_subjects_wait_for_a_decision(
    tmp_path: Path, account: HeapAccount
) -> None:
    import_requests(write_csv(tmp_path / "requests.csv", [["identity"], ["a"]]))

    assert Subject.objects.get().state == Subject.State.PENDING


def test_user_ids_are_digits_up_to_two_to_the_53_minus_one(
    tmp_path: Path, account: HeapAccount
) -> None:
    rows = [["user_id"], ["42"], [str(MAX_USER_ID)], [str(MAX_USER_ID + 1)], ["12a"], ["-1"]]
    path = write_csv(tmp_path / "requests.csv", rows)

    _, stderr = import_requests(path)

    assert sorted(Subject.objects.values_list("kind", "value")) == [
        ("user_id", "42"),
        ("user_id", str(MAX_USER_ID)),
    ]
    assert stderr.splitlines() == [
        f"line 4: user_id: must be between 0 and {MAX_USER_ID}",
        "line 5: user_id: must be a string of digits 0-9",
        "line 6: user_id: must be a string of digits 0-9",
    ]


def test_a_file_may_mix_identity_and_user_id_rows(tmp_path: Path, account: HeapAccount) -> None:
    path = write_csv(tmp_path / "requests.csv", [["identity", "user_id"], ["a", ""], ["", "7"]])

    import_requests(path)

    assert sorted(Subject.objects.values_list("kind", "value")) == [
        ("identity", "a"),
        ("user_id", "7"),
    ]


def test_a_quoted_field_spanning_lines_keeps_the_following_line_numbers_right(
    tmp_path: Path, account: HeapAccount
) -> None:
    lines = [
        "identity,email",  # line 1
        '"line one',  # line 2: a row of two lines
        'line two",',  # line 3
        "ok@example.com,",  # line 4
        ",c@example.com",  # line 5: no identity
        "last@example.com,bad",  # line 6: bad email
    ]
    path = tmp_path / "requests.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    _, stderr = import_requests(path)

    assert stderr.splitlines() == [
        "line 2: warning: identity: invisible U+000A LINE FEED",
        "line 5: give exactly one of identity or user_id",
        "line 6: email is not an email address",
    ]
    assert sorted(Subject.objects.values_list("value", flat=True)) == [
        "line one\nline two",
        "ok@example.com",
    ]


def test_identities_are_kept_byte_for_byte_and_what_an_officer_should_see_is_flagged(
    tmp_path: Path, account: HeapAccount
) -> None:
    identities = ["  Alice@Example.COM ", "alice@example.com", "\tbob", "Ünïcödé", "a,b"]
    path = write_csv(tmp_path / "requests.csv", [["identity"], *([i] for i in identities)])

    stdout, stderr = import_requests(path)

    assert stdout == "imported 5 requests with 5 subjects; refused 0 rows; 3 warnings\n"
    assert sorted(Subject.objects.values_list("value", flat=True)) == sorted(identities)
    assert stderr.splitlines() == [
        "line 2: warning: identity: leading space; trailing space",
        "line 4: warning: identity: leading tab",
        "line 5: warning: identity: non-ASCII letter U+00DC LATIN CAPITAL LETTER U WITH "
        "DIAERESIS; non-ASCII letter U+00EF LATIN SMALL LETTER I WITH DIAERESIS; non-ASCII "
        "letter U+00F6 LATIN SMALL LETTER O WITH DIAERESIS; non-ASCII letter U+00E9 LATIN SMALL "
        "LETTER E WITH ACUTE",
    ]


def test_a_header_written_by_a_spreadsheet_with_bom_and_capitals_is_understood(
    tmp_path: Path, account: HeapAccount
) -> None:
    path = tmp_path / "requests.csv"
    path.write_bytes("\ufeffIdentity , External_Ref\r\na,T-1\r\n".encode())

    import_requests(path)

    assert ErasureRequest.objects.get().external_ref == "T-1"
    assert Subject.objects.get().value == "a"


def test_blank_lines_are_skipped_but_still_counted(tmp_path: Path, account: HeapAccount) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("identity,email\na,\n\n,\nb,nope\n", encoding="utf-8")

    _, stderr = import_requests(path)

    assert stderr == "line 5: email is not an email address\n"
    assert list(Subject.objects.values_list("value", flat=True)) == ["a"]


def test_an_unknown_account_label_is_refused(tmp_path: Path, account: HeapAccount) -> None:
    path = write_csv(tmp_path / "requests.csv", [["identity"], ["a"]])

    with pytest.raises(CommandError, match="no Heap account labelled 'nope'"):
        import_requests(path, account="nope")

    assert not ErasureRequest.objects.exists()


def test_a_missing_file_is_refused(tmp_path: Path, account: HeapAccount) -> None:
    with pytest.raises(CommandError, match="No such file"):
        import_requests(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("email,external_ref\na@example.com,T-1\n", "needs an identity or a user_id column"),
        ("", "needs an identity or a user_id column"),
        ("identity,phone\na,555\n", "unknown columns: phone"),
    ],
    ids=["no-subject-column", "empty-file", "unknown-column"],
)
def test_a_bad_header_refuses_the_whole_file(
    tmp_path: Path, account: HeapAccount, content: str, message: str
) -> None:
    path = tmp_path / "requests.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message):
        import_requests(path)

    assert not ErasureRequest.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, account: HeapAccount) -> None:
    path = tmp_path / "requests.csv"
    path.write_bytes(b"identity\nm\xfcller\n")

    with pytest.raises(CommandError, match=r"line 2: not valid UTF-8 \(byte 0xFC\); save the"):
        import_requests(path)

    assert not ErasureRequest.objects.exists()


def test_a_file_that_stops_being_utf8_midway_leaves_nothing_behind(
    tmp_path: Path, account: HeapAccount
) -> None:
    """The decoder reads ahead in blocks: the bad byte must sit past the first one to matter."""
    path = tmp_path / "requests.csv"
    good = "".join(f"user-{n}@example.com\n" for n in range(2000)).encode()
    path.write_bytes(b"identity\n" + good + b"m\xfcller\n")

    with pytest.raises(CommandError, match=r"line 2002: not valid UTF-8 .*; nothing was imported"):
        import_requests(path)

    assert not ErasureRequest.objects.exists()


def test_a_field_over_the_csv_field_size_limit_is_a_bad_row_not_a_crash(
    tmp_path: Path, account: HeapAccount
) -> None:
    path = write_csv(tmp_path / "requests.csv", [["identity"], ["a"], ["x" * 200_000], ["b"]])

    _, stderr = import_requests(path)

    assert stderr.startswith("line 3: ")
    assert sorted(Subject.objects.values_list("value", flat=True)) == ["a", "b"]


def test_an_identity_with_a_nul_character_is_a_bad_row(
    tmp_path: Path, account: HeapAccount
) -> None:
    """PostgreSQL cannot store NUL in text: it must be refused on arrival, not crash the import."""
    path = write_csv(tmp_path / "requests.csv", [["identity"], ["a"], ["x\x00y"], ["b"]])

    _, stderr = import_requests(path)

    assert stderr.startswith("line 3: ")
    assert sorted(Subject.objects.values_list("value", flat=True)) == ["a", "b"]
