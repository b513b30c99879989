#!/usr/bin/env bash
# Installs what the tests and the demo need, skipping what is already there:
# the wasm target, wasm-bindgen-cli at the workspace's pinned version, wasm-pack, (as root, from
# Debian's packages) Chromium with its WebDriver and a PostgreSQL server, and the npm packages of
# tests/.
# Safe to run again; reruns take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

# The toolchain of rust-toolchain.toml (rustup installs it, with its wasm target and
# components, on first use); the target again for a rustup that does not read the file.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$pinned" ]; then
  # --locked first (the versions the release was tested with); some registry mirrors lack one
  # of those, so fall back to the newest compatible ones.
  cargo install --locked wasm-bindgen-cli --version "$pinned" ||
    cargo install --force wasm-bindgen-cli --version "$pinned"
fi

# wasm-pack builds and tests the SDK (with --mode no-install: it uses the wasm-bindgen-cli
# above, its own download does not work everywhere).
if ! command -v wasm-pack >/dev/null; then
  cargo install --locked wasm-pack --version "${PAY_WASM_PACK_VERSION:-0.15.1}"
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# A PostgreSQL server for the store suite and the multi-process tests (scripts/postgres.sh).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ "${#need_apt[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}"
fi
# npm packages of the end-to-end tests (playwright-core, axe-core, and vite, webpack and
# typescript for the package tests), reinstalled only when package-lock.json changed.
stamp=tests/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ tests/package-lock.json -nt "$stamp" ] ||
   [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/axe-core ] ||
   [ ! -d tests/node_modules/vite ] || [ ! -d tests/node_modules/webpack ] || [ ! -d tests/node_modules/typescript ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests --prefer-offline --no-audit --no-fund
fi

echo "setup: wasm32 target, wasm-bindgen $pinned, wasm-pack, chromium, chromedriver, node, postgresql, tests/node_modules ready"
