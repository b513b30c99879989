// The demo works under its strict Content-Security-Policy (SPEC §4): a whole purchase and the
// dashboard with no CSP violation and no console error.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.js";
import { launchBrowser, newPage } from "../lib/browser.js";
import { CARDS, buyNow, payByCard, popupGone, resultBox } from "../lib/shop.js";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("every page and asset is served with the strict policy", async () => {
  for (const path of ["/", "/shop.js", "/dashboard.html", "/dashboard.js", "/sdk/index.js", "/sdk/pay_frontend_bg.wasm"]) {
    const response = await fetch(server.url + path);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, path);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
  }
});

test("a purchase under the policy: no violation, no console error", async () => {
  const page = await newPage(browser);
  const response = await page.goto(`${server.url}/`);
  assert.match(response.headers()["content-security-policy"], /script-src 'self'/);
  const id = await buyNow(page);
  await payByCard(page, CARDS.pending);
  await popupGone(page);
  assert.equal((await resultBox(page)).id, "pending");
  await server.waitForHookEvent(id, "Successful");
  await page.locator('#order-events li[data-status="Successful"]').waitFor();
  assert.deepEqual(page.problems, []);
});

test("the dashboard under the policy: no violation, no console error", async () => {
  const page = await newPage(browser);
  await page.goto(`${server.url}/dashboard.html`);
  await page.locator("#payment-rows tr").first().waitFor();
  await page.waitForTimeout(1500); // a refresh or two
  assert.deepEqual(page.problems, []);
});

test("the detector works: an inline script is reported", async () => {
  // Guards the test above against passing because nothing is listened to.
  const page = await newPage(browser);
  await page.goto(`${server.url}/`);
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inline = true";
    document.body.append(s);
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__inline === true), false);
  assert.ok(page.problems.some((p) => p.includes("CSP violation")), JSON.stringify(page.problems));
});
