#!/usr/bin/env bash
# End-to-end tests: the demo shop (the Pay server with the shop's routes: the example
# pay-backend/examples/demo_shop; fresh SQLite, port 0) serving the demo site
# (www/) and the SDK package, driven in headless Chromium by playwright-core under Node's
# built-in test runner, with axe-core for accessibility. Writes docs/popup.png.
#
# Installs the npm packages of tests/ when missing or stale (npm ci, from the npm cache when
# it can), builds the SDK (scripts/build-sdk.sh) and the demo shop (debug), then runs every
# tests/e2e/*.test.js. Honours CARGO_TARGET_DIR. Extra arguments go to `node --test`
# (e.g. `scripts/test-e2e.sh --test-name-pattern=keyboard`).
# PAY_E2E_PROFILE=release tests a release build of the backend (default: debug).
# PAY_E2E_SKIP_BUILD=1 skips both builds (the binary and pay-frontend/pkg must exist).
set -euo pipefail
cd "$(dirname "$0")/.."
# Tools, Chromium and the npm packages of tests/ (reinstalled only when package-lock.json changed).
scripts/setup.sh >/dev/null

TARGET_DIR=${CARGO_TARGET_DIR:-target}
PROFILE=${PAY_E2E_PROFILE:-debug}
case "$PROFILE" in
  debug) profile_flag=() ;;
  release) profile_flag=(--release) ;;
  *) echo "test-e2e: PAY_E2E_PROFILE is debug or release, not $PROFILE" >&2; exit 1 ;;
esac
CHROMIUM=${PAY_E2E_CHROMIUM:-/usr/bin/chromium}

command -v node >/dev/null || { echo "test-e2e: Node.js 20+ is needed (node not found)" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "test-e2e: Node.js 20+ is needed (found $(node --version))" >&2
  exit 1
fi
[ -x "$CHROMIUM" ] || { echo "test-e2e: Chromium not found at $CHROMIUM (scripts/setup.sh installs it)" >&2; exit 1; }

# --- builds ----------------------------------------------------------------------------------
if [ "${PAY_E2E_SKIP_BUILD:-}" != 1 ]; then
  scripts/build-sdk.sh
  cargo build -p pay-backend --example demo_shop "${profile_flag[@]}"
fi
export PAY_E2E_BIN="$PWD/$TARGET_DIR/$PROFILE/examples/demo_shop"
case "$TARGET_DIR" in /*) PAY_E2E_BIN="$TARGET_DIR/$PROFILE/examples/demo_shop" ;; esac
export PAY_E2E_CHROMIUM="$CHROMIUM"
[ -x "$PAY_E2E_BIN" ] || { echo "test-e2e: no backend binary at $PAY_E2E_BIN" >&2; exit 1; }
[ -f pay-frontend/pkg/index.js ] || { echo "test-e2e: no SDK package in pay-frontend/pkg (scripts/build-sdk.sh)" >&2; exit 1; }
# The tests serve a snapshot of the SDK package: a rebuild of pay-frontend/pkg during the run
# (it is emptied first) cannot pull files from under the browser.
sdk_snapshot=$(mktemp -d "${TMPDIR:-/tmp}/pay-e2e-sdk.XXXXXX")
trap 'rm -rf "$sdk_snapshot"' EXIT
cp -R pay-frontend/pkg/. "$sdk_snapshot/"
export PAY_E2E_SDK_DIR="$sdk_snapshot"

# --- run -------------------------------------------------------------------------------------
# One file at a time: each starts its own server and browser, and the machine may be small.
cd tests
node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "$@" e2e/
