// How the SDK loads in a real page against the real server: `preload()` fetches, compiles
// (while it streams: the wasm is served as application/wasm, so wasm-bindgen's glue takes
// `WebAssembly.instantiateStreaming` and never its slower fallback) and instantiates the
// wasm once, and a `startPayment` after it loads nothing more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { dialog } from "../lib/shop.js";

const env = serverAndBrowser();

test("the wasm is served as application/wasm", async () => {
  const response = await fetch(`${env.server.url}/sdk/pay_frontend_bg.wasm`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/wasm");
});

test("preload() loads the wasm once, by streaming, and startPayment then fetches only the payment", async () => {
  const page = await newPage(env.browser);
  const warnings = [];
  page.on("console", (message) => warnings.push(message.text()));
  const wasm = [];
  page.on("request", (request) => request.url().endsWith(".wasm") && wasm.push(request.url()));
  await page.goto(`${env.server.url}/terms.html`);
  const { status, body } = await env.server.merchant("POST", "/pay/v1/payments", {
    items: [{ name: "Pay mug", price: 12.5 }],
    amount: 12.5,
  });
  assert.equal(status, 201);
  const id = body.id;

  const ready = await page.evaluate(async () => {
    const sdk = await import("/sdk/index.js");
    window.__sdk = sdk;
    const both = await Promise.all([sdk.preload(), sdk.preload()]);
    return both.map((v) => typeof v);
  });
  assert.deepEqual(ready, ["undefined", "undefined"]);
  assert.equal(wasm.length, 1);

  const after = [];
  page.on("request", (request) => after.push(new URL(request.url()).pathname));
  await page.evaluate((id) => {
    window.__result = window.__sdk.startPayment(id);
  }, id);
  await dialog(page).waitFor();
  assert.deepEqual(after, [`/pay/v1/checkout/${id}`]);
  assert.equal(wasm.length, 1);
  assert.deepEqual(warnings.filter((w) => /instantiateStreaming|MIME/i.test(w)), []);
  assert.deepEqual(page.problems, []);
});

test("integrity.json holds the SHA-384 of every file the package serves", async () => {
  const { createHash } = await import("node:crypto");
  const list = await (await fetch(`${env.server.url}/sdk/integrity.json`)).json();
  assert.deepEqual(Object.keys(list).sort(), ["index.js", "pay_frontend.js", "pay_frontend_bg.wasm"]);
  for (const [file, sri] of Object.entries(list)) {
    const body = Buffer.from(await (await fetch(`${env.server.url}/sdk/${file}`)).arrayBuffer());
    assert.equal(sri, `sha384-${createHash("sha384").update(body).digest("base64")}`, file);
  }
  // The entry carries the wasm's, and fetches with it.
  const entry = await (await fetch(`${env.server.url}/sdk/index.js`)).text();
  assert.ok(entry.includes(list["pay_frontend_bg.wasm"]), "the wasm's hash is in the entry");
});

test("a changed wasm file is refused: startPayment rejects and nothing opens", async () => {
  const page = await newPage(env.browser);
  const original = Buffer.from(await (await fetch(`${env.server.url}/sdk/pay_frontend_bg.wasm`)).arrayBuffer());
  const changed = Buffer.from(original);
  changed[changed.length - 1] ^= 0xff; // one byte of the last (name) section
  await page.route("**/sdk/pay_frontend_bg.wasm", (route) =>
    route.fulfill({ status: 200, contentType: "application/wasm", body: changed }),
  );
  await page.goto(`${env.server.url}/terms.html`);
  const { status, body } = await env.server.merchant("POST", "/pay/v1/payments", {
    items: [{ name: "Pay mug", price: 12.5 }],
    amount: 12.5,
  });
  assert.equal(status, 201);
  const outcome = await page.evaluate(async (id) => {
    const sdk = await import("/sdk/index.js");
    try {
      await sdk.startPayment(id);
      return "opened";
    } catch (e) {
      return String(e.message);
    }
  }, body.id);
  assert.match(outcome, /could not be loaded .*integrity/);
  assert.equal(await page.locator("[data-pay-popup]").count(), 0);
  // Chromium says why in the console: the integrity check.
  assert.ok(page.problems.some((p) => /integrity/i.test(p)), JSON.stringify(page.problems));
});

test("with an import map's integrity, a changed glue is refused before anything runs", async () => {
  const list = await (await fetch(`${env.server.url}/sdk/integrity.json`)).json();
  const page = await newPage(env.browser);
  // A page of the merchant's that pins the package's files (the README's lines).
  await page.route("**/pinned.html", (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head><title>pinned</title>
<script type="importmap">${JSON.stringify({ integrity: { "/sdk/pay_frontend.js": list["pay_frontend.js"] } })}</script>
<script type="module" src="/sdk/index.js" integrity="${list["index.js"]}" onload="window.__ran = true" onerror="window.__refused = true"></script>
</head><body></body></html>`,
    }),
  );
  // The files as built pass the checks (the inline handlers: no CSP on this test page)...
  await page.goto(`${env.server.url}/pinned.html`);
  await page.waitForFunction(() => window.__ran === true || window.__refused === true);
  assert.equal(await page.evaluate(() => window.__ran), true);
  assert.deepEqual(page.problems, []);
  // ...and a changed glue does not.
  const glue = await (await fetch(`${env.server.url}/sdk/pay_frontend.js`)).text();
  await page.route("**/sdk/pay_frontend.js", (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: `${glue}\n// changed\n` }),
  );
  await page.goto(`${env.server.url}/pinned.html`);
  await page.waitForFunction(() => window.__refused === true);
  assert.ok(page.problems.some((p) => /integrity/i.test(p)), JSON.stringify(page.problems));
});
