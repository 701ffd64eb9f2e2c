"""`python -m heapprivacy.sandbox`: run the Heap sandbox until SIGINT or SIGTERM.

Prints `Heap sandbox listening on http://HOST:PORT` (flushed) once it accepts connections, so a
caller can wait for that line; `--port 0` picks a free port. Logs one line per call to stderr
(method, path, status) unless `--quiet`; never headers, bodies or keys.
"""

import argparse
import json
import logging
import signal
import sys
import threading
from typing import Any

from .config import DEMO_API_KEY, DEMO_APP_ID, SandboxConfig, parse_account
from .faults import FaultError, parse_fault
from .server import Sandbox


def _account(text: str) -> tuple[str, str]:
    try:
        return parse_account(text)
    except ValueError:
        # The message never repeats the value: it holds an api key.
        raise argparse.ArgumentTypeError("should be APP_ID:API_KEY with a numeric APP_ID") from None


def _fault(text: str) -> dict[str, Any]:
    try:
        spec = json.loads(text)
        parse_fault(spec)
    except FaultError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except ValueError:
        raise argparse.ArgumentTypeError("should be a JSON object") from None
    return spec


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m heapprivacy.sandbox",
        description="A local emulator of Heap's server-side APIs. A development tool: never "
        "expose it beyond this machine.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port (default 8765)")
    parser.add_argument(
        "--account",
        type=_account,
        action="append",
        default=[],
        metavar="APP_ID:API_KEY",
        help=f"an account (repeatable); default: the demo account {DEMO_APP_ID}:{DEMO_API_KEY}",
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=300,
        metavar="SECONDS",
        help="token lifetime, advertised as expires_in (default 300)",
    )
    parser.add_argument(
        "--complete-after",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="a deletion turns complete this long after it was requested (default 5)",
    )
    parser.add_argument(
        "--complete-after-polls",
        type=int,
        default=0,
        metavar="N",
        help="instead, the Nth status poll completes it (default 0: use seconds)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="JSON",
        help='a fault to start with (repeatable), e.g. \'{"path": "track", "status": 500}\'',
    )
    parser.add_argument(
        "--no-rate-limits", action="store_true", help="do not emulate Heap's ingestion rate limits"
    )
    parser.add_argument("--quiet", action="store_true", help="no log line per call")
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        host=args.host,
        port=args.port,
        accounts=dict(args.account) or {DEMO_APP_ID: DEMO_API_KEY},
        token_ttl=args.token_ttl,
        complete_after=args.complete_after,
        complete_after_polls=args.complete_after_polls,
        rate_limits=not args.no_rate_limits,
        faults=args.fault,
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as error:
        parser.error(str(error))
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s heap-sandbox %(message)s",
        stream=sys.stderr,
    )
    try:
        sandbox = Sandbox(config).start()
    except OSError as error:
        parser.exit(1, f"cannot listen on {args.host}:{args.port}: {error.strerror}\n")
    _announce(config, sandbox.url)
    _wait_for_signal()
    sandbox.stop()
    return 0


def _announce(config: SandboxConfig, url: str) -> None:
    if config.accounts == {DEMO_APP_ID: DEMO_API_KEY}:
        print(f"Heap sandbox demo account: app_id={DEMO_APP_ID} api_key={DEMO_API_KEY}")
    else:
        print(f"Heap sandbox accounts (app_ids): {', '.join(sorted(config.accounts))}")
    print(f"Heap sandbox listening on {url}", flush=True)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    sys.exit(main())
