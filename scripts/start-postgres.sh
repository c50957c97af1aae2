#!/usr/bin/env bash
# Install (if needed) and start Debian's PostgreSQL on loopback, with a test role and database.
# Prints the SQLAlchemy URL to use as HX_TEST_POSTGRES_URL (the only place the password appears).
#
# The role `hx` is not a superuser and can create neither databases nor roles: it owns its test
# database `hx_test`, which is all the tests need (build_demo drops and creates tables in it).
# Its password is HX_TEST_PG_PASSWORD if set (letters, digits, . _ ~ -), else a random one made on
# the first run and kept, readable by this user only, in ~/.local/state/hx/test-pg-password (so a
# second run, or a concurrent one, does not invalidate the URL the first printed).
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
secret="${XDG_STATE_HOME:-$HOME/.local/state}/hx/test-pg-password"
if [ -n "${HX_TEST_PG_PASSWORD:-}" ]; then
  password="$HX_TEST_PG_PASSWORD"
elif [ -s "$secret" ]; then
  password="$(cat "$secret")"
else
  password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  (umask 077 && mkdir -p "$(dirname "$secret")" && printf '%s' "$password" > "$secret")
fi
if [[ ! "$password" =~ ^[A-Za-z0-9._~-]{8,}$ ]]; then
  echo "HX_TEST_PG_PASSWORD: dùng ít nhất 8 ký tự chữ, số hoặc . _ ~ -" >&2
  exit 2
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
# SQL on stdin, so the password is never on a command line (ps) nor in the log.
su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hx') THEN
    CREATE ROLE hx;
  END IF;
END
\$\$;
ALTER ROLE hx WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '$password';
SQL
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='hx_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O hx hx_test" >&2
su postgres -c "psql -q -c \"ALTER DATABASE hx_test OWNER TO hx\"" >&2
echo "postgresql+psycopg://hx:${password}@127.0.0.1:5432/hx_test"
