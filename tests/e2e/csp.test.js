// The demo works under its strict Content-Security-Policy (SPEC §4): a whole purchase and the
// merchant dashboard (the server's own, /dashboard/) with no CSP violation and no console error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { signIn } from "../lib/dashboard.js";
import { seedPayment } from "../lib/server.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { CARDS, buyNow, payByCard, popupGone, resultBox } from "../lib/shop.js";

const env = serverAndBrowser();

test("every page and asset is served with the strict policy", async () => {
  for (const path of ["/", "/shop.js", "/dashboard/", "/dashboard/sign-in.html", "/dashboard/app.js", "/dashboard/dashboard.css", "/sdk/index.js", "/sdk/pay_frontend_bg.wasm"]) {
    const response = await fetch(env.server.url + path);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, path);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
  }
});

test("a purchase under the policy: no violation, no console error", async () => {
  const page = await newPage(env.browser);
  const response = await page.goto(`${env.server.url}/`);
  assert.match(response.headers()["content-security-policy"], /script-src 'self'/);
  const id = await buyNow(page);
  await payByCard(page, CARDS.pending);
  await popupGone(page);
  assert.equal((await resultBox(page)).id, "pending");
  await env.server.waitForHookEvent(id, "Successful");
  await page.locator('#order-events li[data-status="Successful"]').waitFor();
  assert.deepEqual(page.problems, []);
});

test("the dashboard under the policy: no violation, no console error", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  const page = await newPage(env.browser);
  await signIn(page, env.server);
  await page.locator(`tr[data-payment-id="${id}"]`).waitFor();
  await page.locator(`tr[data-payment-id="${id}"] a`).click();
  await page.locator("#payment-status").waitFor();
  await page.getByRole("link", { name: "Webhooks" }).click();
  await page.getByRole("heading", { level: 1, name: "Webhook endpoints" }).waitFor();
  await page.waitForTimeout(2500); // a poll or two
  assert.deepEqual(page.problems, []);
});

test("the detector works: an inline script is reported", async () => {
  // Guards the test above against passing because nothing is listened to.
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__inline = true";
    document.body.append(s);
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__inline === true), false);
  assert.ok(page.problems.some((p) => p.includes("CSP violation")), JSON.stringify(page.problems));
});
