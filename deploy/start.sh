#!/bin/sh
# The container's entry point, also runnable as a plain process (CI runs it so, against a real
# PostgreSQL): serve the API and dashboard on all interfaces, on the team's database.
#
#   PENNY_DATABASE_URL   postgres://user:pass@host:5432/db (required: a container's own disk is not
#                        a place to keep the team's data; use a volume and PENNY_WORKSPACE for DuckDB)
#   PENNY_TOKEN          the API token (required off loopback; the server refuses to start without
#                        one rather than run open)
#   PENNY_ALLOWED_HOSTS  space-separated host names clients use (DNS names, the Service's name)
#   PORT                 default 8000;  PENNY_LOG_LEVEL  default info
#   PENNY_DB_WAIT_S      seconds to wait for the database at start (default 60)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${PENNY_ROOT:-$(cd "$here/.." && pwd)}
: "${PENNY_TOKEN:?set PENNY_TOKEN: the server listens on every interface and requires a token}"
if [ -z "${PENNY_DATABASE_URL:-}" ] && [ -z "${PENNY_WORKSPACE:-}" ]; then
  echo "penny: set PENNY_DATABASE_URL (postgres://…) or PENNY_WORKSPACE (a mounted volume)" >&2
  exit 2
fi
# The database may start after us (compose, a pod beside its database): wait, then let serve
# apply pending migrations on open.
if [ -n "${PENNY_DATABASE_URL:-}" ]; then
  node "$here/wait-for-db.mjs" "${PENNY_DB_WAIT_S:-60}"
fi
set -- serve --host 0.0.0.0 --port "${PORT:-8000}" --log-level "${PENNY_LOG_LEVEL:-info}"
for h in ${PENNY_ALLOWED_HOSTS:-}; do set -- "$@" --allowed-host "$h"; done
exec node "$root/dist/main.js" "$@"
