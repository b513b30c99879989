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
