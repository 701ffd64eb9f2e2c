"""The awkward files spreadsheets and scripts write, through the one path the command, the upload
and the preview share (`importer.rows_import`). Fixture files hold the exact bytes."""

import csv
from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.models import AuditEvent
from heapprivacy.erasure.imports import import_writer, importer
from heapprivacy.erasure.imports.import_preview import requests_preview
from heapprivacy.erasure.imports.importer import (
    ImportReport,
    InvalidFile,
    RowError,
    RowWarning,
    identity_flags,
    requests_import,
)
from heapprivacy.erasure.lifecycle.requests import request_cancel
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject
from tests.erasure.factories import make_account, make_request

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]

FIXTURES = Path(__file__).parent / "fixtures"
ACTOR = Actor.system("tests")


def import_fixture(name: str, account: HeapAccount) -> ImportReport:
    with (FIXTURES / name).open("rb") as lines:
        return requests_import(lines, account=account, actor=ACTOR)


def preview_fixture(name: str, account: HeapAccount) -> ImportReport:
    with (FIXTURES / name).open("rb") as lines:
        return requests_preview(lines, account=account)


def values() -> list[str]:
    return list(Subject.objects.order_by("pk").values_list("value", flat=True))


def temporary_tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname LIKE 'pg_temp%%' "
                "AND tablename LIKE 'import_seen_%%'"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_temp_master WHERE type = 'table' "
                "AND name LIKE 'import_seen_%'"
            )
        return [row[0] for row in cursor.fetchall()]


def test_a_utf8_byte_order_mark_is_not_read_as_part_of_the_first_column(
    account: HeapAccount,
) -> None:
    report = import_fixture("bom.csv", account)

    assert report.errors == [RowError(3, "email is not an email address")]
    assert values() == ["alice@example.com", "carol@example.com"]
    assert ErasureRequest.objects.filter(requester_email="alice@example.com").exists()


def test_crlf_line_endings_are_read_and_never_kept_in_a_value(account: HeapAccount) -> None:
    report = import_fixture("crlf.csv", account)

    assert report.errors == [RowError(5, "give exactly one of identity or user_id")]
    assert sorted(values()) == ["alice@example.com", "bob@example.com", "multi\r\nline"]
    assert sorted(ErasureRequest.objects.values_list("external_ref", flat=True)) == ["T-1", "T-2"]


def test_quoted_newlines_stay_in_the_value_and_later_rows_keep_their_line_numbers(
    account: HeapAccount,
) -> None:
    report = import_fixture("quoted_newlines.csv", account)

    assert report.errors == [
        RowError(8, "give exactly one of identity or user_id"),
        RowError(10, "3 fields where the header has 2"),
    ]
    assert values() == [
        "two-line\nidentity",
        "three\nline\nidentity",
        "plain@example.com",
        "quoted, with comma",
    ]
    assert [warning.line for warning in report.warnings] == [2, 4]


def test_a_header_with_semicolons_and_no_comma_makes_the_semicolon_the_delimiter(
    account: HeapAccount,
) -> None:
    report = import_fixture("semicolon.csv", account)

    assert [error.line for error in report.errors] == [5]
    assert "unknown jurisdiction 'PIPL'" in report.errors[0].message
    assert values() == ["alice@example.com", "Doe; Jane", "bob@example.com,x"]
    assert ErasureRequest.objects.get(external_ref="T-2").jurisdiction == "CCPA"


def test_a_comma_header_keeps_the_comma_even_when_values_hold_semicolons(
    account: HeapAccount,
) -> None:
    lines = ["identity,external_ref\n", "a;b,T-1\n"]

    requests_import(iter(lines), account=account, actor=ACTOR)

    assert values() == ["a;b"]


def test_a_nul_byte_refuses_its_row_by_line_and_the_rest_is_imported(
    account: HeapAccount,
) -> None:
    """PostgreSQL cannot store NUL in text: refused on arrival, never a crash at INSERT."""
    report = import_fixture("nul_byte.csv", account)

    assert report.errors == [
        RowError(3, "identity: contains a NUL character, which cannot be stored")
    ]
    assert values() == ["a@example.com", "d@example.com"]


def test_invalid_utf8_refuses_the_whole_file_naming_the_line(account: HeapAccount) -> None:
    with pytest.raises(InvalidFile, match=r"^line 3: not valid UTF-8 \(byte 0xFC\)"):
        import_fixture("invalid_utf8.csv", account)

    assert not ErasureRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="request.created").exists()


def test_a_utf16_file_is_refused_with_what_to_do(account: HeapAccount) -> None:
    content = "identity\r\nalice@example.com\r\n".encode("utf-16")

    with pytest.raises(InvalidFile, match="line 1: the file is UTF-16; save it as CSV UTF-8"):
        requests_import(iter(content.splitlines(keepends=True)), account=account, actor=ACTOR)


def test_a_file_with_lone_carriage_returns_is_refused_with_what_to_do(
    account: HeapAccount,
) -> None:
    with pytest.raises(InvalidFile, match="lone carriage return"):
        requests_import(iter([b"identity\ra@example.com\r"]), account=account, actor=ACTOR)


def test_a_column_named_twice_refuses_the_file(account: HeapAccount) -> None:
    with pytest.raises(InvalidFile, match="columns named twice: identity"):
        requests_import(iter(["identity,Identity\n", "a,b\n"]), account=account, actor=ACTOR)


def test_a_repeated_subject_is_refused_naming_the_line_of_the_first(account: HeapAccount) -> None:
    report = import_fixture("duplicates.csv", account)

    assert report.errors == [
        RowError(
            4, "duplicate of line 2: the same identity is already in this file", duplicate_of=2
        ),
        RowError(
            6, "duplicate of line 5: the same user_id is already in this file", duplicate_of=5
        ),
        RowError(
            9, "duplicate of line 3: the same identity is already in this file", duplicate_of=3
        ),
    ]
    assert (report.refused, report.duplicates, report.subjects) == (3, 3, 5)
    assert sorted(values()) == [
        "7",
        "Alice@example.com",  # another identity for Heap: bytes are compared, never case-folded
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]


def test_duplicates_are_found_across_chunks(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ROW_CHUNK", 2)
    lines = ["identity\n", *(f"user-{n}\n" for n in range(5)), "user-0\n", "user-3\n"]

    report = requests_import(iter(lines), account=account, actor=ACTOR)

    assert [(error.line, error.duplicate_of) for error in report.errors] == [(7, 2), (8, 5)]
    assert report.subjects == Subject.objects.count() == 5


def test_rows_sharing_an_external_ref_across_chunks_form_one_request(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ROW_CHUNK", 2)
    lines = ["identity,external_ref\n", *(f"user-{n},T-{n % 2}\n" for n in range(6))]

    report = requests_import(iter(lines), account=account, actor=ACTOR)

    assert report.requests == ErasureRequest.objects.count() == 2
    assert ErasureRequest.objects.get(external_ref="T-1").subjects.count() == 3


def test_a_subject_already_in_an_open_request_is_imported_with_a_warning_naming_it(
    account: HeapAccount,
) -> None:
    earlier = make_request(account, ["carol@example.com"])

    report = import_fixture("duplicates.csv", account)

    assert report.warnings == [
        RowWarning(8, f"identity is already in open request {earlier.reference}")
    ]
    assert report.in_open_requests == 1
    assert Subject.objects.filter(value="carol@example.com").count() == 2


def test_a_subject_of_a_closed_request_or_another_account_gets_no_warning(
    account: HeapAccount,
) -> None:
    request_cancel(
        make_request(account, ["carol@example.com"]),
        actor=ACTOR,
        author=None,
        reason="the requester withdrew it",
    )
    make_request(make_account("other"), ["bob@example.com"])

    report = import_fixture("duplicates.csv", account)

    assert report.warnings == []


def test_identities_keep_every_byte_and_what_an_officer_should_see_is_flagged(
    account: HeapAccount,
) -> None:
    report = import_fixture("whitespace_and_invisible.csv", account)

    assert report.warnings == [
        RowWarning(2, "identity: leading space"),
        RowWarning(3, "identity: trailing tab"),
        RowWarning(4, "identity: invisible U+200B ZERO WIDTH SPACE"),
        RowWarning(5, "identity: non-ASCII letter U+0430 CYRILLIC SMALL LETTER A"),
        RowWarning(6, "identity: invisible U+00A0 NO-BREAK SPACE"),
        RowWarning(8, "identity: leading space; trailing space"),
        RowWarning(9, "identity: combining mark U+0301 COMBINING ACUTE ACCENT"),
    ]
    assert report.errors == []
    assert values() == [
        " leading@example.com",
        "trailing@example.com\t",
        "zero\u200bwidth@example.com",
        "p\u0430ypal@example.com",
        "nbsp\u00a0@example.com",
        "plain@example.com",
        "  both  ",
        "e\u0301clair@example.com",
    ]


@pytest.mark.parametrize(
    ("identity", "flags"),
    [
        ("alice@example.com", []),
        ("a b", []),
        ("\u00a0a", ["leading U+00A0 NO-BREAK SPACE"]),
        ("a\u200d\u200db", ["invisible U+200D ZERO WIDTH JOINER"]),
        ("a\u202eb", ["invisible U+202E RIGHT-TO-LEFT OVERRIDE"]),
        ("a\x07", ["invisible U+0007 control character"]),
        ("\uff41lice", ["non-ASCII letter U+FF41 FULLWIDTH LATIN SMALL LETTER A"]),
    ],
    ids=["plain", "inner-space", "nbsp-edge", "zwj-once", "bidi", "control", "fullwidth"],
)
def test_identity_flags(identity: str, flags: list[str]) -> None:
    assert identity_flags(identity) == flags


def test_a_user_id_is_never_flagged(account: HeapAccount) -> None:
    report = requests_import(iter(["user_id\n", "42\n"]), account=account, actor=ACTOR)

    assert report.warnings == []


def write_thousand_rows_with_three_bad(path: Path) -> Path:
    rows = [[f"user-{n}@example.com", f"REF-{n // 100}"] for n in range(1000)]
    rows[99] = ["x" * 256, "REF-0"]  # line 101
    rows[499] = ["user-499@example.com", "REF-4", "extra"]  # line 501
    rows[998] = ["user-3@example.com", "REF-9"]  # line 1000: a repeat of line 5
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([["identity", "external_ref"], *rows])
    return path


def test_a_thousand_rows_with_three_bad_ones_import_997_and_name_the_three_lines(
    tmp_path: Path, account: HeapAccount
) -> None:
    path = write_thousand_rows_with_three_bad(tmp_path / "requests.csv")

    with path.open("rb") as lines:
        report = requests_import(lines, account=account, actor=ACTOR)

    assert [error.line for error in report.errors] == [101, 501, 1000]
    assert report.errors[2].duplicate_of == 5
    assert report.subjects == Subject.objects.count() == 997
    assert report.requests == ErasureRequest.objects.count() == 10


def test_the_preview_finds_what_the_import_does_and_writes_nothing(
    tmp_path: Path, account: HeapAccount
) -> None:
    make_request(account, ["user-7@example.com"])
    before = (ErasureRequest.objects.count(), Subject.objects.count(), AuditEvent.objects.count())
    path = write_thousand_rows_with_three_bad(tmp_path / "requests.csv")

    with path.open("rb") as lines:
        preview = requests_preview(lines, account=account)

    after = (ErasureRequest.objects.count(), Subject.objects.count(), AuditEvent.objects.count())
    assert after == before
    with path.open("rb") as lines:
        report = requests_import(lines, account=account, actor=ACTOR, keep=200)

    def counts(found: ImportReport) -> tuple[int, ...]:
        return (found.requests, found.subjects, found.refused, found.duplicates)

    assert counts(preview) == counts(report) == (10, 997, 3, 1)
    assert preview.errors == report.errors
    assert preview.warnings == report.warnings
    assert preview.in_open_requests == report.in_open_requests == 1
    assert preview.created == []


def test_the_preview_lists_the_first_problems_and_counts_them_all(account: HeapAccount) -> None:
    lines = ["identity,email\n", *(f"user-{n},bad\n" for n in range(5))]

    preview = requests_preview(iter(lines), account=account, keep=2)

    assert [error.line for error in preview.errors] == [2, 3]
    assert preview.refused == 5


def test_the_preview_refuses_a_file_that_is_not_utf8_as_the_import_does(
    account: HeapAccount,
) -> None:
    with pytest.raises(InvalidFile, match="line 3: not valid UTF-8"):
        preview_fixture("invalid_utf8.csv", account)


def test_no_temporary_table_is_left_behind(account: HeapAccount) -> None:
    import_fixture("duplicates.csv", account)
    preview_fixture("duplicates.csv", account)
    with pytest.raises(InvalidFile):
        preview_fixture("invalid_utf8.csv", account)

    assert temporary_tables() == []


def test_a_database_error_midway_surfaces_as_itself_and_leaves_nothing(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(import_writer, "keys_erased_before", fail)

    with pytest.raises(DatabaseError, match="disk full"):
        requests_import(iter(["identity\n", "a\n"]), account=account, actor=ACTOR)

    assert not ErasureRequest.objects.exists()
    assert temporary_tables() == []
