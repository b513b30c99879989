#!/usr/bin/env bash
# Runs every test, in tiers: unit and API tests (native), the SDK build with its size budget,
# the SDK's browser tests, and the end-to-end tests (real server, demo site, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== pay-types' ISO tables match their generator (scripts/iso-tables.py)"
python3 scripts/iso-tables.py --check

echo "== unit, store and API tests (the store suite on SQLite and on PostgreSQL)"
PAY_TEST_POSTGRES_URL=$(scripts/postgres.sh start)
export PAY_TEST_POSTGRES_URL PAY_REQUIRE_POSTGRES=1
trap 'scripts/postgres.sh stop' EXIT
# localstripe for the Stripe connector's tests (tests/api/stripe.rs).
PAY_TEST_LOCALSTRIPE_URL=$(scripts/localstripe.sh start)
export PAY_TEST_LOCALSTRIPE_URL PAY_REQUIRE_LOCALSTRIPE=1
trap 'scripts/postgres.sh stop; scripts/localstripe.sh stop' EXIT
cargo test --workspace
echo "== API tests again, on PostgreSQL"
PAY_TEST_API_ON_POSTGRES=1 cargo test -p pay-backend --test api -- --skip crash:: --skip processes::

echo "== the OpenAPI document is valid OpenAPI 3 (openapi-spec-validator)"
openapi=${CARGO_TARGET_DIR:-target}/openapi.json
cargo run -q -p pay-backend --example openapi >"$openapi"
"${CARGO_TARGET_DIR:-target}/py/bin/openapi-spec-validator" "$openapi"
echo "== the HTTP API against its document (schemathesis, every check)"
scripts/test-api-contract.sh
echo "== a generated TypeScript client type-checks a merchant script (openapi-typescript, tsc)"
scripts/test-api-client.sh

echo "== SDK build and size budget"
scripts/build-sdk.sh

echo "== SDK browser tests"
scripts/test-browser.sh

echo "== the Stripe.js test double type-checks against @stripe/stripe-js (tsc)"
(cd tests && npm run --silent build:stripe-double)

echo "== end-to-end tests (the SDK was just built)"
cargo build -p pay-backend --example demo_shop
PAY_E2E_SKIP_BUILD=1 scripts/test-e2e.sh
echo "== all tests passed"
