#!/usr/bin/env bash
# Runs the SDK's browser tests (pay-frontend/tests/*.rs, wasm-bindgen-test) in headless
# Chromium through chromedriver. Extra Chromium flags (--no-sandbox for root, no background
# networking) come from pay-frontend/webdriver.json. Arguments go to `cargo test`.
# Without arguments, when the package was built (scripts/build-sdk.sh) and the tests/ npm
# packages are installed (playwright-core), it then smoke-tests the package itself
# (pay-frontend/tools/smoke-package.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

# The wasm target, wasm-bindgen-test-runner at the pinned version, Chromium and chromedriver.
scripts/setup.sh >/dev/null

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/pay-frontend/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
cargo test -p pay-frontend --target wasm32-unknown-unknown --no-fail-fast "$@"

if [ "$#" -eq 0 ] && [ -f pay-frontend/pkg/index.js ] && [ -d tests/node_modules/playwright-core ]; then
  node pay-frontend/tools/smoke-package.mjs
elif [ "$#" -eq 0 ]; then
  echo "package smoke test skipped (needs pay-frontend/pkg and tests/node_modules/playwright-core)"
fi
