"""The sandbox CLI in a child process, for tests and scripts that want a separate process.

    with SandboxProcess("--account", "123:key", "--complete-after", "0") as sandbox:
        requests.get(sandbox.url + "/_sandbox/calls", timeout=5)

It starts `python -m heapprivacy.sandbox --port 0 …` and waits for the line
`Heap sandbox listening on http://HOST:PORT`.
"""

import queue
import re
import subprocess  # nosec B404 - runs the sandbox server, our own module
import sys
import threading
import time
from types import TracebackType
from typing import IO

LISTENING = re.compile(r"Heap sandbox listening on (http://\S+)")


class SandboxProcess:
    """A sandbox child process; `url` is set once it listens, `output` collects its stdout lines.

    `args` are CLI options; `stderr` (a file, or None to inherit) receives its log lines.
    """

    def __init__(
        self, *args: str, startup_timeout: float = 10.0, stderr: IO[str] | None = None
    ) -> None:
        self.args = args
        self.startup_timeout = startup_timeout
        self.stderr = stderr
        self.url = ""
        self.output: list[str] = []
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> "SandboxProcess":
        command = [sys.executable, "-m", "heapprivacy.sandbox", "--port", "0", *self.args]
        # Our own interpreter and module, with arguments from the caller's code: no shell.
        self._process = subprocess.Popen(  # nosec B603  # noqa: S603
            command, stdout=subprocess.PIPE, stderr=self.stderr, text=True
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(self._process.stdout, lines), daemon=True).start()
        self.url = self._wait_for_url(lines)
        return self

    def stop(self) -> int | None:
        """Terminate the child (SIGTERM, then SIGKILL after 5 s); its exit code."""
        if self._process is None:
            return None
        self._process.terminate()
        try:
            return self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _pump(self, stream: IO[str], lines: "queue.Queue[str | None]") -> None:
        with stream:
            for line in stream:
                self.output.append(line.rstrip("\n"))
                lines.put(line)
        lines.put(None)

    def _wait_for_url(self, lines: "queue.Queue[str | None]") -> str:
        deadline = time.monotonic() + self.startup_timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            found = LISTENING.search(line)
            if found:
                return found.group(1)
        self.stop()
        raise RuntimeError(f"the sandbox did not start; its output: {self.output}")
