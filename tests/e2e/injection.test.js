// Script-like payloads in every string a merchant or a visitor can put in front of the popup
// (item names, prefilled names, names typed in the contact step) are shown as text: no element
// is ever created from them and no script runs. The page has no CSP here on purpose: with the
// shop's strict CSP an injected handler would be blocked anyway, and the test would prove less.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { CARDS, dialog, fillCard, payButton, popupGone } from "../lib/shop.js";

const PAYLOADS = [
  `<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
  `<script>window.__xss=(window.__xss||0)+1</script>`,
  `"><svg onload="window.__xss=(window.__xss||0)+1">`,
  `<a href="javascript:window.__xss=1">click</a><b>bold</b>`,
];

let page;
const env = serverAndBrowser(async () => {
  page = await newPage(env.browser);
  // A blank same-origin page without the server's CSP: anything injected would run.
  await page.route(`${env.server.url}/blank`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>blank</title><body></body>" }),
  );
  await page.goto(`${env.server.url}/blank`);
});

/** Elements inside the popup's shadow root that a payload could have produced. */
function injectedElements() {
  return page.evaluate(() => {
    const host = document.querySelector("[data-pay-popup]");
    const root = host?.shadowRoot;
    if (!root) return ["no popup"];
    return [...root.querySelectorAll("img, script, svg, iframe, b, a[href^='javascript']")].map((e) => e.outerHTML);
  });
}

test("self-check: on this page an injected handler does run", async () => {
  await page.evaluate((payload) => {
    const probe = document.createElement("div");
    probe.innerHTML = payload;
    document.body.append(probe);
  }, PAYLOADS[0]);
  await page.waitForFunction(() => window.__xss === 1);
  await page.evaluate(() => {
    document.body.replaceChildren();
    delete window.__xss;
  });
  page.problems.length = 0; // the probe's <img src=x> 404
});

test("merchant and visitor strings are text in every step", async () => {
  const items = PAYLOADS.map((name, i) => ({ name, price: 1, quantity: i + 1 }));
  const amount = items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  const { status, body: payment } = await env.server.merchant("POST", "/pay/v1/payments", {
    items,
    amount,
    currency: "USD",
    userInfo: { firstName: PAYLOADS[0], lastName: PAYLOADS[1], email: "ada@example.com" },
  });
  assert.equal(status, 201, JSON.stringify(payment));

  const result = page.evaluate(async (id) => {
    const { startPayment } = await import("/sdk/index.js");
    return startPayment(id, { showThankYouPage: true });
  }, payment.id);
  const d = dialog(page);
  await d.waitFor();

  // Summary and contact step: every item name shown as its own characters.
  const text = await d.innerText();
  for (const payload of PAYLOADS) assert.ok(text.includes(payload), `item name not shown as text: ${payload}`);
  assert.equal(await d.getByLabel("First name").inputValue(), PAYLOADS[0]);
  assert.equal(await d.getByLabel("Last name").inputValue(), PAYLOADS[1]);
  assert.deepEqual(await injectedElements(), []);

  // Names typed by the visitor.
  await d.getByLabel("First name").fill(PAYLOADS[2]);
  await d.getByLabel("Last name").fill(PAYLOADS[3]);
  await d.getByRole("button", { name: "Continue" }).click();
  await fillCard(page, CARDS.success);
  assert.deepEqual(await injectedElements(), []);
  await payButton(page).click();
  await d.getByRole("button", { name: "Done" }).waitFor();
  assert.deepEqual(await injectedElements(), []);
  await d.getByRole("button", { name: "Done" }).click();
  await popupGone(page);

  const resolved = await result;
  assert.equal(resolved.status, "Successful");
  assert.equal(resolved.userInfo.firstName, PAYLOADS[2]);
  assert.equal(resolved.userInfo.lastName, PAYLOADS[3]);
  assert.equal(await page.evaluate(() => window.__xss), undefined, "an injected script ran");
  assert.deepEqual(page.problems, []);
});
