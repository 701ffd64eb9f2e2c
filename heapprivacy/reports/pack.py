"""The auditor pack: one ZIP with the register, the whole audit chain, its verification, the
metrics and a MANIFEST of SHA-256 digests. Built into a temporary file, member by member, so
memory stays flat however long the chain; the caller serves the file and closes it."""

import hashlib
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from django.utils import timezone

from heapprivacy.audit.chain import GENESIS_HASH, Anchor, ChainBreak, event_line
from heapprivacy.audit.verify import verify_lines
from heapprivacy.reports.audit_exports import audit_chain_dicts
from heapprivacy.reports.csvsafe import iso
from heapprivacy.reports.filters import AuditFilters, Period
from heapprivacy.reports.metrics import metrics_csv
from heapprivacy.reports.register import register_csv

MANIFEST = "MANIFEST"
PROGRESS_EVERY = 10_000  # audit events between two progress reports


class _AuditWriter:
    """Writes audit.jsonl and hands each written line back, so that the verifier auditors run
    (heapprivacy.audit.verify) checks the very bytes in the pack, not what was read."""

    def __init__(self, member: IO[bytes], progress: Callable[[int], object] | None) -> None:
        self.member, self.progress = member, progress
        self.sha = hashlib.sha256()
        self.count = 0
        self.head = Anchor(0, GENESIS_HASH)

    def lines(self) -> Iterator[bytes]:
        for event in audit_chain_dicts(AuditFilters()):
            line = event_line(event)
            self.member.write(line)
            self.sha.update(line)
            self.count += 1
            self.head = Anchor(event["seq"], event["hash"])
            if self.progress is not None and self.count % PROGRESS_EVERY == 0:
                self.progress(self.count)
            yield line


def pack_build() -> IO[bytes]:
    """The ZIP in an anonymous temporary file, rewound: the caller reads it, then closes it."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        pack_write(target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def pack_write(
    target: IO[bytes], progress: Callable[[int], object] | None = None
) -> dict[str, str]:
    """Write the pack to `target`; the SHA-256 of each member, as the MANIFEST lists them.
    `progress` is handed the audit events written so far, every PROGRESS_EVERY."""
    digests: dict[str, str] = {}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        digests["register.csv"] = _member(archive, "register.csv", register_csv(Period()))
        digests["audit.jsonl"], verification = _audit_member(archive, progress)
        digests["verification.txt"] = _member(
            archive, "verification.txt", [verification.encode("utf-8")]
        )
        digests["metrics.csv"] = _member(archive, "metrics.csv", metrics_csv(Period()))
        manifest = "".join(f"{digest}  {name}\n" for name, digest in digests.items())
        archive.writestr(MANIFEST, manifest)
    return digests


def _member(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> str:
    sha = hashlib.sha256()
    with archive.open(name, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk)
            sha.update(chunk)
    return sha.hexdigest()


def _audit_member(
    archive: zipfile.ZipFile, progress: Callable[[int], object] | None
) -> tuple[str, str]:
    with archive.open("audit.jsonl", "w", force_zip64=True) as member:
        writer = _AuditWriter(member, progress)
        lines = writer.lines()
        broken, _ = verify_lines(lines)
        for _ in lines:  # a break ends the walk; the file must still hold every event
            pass
    return writer.sha.hexdigest(), verification_text(writer, broken)


def verification_text(writer: _AuditWriter, broken: ChainBreak | None) -> str:
    result = (
        f"BROKEN at seq {broken.seq}: {broken.reason}"
        if broken
        else "intact: every event's hash and its link to the one before recompute"
    )
    return "\n".join(
        [
            "heapprivacy auditor pack: verification of audit.jsonl",
            f"generated_at: {iso(timezone.now())}",
            f"events: {writer.count}",
            f"head: {writer.head}",
            f"result: {result}",
            "",
            "Algorithm: docs/audit.md. Check it yourself, with nothing but Python:",
            "  python -S -m heapprivacy.audit.verify audit.jsonl",
            "A chain cut short is still intact: compare the head with one recorded outside the",
            "database (AUDIT_ANCHOR_FILE, an earlier pack), or pass it as --anchor SEQ:HASH.",
            "",
        ]
    )
