"""Files that hold personal data under VAR_DIR: owner-only directories and whole-file writes.

Uploads, imports and auditor packs keep their files here; web and worker processes share VAR_DIR.
"""

import os
from pathlib import Path

from django.conf import settings


def private_dir(name: str) -> Path:
    """VAR_DIR/`name`, created owner-only (0700) and kept so."""
    path = Path(settings.VAR_DIR) / name
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def replace_private(path: Path, content: bytes) -> None:
    """Write `path` owner-only (0600), replacing what was there whole: never half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    os.replace(partial, path)
