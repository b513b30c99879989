// The Stripe.js test double (stripe-double/, lib/stripe-double.js) against localstripe
// (PAY_TEST_LOCALSTRIPE_URL; skipped without it unless PAY_REQUIRE_LOCALSTRIPE=1), on a blank
// page of its own (not the Pay server): the strict parts (keys, shadow roots, destroyed
// Elements), the card frame on the double's origin, createPaymentMethod into localstripe, the
// 3-D Secure challenge both ways, and a request log that never holds a card's values.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchBrowser, newPage } from "../lib/browser.js";
import { startStripeDouble } from "../lib/stripe-double.js";

const LOCALSTRIPE = process.env.PAY_TEST_LOCALSTRIPE_URL;
if (!LOCALSTRIPE && process.env.PAY_REQUIRE_LOCALSTRIPE === "1") {
  throw new Error("PAY_REQUIRE_LOCALSTRIPE=1 but PAY_TEST_LOCALSTRIPE_URL is not set");
}
const SECRET_KEY = "sk_test_pay_double_0123456789";
const PUBLISHABLE_KEY = "pk_test_pay_double_0123456789";
const YEAR = String((new Date().getFullYear() + 3) % 100).padStart(2, "0");
const STYLE = { base: { color: "rgb(12, 34, 56)", fontFamily: "monospace", fontSize: "17px" }, invalid: { color: "rgb(200, 0, 0)" } };
const NOT_MOUNTED =
  "We could not retrieve data from the specified Element. Please make sure the Element you are attempting to use is still mounted.";

/** Retries `check` (which throws until it holds) for a few seconds. */
async function eventually(check, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A request to localstripe with the secret key (what Pay's server does). */
async function localstripe(method, path, form) {
  const response = await fetch(LOCALSTRIPE + path, {
    method,
    headers: { Authorization: `Bearer ${SECRET_KEY}`, "Content-Type": "application/x-www-form-urlencoded" },
    body: form && new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: await response.json() };
}

/** A PaymentIntent that requires action: the 3DS card's PaymentMethod, confirmed at creation. */
async function intentRequiringAction(number) {
  const pm = await localstripe("POST", "/v1/payment_methods", {
    type: "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": `20${YEAR}`, "card[cvc]": "123",
  });
  assert.equal(pm.status, 200, JSON.stringify(pm.body));
  const intent = await localstripe("POST", "/v1/payment_intents", {
    amount: "1250", currency: "eur", payment_method: pm.body.id, confirm: "true",
  });
  assert.equal(intent.status, 200, JSON.stringify(intent.body));
  assert.equal(intent.body.status, "requires_action");
  return intent.body;
}

describe("the Stripe.js test double (localstripe)", { skip: !LOCALSTRIPE && "PAY_TEST_LOCALSTRIPE_URL is not set" }, () => {
  let double;
  let site;
  let siteUrl;
  let browser;
  const typed = []; // every value typed into a card frame, to look for in the request log
  before(async () => {
    double = await startStripeDouble({ localstripeUrl: LOCALSTRIPE, secretKey: SECRET_KEY });
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blank</title>
      <script src="${double.scriptUrl}"></script></head>
      <body><button id="before">Before</button><div id="card"></div></body></html>`;
    site = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end(html));
    await new Promise((done) => site.listen(0, "127.0.0.1", done));
    siteUrl = `http://127.0.0.1:${site.address().port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => (site ? site.close(done) : done()));
    await double?.stop();
  });

  /** A page with `window.card` mounted on #card (fr, the style above), its change events in `window.changes`. */
  async function pageWithCard() {
    const page = await newPage(browser);
    await page.goto(siteUrl);
    await page.evaluate(async ({ key, style }) => {
      window.stripe = Stripe(key, { locale: "de" });
      window.elements = window.stripe.elements({ locale: "fr" });
      window.card = window.elements.create("card", { style, hidePostalCode: true });
      window.changes = [];
      window.card.on("change", (e) => window.changes.push(e));
      const ready = new Promise((resolve) => window.card.on("ready", resolve));
      window.card.mount("#card");
      await ready;
    }, { key: PUBLISHABLE_KEY, style: STYLE });
    return { page, frame: page.frameLocator("#card iframe") };
  }

  async function typeCard(frame, number, expiry, cvc) {
    typed.push(number.replace(/\D/g, ""), expiry.replace(/\D/g, ""), cvc);
    await frame.getByLabel("Credit or debit card number").fill(number);
    await frame.getByLabel("Credit or debit card expiration date").fill(expiry);
    await frame.getByLabel("Credit or debit card CVC/CVV").fill(cvc);
    await frame.getByLabel("Credit or debit card CVC/CVV").blur();
  }

  const lastChange = (page) => page.evaluate(() => window.changes.at(-1));
  const postsToPaymentMethods = () => double.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_methods").length;

  test("Stripe() takes a publishable key only, as Stripe.js does", async () => {
    const page = await newPage(browser);
    await page.goto(siteUrl);
    const attempts = await page.evaluate((keys) => keys.map((key) => {
      try {
        Stripe(key);
        return "accepted";
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    }), [SECRET_KEY, "", "hello", PUBLISHABLE_KEY, "pk_live_abc123"]);
    assert.deepEqual(attempts, [
      "IntegrationError: You should not use your secret key with Stripe.js. Please pass a publishable key instead.",
      "IntegrationError: Please call Stripe() with your publishable key. You used an empty string.",
      "IntegrationError: Invalid value for Stripe(): apiKey should be a publishable key (pk_test_… or pk_live_…).",
      "accepted",
      "accepted",
    ]);
    await page.context().close();
  });

  test("mount() refuses a shadow root (Stripe's message) and a selector that matches nothing", async () => {
    const page = await newPage(browser);
    await page.goto(siteUrl);
    const errors = await page.evaluate((key) => {
      const card = Stripe(key).elements().create("card");
      const host = document.body.appendChild(document.createElement("div"));
      const inside = host.attachShadow({ mode: "open" }).appendChild(document.createElement("div"));
      const tries = [inside, "#nowhere"].map((target) => {
        try {
          card.mount(target);
          return "mounted";
        } catch (e) {
          return e.message;
        }
      });
      return { tries, frames: document.querySelectorAll("iframe").length + host.shadowRoot.querySelectorAll("iframe").length };
    }, PUBLISHABLE_KEY);
    assert.deepEqual(errors.tries, [
      "Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.",
      "The selector you specified (#nowhere) applies to no DOM elements that are currently on the page. Make sure the element exists on the page before calling mount().",
    ]);
    assert.equal(errors.frames, 0);
    await page.context().close();
  });

  test("in the light DOM: a frame from the double's origin, labelled fields, the style and locale applied, focus()", async () => {
    const { page, frame } = await pageWithCard();
    const src = await page.locator("#card iframe").getAttribute("src");
    assert.equal(new URL(src).origin, double.url);
    assert.notEqual(new URL(src).origin, new URL(siteUrl).origin);
    for (const name of ["Credit or debit card number", "Credit or debit card expiration date", "Credit or debit card CVC/CVV"]) {
      await frame.getByRole("textbox", { name, exact: true }).waitFor();
    }
    assert.equal(await frame.getByLabel("ZIP").isVisible(), false, "hidePostalCode: true hides the postal code");
    const number = frame.getByLabel("Credit or debit card number");
    const css = await number.evaluate((input) => ({
      color: getComputedStyle(input).color, font: getComputedStyle(input).fontFamily, lang: document.documentElement.lang,
    }));
    assert.deepEqual(css, { color: "rgb(12, 34, 56)", font: "monospace", lang: "fr" });

    await page.evaluate(() => window.card.focus());
    await eventually(() => number.evaluate((input) => {
      if (document.activeElement !== input || !document.hasFocus()) throw new Error(`focus on ${document.activeElement?.id}`);
    }));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("a valid card: change says complete; createPaymentMethod gives a pm_ that localstripe holds, with the billing details", async () => {
    const { page, frame } = await pageWithCard();
    await typeCard(frame, "4242 4242 4242 4242", `12 / ${YEAR}`, "737");
    const change = await lastChange(page);
    assert.deepEqual(
      [change.elementType, change.empty, change.complete, change.error, change.brand, change.value],
      ["card", false, true, undefined, "visa", { postalCode: "" }],
    );
    const before = postsToPaymentMethods();
    const result = await page.evaluate(() => window.stripe.createPaymentMethod({
      type: "card",
      card: window.card,
      billing_details: { name: "Ada Lovelace", email: "ada@example.test", phone: "+33 1 23 45 67 89", address: { country: "FR" } },
    }));
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.match(result.paymentMethod.id, /^pm_/);
    assert.equal(postsToPaymentMethods(), before + 1);

    const held = await localstripe("GET", `/v1/payment_methods/${result.paymentMethod.id}`);
    assert.equal(held.status, 200);
    assert.equal(held.body.card.last4, "4242");
    assert.equal(held.body.card.exp_year, 2000 + Number(YEAR));
    assert.equal(held.body.billing_details.name, "Ada Lovelace");
    assert.equal(held.body.billing_details.email, "ada@example.test");
    assert.equal(held.body.billing_details.phone, "+33 1 23 45 67 89");
    assert.equal(held.body.billing_details.address.country, "FR");

    const post = double.requests.filter((r) => r.path === "/v1/payment_methods").at(-1);
    assert.deepEqual(post.keys, [
      "type", "card[number]", "card[exp_month]", "card[exp_year]", "card[cvc]",
      "billing_details[name]", "billing_details[email]", "billing_details[phone]", "billing_details[address][country]", "key",
    ]);
    assert.deepEqual(post.upstream, { method: "POST", path: "/v1/payment_methods", status: 200 });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test("a bad number: a validation error in the frame, nothing sent; a card localstripe refuses: its error", async () => {
    const { page, frame } = await pageWithCard();
    await typeCard(frame, "4242 4242 4242 4241", `12 / ${YEAR}`, "737");
    const change = await lastChange(page);
    assert.equal(change.complete, false);
    assert.deepEqual(change.error, { type: "validation_error", code: "invalid_number", message: "Your card number is invalid." });
    const color = await frame.getByLabel("Credit or debit card number").evaluate((input) => getComputedStyle(input).color);
    assert.equal(color, "rgb(200, 0, 0)", "style.invalid on the invalid field");

    const before = postsToPaymentMethods();
    const invalid = await page.evaluate(() => window.stripe.createPaymentMethod({ type: "card", card: window.card }));
    assert.deepEqual(invalid, { error: { type: "validation_error", code: "invalid_number", message: "Your card number is invalid." } });
    assert.equal(postsToPaymentMethods(), before, "an invalid card is not sent");

    // An American Express number passes the frame (15 digits, Luhn, 4-digit CVC), but
    // localstripe takes 16 digits and a 3-digit CVC only: its 400 comes back as {error}.
    await typeCard(frame, "3782 822463 10005", `12 / ${YEAR}`, "1234");
    assert.equal((await lastChange(page)).complete, true);
    const refused = await page.evaluate(() => window.stripe.createPaymentMethod({ type: "card", card: window.card }));
    assert.deepEqual(refused, { error: { type: "invalid_request_error", message: "Bad request" } });
    assert.equal(postsToPaymentMethods(), before + 1);
    // The only problem: the browser's note of the 400 in the frame's console.
    assert.ok(page.problems.every((p) => /status of 400/.test(p)), page.problems.join("\n"));
    await page.context().close();
  });

  test("a destroyed Element: createPaymentMethod rejects, calls are refused; one card per group until then", async () => {
    const { page, frame } = await pageWithCard();
    await typeCard(frame, "4242 4242 4242 4242", `12 / ${YEAR}`, "737");
    const outcome = await page.evaluate(async () => {
      const messageOf = async (f) => {
        try {
          await f();
          return "ok";
        } catch (e) {
          return `${e.name}: ${e.message}`;
        }
      };
      const second = await messageOf(() => window.elements.create("card"));
      window.card.destroy();
      return {
        second,
        frames: document.querySelectorAll("iframe").length,
        create: await messageOf(() => window.stripe.createPaymentMethod({ type: "card", card: window.card })),
        mount: await messageOf(() => window.card.mount("#card")),
        focus: await messageOf(() => window.card.focus()),
        afterDestroy: await messageOf(() => window.elements.create("card")),
      };
    });
    assert.deepEqual(outcome, {
      second: "IntegrationError: Can only create one Element of type card.",
      frames: 0,
      create: `IntegrationError: ${NOT_MOUNTED}`,
      mount: "IntegrationError: This Element has already been destroyed. Please create a new one.",
      focus: "IntegrationError: This Element has already been destroyed. Please create a new one.",
      afterDestroy: "ok",
    });
    await page.context().close();
  });

  for (const { button, number, expected } of [
    { button: "Complete authentication", number: "4000002760003184", expected: "succeeded" },
    { button: "Fail authentication", number: "4000002500003155", expected: "requires_payment_method" },
    { button: "Complete authentication", number: "4000000000003220", expected: "succeeded" },
  ]) {
    test(`handleNextAction on an intent that requires action (${number}): the overlay, "${button}"`, async () => {
      const intent = await intentRequiringAction(number);
      const page = await newPage(browser);
      await page.goto(siteUrl);
      await page.locator("#before").focus();
      await page.evaluate(({ key, clientSecret }) => {
        window.result = Stripe(key).handleNextAction({ clientSecret });
      }, { key: PUBLISHABLE_KEY, clientSecret: intent.client_secret });

      // A full-screen overlay in the top document (a child of body, no shadow root), its frame
      // from the double's origin, focus inside it.
      const overlay = page.locator("body > [data-stripe-double=challenge]");
      await overlay.waitFor();
      const box = await overlay.boundingBox();
      assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 1000, 760]);
      const src = await overlay.locator("iframe").getAttribute("src");
      assert.equal(new URL(src).origin, double.url);
      const challenge = page.frameLocator("body > [data-stripe-double=challenge] iframe");
      const complete = challenge.getByRole("button", { name: "Complete authentication" });
      await complete.waitFor();
      await eventually(() => complete.evaluate((b) => {
        if (document.activeElement !== b || !document.hasFocus()) throw new Error("focus is not on Complete authentication");
      }));
      assert.equal(await page.evaluate(() => document.activeElement.tagName), "IFRAME");

      await challenge.getByRole("button", { name: button }).click();
      const result = await page.evaluate(() => window.result);
      await overlay.waitFor({ state: "detached" });
      assert.equal(await page.evaluate(() => document.activeElement.id), "before", "focus back where it was");

      const held = await localstripe("GET", `/v1/payment_intents/${intent.id}`);
      assert.equal(held.body.status, expected);
      if (expected === "succeeded") {
        assert.equal(result.error, undefined, JSON.stringify(result.error));
        assert.equal(result.paymentIntent.id, intent.id);
        assert.equal(result.paymentIntent.status, "succeeded");
      } else {
        assert.equal(result.paymentIntent, undefined);
        assert.equal(result.error.type, "invalid_request_error");
        assert.equal(result.error.code, "payment_intent_authentication_failure");
        assert.match(result.error.message, /^We are unable to authenticate your payment method\./);
        assert.equal(result.error.payment_intent.id, intent.id);
      }
      const authenticate = double.requests.filter((r) => r.path === `/v1/payment_intents/${intent.id}/_authenticate`);
      assert.equal(authenticate.length, 1);
      assert.deepEqual(authenticate[0].keys, ["client_secret", "success", "key"]);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  test("handleNextAction on an intent with nothing to do resolves it; a wrong client secret is refused", async () => {
    const pm = await localstripe("POST", "/v1/payment_methods", {
      type: "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": `20${YEAR}`, "card[cvc]": "123",
    });
    const intent = (await localstripe("POST", "/v1/payment_intents", {
      amount: "500", currency: "eur", payment_method: pm.body.id, confirm: "true",
    })).body;
    const page = await newPage(browser);
    await page.goto(siteUrl);
    const results = await page.evaluate(async ({ key, clientSecret, id }) => {
      const stripe = Stripe(key);
      return [
        await stripe.handleNextAction({ clientSecret }),
        await stripe.handleNextAction({ clientSecret: `${id}_secret_wrong0123456789` }),
      ];
    }, { key: PUBLISHABLE_KEY, clientSecret: intent.client_secret, id: intent.id });
    assert.equal(results[0].paymentIntent.status, "succeeded");
    assert.equal(results[1].error.type, "invalid_request_error");
    assert.equal(await page.locator("[data-stripe-double]").count(), 0, "no overlay");
    await page.context().close();
  });

  test("the double's request log holds keys, never a card's values", () => {
    assert.ok(typed.length > 0);
    // The numbers nowhere; the short values (expiry, CVC) in no key; keys are names only.
    const log = JSON.stringify(double.requests);
    for (const value of typed.filter((v) => v.length >= 13)) assert.ok(!log.includes(value), `"${value}" is in the request log`);
    for (const entry of double.requests) {
      for (const key of entry.keys) {
        assert.match(key, /^[a-z_]+(\[[a-z_]+\])*$/);
        assert.ok(!typed.some((value) => key.includes(value)));
      }
      assert.deepEqual(Object.keys(entry).filter((k) => !["method", "path", "keys", "status", "upstream"].includes(k)), []);
    }
    assert.ok(double.requests.some((r) => r.path === "/v3/"));
    assert.ok(double.requests.some((r) => r.path === "/elements/card"));
  });
});
