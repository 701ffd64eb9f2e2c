"""Run one management command in this process and count the SQL statements it sends.

    python bench/stage.py COMMAND [ARGS...]

The command's own output comes first; the last line is `statements N`. The benchmarks run it as
a child process so that its peak RSS is the command's own.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heapprivacy.settings")
import django

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


def main(argv: list[str]) -> None:
    counter = Counter()
    with connection.execute_wrapper(counter):
        call_command(*argv)
    print(f"statements {counter.statements}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
