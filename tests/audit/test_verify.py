"""The standalone verifier: `python -m heapprivacy.audit.verify FILE [--anchor SEQ:HASH]`."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from heapprivacy.audit.actors import Actor
from heapprivacy.audit.chain import GENESIS_HASH
from heapprivacy.audit.models import AuditEvent
from heapprivacy.audit.services import audit_record
from heapprivacy.audit.verify import main
from heapprivacy.reports.audit_exports import audit_jsonl
from heapprivacy.reports.filters import AuditFilters

pytestmark = pytest.mark.django_db

# -S: no site module, so no site-packages (the venv's Django is out of reach); -E: no PYTHON*
# variables; -s: no user site. -m still puts the working directory, the checkout, on sys.path.
BARE_PYTHON = [sys.executable, "-S", "-E", "-s"]


@pytest.fixture
def events() -> list[AuditEvent]:
    return [
        audit_record(
            "request.approved",
            actor=Actor.system("sweep"),
            request_ref=f"DSR-2026-00000{n}",
            details={"note": "vérifié\u2028ok", "subjects": n},
        )
        for n in range(1, 6)
    ]


@pytest.fixture
def export(events: list[AuditEvent], tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    path.write_bytes(b"".join(audit_jsonl(AuditFilters())))
    return path


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def verify(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def run_bare(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BARE_PYTHON, *args],
        cwd=settings.BASE_DIR,
        env={},
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


def test_a_fresh_export_verifies(
    export: Path, events: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify(str(export), capsys=capsys) == (0, f"OK: 5 events, head 5:{events[-1].hash}\n")


@pytest.mark.parametrize(
    ("original", "flipped"),
    [
        (b'"actor_label":"sweep"', b'"actor_label":"swees"'),
        ('"note":"vérifié'.encode(), '"note":"wérifié'.encode()),
        (b'"request_ref":"DSR-2026-000003"', b'"request_ref":"DSR-2026-000008"'),
    ],
)
def test_one_byte_changed_is_caught_at_its_seq(
    export: Path, capsys: pytest.CaptureFixture[str], original: bytes, flipped: bytes
) -> None:
    lines = lines_of(export)
    lines[2] = lines[2].replace(original, flipped, 1)
    assert len(b"".join(lines)) == len(b"".join(lines_of(export)))
    write_lines(export, lines)

    assert verify(str(export), capsys=capsys) == (
        1,
        "BROKEN at seq 3: hash mismatch: the event was altered after it was recorded\n",
    )


def test_a_deleted_middle_line_is_caught(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(export)
    del lines[2]
    write_lines(export, lines)

    assert verify(str(export), capsys=capsys) == (
        1,
        "BROKEN at seq 3: missing: the next event found is seq 4\n",
    )


def test_swapped_lines_are_caught(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(export)
    lines[1], lines[2] = lines[2], lines[1]
    write_lines(export, lines)

    assert verify(str(export), capsys=capsys)[1].startswith("BROKEN at seq 2: missing")


def test_a_truncated_tail_passes_alone_but_not_with_the_anchor(
    export: Path, events: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    write_lines(export, lines_of(export)[:3])

    assert verify(str(export), capsys=capsys)[0] == 0
    assert verify(str(export), "--anchor", f"5:{events[4].hash}", capsys=capsys) == (
        1,
        "BROKEN at seq 4: truncated: events after seq 3 are missing (the anchor names seq 5)\n",
    )


def test_a_matching_anchor_verifies(
    export: Path, events: list[AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(str(export), "--anchor", f"2:{events[1].hash}", capsys=capsys)

    assert (code, out) == (0, f"OK: 5 events, head 5:{events[-1].hash}\n")


def test_an_empty_export_is_an_empty_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")

    assert verify(str(path), capsys=capsys) == (0, f"OK: 0 events, head 0:{GENESIS_HASH}\n")


def test_crlf_line_endings_are_accepted(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export.write_bytes(export.read_bytes().replace(b"\n", b"\r\n"))

    assert verify(str(export), capsys=capsys)[0] == 0


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda line: line[:-1], "line 2 is not one JSON object"),
        (lambda line: b"", "line 2 is not one JSON object"),
        (lambda line: line.replace(b"\xc3\xa9", b"\xe9", 1), "line 2 is not one JSON object"),
        (lambda line: b"[" + line + b"]", "line 2 does not hold exactly the fields seq, at,"),
        (lambda line: line[:-1] + b',"note":"x"}', "line 2 does not hold exactly the fields"),
        (lambda line: line.replace(b'"seq":2', b'"seq":"2"'), "line 2: seq is not an integer"),
        (lambda line: line.replace(b'"seq":2', b'"seq":2.0'), "line 2: seq is not an integer"),
        (lambda line: line.replace(b'"seq":2', b'"seq":NaN'), "line 2 is not one JSON object"),
        (
            lambda line: line.replace(b'"hash":"', b'"hash":"X', 1),
            "line 2: hash is not 64 lowercase hex digits",
        ),
        (
            lambda line: line.replace(b'"action"', b'"actor_label":"trusted","action"'),
            "a key appears twice",
        ),
    ],
)
def test_a_malformed_line_is_named_with_the_seq_it_should_hold(
    export: Path, capsys: pytest.CaptureFixture[str], damage: object, reason: str
) -> None:
    lines = lines_of(export)
    lines[1] = damage(lines[1])
    write_lines(export, lines)

    code, out = verify(str(export), capsys=capsys)

    assert code == 1
    assert out.startswith("BROKEN at seq 2: ")
    assert reason in out


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_malformed_anchor_exits_2(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="2"):
        main([str(export), "--anchor", "abc"])

    assert "an anchor is SEQ:HASH" in capsys.readouterr().err


def test_it_runs_under_python_S_from_the_checkout_with_no_packages(
    export: Path, events: list[AuditEvent]
) -> None:
    result = run_bare("-m", "heapprivacy.audit.verify", str(export))

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"OK: 5 events, head 5:{events[-1].hash}\n",
        "",
    )


def test_under_python_S_it_rejects_a_changed_file_too(export: Path) -> None:
    export.write_bytes(export.read_bytes().replace(b'"subjects":4', b'"subjects":5'))

    result = run_bare("-m", "heapprivacy.audit.verify", str(export))

    assert (result.returncode, result.stdout) == (
        1,
        "BROKEN at seq 4: hash mismatch: the event was altered after it was recorded\n",
    )


def test_it_reads_standard_input(export: Path, events: list[AuditEvent]) -> None:
    anchor = f"5:{events[4].hash}"
    result = run_bare("-m", "heapprivacy.audit.verify", "-", "--anchor", anchor, input="")

    assert (result.returncode, result.stdout) == (
        1,
        "BROKEN at seq 1: truncated: events after seq 0 are missing (the anchor names seq 5)\n",
    )


def test_the_bare_interpreter_really_has_no_django() -> None:
    result = run_bare("-c", "import django")

    assert result.returncode == 1
    assert "No module named 'django'" in result.stderr


def test_nothing_the_verifier_imports_pulls_in_django_or_celery() -> None:
    script = (
        "import sys, heapprivacy.audit.verify; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery'))); "
        "print(sorted(m for m in sys.modules if m.startswith('heapprivacy')))"
    )

    result = run_bare("-c", script)

    assert result.stdout.splitlines() == [
        "[]",
        "['heapprivacy', 'heapprivacy.audit', 'heapprivacy.audit.chain', "
        "'heapprivacy.audit.verify']",
    ]
