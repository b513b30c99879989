#!/usr/bin/env bash
# Runs the SDK's browser tests (pay-frontend/tests/*.rs, wasm-bindgen-test) in headless
# Chromium, the way the design names for merchants:
#   wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver pay-frontend
# with --mode no-install (wasm-bindgen-cli and its test runner come from setup.sh). Extra
# Chromium flags (--no-sandbox for root, no background networking) come from
# pay-frontend/webdriver.json. Arguments go to `cargo test` (`--test steps`; after `--`, to
# the test runner).
# Without arguments, when the package was built (scripts/build-sdk.sh) and the tests/ npm
# packages are installed (playwright-core), it then smoke-tests the package itself
# (pay-frontend/tools/smoke-package.mjs). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

# The wasm target, wasm-bindgen-cli (and its test runner) at the pinned version, wasm-pack,
# Chromium and chromedriver.
scripts/setup.sh >/dev/null

CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/pay-frontend/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
# (wasm-pack hands extra arguments to both `cargo build --tests` and `cargo test`, so
# `--no-fail-fast` cannot be one of them.)
wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" --mode no-install pay-frontend "$@"

if [ "$#" -eq 0 ] && [ -f pay-frontend/pkg/index.js ] && [ -d tests/node_modules/playwright-core ]; then
  node pay-frontend/tools/smoke-package.mjs
elif [ "$#" -eq 0 ]; then
  echo "package smoke test skipped (needs pay-frontend/pkg and tests/node_modules/playwright-core)"
fi
