#!/usr/bin/env bash
# Runs every test, in tiers: unit and API tests (native), then the SDK build with its size
# budget, then the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== unit and API tests"
cargo test --workspace

if [ -x scripts/build-sdk.sh ]; then
  echo "== SDK build and size budget"
  scripts/build-sdk.sh
fi

if [ -x scripts/test-browser.sh ]; then
  echo "== browser tests"
  scripts/test-browser.sh
fi
echo "== all tests passed"
