#!/usr/bin/env bash
# Runs the production configuration on this machine: DEBUG off, static files collected and
# served by WhiteNoise, gunicorn. Plain http on 127.0.0.1, so HTTPS-only settings are relaxed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
[ -s var/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key
export DEBUG=0
export SECRET_KEY="$(cat var/secret_key)"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0 BEHIND_PROXY=0
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
echo "Serving the production configuration on http://${BIND:-127.0.0.1:8000}/"
exec .venv/bin/gunicorn cchc.wsgi -c deploy/gunicorn.conf.py
