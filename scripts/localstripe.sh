#!/usr/bin/env bash
# localstripe (a stateful fake Stripe, from scripts/python-tools.txt) for the Stripe connector's
# tests, on a free loopback port, with an empty store.
#   scripts/localstripe.sh start   starts it (--from-scratch); prints its URL once it answers
#   scripts/localstripe.sh stop    stops the one `start` started
# Its pid and log live in $PAY_LOCALSTRIPE_DIR (default /tmp/pay-localstripe).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${PAY_LOCALSTRIPE_DIR:-/tmp/pay-localstripe}
bin=${CARGO_TARGET_DIR:-target}/py/bin/localstripe

case "${1:-}" in
  start)
    if [ ! -x "$bin" ]; then
      echo "localstripe.sh: $bin is missing (run scripts/setup.sh)" >&2
      exit 1
    fi
    mkdir -p "$dir"
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
    fi
    # A free port, chosen by the kernel.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # localstripe binds every address (::); the tests only use loopback. It writes its whole
    # store to /tmp/localstripe.pickle after every POST (a path of its own choosing), and
    # --from-scratch starts it without reading what is there.
    TMPDIR="$dir" nohup "$bin" --port "$port" --from-scratch >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if python3 - "$port" 2>/dev/null <<'PY'
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/balance", headers={"Authorization": "Bearer sk_test_ping"})
urllib.request.urlopen(req, timeout=1)
PY
      then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    echo "localstripe.sh: localstripe did not answer on port $port (see $dir/log)" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    ;;
  *)
    echo "usage: scripts/localstripe.sh start|stop" >&2
    exit 2
    ;;
esac
