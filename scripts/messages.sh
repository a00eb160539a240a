#!/usr/bin/env bash
# Refresh the Vietnamese catalog from the source (run after adding interface text).
set -euo pipefail
cd "$(dirname "$0")/.."
DEBUG=1 .venv/bin/python manage.py makemessages -l vi --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-location --no-wrap
DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv >/dev/null
