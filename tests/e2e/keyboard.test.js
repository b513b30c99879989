// A purchase with the keyboard only: Tab to "Buy Now", Enter, type into the popup, Tab
// through the focus trap, Space for the terms, Enter to pay; focus comes back to the button.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { CARDS, futureExpiry, popupGone, resultBox } from "../lib/shop.js";

const env = serverAndBrowser();

/** The focused element, looking into shadow roots. */
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return {
      id: el?.id ?? "",
      tag: el?.tagName ?? "",
      type: el?.getAttribute("type") ?? "",
      text: (el?.textContent ?? "").trim(),
    };
  });
}

/** Presses Tab until `matches(focused)`, at most `max` times. */
async function tabTo(page, matches, what, max = 12) {
  for (let i = 0; i < max; i++) {
    if (matches(await focused(page))) return;
    await page.keyboard.press("Tab");
  }
  const last = await focused(page);
  assert.fail(`Tab never reached ${what}; focus is on ${JSON.stringify(last)}`);
}

test("a keyboard-only purchase", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
  const kb = page.keyboard;

  await tabTo(page, (f) => f.id === "buy", "Buy Now");
  await kb.press("Enter");

  // Focus moves into the popup, onto the first contact field.
  await page.getByRole("dialog", { name: "Checkout" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.hasAttribute("data-pay-popup"));
  assert.equal((await focused(page)).id, "pay-firstName");
  await kb.type("Grace");
  await kb.press("Tab");
  assert.equal((await focused(page)).id, "pay-lastName");
  await kb.type("Hopper");
  await kb.press("Tab");
  assert.equal((await focused(page)).id, "pay-email");
  await kb.type("grace@example.com");
  await kb.press("Enter");

  // The payment method step: focus on the first method.
  await page.getByRole("button", { name: "Credit or debit card" }).waitFor();
  await page.waitForFunction(() => {
    const root = document.querySelector("[data-pay-popup]")?.shadowRoot;
    return root?.activeElement?.getAttribute("data-action") === "card";
  });
  await kb.press("Enter");

  // The card step.
  await page.getByLabel("Card number").waitFor();
  await page.waitForFunction(
    () => document.querySelector("[data-pay-popup]")?.shadowRoot?.activeElement?.id === "pay-cardNumber",
  );
  await kb.type(CARDS.success);
  await kb.press("Tab");
  assert.equal((await focused(page)).id, "pay-cardExpiry");
  await kb.type(futureExpiry());
  await kb.press("Tab");
  assert.equal((await focused(page)).id, "pay-cardCvc");
  await kb.type("123");
  await tabTo(page, (f) => f.id === "pay-terms", "the terms checkbox");
  await kb.press("Space");
  assert.equal(await page.getByRole("checkbox", { name: /I agree/ }).isChecked(), true);
  await tabTo(page, (f) => f.tag === "BUTTON" && f.text.startsWith("Pay "), "the Pay button");
  await kb.press("Enter");

  await popupGone(page);
  assert.equal((await resultBox(page)).id, "success");
  // Focus is back where it was before the popup opened.
  assert.equal((await focused(page)).id, "buy");
  const paymentId = (await page.locator("#order-payment").textContent()).trim();
  await env.server.waitForHookEvent(paymentId, "Successful");
  assert.deepEqual(page.problems, []);
});

test("the focus stays trapped in the popup, and Escape closes it", async () => {
  const page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
  await tabTo(page, (f) => f.id === "buy", "Buy Now");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog", { name: "Checkout" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.hasAttribute("data-pay-popup"));
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
    assert.equal(
      await page.evaluate(() => document.activeElement?.hasAttribute("data-pay-popup")),
      true,
      `focus left the popup after ${i + 1} Tab presses`,
    );
  }
  await page.keyboard.press("Escape");
  await popupGone(page);
  assert.equal((await resultBox(page)).id, "info");
  assert.equal((await focused(page)).id, "buy");
  assert.deepEqual(page.problems, []);
});
