#!/usr/bin/env bash
# Fuzzes the pay-types parsers with cargo-fuzz (libFuzzer), each target for a bounded time.
# Usage: scripts/fuzz.sh [seconds per target, default 60] [target ...]
# cargo-fuzz needs a nightly compiler (libFuzzer's sanitizer flags), so the fuzz targets build
# with the nightly toolchain (installed when missing); every other build uses the stable
# release of rust-toolchain.toml. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/../pay-types"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(payment_info attempt_request amount)
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
