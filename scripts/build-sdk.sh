#!/usr/bin/env bash
# Builds the npm package of the WebAssembly SDK into pay-frontend/pkg/ and holds its size:
#   1. wasm-pack build pay-frontend --target web (the wasm, wasm-bindgen's glue and its
#      declarations, package.json and README.md from the crate's own files), then the
#      package's entry module and its declarations from pay-frontend/js/;
#   2. binaryen's wasm-opt -Oz (the npm package `binaryen`, pinned: another version gives
#      another size), and the JS minified by terser (pinned too);
#   3. the size check: wasm + JS glue + entry, gzip -9, printed, and a failure above the budget;
#      then the largest functions and data of the wasm (twiggy top 15), printed to the log.
# Stable Rust only (rust-toolchain.toml). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

# 100 KB gzipped was issue 24's budget; Stripe's card fields (issue 25) measured 109 542 B with
# every other byte as it was: 110 KB until that is decided (the breakdown is in the closing note
# of issue 25 and twiggy's top 15 below).
BUDGET_BYTES=${PAY_SDK_BUDGET_BYTES:-112640}
CACHE_DIR=${PAY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pay}
OUT=pay-frontend/pkg
# Built beside the package folder and swapped in at the end: a server or a test run reading
# the folder meanwhile never sees it half written.
PKG=$OUT.building.$$
trap 'rm -rf "$PKG"' EXIT

# The wasm target, wasm-bindgen-cli at the pinned version and wasm-pack (setup.sh).
scripts/setup.sh >/dev/null
npm_tool() { # package version binary -> the binary's path, installed once per version
  local dir="$CACHE_DIR/$1-$2"
  if [ ! -x "$dir/node_modules/.bin/$3" ]; then
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "$1@$2" >/dev/null
  fi
  echo "$dir/node_modules/.bin/$3"
}
WASM_OPT=$(npm_tool binaryen 132.0.0 wasm-opt)
TERSER=$(npm_tool terser 5.51.4 terser)

# Nothing in the wasm parses or writes JSON text: answers are the browser's `JSON.parse`, read
# into pay-types values by serde-wasm-bindgen (pay-types without its `json` feature).
if cargo tree -e normal --target wasm32-unknown-unknown -p pay-frontend --prefix none | grep -q '^serde_json '; then
  echo "serde_json is in the SDK's dependency tree:" >&2
  cargo tree -e normal --target wasm32-unknown-unknown -p pay-frontend -i serde_json >&2
  exit 1
fi

# --- 1. wasm-pack ---------------------------------------------------------------------------
# --target web: the glue loads the wasm with `new URL(..., import.meta.url)`, which a plain
# <script type="module"> page, vite and webpack 5 all understand, and only when `init()` is
# called (the entry calls it on first use), so importing stays free of side effects. (The
# bundler target imports the .wasm as an ES module: it needs bundler plugins, does not run in
# a plain page, and instantiates on import.)
# --mode no-install: wasm-bindgen-cli is the one setup.sh installed (wasm-pack's download does
# not work here); wasm-pack's own wasm-opt is off in the crate's metadata (step 2 runs it).
# --profile wasm-release (Cargo.toml): every crate at opt-level z, panic = abort.
wasm-pack --log-level warn build pay-frontend --profile wasm-release --target web --mode no-install \
  --no-opt --out-dir "pkg.building.$$" --out-name pay_frontend
cp pay-frontend/js/index.js pay-frontend/js/index.d.ts "$PKG/"
# package.json: wasm-pack's (name, version, description, license from Cargo.toml) with the
# entry's fields from pay-frontend/js/package.json.
node -e '
  const fs = require("fs");
  const [pkg, fields] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  delete fields["//"];
  fs.writeFileSync(process.argv[1], JSON.stringify({ ...pkg, ...fields }, null, 2) + "\n");
' "$PKG/package.json" pay-frontend/js/package.json
rm -f "$PKG/.gitignore" "$PKG/pay_frontend_bg.wasm.d.ts"

# --- 2. wasm-opt, terser ----------------------------------------------------------------------------
# The features rustc enables for wasm32-unknown-unknown by default; -Oz with the passes that
# measured smaller here (flatten and rereloop first, -Oz to a fixed point; -lmu: Rust's linker
# puts the stack first, so the low 1K of memory is never addressed).
"$WASM_OPT" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers --strip-target-features --low-memory-unused \
  --flatten --rereloop -Oz -Oz -Oz --converge \
  "$PKG/pay_frontend_bg.wasm" -o "$PKG/pay_frontend_bg.wasm"
# The entry fetches the wasm with its SHA-384 (`fetch(url, {integrity})`): written into the
# entry before it is minified (the wasm is final now).
wasm_sri=$(node -e 'process.stdout.write("sha384-" + require("crypto").createHash("sha384").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$PKG/pay_frontend_bg.wasm")
grep -q 'const WASM_INTEGRITY = "";' "$PKG/index.js" || { echo "build-sdk.sh: the entry has no WASM_INTEGRITY to fill" >&2; exit 1; }
sed -i "s|const WASM_INTEGRITY = \"\";|const WASM_INTEGRITY = \"$wasm_sri\";|" "$PKG/index.js"
# Exports keep their names; the glue keeps its @ts-self-types pointer to its declarations.
for js in pay_frontend.js index.js; do
  "$TERSER" "$PKG/$js" --module --compress passes=2 --mangle --comments '/@ts-self-types/' -o "$PKG/$js.min"
  mv "$PKG/$js.min" "$PKG/$js"
done

# --- 3. integrity ---------------------------------------------------------------------------
# integrity.json: the SRI hash of every file the package loads, for a page's
# `<script type="module" integrity>` and its import map's "integrity" (pay-frontend/README.md).
node -e '
  const fs = require("fs"), path = require("path"), crypto = require("crypto");
  const dir = process.argv[1];
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(js|wasm)$/.test(e.name)) files.push(path.relative(dir, p));
  });
  walk(dir);
  const sri = (f) => "sha384-" + crypto.createHash("sha384").update(fs.readFileSync(path.join(dir, f))).digest("base64");
  const out = Object.fromEntries(files.sort().map((f) => [f, sri(f)]));
  fs.writeFileSync(path.join(dir, "integrity.json"), JSON.stringify(out, null, 2) + "\n");
' "$PKG"

# --- 4. size --------------------------------------------------------------------------------
gz() { gzip -9 -c "$1" | wc -c; }
wasm_gz=$(gz "$PKG/pay_frontend_bg.wasm")
glue_gz=$(gz "$PKG/pay_frontend.js")
entry_gz=$(gz "$PKG/index.js")
total=$((wasm_gz + glue_gz + entry_gz))
kb=$(awk -v b="$total" 'BEGIN { printf "%.2f", b / 1024 }')
echo "SDK size (gzip -9): wasm ${wasm_gz} B + JS glue ${glue_gz} B + entry ${entry_gz} B = ${total} B (${kb} KB), budget ${BUDGET_BYTES} B"
# Where the bytes are: the same wasm optimised with its function names kept (-g), uncompressed.
named=$(mktemp -d)
wasm-bindgen --target web --keep-debug --out-dir "$named" \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm-release/pay_frontend.wasm"
"$WASM_OPT" -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue --low-memory-unused -Oz \
  "$named/pay_frontend_bg.wasm" -o "$named/named.wasm"
echo "Largest items of the wasm (twiggy top 15, bytes before gzip, names kept):"
twiggy top -n 16 "$named/named.wasm" | grep -v '"function names" subsection' | cut -c1-160
rm -rf "$named"
if [ "$total" -gt "$BUDGET_BYTES" ]; then
  echo "SDK size over budget" >&2
  exit 1
fi
rm -rf "$OUT.old"
[ ! -d "$OUT" ] || mv "$OUT" "$OUT.old"
mv "$PKG" "$OUT"
rm -rf "$OUT.old"
echo "SDK package: $OUT"
