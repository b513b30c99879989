// Smoke test of the built npm package (pay-frontend/pkg), as a page loads it: minified glue
// and all. A Node server serves the package at /sdk/ and a small fake of the
// Pay API; headless Chromium (playwright-core from the repository's tests/ package) imports
// the entry module and calls the exports through the real transport (the global fetch).
//
// usage: node pay-frontend/tools/smoke-package.mjs   (after scripts/build-sdk.sh)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import assert from "node:assert/strict";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = join(ROOT, "pay-frontend/pkg");
const require = createRequire(join(ROOT, "tests/package.json"));
const playwright = await import(pathToFileURL(require.resolve("playwright-core")).href);
const chromium = playwright.chromium ?? playwright.default.chromium;

const PAYMENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const PAGE = `<!doctype html><meta charset="utf-8"><title>smoke</title>
<script type="module">
  import * as pay from "/sdk/index.js";
  window.pay = pay;
  window.ready = true;
</script>`;

const seen = [];
const bodies = [];
function json(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof value === "string" ? value : JSON.stringify(value));
}

const server = createServer(async (req, res) => {
  seen.push(`${req.method} ${req.url}`);
  let body = "";
  for await (const chunk of req) body += chunk;
  if (body) bodies.push({ url: req.url, body, type: req.headers["content-type"] });
  const url = new URL(req.url, "http://x");
  if (url.pathname === "/") return void (res.writeHead(200, { "content-type": "text/html" }), res.end(PAGE));
  if (url.pathname.startsWith("/sdk/")) {
    try {
      const file = await readFile(join(PKG, url.pathname.slice(5)));
      res.writeHead(200, { "content-type": TYPES[extname(url.pathname)] ?? "application/octet-stream" });
      return void res.end(file);
    } catch {
      return void json(res, 404, { code: "not_found", message: "no file" });
    }
  }
  if (url.pathname === `/pay/v1/checkout/${PAYMENT_ID}`) {
    return void json(res, 404, { code: "payment_not_found", message: "no such payment" });
  }
  if (url.pathname === "/pay/v1/currencies") {
    return void json(res, 200, [{ code: "EUR", symbol: "€" }, { code: "USD", symbol: "$" }]);
  }
  if (url.pathname === "/pay/v1/site/currencies") return void json(res, 200, [{ code: "USD", symbol: "$" }]);
  if (url.pathname === "/pay/v1/currencies/rate") {
    if (url.searchParams.get("to") === "XXX") {
      return void json(res, 422, { code: "unknown_currency", message: "unknown currency code `XXX`" });
    }
    return void json(res, 200, `{"rate":1.08,"timestamp":"2026-11-27T00:00:00Z"}`);
  }
  if (url.pathname === "/pay/v1/currencies/convert") {
    return void json(res, 200, `{"amounts":[9.25,111.11111111111111111111111111],"timestamp":"2026-11-27T00:00:00Z"}`);
  }
  json(res, 404, { code: "not_found", message: "no route" });
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.PAY_E2E_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run"],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.ready === true);
  assert.ok(!seen.some((r) => r.includes(".wasm")), "importing the package loaded the wasm");

  const code = (expr) =>
    page.evaluate(`(async () => { try { await (${expr}); return "resolved"; } catch (e) { return e.code; } })()`);
  assert.equal(await code("pay.startPayment(42)"), "invalid_arguments");
  assert.ok(seen.some((r) => r.includes("pay_frontend_bg.wasm")), "the first call loads the wasm");
  assert.equal(await code(`pay.startPayment("${PAYMENT_ID}")`), "payment_not_found");
  assert.ok(seen.includes(`GET /pay/v1/checkout/${PAYMENT_ID}`));

  const all = await page.evaluate(() => window.pay.currencies.getAllCurrencies());
  assert.deepEqual(all, [{ code: "EUR", symbol: "€" }, { code: "USD", symbol: "$" }]);
  const site = await page.evaluate(() => window.pay.currencies.siteSettings.getCurrencies());
  assert.deepEqual(site, [{ code: "USD", symbol: "$" }]);
  const rate = await page.evaluate(() => window.pay.currencies.currencyConverter.getConversionRate("USD", "EUR"));
  assert.deepEqual(rate, { rate: 1.08, timestamp: "2026-11-27T00:00:00Z" });
  assert.ok(seen.some((r) => /^GET \/pay\/v1\/currencies\/rate\?from=USD&to=EUR$/.test(r)), seen.join("\n"));
  assert.equal(await code(`pay.currencies.currencyConverter.getConversionRate("USD", "XXX")`), "unknown_currency");
  const converted = await page.evaluate(() =>
    window.pay.currencies.currencyConverter.convertAmounts({ amounts: [9.99, 0.1, 1e21], from: "USD", to: "EUR" }),
  );
  assert.deepEqual(converted, { amounts: [9.25, 111.11111111111111], timestamp: "2026-11-27T00:00:00Z" });
  const sent = bodies.find((b) => b.url === "/pay/v1/currencies/convert");
  assert.equal(sent.body, `{"amounts":["9.99","0.1","1000000000000000000000"],"from":"USD","to":"EUR"}`);
  assert.equal(sent.type, "application/json");
  assert.equal(await code(`pay.currencies.currencyConverter.convertAmounts({ amounts: "9", from: "USD", to: "EUR" })`),
    "invalid_arguments");

  await page.evaluate(() => window.pay.configure({ baseUrl: "http://127.0.0.1:9" }));
  assert.equal(await code(`pay.startPayment("${PAYMENT_ID}")`), "network_error");
  assert.deepEqual(problems, []);
  console.log(`smoke-package: ok (${seen.length} requests)`);
} finally {
  await browser.close();
  server.close();
}
