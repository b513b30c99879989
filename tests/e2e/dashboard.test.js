// The merchant dashboard: payments and their events update live while a payment settles;
// refunds (partial, then the rest) and marking an offline payment paid, each with its event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedPayment, startServer } from "../lib/server.js";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { CARDS, buyNow, payByCard, popupGone } from "../lib/shop.js";

let dashboard;
const env = serverAndBrowser(async () => {
  dashboard = await newPage(env.browser);
  await dashboard.goto(`${env.server.url}/dashboard.html`);
});

const row = (id) => dashboard.locator(`tr[data-payment-id="${id}"]`);

/** The row's event statuses, in order, with a ✓ when the demo's hook received them. */
async function rowEvents(id) {
  return row(id)
    .locator("li.event")
    .evaluateAll((items) =>
      items.map((li) => `${li.dataset.status}${li.querySelector(".hook-received") ? " ✓" : ""}`),
    );
}

async function waitForRow(id, status) {
  await dashboard.locator(`tr[data-payment-id="${id}"][data-status="${status}"]`).waitFor();
}

async function waitForEvents(id, expected) {
  const until = Date.now() + 15_000;
  for (;;) {
    const events = await rowEvents(id);
    if (JSON.stringify(events) === JSON.stringify(expected)) return;
    if (Date.now() > until) assert.deepEqual(events, expected);
    await dashboard.waitForTimeout(100);
  }
}

test("empty at first, then a pending payment settles before your eyes", async () => {
  await dashboard.getByText("No payments yet").waitFor();

  const shop = await newPage(env.browser);
  await shop.goto(`${env.server.url}/`);
  const id = await buyNow(shop);
  await waitForRow(id, "Undefined");
  assert.match(await row(id).textContent(), /Pay mug × 1/);
  assert.match(await row(id).textContent(), /\$12\.50/);

  await payByCard(shop, CARDS.pending);
  await popupGone(shop);
  // No reload: the page polls every second.
  await waitForRow(id, "Pending");
  assert.match(await row(id).textContent(), /settles as Successful/);
  await waitForRow(id, "Successful");
  await waitForEvents(id, ["Pending ✓", "Successful ✓"]);
  assert.match(await row(id).locator(".attempts").textContent(), /visa •••• 3220/i);
  assert.deepEqual(dashboard.problems, []);
  assert.deepEqual(shop.problems, []);
});

test("a partial refund, a refused over-refund, then a refund of the rest", async () => {
  const id = await seedPayment(env.server, CARDS.success, { quantity: 2 });
  await waitForRow(id, "Successful");

  await row(id).getByLabel("Amount to refund").fill("5.00");
  await row(id).getByRole("button", { name: /^Refund: payment/ }).click();
  await waitForRow(id, "PartiallyRefunded");
  assert.match(await dashboard.locator("#notice").textContent(), /Refunded 5(\.00)? .*PartiallyRefunded/);
  assert.match(await row(id).locator(".amount").textContent(), /refunded \$5\.00/);
  assert.match(await row(id).locator(".left").textContent(), /up to \$20\.00/);

  await row(id).getByLabel("Amount to refund").fill("20.01");
  await row(id).getByRole("button", { name: /^Refund: payment/ }).click();
  await dashboard.locator("#notice").filter({ hasText: "Refund refused" }).waitFor();
  assert.equal((await env.server.payment(id)).refundedAmount, 5);

  await row(id).getByRole("button", { name: /^Refund all/ }).click();
  await waitForRow(id, "Refunded");
  await waitForEvents(id, ["Successful ✓", "PartiallyRefunded ✓", "Refunded ✓"]);
  assert.equal(await row(id).getByRole("button", { name: /^Refund all/ }).isVisible(), false);
  const details = await env.server.payment(id);
  assert.equal(details.status, "Refunded");
  assert.equal(details.refundedAmount, 25);
  assert.deepEqual(dashboard.problems.filter((p) => !p.includes("status of 409")), []);
});

test("an offline payment is marked paid", async () => {
  const id = await seedPayment(env.server, "offline");
  await waitForRow(id, "Offline");
  assert.match(await row(id).textContent(), /to be paid later/);
  await row(id).getByRole("button", { name: /^Mark as paid/ }).click();
  await waitForRow(id, "Successful");
  await waitForEvents(id, ["Offline ✓", "Successful ✓"]);
  assert.equal((await env.server.payment(id)).status, "Successful");
  assert.equal(await row(id).getByRole("button", { name: /^Mark as paid/ }).isVisible(), false);
});

test("merchant-supplied text is shown as text, never run as HTML", async () => {
  const name = `<img src=x onerror="window.__xss = 1">Mug`;
  const created = await env.server.merchant("POST", "/pay/v1/payments", {
    items: [{ name, price: 3, quantity: 1 }],
    amount: 3,
    currency: "USD",
  });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  await waitForRow(id, "Undefined");
  assert.equal(await row(id).locator(".items").textContent(), `${name} × 1`);
  assert.equal(await row(id).locator("img").count(), 0);
  assert.equal(await dashboard.evaluate(() => window.__xss), undefined);
});

test("the rows keep the newest first and the focus survives a refresh", async () => {
  const id = await seedPayment(env.server, CARDS.success);
  await waitForRow(id, "Successful");
  const first = await dashboard.locator("#payment-rows tr").first().getAttribute("data-payment-id");
  assert.equal(first, id);
  const input = row(id).getByLabel("Amount to refund");
  await input.focus();
  await input.pressSequentially("1.5");
  await dashboard.waitForTimeout(2200); // two refreshes
  assert.equal(await input.inputValue(), "1.5");
  assert.equal(await input.evaluate((el) => el === document.activeElement), true);
});

test("sandbox actions: settle a pending payment now, then a chargeback", async () => {
  const slow = await startServer({ PAY_SANDBOX_SETTLE_DELAY_MS: "600000" });
  const page = await newPage(env.browser);
  try {
    await page.goto(`${slow.url}/dashboard.html`);
    const id = await seedPayment(slow, CARDS.pending);
    const tr = page.locator(`tr[data-payment-id="${id}"]`);
    await page.locator(`tr[data-payment-id="${id}"][data-status="Pending"]`).waitFor();
    await tr.getByRole("button", { name: /^Settle now/ }).click();
    await page.locator(`tr[data-payment-id="${id}"][data-status="Successful"]`).waitFor();
    assert.match(await page.locator("#notice").textContent(), /settled: it is now Successful/);

    await tr.getByRole("button", { name: /^Chargeback/ }).click();
    await page.locator(`tr[data-payment-id="${id}"][data-status="Chargeback"]`).waitFor();
    await slow.waitForHookEvent(id, "Chargeback");
    const statuses = (await slow.hookEvents(id)).map((e) => e.status);
    assert.deepEqual(statuses, ["Pending", "Successful", "Chargeback"]);
    assert.equal(await tr.getByRole("button", { name: /^Refund all/ }).isVisible(), false);
    assert.deepEqual(page.problems, []);
  } finally {
    await slow.stop();
  }
});

test("after a restart the payments and their events are all there", async () => {
  const first = await startServer();
  const id = await seedPayment(first, CARDS.success);
  await first.waitForHookEvent(id, "Successful");
  await first.stop({ keepData: true });

  const again = await startServer({}, { reuse: first });
  const page = await newPage(env.browser);
  try {
    await page.goto(`${again.url}/dashboard.html`);
    const tr = page.locator(`tr[data-payment-id="${id}"][data-status="Successful"]`);
    await tr.waitFor();
    // The demo's hook log is in memory: the event delivered before the restart is marked so.
    assert.equal(await tr.locator("li.event .hook-earlier").count(), 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await again.stop();
  }
});
