#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on loopback only, from Debian's packages.
#   scripts/postgres.sh start   initialises (first time) and starts it; prints its URL
#   scripts/postgres.sh stop    stops it
# Data in $PAY_PG_DIR (default /tmp/pay-postgres-PORT, readable by the server user), port $PAY_PG_PORT (default 54329). As root, the
# server runs as the `postgres` user that Debian's package creates.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${PAY_PG_DIR:-/tmp/pay-postgres-${PAY_PG_PORT:-54329}}
port=${PAY_PG_PORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "postgres.sh: no PostgreSQL server found (run scripts/setup.sh)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
      as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      # Durability as in production (fsync on); many connections for the multi-process tests.
      as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c max_connections=300 -c unix_socket_directories=$dir" \
        start >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop" >&2
    exit 2
    ;;
esac
