// The merchant dashboard of the Pay server (/dashboard/), on the merchant API with a session
// cookie: sign-in (a wrong key refused; the key nowhere in the page, storage or URL), finding a
// payment paid in the popup by its buyer's email, a partial refund with its event and webhook
// delivery appearing live, marking an offline payment paid, redelivering an event, the CSRF
// token required, search and pages, a failing endpoint's health, pending and refused refunds,
// sign-out, the sandbox actions, axe on every page (also 360 px wide), and the screenshot
// in docs/dashboard.md (docs/dashboard.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, SECRET_KEY, seedPayment, startServer } from "../lib/server.js";
import { launchBrowser, newPage } from "../lib/browser.js";
import {
  deliveryRow, paymentRow, shownEvents, signIn, startReceiver, waitForEvents, waitForStatus,
} from "../lib/dashboard.js";
import { CARDS, axeViolations, buyNow, describeViolations, dialog, payByCard, popupGone } from "../lib/shop.js";

const env = { server: undefined, browser: undefined, receiver: undefined, page: undefined };

before(async () => {
  env.receiver = await startReceiver();
  env.server = await startServer({ PAY_WEBHOOKS: env.receiver.setting("orders") });
  env.browser = await launchBrowser();
  env.page = await newPage(env.browser);
  await signIn(env.page, env.server);
});

after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  await env.receiver?.close();
});

async function assertAccessible(page, where) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `axe violations on ${where}:\n${describeViolations(violations)}`);
}

/** Problems other than the 4xx answers a test asked for. */
function unexpected(problems) {
  return problems.filter((p) => !/status of (401|409|422)/.test(p));
}

async function openPayment(page, id) {
  await page.goto(`${env.server.url}/dashboard/#/payments/${id}`);
  await page.locator("#payment-status").waitFor();
}

async function waitForWebhook(id, status) {
  const until = Date.now() + 15_000;
  while (!env.receiver.received.some((r) => r.paymentId === id && r.status === status)) {
    if (Date.now() > until) throw new Error(`no ${status} webhook for ${id}: ${JSON.stringify(env.receiver.received)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a wrong key is refused; the right one signs in, by keyboard, and is kept nowhere", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/dashboard/`);
  await page.waitForURL(/sign-in\.html$/);
  // The field has the focus: type, then Enter.
  await page.keyboard.type("sk_test_not_the_key_000000");
  await page.keyboard.press("Enter");
  await page.getByRole("alert").filter({ hasText: "not the secret key" }).waitFor();
  assert.equal(await page.getByLabel("Secret key").inputValue(), "");
  assert.equal(await page.evaluate(() => document.activeElement.id), "key");

  await page.keyboard.type(SECRET_KEY);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Payments" }).waitFor();

  assert.ok(!page.url().includes(SECRET_KEY));
  assert.ok(!(await page.content()).includes(SECRET_KEY));
  const stored = await page.evaluate(() => [
    document.cookie, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }),
  ]);
  assert.deepEqual(stored, ["", "{}", "{}"]);
  const [cookie] = await page.context().cookies();
  assert.equal(cookie.name, "pay_dashboard");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.ok(!cookie.value.includes(SECRET_KEY));
  assert.deepEqual(unexpected(page.problems), []);
});

test("a payment paid in the popup is found by its buyer's email and refunded in part, its event and delivery appear", async () => {
  const shop = await newPage(env.browser);
  await shop.goto(`${env.server.url}/`);
  const id = await buyNow(shop, 2);
  const email = `grace.${Date.now()}@example.com`;
  await dialog(shop).getByLabel("First name").fill("Grace");
  await dialog(shop).getByLabel("Last name").fill("Hopper");
  await dialog(shop).getByLabel("Email").fill(email);
  await dialog(shop).getByRole("button", { name: "Continue" }).click();
  await dialog(shop).getByRole("button", { name: "Credit or debit card" }).click();
  await dialog(shop).getByLabel("Card number").fill(CARDS.success);
  await dialog(shop).getByLabel("Expiry (MM/YY)").fill(`12/${String((new Date().getFullYear() + 3) % 100).padStart(2, "0")}`);
  await dialog(shop).getByLabel("Security code (CVC)").fill("123");
  await dialog(shop).getByRole("checkbox", { name: /I agree/ }).check();
  await dialog(shop).getByRole("button", { name: /^Pay / }).click();
  await popupGone(shop);

  const page = env.page;
  await page.goto(`${env.server.url}/dashboard/#/payments`);
  await page.getByLabel("Buyer email").fill(email.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  await paymentRow(page, id).filter({ hasText: email }).waitFor();
  assert.equal(await page.locator("tbody tr[data-payment-id]").count(), 1);
  assert.match(await paymentRow(page, id).textContent(), /\$25\.00/);
  await paymentRow(page, id).getByRole("link").click();
  await waitForStatus(page, "Successful");
  assert.match(await page.locator("#buyer").textContent(), /Grace Hopper/);
  assert.match(await page.locator("#attempts").textContent(), /visa •••• 4242/);
  assert.doesNotMatch(await page.content(), /4242 ?4242 ?4242 ?4242/);
  await deliveryRow(page, "Successful", "orders").and(page.locator('[data-state="delivered"]')).waitFor();

  // A refund states the amount and what is left, and sends nothing before it is confirmed.
  await page.getByLabel("Amount to refund").fill("5.00");
  await page.getByRole("button", { name: "Refund this amount" }).click();
  assert.equal(await page.locator("#refund-confirm-text").textContent(),
    "Refund $5.00 of the $25.00 paid? $20.00 will be left to refund.");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Confirm the refund of $5.00");
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await page.locator("#refund-confirm").isHidden(), true);
  assert.equal((await env.server.payment(id)).refundedAmount, 0);
  await page.getByRole("button", { name: "Refund this amount" }).click();
  await page.getByRole("button", { name: "Confirm the refund of $5.00" }).click();
  await page.locator("#notice").filter({ hasText: "Refunded $5.00: the payment is now PartiallyRefunded" }).waitFor();
  await waitForStatus(page, "PartiallyRefunded");
  await waitForEvents(page, ["Successful", "PartiallyRefunded"]);
  const delivered = deliveryRow(page, "PartiallyRefunded", "orders");
  await delivered.and(page.locator('[data-state="delivered"]')).waitFor();
  assert.equal(await delivered.locator(".tries").textContent(), "1");
  assert.equal(await delivered.locator(".response").textContent(), "204");
  await waitForWebhook(id, "PartiallyRefunded");
  assert.match(await page.locator("#refund-left").textContent(), /\$20\.00/);

  // More than is left: refused, and said so, without asking or sending.
  await page.getByLabel("Amount to refund").fill("20.01");
  await page.getByRole("button", { name: "Refund this amount" }).click();
  await page.locator("#notice").filter({ hasText: "Refund refused: at most $20.00 is left to refund." }).waitFor();
  assert.equal(await page.locator("#refund-confirm").isHidden(), true);
  assert.equal((await env.server.payment(id)).refundedAmount, 5);
  assert.deepEqual(unexpected(page.problems), []);
});

test("an offline payment is marked paid", async () => {
  const id = await seedPayment(env.server, "offline");
  const page = env.page;
  await openPayment(page, id);
  await waitForStatus(page, "Offline");
  await page.getByRole("button", { name: "Mark as paid" }).focus();
  await page.keyboard.press("Enter");
  await waitForStatus(page, "Successful");
  await waitForEvents(page, ["Offline", "Successful"]);
  // The button is gone: the focus is on the page's heading, not lost to the body.
  assert.equal(await page.evaluate(() => document.activeElement.tagName), "H1");
  assert.equal((await env.server.payment(id)).status, "Successful");
  assert.equal(await page.getByRole("button", { name: "Mark as paid" }).count(), 0);
});

test("what the operator types survives the live updates, with the focus", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  const page = env.page;
  await openPayment(page, id);
  const input = page.getByLabel("Amount to refund");
  await input.focus();
  await input.pressSequentially("1.5");
  await page.waitForTimeout(4500); // two polls, each reading the payment and its deliveries again
  assert.equal(await input.inputValue(), "1.5");
  assert.equal(await input.evaluate((el) => el === document.activeElement), true);
  await input.fill("");
});

test("an event is redelivered: its webhook is sent again and its tries go up", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  await waitForWebhook(id, "Successful");
  const page = env.page;
  await openPayment(page, id);
  const row = deliveryRow(page, "Successful", "orders");
  await row.and(page.locator('[data-state="delivered"]')).waitFor();
  const eventId = await page.locator('li.event[data-status="Successful"]').getAttribute("data-event-id");

  // By keyboard: focus the button, press Enter.
  await page.getByRole("button", { name: "Redeliver event 1 (Successful)" }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#notice").filter({ hasText: "queued again for" }).waitFor();
  await row.locator(".tries").filter({ hasText: "2" }).waitFor();
  const sent = env.receiver.received.filter((r) => r.id === eventId);
  assert.equal(sent.length, 2);
});

test("a state-changing request without the CSRF token is refused, with it accepted", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  const page = env.page;
  await openPayment(page, id);
  const answers = await page.evaluate(async (paymentId) => {
    const refund = (headers) => fetch(`/pay/v1/payments/${paymentId}/refunds`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ amount: "1.00" }),
    }).then((r) => r.status);
    const session = await fetch("/dashboard/session").then((r) => r.json());
    return [await refund({}), await refund({ "X-Pay-CSRF": "0".repeat(64) }), await refund({ "X-Pay-CSRF": session.csrfToken })];
  }, id);
  assert.deepEqual(answers, [401, 401, 201]);
  assert.equal((await env.server.payment(id)).refundedAmount, 1);
});

test("new payments and status changes appear without reloading; merchant text stays text", async () => {
  const page = env.page;
  await page.goto(`${env.server.url}/dashboard/#/payments`);
  await page.getByRole("heading", { level: 1, name: "Payments" }).waitFor();
  const name = `<img src=x onerror="window.__xss = 1">Mug`;
  const created = await env.server.merchant("POST", "/pay/v1/payments", {
    items: [{ name, price: 3, quantity: 1 }], amount: 3, currency: "USD",
  });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  await page.locator(`tr[data-payment-id="${id}"][data-status="Undefined"]`).waitFor();
  assert.equal(await paymentRow(page, id).locator(".items").textContent(), `${name} × 1`);
  assert.equal(await paymentRow(page, id).locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const first = await page.locator("tbody tr[data-payment-id]").first().getAttribute("data-payment-id");
  assert.equal(first, id);

  await env.server.request("POST", `/pay/v1/checkout/${id}/attempts`, {
    attemptId: "att_dashboard_live_1", method: "card",
    card: { number: "4242424242424242", expMonth: 12, expYear: new Date().getFullYear() + 3, cvc: "123" },
  });
  await page.locator(`tr[data-payment-id="${id}"][data-status="Successful"]`).waitFor();
});

test("the webhook endpoints page shows each endpoint's health", async () => {
  const page = env.page;
  await page.getByRole("link", { name: "Webhooks" }).click();
  const endpoint = page.locator('section[data-endpoint="orders"]');
  await endpoint.waitFor();
  assert.match(await endpoint.textContent(), /Delivered\s*[1-9]/);
  assert.match(await endpoint.textContent(), /Dead\s*0/);
  assert.equal(await page.getByRole("link", { name: "Webhooks" }).getAttribute("aria-current"), "page");
});

test("a failing endpoint: its failures and its pending deliveries show, beside a healthy one", async () => {
  const failing = await startReceiver({ answer: 500 });
  const server = await startServer({
    PAY_WEBHOOKS: `[${env.receiver.entry("orders")}, ${failing.entry("crm")}]`,
  });
  const page = await newPage(env.browser);
  try {
    const id = await seedPayment(server, CARDS.success);
    await signIn(page, server);
    await page.goto(`${server.url}/dashboard/#/payments/${id}`);
    await deliveryRow(page, "Successful", "orders").and(page.locator('[data-state="delivered"]')).waitFor();
    const crm = deliveryRow(page, "Successful", "crm").and(page.locator('[data-state="failed"]'));
    await crm.waitFor();
    assert.equal(await crm.locator(".response").textContent(), "500");

    await page.getByRole("link", { name: "Webhooks" }).click();
    const section = page.locator('section[data-endpoint="crm"]');
    await section.locator('tr[data-outcome="failed"]').waitFor();
    assert.match(await section.locator(".health").textContent(), /deliveries pending/);
    assert.match(await section.textContent(), /Pending\s*1/);
    assert.match(await section.locator('tr[data-outcome="failed"]').textContent(), /500/);
    // The failure links to its payment.
    await section.locator('tr[data-outcome="failed"] a').click();
    await page.locator("#payment-status").waitFor();
    assert.match(page.url(), new RegExp(`#/payments/${id}$`));
  } finally {
    await server.stop();
    await failing.close();
  }
});

test("a refund the provider confirms later, and one it refuses, are shown as such", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  const page = env.page;
  await openPayment(page, id);
  // The answers of a provider that confirms later, then refuses (the sandbox always confirms
  // at once): the page shows what the API says.
  const answers = [
    { status: 201, body: { refundId: "rf_1", amount: 2.50, state: "pending", status: "Successful", refundedAmount: 0 } },
    { status: 409, body: { code: "refund_refused", message: "the card's issuer refused the refund" } },
  ];
  const sent = [];
  await page.route("**/pay/v1/payments/*/refunds", async (route) => {
    sent.push(route.request().postDataJSON());
    const { status, body } = answers.shift();
    await route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  });
  try {
    await page.getByLabel("Amount to refund").fill("2.50");
    await page.getByRole("button", { name: "Refund this amount" }).click();
    await page.getByRole("button", { name: "Confirm the refund of $2.50" }).click();
    await page.locator("#notice").filter({ hasText: "Refund of $2.50 accepted: the provider confirms it later" }).waitFor();
    await page.getByRole("button", { name: "Refund all that is left" }).click();
    assert.match(await page.locator("#refund-confirm-text").textContent(), /\$0\.00 will be left to refund\.$/);
    await page.getByRole("button", { name: /^Confirm the refund of / }).click();
    await page.locator("#notice").filter({ hasText: "Refund refused by the provider: the card's issuer refused the refund" }).waitFor();
    // The amount went as the text typed, not as a float.
    assert.deepEqual(sent, [{ amount: "2.50" }, {}]);
  } finally {
    await page.unroute("**/pay/v1/payments/*/refunds");
  }
});

test("every page has no axe violations, also 360 px wide, and the dashboard chapter's screenshot", async () => {
  const refunded = await seedPayment(env.server, CARDS.success, { quantity: 2 });
  await env.server.merchant("POST", `/pay/v1/payments/${refunded}/refunds`, { amount: 5 });
  await seedPayment(env.server, CARDS.declined);
  await seedPayment(env.server, CARDS.pending);
  const offline = await seedPayment(env.server, "offline");
  await waitForWebhook(refunded, "PartiallyRefunded");

  const signInPage = await newPage(env.browser);
  await signInPage.goto(`${env.server.url}/dashboard/sign-in.html`);
  await assertAccessible(signInPage, "the sign-in page");
  await signInPage.getByRole("button", { name: "Sign in" }).click();
  await signInPage.getByRole("alert").filter({ hasText: "Enter the secret key" }).waitFor();
  await assertAccessible(signInPage, "the sign-in page with its error");

  const page = env.page;
  for (const width of [1000, 360]) {
    await page.setViewportSize({ width, height: 760 });
    const where = (name) => `${name} at ${width} px`;
    await page.goto(`${env.server.url}/dashboard/#/payments`);
    await paymentRow(page, offline).waitFor();
    await assertAccessible(page, where("the payments"));
    await page.goto(`${env.server.url}/dashboard/#/payments?status=Chargeback&amount=999`);
    await page.getByText("No payment matches this search.").waitFor();
    await assertAccessible(page, where("a search without results"));
    await openPayment(page, refunded);
    await deliveryRow(page, "PartiallyRefunded", "orders").waitFor();
    await assertAccessible(page, where("a refunded payment"));
    if (width === 1000) {
      const docs = join(ROOT, "docs");
      await mkdir(docs, { recursive: true });
      await page.screenshot({ path: join(docs, "dashboard.png"), fullPage: true });
    }
    await openPayment(page, offline);
    await assertAccessible(page, where("an offline payment"));
    await page.goto(`${env.server.url}/dashboard/#/webhooks`);
    await page.locator('section[data-endpoint="orders"]').waitFor();
    await assertAccessible(page, where("the webhook endpoints"));
    // Readable: nothing wider than the screen but the tables, which scroll in their region.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than ${width} px`);
  }
  await page.setViewportSize({ width: 1000, height: 760 });
  assert.deepEqual(unexpected(page.problems), []);
  assert.deepEqual(signInPage.problems, []);
});

test("search by id, status, amount and day (the operator's), pages of 20, amounts in their currency", async () => {
  const shop = await startServer();
  // A time zone where today is not today in UTC: the day filter must use the operator's.
  const timezoneId = new Date().getUTCHours() < 11 ? "Pacific/Pago_Pago" : "Pacific/Kiritimati";
  const page = await newPage(env.browser, { timezoneId });
  try {
    const create = async (amount, currency) => {
      const created = await shop.merchant("POST", "/pay/v1/payments", {
        items: [{ name: "Thing", price: amount, quantity: 1 }], amount, currency,
      });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    };
    const offline = await seedPayment(shop, "offline");
    const yen = await create("1200", "JPY");
    const odd = await create("7.77", "USD");
    for (let i = 0; i < 21; i += 1) await create("1.00", "USD");
    const newest = await create("2.00", "EUR");

    await signIn(page, shop);
    const rows = page.locator("tbody tr[data-payment-id]");
    await paymentRow(page, newest).waitFor();
    assert.equal(await rows.count(), 20);
    assert.equal(await rows.first().getAttribute("data-payment-id"), newest);
    assert.match(await paymentRow(page, newest).locator(".amount").textContent(), /€2\.00/);
    await page.getByRole("button", { name: "Next page" }).click();
    await paymentRow(page, offline).waitFor();
    assert.equal(await rows.count(), 5);
    assert.match(await paymentRow(page, yen).locator(".amount").textContent(), /¥1,200/);
    assert.match(await page.locator(".page-number").textContent(), /Page 2/);
    assert.equal(await page.getByRole("button", { name: "Next page" }).count(), 0);
    await page.getByRole("button", { name: "Previous page" }).click();
    await paymentRow(page, newest).waitFor();
    assert.equal(await rows.count(), 20);

    /** Clicks `action` and waits until the view it leads to is on screen. */
    const rendered = async (action) => {
      const before = await page.evaluate(() => document.body.dataset.renders);
      await action();
      await page.waitForFunction((b) => document.body.dataset.renders !== b, before);
    };
    const search = async (fields) => {
      await rendered(() => page.getByRole("button", { name: "Clear" }).click());
      for (const [label, value] of Object.entries(fields)) {
        if (label === "Status") await page.getByLabel(label).selectOption(value);
        else await page.getByLabel(label).fill(value);
      }
      // By keyboard: Enter in a text field submits the search, and so does Enter on the button.
      const last = Object.keys(fields).at(-1);
      const submit = last === "Status" ? page.getByRole("button", { name: "Search", exact: true }) : page.getByLabel(last);
      await rendered(() => submit.press("Enter"));
      return rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.paymentId));
    };
    assert.deepEqual(await search({ "Payment id": odd }), [odd]);
    assert.deepEqual(await search({ Amount: "7.770" }), [odd]);
    assert.deepEqual(await search({ Status: "Offline" }), [offline]);
    assert.deepEqual(await search({ Amount: "1200", Status: "Undefined" }), [yen]);
    const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: timezoneId, year: "numeric", month: "2-digit", day: "2-digit" })
      .format(new Date());
    const utcDay = new Date().toISOString().slice(0, 10);
    assert.notEqual(localDay, utcDay);
    assert.deepEqual(await search({ Amount: "7.77", From: localDay, To: localDay }), [odd]);
    assert.deepEqual(await search({ Amount: "7.77", From: utcDay, To: utcDay }), []);
    await page.getByText("No payment matches this search.").waitFor();
    assert.deepEqual(await search({ "Buyer email": "ADA@example" }), [offline]);
    assert.deepEqual(unexpected(page.problems), []);
  } finally {
    await shop.stop();
  }
});

test("sandbox actions: settle a pending payment now, then a chargeback", async () => {
  const slow = await startServer({ PAY_SANDBOX_SETTLE_DELAY_MS: "600000" });
  const page = await newPage(env.browser);
  try {
    await signIn(page, slow);
    const id = await seedPayment(slow, CARDS.pending);
    await page.goto(`${slow.url}/dashboard/#/payments/${id}`);
    await waitForStatus(page, "Pending");
    await page.getByRole("button", { name: "Settle now (test mode)" }).click();
    await waitForStatus(page, "Successful");
    assert.match(await page.locator("#notice").textContent(), /Settled: the payment is now Successful/);
    await page.getByRole("button", { name: "Raise a chargeback (test mode)" }).click();
    await waitForStatus(page, "Chargeback");
    await waitForEvents(page, ["Pending", "Successful", "Chargeback"]);
    await slow.waitForHookEvent(id, "Chargeback");
    assert.equal(await page.getByLabel("Amount to refund").count(), 0);
    assert.deepEqual(unexpected(page.problems), []);
  } finally {
    await slow.stop();
  }
});

test("signing out ends the session: the API refuses the old cookie, the pages ask to sign in", async () => {
  const page = await newPage(env.browser);
  await signIn(page, env.server);
  const [cookie] = await page.context().cookies();
  const token = await page.evaluate(() => fetch("/dashboard/session").then((r) => r.json()).then((s) => s.csrfToken));
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/sign-in\.html$/);
  assert.deepEqual(await page.context().cookies(), []);

  const replay = await env.server.request("GET", "/pay/v1/payments", undefined, {
    Cookie: `${cookie.name}=${cookie.value}`, "X-Pay-CSRF": token,
  });
  assert.equal(replay.status, 401);
  await page.goto(`${env.server.url}/dashboard/#/payments`);
  await page.waitForURL(/sign-in\.html$/);
  assert.deepEqual(await shownEvents(page), []);
});
