// The seed tutorial in a real browser: Buy Now → create-my-payment → startPayment → the
// popup → the Success / Pending box, and the events the demo's onPaymentUpdate hook receives.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import {
  CARDS,
  acceptTerms,
  buyNow,
  chooseMethod,
  dialog,
  fillCard,
  fillContact,
  payButton,
  payByCard,
  popupGone,
  resultBox,
  startFromPage,
} from "../lib/shop.js";

describe("buying in the demo shop", () => {
  const env = serverAndBrowser();
  let page;

  const openShop = async () => {
    page = await newPage(env.browser);
    await page.goto(`${env.server.url}/`);
    return page;
  };

  test("4242…: the Success box, and the hook receives a Successful event", async () => {
    await openShop();
    const id = await buyNow(page, 2);

    await payByCard(page, CARDS.success);
    await popupGone(page);

    assert.deepEqual(await resultBox(page), {
      id: "success",
      text: "Success! Thank you for your purchase.",
    });
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Successful"]);
    const details = await env.server.payment(id);
    assert.equal(details.status, "Successful");
    assert.equal(details.payment.amount, 25);
    // The page lists what the hook received.
    await page.locator('#order-events li[data-status="Successful"]').waitFor();
    assert.deepEqual(page.problems, []);
  });

  test("a declined card, then a retry with another card, then Success", async () => {
    await openShop();
    const id = await buyNow(page);
    await fillContact(page);
    await chooseMethod(page, "card");
    await fillCard(page, CARDS.declined);
    await acceptTerms(page);
    await payButton(page).click();

    const alert = dialog(page).getByRole("alert").filter({ hasText: "declined" });
    await alert.waitFor();
    assert.match(await alert.textContent(), /Your card was declined\..*try again/);
    await env.server.waitForHookEvent(id, "Failed");

    await dialog(page).getByLabel("Card number").fill(CARDS.success);
    await payButton(page).click();
    await popupGone(page);

    assert.equal((await resultBox(page)).id, "success");
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Failed", "Successful"]);
    assert.deepEqual(events.map((e) => e.sequence), [1, 2]);
    const details = await env.server.payment(id);
    assert.equal(details.status, "Successful");
    assert.equal(details.attempts.length, 2);
    assert.deepEqual(page.problems, []);
  });

  test("a decline, then closing the popup: the page hears Failed, and nothing is charged", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, CARDS.declined);
    await dialog(page).getByRole("alert").filter({ hasText: "declined" }).waitFor();
    await dialog(page).getByRole("button", { name: "Close" }).click();
    await popupGone(page);

    const box = await resultBox(page);
    assert.equal(box.id, "info");
    assert.match(box.text, /declined/);
    const events = await env.server.waitForHookEvent(id, "Failed");
    assert.deepEqual(events.map((e) => e.status), ["Failed"]);
    const view = await env.server.request("GET", `/pay/v1/checkout/${id}`);
    assert.equal(view.body.status, "Failed");
    assert.equal(view.body.payable, true);
    assert.deepEqual(page.problems, []);
  });

  test("a pending card: the Pending box, then the Successful event arrives", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, CARDS.pending);
    await popupGone(page);

    assert.equal((await resultBox(page)).id, "pending");
    const first = await env.server.hookEvents(id);
    assert.ok(first.every((e) => e.status === "Pending"), JSON.stringify(first));

    // The sandbox settles it after PAY_SANDBOX_SETTLE_DELAY_MS (1.5 s).
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Pending", "Successful"]);
    // …and the page, which polls the hook's log, shows it without a reload.
    await page.locator('#order-events li[data-status="Successful"]').waitFor();
    assert.equal((await env.server.payment(id)).status, "Successful");
    assert.deepEqual(page.problems, []);
  });

  test("the offline method: the order is placed, Offline, and nothing is charged yet", async () => {
    await openShop();
    const id = await buyNow(page);
    await fillContact(page);
    await chooseMethod(page, "offline");
    await acceptTerms(page);
    await dialog(page).getByRole("button", { name: "Place order" }).click();
    await popupGone(page);

    const box = await resultBox(page);
    assert.equal(box.id, "pending");
    assert.match(box.text, /Pay later/);
    const events = await env.server.waitForHookEvent(id, "Offline");
    assert.deepEqual(events.map((e) => e.status), ["Offline"]);
    const details = await env.server.payment(id);
    assert.equal(details.status, "Offline");
    assert.equal(details.attempts[0].method, "offline");
    assert.deepEqual(page.problems, []);
  });

  test("closing the popup: Cancelled, no event, and the same payment can be paid later", async () => {
    await openShop();
    const id = await buyNow(page);
    await fillContact(page);
    await dialog(page).getByRole("button", { name: "Close" }).click();
    await popupGone(page);

    const box = await resultBox(page);
    assert.equal(box.id, "info");
    assert.match(box.text, /cancelled/);
    const view = await env.server.request("GET", `/pay/v1/checkout/${id}`);
    assert.equal(view.body.status, "Undefined");
    assert.equal(view.body.payable, true);
    assert.deepEqual(await env.server.hookEvents(id), []);

    // Escape cancels too.
    const again = startFromPage(page, id);
    await dialog(page).waitFor();
    await page.keyboard.press("Escape");
    const cancelled = await again;
    assert.equal(cancelled.status, "Cancelled");
    assert.equal(cancelled.transactionId, null);
    await popupGone(page);

    // The same id, started again, is paid.
    const paid = startFromPage(page, id);
    await dialog(page).waitFor();
    await payByCard(page, CARDS.success);
    const result = await paid;
    assert.equal(result.status, "Successful");
    assert.equal(result.payment.id, id);
    await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(page.problems, []);
  });
});
