#!/usr/bin/env bash
# Benchmarks the release server on SQLite from a second process on loopback and writes
# BENCHMARKS.md. Every server figure is also given as a ratio to the baseline (a trivial JSON
# route of the same server) measured in the same run, because this machine is shared and noisy.
# Also prints the SDK's gzipped size and the time to popup in headless Chromium.
# Needs wrk (Debian) and oha (cargo install oha); installs them if missing.
# Usage: scripts/bench.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${PAY_BENCH_CONNECTIONS:-64}
threads=2
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk; }
command -v oha >/dev/null || cargo install --locked oha
cargo build --release -p pay-backend
bin=${CARGO_TARGET_DIR:-target}/release/pay-backend
sdk_size=$(scripts/build-sdk.sh | grep '^SDK size')
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export PAY_SECRET_KEY=sk_bench_0123456789abcdef
PAY_PORT=18180 PAY_DATABASE_URL="sqlite://$work/pay.db" PAY_LOG=warn PAY_ATTEMPTS_PER_MINUTE_PER_IP=0 \
  "$bin" 2>"$work/server.log" &
server=$!
base=http://127.0.0.1:18180
for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

# wrk prints Requests/sec and, with --latency, the 50% and 99% lines.
run_wrk() { wrk -t$threads -c"$conns" -d"${secs}s" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
pct() { awk -v p="$2" '$1 == p {print $2}' <<<"$1"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' <<<"$1"; }

echo "== baseline: GET /healthz"
baseline=$(run_wrk "$base/healthz")
echo "== createPayment: POST /pay/v1/payments"
create=$(run_wrk -s bench/create.lua "$base/pay/v1/payments")

echo "== preparing payments for checkout attempts"
n=$(awk -v r="$(rps "$create")" -v s="$secs" 'BEGIN {print int(r * s * 1.5) + 1000}')
ids="$work/ids"
oha -n "$n" -c 32 --no-tui -m POST -H "Authorization: Bearer $PAY_SECRET_KEY" -H "Content-Type: application/json" \
  -d '{"items":[{"name":"Pay mug","price":12.50}],"amount":12.50}' "$base/pay/v1/payments" >/dev/null
sqlite_ids() { curl -sf -H "Authorization: Bearer $PAY_SECRET_KEY" "$base/pay/v1/payments?limit=100${1:+&startingAfter=$1}"; }
: >"$ids"
after=""
while :; do
  page=$(sqlite_ids "$after")
  grep -o '"id":"[0-9a-f-]*"' <<<"$page" | cut -d'"' -f4 >>"$ids"
  after=$(grep -o '"id":"[0-9a-f-]*"' <<<"$page" | tail -n1 | cut -d'"' -f4)
  grep -q '"hasMore":true' <<<"$page" || break
  [ "$(wc -l <"$ids")" -lt "$n" ] || break
done
echo "== checkout attempts (4242) over $(wc -l <"$ids") payments"
attempts=$(PAY_BENCH_IDS="$ids" PAY_BENCH_THREADS=$threads run_wrk -s bench/attempt.lua "$base")

half=$(awk -v r="$(rps "$create")" 'BEGIN {print int(r / 2)}')
echo "== createPayment at half its maximum rate ($half/s)"
paced=$(oha -z "${secs}s" -c "$conns" -q "$half" --no-tui --output-format json -m POST \
  -H "Authorization: Bearer $PAY_SECRET_KEY" -H "Content-Type: application/json" \
  -d '{"items":[{"name":"Pay mug","price":12.50}],"amount":12.50}' "$base/pay/v1/payments")
paced_p99=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2fms" % (d["latencyPercentiles"]["p99"]*1000))' <<<"$paced")
paced_rps=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f" % d["summary"]["requestsPerSec"])' <<<"$paced")
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
echo "== time to popup (headless Chromium)"
case "$bin" in /*) abs_bin=$bin ;; *) abs_bin=$PWD/$bin ;; esac
popup=$(PAY_E2E_BIN="$abs_bin" node bench/time-to-popup.mjs)
durable=$(curl -sf -H "Authorization: Bearer $PAY_SECRET_KEY" "$base/metrics" | awk '/^pay_payments_created_total/ {print $2}')

b=$(rps "$baseline"); c=$(rps "$create"); a=$(rps "$attempts")
ratio() { awk -v x="$1" -v y="$b" 'BEGIN {printf "%.3f", x / y}'; }
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
{
  echo "# Benchmarks"
  echo
  echo "Measured by \`scripts/bench.sh $secs\` on $(date -u +%Y-%m-%d) ($machine), release server on SQLite"
  echo "(WAL, synchronous = FULL: every acknowledged payment is on disk), wrk with $threads threads and $conns"
  echo "connections from a second process on loopback. The machine is shared and noisy: compare the"
  echo "ratios, which come from one run."
  echo
  echo "| run | requests/s | p50 | p99 | ratio to baseline |"
  echo "|---|---|---|---|---|"
  echo "| baseline \`GET /healthz\` | $b | $(pct "$baseline" 50%) | $(pct "$baseline" 99%) | 1.000 |"
  echo "| createPayment \`POST /pay/v1/payments\` | $c | $(pct "$create" 50%) | $(pct "$create" 99%) | $(ratio "$c") |"
  echo "| checkout attempt, 4242 card | $a | $(pct "$attempts" 50%) | $(pct "$attempts" 99%) | $(ratio "$a") |"
  echo "| createPayment at half its maximum rate (oha, $half/s asked) | $paced_rps | | $paced_p99 | |"
  echo
  echo "Peak RSS of the server (VmHWM): $((rss_kib / 1024)) MiB. Payments created and acknowledged in the run: $durable."
  echo
  echo "SDK (\`scripts/build-sdk.sh\`): $sdk_size"
  echo
  echo "In headless Chromium (\`bench/time-to-popup.mjs\`, Performance API, from the \`startPayment\` call to"
  echo "focus inside the dialog, the checkout view fetched from the server on loopback):"
  echo
  sed 's/^/- /' <<<"$popup"
  for run in baseline create attempts; do
    e=$(errors "${!run}")
    [ -z "$e" ] || echo "Errors reported by wrk for $run: $e"
  done
} | tee BENCHMARKS.md
