"""The `cercle` console script: Django's manage.py under Cercle's own name.

`cercle --help` lists every command; `cercle COMMAND --help` explains one.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cercle.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "cercle"
    # Commands read better hyphenated (`cercle mail-in`); Django's are module names.
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
