// The package as merchants install it: a tiny merchant page (tests/bundlers/) that imports
// "pay-frontend" by name is built with vite and with webpack 5, served by the real server
// under its strict Content-Security-Policy (`script-src 'self' 'wasm-unsafe-eval';
// style-src 'self'`), and pays with 4242 in headless Chromium. Also: the package's entry and
// declarations pass `tsc --noEmit` (pay-frontend/js/tsconfig.json).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import { ROOT, startServer } from "../lib/server.js";
import { launchBrowser, newPage } from "../lib/browser.js";
import { CARDS, buyNow, payByCard, popupGone, resultBox } from "../lib/shop.js";

const SDK_DIR = resolve(ROOT, process.env.PAY_E2E_SDK_DIR ?? "pay-frontend/pkg");
const PAGE_DIR = resolve(ROOT, "tests/bundlers");

/** A merchant project: the page's files and node_modules/pay-frontend (the built package). */
async function merchantProject() {
  const dir = await mkdtemp(join(tmpdir(), "pay-bundler-"));
  await cp(PAGE_DIR, dir, { recursive: true });
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await cp(SDK_DIR, join(dir, "node_modules", "pay-frontend"), { recursive: true });
  // Static files the bundlers copy as they are (vite's public/; webpack's below).
  await mkdir(join(dir, "public"));
  for (const file of ["terms.html", "favicon.svg"]) await cp(resolve(ROOT, "www", file), join(dir, "public", file));
  return dir;
}

async function withVite(dir) {
  const out = join(dir, "dist");
  await viteBuild({ root: dir, logLevel: "warn", configFile: false, build: { outDir: out, emptyOutDir: true } });
  return out;
}

async function withWebpack(dir) {
  const out = join(dir, "dist");
  const stats = await promisify(webpack)({
    mode: "production",
    context: dir,
    entry: "./main.js",
    output: { path: out, filename: "main.js", publicPath: "auto", clean: true },
    resolve: { modules: [join(dir, "node_modules")] },
  });
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  const html = (await readFile(join(dir, "index.html"), "utf8")).replace(
    '<script type="module" src="./main.js"></script>',
    '<script defer src="/main.js"></script>',
  );
  await writeFile(join(out, "index.html"), html);
  await cp(join(dir, "public"), out, { recursive: true });
  return out;
}

for (const [name, bundle] of [
  ["vite", withVite],
  ["webpack 5", withWebpack],
]) {
  describe(`a merchant page built with ${name}`, () => {
    const env = {};
    before(async () => {
      env.project = await merchantProject();
      env.out = await bundle(env.project);
      env.server = await startServer({ PAY_WWW_DIR: env.out });
      env.browser = await launchBrowser();
    });
    after(async () => {
      await env.browser?.close();
      await env.server?.stop();
      if (env.project) await rm(env.project, { recursive: true, force: true });
    });

    test("the bundle holds the wasm as an asset and no inline script", async () => {
      const files = await readdir(env.out, { recursive: true });
      assert.ok(files.some((f) => f.endsWith(".wasm")), files.join(", "));
      const html = await readFile(join(env.out, "index.html"), "utf8");
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    });

    test("pays with 4242 under the strict policy", async () => {
      const page = await newPage(env.browser);
      const response = await page.goto(`${env.server.url}/`);
      const csp = response.headers()["content-security-policy"];
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
      assert.match(csp, /style-src 'self'(;|$)/);
      const id = await buyNow(page);
      await payByCard(page, CARDS.success);
      await popupGone(page);
      assert.deepEqual(await resultBox(page), { id: "success", text: "Success" });
      await env.server.waitForHookEvent(id, "Successful");
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  });
}

test("the package's entry and declarations pass tsc --noEmit", async () => {
  const tsc = resolve(ROOT, "tests/node_modules/typescript/bin/tsc");
  const result = await promisify(execFile)(process.execPath, [tsc, "-p", resolve(ROOT, "pay-frontend/js")], {
    cwd: ROOT,
  }).catch((e) => e);
  assert.equal(result.code ?? 0, 0, `${result.stdout}${result.stderr}`);
});
