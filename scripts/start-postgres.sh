#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the test suite, installing it with
# apt-get when missing, and prints the DATABASE_URL to use. A server already answering on
# PGPORT (default 5432) with the given credentials is used as it is.
set -euo pipefail
PGPORT="${PGPORT:-5432}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/cchc-pg}"
URL="postgres://cchc:cchc@127.0.0.1:${PGPORT}/cchc"

if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  if PGPASSWORD=cchc psql -h 127.0.0.1 -p "$PGPORT" -U cchc -d cchc -c 'select 1' >/dev/null 2>&1; then
    echo "$URL"; exit 0
  fi
  PGPORT=54329; URL="postgres://cchc:cchc@127.0.0.1:${PGPORT}/cchc"
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL with apt-get" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
  rm -rf "$PGDATA_DIR"; mkdir -p "$PGDATA_DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDATA_DIR"
  as_pg "$BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! as_pg "$BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $PGPORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
fi
psql_admin() { as_pg "$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_admin -c "select 1 from pg_roles where rolname='cchc'" | grep -q 1 \
  || psql_admin -c "create role cchc login createdb password 'cchc'"
psql_admin -c "select 1 from pg_database where datname='cchc'" | grep -q 1 \
  || psql_admin -c "create database cchc owner cchc"
echo "$URL"
