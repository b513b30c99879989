#!/usr/bin/env bash
# A generated client as a consumer of the OpenAPI document: openapi-typescript writes
# TypeScript types from it, and `tsc --noEmit` checks a merchant's script against them
# (tests/api-client/merchant.ts: create a payment, get it, refund part of it; and four things
# the document forbids, each of which must be a type error).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
doc=${CARGO_TARGET_DIR:-target}/openapi.json
cargo run -q -p pay-backend --example openapi >"$doc"
cd tests/api-client
mkdir -p generated
node_modules/.bin/openapi-typescript "../../$doc" -o generated/openapi.d.ts
node_modules/.bin/tsc -p .
echo "test-api-client: merchant.ts type-checks against the document's generated types"
