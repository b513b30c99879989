#!/usr/bin/env bash
# The HTTP API against its own OpenAPI document, with a fuzzer nobody here wrote: schemathesis
# (scripts/python-tools.txt, in the virtual environment setup.sh makes) runs every check on
# every operation of the real pay-backend binary (fresh SQLite, loopback, the secret key, one
# webhook endpoint that never answers, so every event has a delivery to redeliver),
# deterministically, a bounded number of cases per operation, following the document's links
# from a created payment to the routes that take its id. Any failure fails the run and prints
# its curl reproduction. Settings that cannot be said in JSON Schema are in
# scripts/schemathesis.toml, each with its reason.
#
# One worker: with several, CPython 3.11's parser fails now and then inside Hypothesis
# ("AST constructor recursion depth mismatch", a CPython bug with threads), which schemathesis
# reports as an error of the run.
#
# CONTRACT_EXAMPLES sets the cases per operation (default 40). Honours CARGO_TARGET_DIR;
# CONTRACT_SKIP_BUILD=1 uses the binary as built.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}
scripts/setup.sh >/dev/null
[ "${CONTRACT_SKIP_BUILD:-}" = 1 ] || cargo build -q -p pay-backend --bin pay-backend

dir=$(mktemp -d "${TMPDIR:-/tmp}/pay-contract.XXXXXX")
key=sk_test_contract_0123456789abcdef
# None of the caller's own PAY_* settings reach the server.
unset_pay=$(env | sed -n 's/^\(PAY_[A-Za-z0-9_]*\)=.*/-u \1/p')
# shellcheck disable=SC2086
env $unset_pay PAY_PORT=0 PAY_HOST=127.0.0.1 PAY_DATABASE_URL="sqlite://$dir/pay.db" PAY_SECRET_KEY=$key \
  PAY_OFFLINE_PAYMENTS=true PAY_ATTEMPTS_PER_MINUTE_PER_IP=0 PAY_LOG=warn,pay_backend=info \
  PAY_WEBHOOKS='[{ name = "contract", url = "http://127.0.0.1:9/unreachable", secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }]' \
  "$TARGET_DIR/debug/pay-backend" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
address=""
for _ in $(seq 1 100); do
  address=$(grep -o 'listening on http://[0-9.:]*' "$dir/server.log" | head -n1 | sed 's/listening on //') || true
  [ -n "$address" ] && break
  kill -0 $server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { echo "test-api-contract: the server did not start" >&2; cat "$dir/server.log"; exit 1; }

# A real payment, paid with a sandbox card, for the operations that take a payment id (the
# document's links lead there from createPayment too, but a generated payment rarely adds up).
payment=$(curl -sf -X POST "$address/pay/v1/payments" -H "Authorization: Bearer $key" \
  -H "Content-Type: application/json" \
  -d '{"items":[{"name":"Contract mug","price":12.50,"quantity":4}],"amount":50.00,"currency":"USD"}')
CONTRACT_PAYMENT_ID=$(printf '%s' "$payment" | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$CONTRACT_PAYMENT_ID" ] || { echo "test-api-contract: creating a payment failed: $payment" >&2; exit 1; }
curl -sf -o /dev/null -X POST "$address/pay/v1/checkout/$CONTRACT_PAYMENT_ID/attempts" \
  -H "Content-Type: application/json" \
  -d '{"attemptId":"contract-paid-1","method":"card","card":{"number":"4242424242424242","expMonth":12,"expYear":2045,"cvc":"123"}}'
# Its first event (event ids are deterministic: evt_<payment id without dashes>_<sequence>).
CONTRACT_EVENT_ID="evt_$(printf '%s' "$CONTRACT_PAYMENT_ID" | tr -d -)_1"
export CONTRACT_PAYMENT_ID CONTRACT_EVENT_ID

"$TARGET_DIR/py/bin/schemathesis" --config-file scripts/schemathesis.toml run "$address/pay/v1/openapi.json" \
  --checks all --header "Authorization: Bearer $key" \
  --max-examples "${CONTRACT_EXAMPLES:-40}" --generation-deterministic --no-shrink \
  --workers 1 --request-timeout 10
