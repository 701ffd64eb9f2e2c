"""`requests_import`: CSV text streamed line by line, never read whole into memory."""

from collections.abc import Iterator

import pytest

from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.imports import importer
from heapprivacy.erasure.imports.importer import InvalidFile, RowError, requests_import
from heapprivacy.erasure.models import ErasureRequest, HeapAccount, Subject

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]

ACTOR = Actor.system("tests")


def test_a_generator_of_lines_is_imported(account: HeapAccount) -> None:
    lines = (line for line in ["identity,external_ref\n", "a,T-1\n", "b,T-1\n", "c,\n"])

    report = requests_import(lines, account=account, actor=ACTOR)

    assert (report.requests, report.subjects, report.errors) == (2, 3, [])
    assert next(lines, None) is None
    assert Subject.objects.count() == 3


def test_lines_are_pulled_one_chunk_at_a_time(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pulled lazily: when the first line of a chunk is asked for, the chunk before is written."""
    monkeypatch.setattr(importer, "ROW_CHUNK", 2)
    requests_seen_when_asked: list[int] = []

    def lines() -> Iterator[str]:
        yield "identity\n"
        for n in range(4):
            requests_seen_when_asked.append(ErasureRequest.objects.count())
            yield f"user-{n}\n"
        requests_seen_when_asked.append(ErasureRequest.objects.count())

    requests_import(lines(), account=account, actor=ACTOR)

    assert requests_seen_when_asked == [0, 0, 2, 2, 4]


def test_subjects_are_written_in_chunks_while_the_file_is_still_being_read(
    account: HeapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ROW_CHUNK", 2)
    subjects_seen_when_asked: list[int] = []

    def lines() -> Iterator[str]:
        yield "identity,external_ref\n"
        for n in range(5):
            subjects_seen_when_asked.append(Subject.objects.count())
            yield f"user-{n},T-1\n"

    report = requests_import(lines(), account=account, actor=ACTOR)

    assert subjects_seen_when_asked == [0, 0, 2, 2, 4]
    assert report.subjects == Subject.objects.count() == 5
    assert report.requests == ErasureRequest.objects.count() == 1


def test_the_report_lists_refused_rows_by_line(account: HeapAccount) -> None:
    lines = ["identity,email\n", "a,\n", "b,not-an-email\n", ",x@example.com\n"]

    report = requests_import(iter(lines), account=account, actor=ACTOR)

    assert report.errors == [
        RowError(3, "email is not an email address"),
        RowError(4, "give exactly one of identity or user_id"),
    ]
    assert report.subjects == 1


def test_a_header_without_a_subject_column_raises_before_anything_is_created(
    account: HeapAccount,
) -> None:
    with pytest.raises(InvalidFile, match="line 1: the header needs an identity or a user_id"):
        requests_import(iter(["email\n", "a@example.com\n"]), account=account, actor=ACTOR)

    assert not ErasureRequest.objects.exists()


def test_approve_approves_only_the_requests_this_import_created(account: HeapAccount) -> None:
    earlier = requests_import(iter(["identity\n", "old\n"]), account=account, actor=ACTOR)

    requests_import(iter(["identity\n", "new\n"]), account=account, actor=ACTOR, approve=True)

    states = dict(Subject.objects.values_list("value", "state"))
    assert states == {"old": Subject.State.PENDING, "new": Subject.State.QUEUED}
    assert earlier.requests == 1


def test_a_row_holding_only_spaces_is_imported_or_refused_never_dropped_silently(
    account: HeapAccount,
) -> None:
    """`"   "` passes subject_parse (1 to 255 characters, kept byte for byte)."""
    report = requests_import(iter(["identity\n", '"   "\n']), account=account, actor=ACTOR)

    assert report.subjects + len(report.errors) == 1
