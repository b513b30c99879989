#!/usr/bin/env bash
# The demo: builds the SDK, then serves the shop (www/) with the demo shop's server (the Pay
# server with the shop's routes: pay-backend/examples/demo_shop) on an embedded SQLite file. Open http://127.0.0.1:8080/ and pay with a sandbox card.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build-sdk.sh
export PAY_PORT="${PAY_PORT:-8080}"
export PAY_DATABASE_URL="${PAY_DATABASE_URL:-sqlite://target/demo.db}"
export PAY_SECRET_KEY="${PAY_SECRET_KEY:-sk_test_demo_0123456789}"
export PAY_OFFLINE_PAYMENTS=true PAY_WWW_DIR=www PAY_SDK_DIR=pay-frontend/pkg
mkdir -p target
echo "Demo shop: http://127.0.0.1:${PAY_PORT}/"
if [ "$PAY_SECRET_KEY" = sk_test_demo_0123456789 ]; then
  echo "Merchant dashboard: http://127.0.0.1:${PAY_PORT}/dashboard/ (sign in with the demo's secret key, sk_test_demo_0123456789)"
else
  echo "Merchant dashboard: http://127.0.0.1:${PAY_PORT}/dashboard/ (sign in with PAY_SECRET_KEY)"
fi
exec cargo run --release -p pay-backend --example demo_shop
