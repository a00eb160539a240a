#!/usr/bin/env python
"""Django's command-line utility for the CCHC project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    if "DEBUG" not in os.environ and "SECRET_KEY" not in os.environ:
        # A developer's machine: nothing configured means development settings. Production
        # always sets SECRET_KEY (and serves through cchc/wsgi.py, which never does this).
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
