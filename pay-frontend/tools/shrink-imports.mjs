// Shortens the import names of the wasm-bindgen output (size budget), and the export names of
// its closure adapters (see shrinkExports): every import of the
// glue module ("./pay_frontend_bg.js", names like `__wbg_fetch_f2b3a94c6bdf8173` whose hash
// part compresses badly, written in both the wasm and the JS) becomes a one- or two-letter
// name in module "w", in the wasm's import section and in the glue's import object alike.
// binaryen's --minify-imports only renames imports of module "env", hence this script.
//
// usage: node shrink-imports.mjs <pay_frontend_bg.wasm> <pay_frontend.js>   (both rewritten)
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, gluePath] = process.argv.slice(2);
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, "utf8");
const MODULE = "./pay_frontend_bg.js";
const SHORT_MODULE = "w";

function fail(message) {
  console.error(`shrink-imports: ${message}`);
  process.exit(1);
}

function uleb(buf, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, pos];
  }
}

function ulebBytes(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Buffer.from(out);
}

function nameBytes(s) {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([ulebBytes(b.length), b]);
}

function skipLimits(buf, pos) {
  const flags = buf[pos++];
  [, pos] = uleb(buf, pos);
  if (flags & 1) [, pos] = uleb(buf, pos);
  return pos;
}

// Import descriptor: where it ends.
function skipDesc(buf, pos) {
  const kind = buf[pos++];
  switch (kind) {
    case 0x00: // function: type index
      return uleb(buf, pos)[1];
    case 0x01: // table: reference type, limits
      return skipLimits(buf, pos + 1);
    case 0x02: // memory: limits
      return skipLimits(buf, pos);
    case 0x03: // global: value type, mutability
      if (buf[pos] === 0x63 || buf[pos] === 0x64) fail("typed reference globals are not handled");
      return pos + 2;
    case 0x04: // tag: attribute, type index
      return uleb(buf, pos + 1)[1];
    default:
      fail(`unknown import kind ${kind}`);
  }
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
function shortName(i) {
  let name = "";
  do {
    name += ALPHABET[i % ALPHABET.length];
    i = Math.floor(i / ALPHABET.length);
  } while (i > 0);
  return name;
}

// The closure adapters' exports are named after their full Rust types (hundreds of
// characters, called once each from the glue as `wasm.<name>`): `c0`, `c1` …
function shrinkExports(start, end) {
  let p = start;
  let count;
  [count, p] = uleb(wasm, p);
  const entries = [ulebBytes(count)];
  const names = new Set();
  let renamed = 0;
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = uleb(wasm, p);
    let name = wasm.toString("utf8", p, p + len);
    p += len;
    const kindEnd = uleb(wasm, p + 1)[1];
    if (name.startsWith("wasm_bindgen_") && name.includes("closures")) {
      const uses = new RegExp(`(?<=\\bwasm\\.)${name}(?![\\w$])`, "g");
      if (!glue.match(uses)) fail(`export ${name} is not used as wasm.${name} in the glue`);
      const short = `c${renamed++}`;
      glue = glue.replace(uses, short);
      name = short;
    }
    if (names.has(name)) fail(`two exports named ${name}`);
    names.add(name);
    entries.push(nameBytes(name), wasm.subarray(p, kindEnd));
    p = kindEnd;
  }
  if (p !== end) fail("export section not parsed to its end");
  const body = Buffer.concat(entries);
  console.error(`shrink-imports: ${renamed} closure exports renamed`);
  return Buffer.concat([Buffer.from([7]), ulebBytes(body.length), body]);
}

if (wasm.readUInt32LE(0) !== 0x6d736100) fail("not a wasm module");
const parts = [wasm.subarray(0, 8)];
let pos = 8;
let renamed = 0;
while (pos < wasm.length) {
  const id = wasm[pos];
  const [size, start] = uleb(wasm, pos + 1);
  const end = start + size;
  if (id === 7) {
    parts.push(shrinkExports(start, end));
    pos = end;
    continue;
  }
  if (id !== 2) {
    parts.push(wasm.subarray(pos, end));
    pos = end;
    continue;
  }
  let p = start;
  let count;
  [count, p] = uleb(wasm, p);
  const entries = [ulebBytes(count)];
  for (let i = 0; i < count; i++) {
    let len;
    [len, p] = uleb(wasm, p);
    const module = wasm.toString("utf8", p, p + len);
    p += len;
    [len, p] = uleb(wasm, p);
    const name = wasm.toString("utf8", p, p + len);
    p += len;
    const descEnd = skipDesc(wasm, p);
    const desc = wasm.subarray(p, descEnd);
    p = descEnd;
    if (module !== MODULE) {
      entries.push(nameBytes(module), nameBytes(name), desc);
      continue;
    }
    const short = shortName(renamed++);
    // The glue's import object has each name once, as a key: `        <name>: function(`.
    const key = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?=:)`, "g");
    const hits = glue.match(key)?.length ?? 0;
    if (hits !== 1) fail(`import ${name} appears ${hits} times as a key in the glue`);
    glue = glue.replace(key, short);
    entries.push(nameBytes(SHORT_MODULE), nameBytes(short), desc);
  }
  if (p !== end) fail("import section not parsed to its end");
  const body = Buffer.concat(entries);
  parts.push(Buffer.from([2]), ulebBytes(body.length), body);
  pos = end;
}
const moduleKey = `"${MODULE}": import0`;
if (glue.split(moduleKey).length !== 2) fail(`the glue does not map ${MODULE} once`);
glue = glue.replace(moduleKey, `"${SHORT_MODULE}": import0`);
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, glue);
console.error(`shrink-imports: ${renamed} imports renamed`);
