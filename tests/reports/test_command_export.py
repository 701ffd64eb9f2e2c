import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.reports.register import COLUMNS
from tests.erasure.factories import make_request

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_register_and_records_the_export(rejected_request, tmp_path: Path) -> None:
    output = tmp_path / "register.csv"

    printed = export("register", "--output", str(output), "--since", "2020-01-01")

    rows = list(csv.DictReader(output.open(newline="")))
    assert list(rows[0]) == COLUMNS
    assert rows[0]["nature_of_response"] == "rejected"
    assert f"written to {output}" in printed
    event = AuditEvent.objects.order_by("seq").last()
    assert (event.action, event.actor_kind, event.actor_label) == (
        "export.register",
        "system",
        "manage.py export",
    )
    assert event.details == {"format": "csv", "since": "2020-01-01"}


def test_the_audit_export_is_json_lines_of_the_whole_chain_by_default(tmp_path: Path) -> None:
    audit_record("test.done", actor=Actor.system("tests"))
    output = tmp_path / "audit.jsonl"

    export("audit", "--output", str(output))

    events = [json.loads(line) for line in output.read_bytes().split(b"\n")[:-1]]
    assert [event["action"] for event in events] == ["test.done", "export.audit"]
    assert verify_chain(iter(events)) is None


def test_the_audit_export_takes_filters_and_csv(tmp_path: Path) -> None:
    audit_record("test.done", actor=Actor.system("tests"), request_ref="DSR-2026-000007")
    audit_record("test.other", actor=Actor.system("tests"))
    output = tmp_path / "audit.csv"

    export("audit", "--format", "csv", "--request", "dsr-2026-000007", "--output", str(output))

    rows = list(csv.DictReader(output.open(newline="")))
    assert [row["action"] for row in rows] == ["test.done"]
    assert AuditEvent.objects.get(action="export.audit").details == {
        "format": "csv",
        "request_ref": "DSR-2026-000007",
        "whole_chain": "no",
    }


def test_it_writes_the_metrics_and_the_pack(rejected_request, tmp_path: Path) -> None:
    export("metrics", "--output", str(tmp_path / "metrics.csv"))
    export("pack", "--output", str(tmp_path / "pack.zip"))

    assert (tmp_path / "metrics.csv").read_text().startswith("jurisdiction,source,received")
    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        assert "MANIFEST" in archive.namelist()


def test_it_writes_a_certificate_as_pdf_or_json(completed_request, tmp_path: Path) -> None:
    export("certificate", completed_request.reference, "--output", str(tmp_path / "c.pdf"))
    export(
        "certificate",
        completed_request.reference,
        "--format",
        "json",
        "--output",
        str(tmp_path / "c.json"),
    )

    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-")
    assert json.loads((tmp_path / "c.json").read_bytes())["reference"] == (
        completed_request.reference
    )


def test_a_request_not_completed_has_no_certificate_and_no_file(idle_account, tmp_path) -> None:
    request = make_request(idle_account)

    with pytest.raises(CommandError, match="is received"):
        export("certificate", request.reference, "--output", str(tmp_path / "c.pdf"))
    with pytest.raises(CommandError, match="no request"):
        export("certificate", "DSR-1999-000001", "--output", str(tmp_path / "c.pdf"))

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["certificate"], "request reference goes with"),
        (["register", "DSR-2026-000001"], "request reference goes with"),
        (["register", "--format", "jsonl"], "register exports as csv, not jsonl"),
        (["metrics", "--action", "request"], "filter the audit export only"),
        (["register", "--since", "2026-02-01", "--until", "2026-01-01"], "--since is after"),
    ],
)
def test_it_refuses_what_does_not_fit(args: list[str], message: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=message):
        export(*args, "--output", str(tmp_path / "out"))

    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_a_failed_export_leaves_no_partial_file(monkeypatch, tmp_path: Path) -> None:
    def broken(period: object):
        yield b"reference\r\n"
        raise RuntimeError("database went away")

    monkeypatch.setattr("heapprivacy.reports.register.register_csv", broken)

    with pytest.raises(RuntimeError):
        export("register", "--output", str(tmp_path / "register.csv"))

    assert list(tmp_path.iterdir()) == []
