"""Hostile input, generated: the CSV import and the subject validator never crash, and every
row is accounted for (imported, with or without a warning, or refused with its line); a file of
nothing but bad rows imports nothing; the public form answers any fields with a page, never a
server error."""

import csv
import io

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from heapprivacy.erasure.imports.import_preview import requests_preview
from heapprivacy.erasure.imports.importer import InvalidFile, requests_import
from heapprivacy.erasure.lifecycle.subjects import InvalidSubject, subject_parse
from heapprivacy.erasure.models import ErasureRequest
from tests.erasure.factories import SYSTEM
from tests.support.processes import tasks_in_process

pytestmark = [pytest.mark.django_db, pytest.mark.no_heap]

# Text as hostile files carry it: NUL, a BOM, zero-width and bidirectional controls,
# look-alike letters, separators, quotes, line breaks, and anything else Unicode holds.
HOSTILE = st.sampled_from(
    ["\x00", "\ufeff", "\u200b", "\u202e", "\u0430", " ", ",", '"', "\n", "\r", "=", "+", "@"]
)
FIELD = st.text(st.one_of(HOSTILE, st.characters()), max_size=300)
ROWS = st.lists(st.tuples(FIELD, FIELD), max_size=30)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def csv_lines(rows: list[tuple[str, str]]) -> list[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF: a field holding a line break is quoted
    writer.writerow(["identity", "external_ref"])
    writer.writerows(rows)
    return out.getvalue().encode().splitlines(keepends=True)


@FUZZ
@given(rows=ROWS)
def test_every_row_of_any_csv_is_imported_or_refused_with_its_line(idle_account, rows) -> None:
    try:
        report = requests_preview(csv_lines(rows), account=idle_account, keep=None)
    except InvalidFile:
        return  # the whole file refused, with the reason: nothing imported

    blank = sum(not any(row) for row in rows)  # a row of empty fields is a blank line: skipped
    assert report.subjects + report.refused == len(rows) - blank
    assert all(error.line >= 2 for error in report.errors)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_any_bytes_are_a_file_refused_whole_or_rows_accounted_for(idle_account, data) -> None:
    lines = (b"identity,external_ref\n" + data).splitlines(keepends=True)
    try:
        report = requests_preview(lines, account=idle_account, keep=None)
    except InvalidFile as refused:
        assert str(refused)  # noqa: PT017 - the reason the whole file is refused, in words
        return

    assert report.subjects + report.refused <= len(lines) - 1


@FUZZ
@given(kind=st.sampled_from(["identity", "user_id"]), value=FIELD)
def test_the_subject_validator_accepts_or_refuses_in_words(kind, value) -> None:
    try:
        subject = subject_parse(kind, value)
    except InvalidSubject as refused:
        reason = str(refused)
    else:
        reason = ""
        assert subject.kind == kind
        assert 1 <= len(subject.value) <= 255

    assert reason or subject.value == value


def test_a_csv_of_only_bad_rows_imports_nothing_and_names_each_line(idle_account) -> None:
    lines = csv_lines([("x" * 256, "a"), ("", "b"), ("\x00", "c")])

    report = requests_import(lines, account=idle_account, actor=SYSTEM)

    assert (report.requests, report.subjects, report.refused) == (0, 0, 3)
    assert [error.line for error in report.errors] == [2, 3, 4]
    assert not ErasureRequest.objects.exists()


@FUZZ
@example(
    email="alice@example.com", identifiers="bob\u202e\nx" * 3, jurisdiction="CCPA", about_me="on"
)
@given(
    email=FIELD,
    identifiers=st.text(st.one_of(HOSTILE, st.characters()), max_size=2000),
    jurisdiction=st.one_of(st.sampled_from(["GDPR-EU", "GDPR-UK", "CCPA"]), FIELD),
    about_me=st.sampled_from(["on", "", "x"]),
)
def test_the_public_form_answers_any_fields_without_a_server_error(
    idle_account, settings, email, identifiers, jurisdiction, about_me
) -> None:
    settings.INTAKE_RATE_LIMIT = "100000/h"
    settings.INTAKE_HEAP_ACCOUNT = ""
    fields = {"email": email, "identifiers": identifiers, "jurisdiction": jurisdiction}

    with tasks_in_process():
        response = Client().post("/privacy/erasure/", {**fields, "about_me": about_me})

    assert response.status_code in (200, 302), response.status_code
