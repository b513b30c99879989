// Purchases through the popup in headless Chromium with the server on provider = "stripe":
// the card is typed into Stripe's own fields (the Stripe.js test double of tests/stripe-double/,
// loaded through the `stripe_js_url` setting a merchant uses), Stripe.js makes the
// PaymentMethod, and the popup sends Pay only its id. The REST side is localstripe
// (PAY_TEST_LOCALSTRIPE_URL, as scripts/test.sh sets it; without it the tests skip, unless
// PAY_REQUIRE_LOCALSTRIPE=1).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, newPage } from "../lib/browser.js";
import { startServer } from "../lib/server.js";
import { startStripeDouble } from "../lib/stripe-double.js";
import { acceptTerms, axeViolations, buyNow, chooseMethod, describeViolations, dialog, fillContact, payButton, popupGone, resultBox } from "../lib/shop.js";

const LOCALSTRIPE = process.env.PAY_TEST_LOCALSTRIPE_URL;
if (!LOCALSTRIPE && process.env.PAY_REQUIRE_LOCALSTRIPE === "1") {
  throw new Error("PAY_REQUIRE_LOCALSTRIPE=1 but PAY_TEST_LOCALSTRIPE_URL is not set");
}
const STRIPE_KEY = "sk_test_pay_e2e_0123456789";
const PUBLISHABLE_KEY = "pk_test_pay_e2e_0123456789";

describe("buying through Stripe Elements (the Stripe.js double, localstripe)", { skip: !LOCALSTRIPE && "PAY_TEST_LOCALSTRIPE_URL is not set" }, () => {
  let server;
  let browser;
  let double;
  before(async () => {
    double = await startStripeDouble({ localstripeUrl: LOCALSTRIPE, secretKey: STRIPE_KEY });
    server = await startServer({
      PAY_PROVIDER: "stripe",
      PAY_STRIPE_SECRET_KEY: STRIPE_KEY,
      PAY_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
      PAY_STRIPE_JS_URL: double.scriptUrl,
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
    await double?.stop();
  });

  /** A page of the shop whose requests to the Pay server are recorded (bodies included). */
  async function shopPage() {
    const page = await newPage(browser);
    const toPay = [];
    page.on("request", (request) => {
      if (request.url().startsWith(server.url)) toPay.push({ url: request.url(), body: request.postData() ?? "" });
    });
    await page.goto(`${server.url}/`);
    return { page, toPay };
  }

  const cardFrame = (page) => page.frameLocator('iframe[title="Secure card payment input frame"]');

  /** Contact, the card method, the card typed into Stripe's frame, terms. */
  async function toPayButton(page, number) {
    await fillContact(page);
    await chooseMethod(page, "card");
    const frame = cardFrame(page);
    await frame.getByLabel("Credit or debit card number").fill(number);
    await frame.getByLabel("Credit or debit card expiration date").fill("12 / 34");
    await frame.getByLabel("Credit or debit card CVC/CVV").fill("123");
    await acceptTerms(page);
  }

  /** localstripe's intents for a payment, page after page (the whole run shares one localstripe). */
  async function intentsOf(id) {
    const all = [];
    for (;;) {
      const after = all.length ? `&starting_after=${all.at(-1).id}` : "";
      const response = await fetch(`${LOCALSTRIPE}/v1/payment_intents?limit=100${after}`, {
        headers: { Authorization: `Bearer ${STRIPE_KEY}` },
      });
      const page = await response.json();
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) return all.filter((i) => i.metadata.pay_payment_id === id);
    }
  }

  function assertNoCardData(toPay, numbers) {
    for (const { url, body } of toPay) {
      for (const n of numbers) {
        assert.ok(!body.includes(n) && !url.includes(n), `a card number went to Pay: ${url} ${body}`);
      }
      assert.ok(!/"card"\s*:\s*\{/.test(body), `a card object went to Pay: ${body}`);
    }
  }

  test("4242…: the Success box, one succeeded intent of the amount, and no card number sent to Pay", async () => {
    const { page, toPay } = await shopPage();
    const id = await buyNow(page);
    await toPayButton(page, "4242 4242 4242 4242");
    await payButton(page).click();
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    const details = await server.payment(id);
    const intents = await intentsOf(id);
    assert.equal(intents.length, 1, "one PaymentIntent for the payment");
    assert.equal(intents[0].id, details.transactionId);
    assert.equal(intents[0].status, "succeeded");
    const [units, cents = ""] = String(details.payment.amount).split(".");
    assert.equal(String(intents[0].amount), `${units}${cents.padEnd(2, "0")}`.replace(/^0+(?=\d)/, ""));
    const attempt = toPay.find((r) => r.url.endsWith(`/checkout/${id}/attempts`));
    assert.match(JSON.parse(attempt.body).paymentMethod, /^pm_/);
    assertNoCardData(toPay, ["4242424242424242", "4242 4242 4242 4242"]);
    // The card went to the double's frame, which sent it to "Stripe".
    assert.ok(double.requests.some((r) => r.method === "POST" && r.path === "/v1/payment_methods" && r.keys.includes("card[number]")));
    assert.deepEqual(page.problems, []);
  });

  for (const [number, button, outcome] of [
    ["4000 0027 6000 3184", "Complete authentication", "success"],
    ["4000 0025 0000 3155", "Fail authentication", "error"],
  ]) {
    test(`${number}: 3-D Secure by Stripe.js, "${button}" → ${outcome}`, async () => {
      const { page, toPay } = await shopPage();
      const id = await buyNow(page);
      await toPayButton(page, number);
      await payButton(page).click();
      const challenge = page.frameLocator('iframe[title="3D Secure authentication"]');
      await challenge.getByRole("button", { name: button }).click();
      if (outcome === "success") {
        await popupGone(page);
        assert.equal((await resultBox(page)).id, "success");
        assert.equal((await server.payment(id)).status, "Successful");
        assert.equal((await intentsOf(id))[0].status, "succeeded");
      } else {
        await dialog(page).getByRole("alert").filter({ hasText: /authenticat/i }).waitFor();
        const details = await server.payment(id);
        assert.equal(details.status, "Failed");
        assert.equal(details.attempts[0].declineCode, "authentication_failed");
      }
      assertNoCardData(toPay, [number.replace(/ /g, ""), number]);
      assert.ok(toPay.some((r) => r.url.endsWith("/complete")), "the popup asked Pay for the outcome");
      assert.deepEqual(page.problems, []);
    });
  }

  test("4000 0000 0000 0341 is declined, then 4242 pays the same payment", async () => {
    const { page } = await shopPage();
    const id = await buyNow(page);
    await toPayButton(page, "4000 0000 0000 0341");
    await payButton(page).click();
    await dialog(page).getByRole("alert").filter({ hasText: /declined/i }).waitFor();
    const frame = cardFrame(page);
    await frame.getByLabel("Credit or debit card number").fill("4242 4242 4242 4242");
    await payButton(page).click();
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    const details = await server.payment(id);
    assert.equal(details.status, "Successful");
    assert.deepEqual(details.attempts.map((a) => a.status), ["Failed", "Successful"]);
    assert.deepEqual(page.problems, []);
  });

  test("a keyboard-only purchase through Stripe's field", async () => {
    const { page } = await shopPage();
    const kb = page.keyboard;
    await buyNow(page);
    await fillContact(page);
    await dialog(page).getByRole("button", { name: "Credit or debit card" }).focus();
    await kb.press("Enter");
    // Focus goes into Stripe's frame, onto the number.
    await cardFrame(page).getByLabel("Credit or debit card number").waitFor();
    const cardFrameOf = () => page.frames().find((f) => f.url().includes("/elements/card"));
    const inFrame = () => cardFrameOf()?.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
    await page.waitForFunction(() => document.activeElement?.tagName === "IFRAME" || document.activeElement?.hasAttribute("slot"));
    await cardFrameOf().waitForFunction(() => document.activeElement?.getAttribute("aria-label") === "Credit or debit card number");
    await kb.type("4242424242424242");
    await kb.press("Tab");
    assert.equal(await inFrame(), "Credit or debit card expiration date");
    await kb.type("1234");
    await kb.press("Tab");
    assert.equal(await inFrame(), "Credit or debit card CVC/CVV");
    await kb.type("123");
    // Out of the frame, on through the popup to the terms and the Pay button.
    const focusedInPopup = () => page.evaluate(() => {
      const el = document.querySelector("[data-pay-popup]")?.shadowRoot?.activeElement;
      return { id: el?.id ?? "", text: (el?.textContent ?? "").trim(), tag: el?.tagName ?? "" };
    });
    let reached = false;
    for (let i = 0; i < 8 && !reached; i++) {
      await kb.press("Tab");
      reached = (await focusedInPopup()).id === "pay-terms";
    }
    assert.ok(reached, `Tab never reached the terms: ${JSON.stringify(await focusedInPopup())}`);
    await kb.press("Space");
    reached = false;
    for (let i = 0; i < 8 && !reached; i++) {
      await kb.press("Tab");
      const f = await focusedInPopup();
      reached = f.tag === "BUTTON" && f.text.startsWith("Pay ");
    }
    assert.ok(reached, "Tab never reached the Pay button");
    await kb.press("Enter");
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    assert.deepEqual(page.problems, []);
  });

  test("the card step with Stripe's field has no axe violation", async () => {
    const { page } = await shopPage();
    await buyNow(page);
    await fillContact(page);
    await chooseMethod(page, "card");
    await cardFrame(page).getByLabel("Credit or debit card number").waitFor();
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
  });

  test("the server refuses a card number outright (card_data_not_accepted)", async () => {
    const { status, body } = await server.merchant("POST", "/pay/v1/payments", {
      items: [{ name: "Pay mug", price: 12.5 }],
      amount: 12.5,
    });
    assert.equal(status, 201);
    const response = await fetch(`${server.url}/pay/v1/checkout/${body.id}/attempts`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attemptId: "att_00000001", method: "card", card: { number: "4242424242424242", expMonth: 12, expYear: 2040, cvc: "123" } }),
    });
    assert.equal(response.status, 422);
    assert.equal((await response.json()).code, "card_data_not_accepted");
  });
});
