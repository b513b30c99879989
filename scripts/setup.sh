#!/usr/bin/env bash
# Installs what the tests and the demo need, skipping what is already there:
# the wasm target, wasm-bindgen-cli at the workspace's pinned version, wasm-pack, twiggy, (as root, from
# Debian's packages) Chromium with its WebDriver, a PostgreSQL server and iso-codes, the npm
# packages of tests/ and tests/api-client/, and the Python test tools (scripts/python-tools.txt)
# in a virtual environment.
# Safe to run again; reruns take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

pinned=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

# The toolchain of rust-toolchain.toml (rustup installs it, with its wasm target and
# components, on first use). On a machine whose network has no rustup downloads but whose
# stable toolchain is that very release, the stable one is linked under the pinned name.
rust_pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! RUSTUP_TOOLCHAIN=stable rustup toolchain list | grep -q "^$rust_pinned-" &&
   [ "$(RUSTUP_TOOLCHAIN=stable rustc --version | awk '{print $2}')" = "$rust_pinned" ]; then
  # The target first, into the stable sysroot that the pinned name then shares. (`rustup
  # toolchain link` refuses names of releases, so the name is a plain link in rustup's folder.)
  RUSTUP_TOOLCHAIN=stable rustup target add wasm32-unknown-unknown
  host=$(RUSTUP_TOOLCHAIN=stable rustc -vV | sed -n 's/^host: //p')
  ln -s "$(RUSTUP_TOOLCHAIN=stable rustc --print sysroot)" "${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$rust_pinned-$host"
fi
# The wasm target, looked for in the sysroot itself (a linked toolchain has no rustup
# component list).
if [ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]; then
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

# twiggy: the SDK build prints the wasm's largest items with it (scripts/build-sdk.sh).
if ! command -v twiggy >/dev/null; then
  cargo install --locked twiggy --version "${PAY_TWIGGY_VERSION:-0.8.0}"
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# A PostgreSQL server for the store suite and the multi-process tests (scripts/postgres.sh).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# ISO 4217 / 3166-1 data that scripts/iso-tables.py generates pay-types' tables from.
[ -f /usr/share/iso-codes/json/iso_4217.json ] || need_apt+=(iso-codes)
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

# npm packages of the generated-client check (openapi-typescript, typescript), the same way.
stamp=tests/api-client/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ tests/api-client/package-lock.json -nt "$stamp" ]; then
  npm ci --prefix tests/api-client --prefer-offline --no-audit --no-fund
fi
# Python test tools (scripts/python-tools.txt) in a virtual environment of the project's own,
# made again only when the list changed.
venv=${CARGO_TARGET_DIR:-target}/py
if [ ! -f "$venv/.installed" ] || [ scripts/python-tools.txt -nt "$venv/.installed" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/python-tools.txt
  touch "$venv/.installed"
fi

echo "setup: wasm32 target, wasm-bindgen $pinned, wasm-pack, twiggy, chromium, chromedriver, node, postgresql, iso-codes, tests/node_modules, tests/api-client/node_modules, $venv ready"
