"""A local emulator of Heap's server-side APIs, for development, demos and tests.

A development tool: plain HTTP, no TLS, secrets kept in memory; bind it to 127.0.0.1 and never
expose it. Standard library only, no Django: `python -m heapprivacy.sandbox` (see `__main__`) or,
in process::

    from heapprivacy.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(accounts={"123": "key"}, complete_after=0)) as sandbox:
        sandbox.url  # http://127.0.0.1:PORT — the deletion and the ingestion base URL

It answers every path of the contract sheet (`shared/heap-api.md`) with the documented codes and
bodies, and marks each undocumented behaviour it chose as "(assumption: …)" in the docstrings:

- `deletion`: `auth_token`, `user_deletion`, `deletion_status` (tokens, 201, pending → complete).
- `ingestion`: track (single and bulk), identify, add user / account properties.
- `faults`: fault injection; the JSON reference is that module's docstring (and docs/sandbox.md).
- `control`: `/_sandbox/` endpoints to inspect calls, deletions and data, add faults, change
  settings, move the clock and reset.
- `state`: everything mutable, behind one lock; `store` holds one app_id's ingested data.
- `dispatch` routes, applies faults and logs calls; `server` is the threaded HTTP server and
  `Sandbox`; `process.SandboxProcess` runs the CLI as a child process.

Not emulated: Heap environments other than each account's Main Production app_id (a deletion erases
the data stored under that app_id), the EU host, and ingestion rate limits other than the documented
per-identity and per-app ones.
"""

from .config import DEMO_API_KEY, DEMO_APP_ID, SandboxConfig
from .faults import FaultError
from .process import SandboxProcess
from .server import Sandbox

__all__ = [
    "DEMO_API_KEY",
    "DEMO_APP_ID",
    "FaultError",
    "Sandbox",
    "SandboxConfig",
    "SandboxProcess",
]
