// axe-core on the demo page, on every step of the popup (errors shown included); and the
// README's screenshot of the popup (docs/popup.png), taken on the card step. The dashboard's
// pages have their axe runs in dashboard.test.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "../lib/server.js";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import {
  CARDS,
  acceptTerms,
  axeViolations,
  buyNow,
  chooseMethod,
  describeViolations,
  dialog,
  fillCard,
  fillContact,
  payButton,
  popupGone,
  resultBox,
} from "../lib/shop.js";

const env = serverAndBrowser();

async function assertAccessible(page, where) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `axe violations on ${where}:\n${describeViolations(violations)}`);
}

test("the demo page, every popup step, the outcome and the terms page have no axe violations", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
  await assertAccessible(page, "the demo page");

  await buyNow(page);
  await assertAccessible(page, "the contact step");

  // Submitting it empty shows an error on each required field.
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await dialog(page).locator("#pay-firstName-error").filter({ hasText: "required" }).waitFor();
  await assertAccessible(page, "the contact step with errors");

  await fillContact(page);
  await dialog(page).getByRole("button", { name: "Credit or debit card" }).waitFor();
  await assertAccessible(page, "the payment method step");

  await chooseMethod(page, "offline");
  await dialog(page).getByRole("button", { name: "Place order" }).waitFor();
  await assertAccessible(page, "the offline step");
  await dialog(page).getByRole("button", { name: "Place order" }).click();
  await dialog(page).locator("#pay-terms-error").filter({ hasText: "terms" }).waitFor();
  await assertAccessible(page, "the offline step with the terms error");
  await dialog(page).getByRole("button", { name: "Back" }).click();

  await chooseMethod(page, "card");
  await dialog(page).getByLabel("Card number").waitFor();
  await assertAccessible(page, "the card step");

  await fillCard(page, CARDS.success);
  await dialog(page).locator("[data-brand]").waitFor();
  await acceptTerms(page);
  await assertAccessible(page, "the card step, filled in");

  // The README's screenshot.
  await mkdir(join(ROOT, "docs"), { recursive: true });
  await page.screenshot({
    path: join(ROOT, "docs", "popup.png"),
    animations: "disabled",
    caret: "hide",
  });

  await dialog(page).getByLabel("Card number").fill("4242 4242 4242 4241");
  await payButton(page).click();
  await dialog(page).locator("#pay-cardNumber-error").filter({ hasText: /\S/ }).waitFor();
  await assertAccessible(page, "the card step with an invalid card number");

  await fillCard(page, CARDS.declined);
  await payButton(page).click();
  await dialog(page).getByRole("alert").filter({ hasText: "declined" }).waitFor();
  await assertAccessible(page, "the card step after a decline");

  await dialog(page).getByLabel("Card number").fill(CARDS.success);
  await payButton(page).click();
  await popupGone(page);
  assert.equal((await resultBox(page)).id, "success");
  await page.locator('#order-events li[data-status="Successful"]').waitFor();
  await assertAccessible(page, "the demo page with its Success box and events");

  await page.goto(`${env.server.url}/terms.html`);
  await assertAccessible(page, "the terms page");
  assert.deepEqual(page.problems, []);
});

test("the thank-you screen of the popup has no axe violations", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
  const { body } = await env.server.request("POST", "/api/create-my-payment", { productId: "tee" });
  const result = page.evaluate(async (id) => {
    const { startPayment } = await import("/sdk/index.js");
    return startPayment(id, { showThankYouPage: true });
  }, body.id);
  await dialog(page).waitFor();
  await fillContact(page);
  await fillCard(page, CARDS.pending);
  await payButton(page).click();
  await dialog(page).getByRole("button", { name: "Done" }).waitFor();
  await assertAccessible(page, "the thank-you screen");
  await dialog(page).getByRole("button", { name: "Done" }).click();
  assert.equal((await result).status, "Pending");
  assert.deepEqual(page.problems, []);
});
