// One purchase through the popup in headless Chromium with the server on provider = "stripe"
// against localstripe (PAY_TEST_LOCALSTRIPE_URL, as scripts/test.sh sets it; without it the
// test skips, unless PAY_REQUIRE_LOCALSTRIPE=1): the Success box, the PaymentIntent at
// localstripe with the attempt in its metadata, and the event at the demo's hook.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, newPage } from "../lib/browser.js";
import { startServer } from "../lib/server.js";
import { CARDS, buyNow, payByCard, popupGone, resultBox } from "../lib/shop.js";

const LOCALSTRIPE = process.env.PAY_TEST_LOCALSTRIPE_URL;
if (!LOCALSTRIPE && process.env.PAY_REQUIRE_LOCALSTRIPE === "1") {
  throw new Error("PAY_REQUIRE_LOCALSTRIPE=1 but PAY_TEST_LOCALSTRIPE_URL is not set");
}
const STRIPE_KEY = "sk_test_pay_e2e_0123456789";

describe("buying through Stripe (localstripe)", { skip: !LOCALSTRIPE && "PAY_TEST_LOCALSTRIPE_URL is not set" }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer({
      PAY_PROVIDER: "stripe",
      PAY_STRIPE_SECRET_KEY: STRIPE_KEY,
      PAY_STRIPE_WEBHOOK_SECRET: "whsec_pay_e2e_0123456789",
      PAY_STRIPE_API_BASE: LOCALSTRIPE,
      PAY_STRIPE_LOCALSTRIPE: "true",
      PAY_PUBLIC_URL: "http://127.0.0.1",
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("4242…: the Success box, charged at Stripe once, and the hook receives Successful", async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/`);
    const id = await buyNow(page);
    await payByCard(page, CARDS.success);
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");

    const events = await server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Successful"]);
    const details = await server.payment(id);
    assert.match(details.transactionId, /^pi_/);
    const response = await fetch(`${LOCALSTRIPE}/v1/payment_intents?limit=100`, {
      headers: { Authorization: `Bearer ${STRIPE_KEY}` },
    });
    const intents = (await response.json()).data.filter((i) => i.metadata.pay_payment_id === id);
    assert.equal(intents.length, 1, "one PaymentIntent for the payment");
    assert.equal(intents[0].id, details.transactionId);
    assert.equal(intents[0].status, "succeeded");
    // Cents from the amount's digits (never through floating point).
    const [units, cents = ""] = String(details.payment.amount).split(".");
    assert.equal(String(intents[0].amount), `${units}${cents.padEnd(2, "0")}`.replace(/^0+(?=\d)/, ""));
    assert.deepEqual(page.problems, []);
  });
});
