import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import verify_chain
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.reports import pack
from heapprivacy.reports.exports import export_open
from heapprivacy.reports.register import COLUMNS

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
MEMBERS = ["register.csv", "audit.jsonl", "verification.txt", "metrics.csv", "MANIFEST"]


def build() -> zipfile.ZipFile:
    export = export_open("pack", "zip", actor=SYSTEM)
    with export.content as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def lines(archive: zipfile.ZipFile, name: str) -> list[bytes]:
    data = archive.read(name)
    assert data.endswith(b"\n")
    return data.split(b"\n")[:-1]


def test_the_pack_holds_the_five_files_and_its_manifest_hashes_match(rejected_request) -> None:
    archive = build()

    assert archive.namelist() == MEMBERS
    manifest = [line.decode().split("  ") for line in lines(archive, "MANIFEST")]
    assert [name for _, name in manifest] == MEMBERS[:-1]
    for digest, name in manifest:
        assert digest == hashlib.sha256(archive.read(name)).hexdigest()


def test_its_audit_jsonl_is_the_whole_chain_with_the_packs_own_export_event(
    rejected_request,
) -> None:
    archive = build()

    events = [json.loads(line) for line in lines(archive, "audit.jsonl")]
    assert verify_chain(iter(events)) is None
    assert [event["seq"] for event in events] == list(range(1, AuditEvent.objects.count() + 1))
    assert events[-1]["action"] == "export.pack"


def test_the_standalone_verifier_accepts_its_audit_jsonl(rejected_request, tmp_path) -> None:
    archive = build()
    archive.extract("audit.jsonl", tmp_path)

    checked = subprocess.run(
        [sys.executable, "-S", "-m", "heapprivacy.audit.verify", str(tmp_path / "audit.jsonl")],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
    )

    last = json.loads(lines(archive, "audit.jsonl")[-1])
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        f"OK: {last['seq']} events, head {last['seq']}:{last['hash']}",
    )


def test_its_verification_reports_the_chain_intact_with_its_head(rejected_request) -> None:
    archive = build()

    last = json.loads(lines(archive, "audit.jsonl")[-1])
    report = archive.read("verification.txt").decode()
    assert f"events: {last['seq']}\n" in report
    assert f"head: {last['seq']}:{last['hash']}\n" in report
    assert "result: intact" in report


def test_its_register_and_metrics_parse_back(rejected_request) -> None:
    archive = build()

    register = list(csv.DictReader(io.StringIO(archive.read("register.csv").decode())))
    metrics = list(csv.DictReader(io.StringIO(archive.read("metrics.csv").decode())))
    assert list(register[0]) == COLUMNS
    assert register[0]["reference"] == rejected_request.reference
    assert metrics[-1]["rejected"] == "1"


def test_a_broken_chain_is_reported_at_its_seq_and_still_exported_whole(monkeypatch) -> None:
    for n in range(4):
        audit_record("test.done", actor=SYSTEM, details={"n": n})
    original = pack.audit_chain_dicts

    def tampered(filters: object):
        for event in original(filters):
            yield {**event, "details": {"n": 99}} if event["seq"] == 2 else event

    monkeypatch.setattr(pack, "audit_chain_dicts", tampered)

    archive = build()

    report = archive.read("verification.txt").decode()
    assert "result: BROKEN at seq 2: hash mismatch" in report
    assert len(lines(archive, "audit.jsonl")) == 5  # four events and the pack's export event
    assert "events: 5\n" in report


def test_building_records_an_export_pack_event_first() -> None:
    build()

    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label, event.details) == (
        "export.pack",
        "tests",
        {"format": "zip"},
    )
