"""Gather one day's benchmark figures (bench/results/<date>-*.json) into bench/results/<date>.md.

.venv/bin/python bench/report.py [YYYY-MM-DD]
"""

import json
import sys
from datetime import UTC, datetime

from support import RESULTS


def section(name: str, figures: dict) -> list[str]:
    machine, started = json.dumps(figures.pop("machine")), figures.pop("started")
    lines = [f"## {name}", "", f"Machine: `{machine}`, started {started}", ""]
    lines += ["| figure | value |", "|---|---|"]
    lines += [f"| {key} | `{json.dumps(value)}` |" for key, value in figures.items()]
    return [*lines, ""]


def main(day: str) -> None:
    lines = [f"# Benchmarks of {day}", ""]
    for path in sorted(RESULTS.glob(f"{day}-*.json")):
        lines += section(path.stem.removeprefix(f"{day}-"), json.loads(path.read_text()))
    target = RESULTS / f"{day}.md"
    target.write_text("\n".join(lines))
    print(f"report written to {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else datetime.now(UTC).date().isoformat())
