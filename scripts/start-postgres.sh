#!/usr/bin/env bash
# Install (if needed) and start Debian's PostgreSQL on loopback, with a test role and database.
# Prints the SQLAlchemy URL to use as HX_TEST_POSTGRES_URL.
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  pg_createcluster "$version" main >&2
fi
cluster=$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')
pg_ctlcluster $cluster start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='hx'\"" | grep -q 1 \
  || su postgres -c "psql -q -c \"CREATE ROLE hx LOGIN SUPERUSER PASSWORD 'hx'\"" >&2
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='hx_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O hx hx_test" >&2
echo "postgresql+psycopg://hx:hx@127.0.0.1:5432/hx_test"
