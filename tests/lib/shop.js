// Driving the demo shop and the Pay popup the way a visitor does: by roles and labels (the
// popup lives in an open shadow root, which Playwright's locators pierce).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const CARDS = {
  success: "4242 4242 4242 4242",
  declined: "4000 0000 0000 0002",
  pending: "4000 0000 0000 3220",
};

/** A future expiry as MM/YY. */
export function futureExpiry() {
  const year = (new Date().getFullYear() + 3) % 100;
  return `12/${String(year).padStart(2, "0")}`;
}

export function dialog(page) {
  return page.getByRole("dialog", { name: "Checkout" });
}

/** Clicks "Buy Now" and returns the id of the payment the shop created. */
export async function buyNow(page, quantity = 1) {
  await page.getByLabel("Quantity").fill(String(quantity));
  const created = page.waitForResponse((r) => r.url().endsWith("/api/create-my-payment"));
  await page.getByRole("button", { name: "Buy Now" }).click();
  const response = await created;
  if (response.status() !== 200) throw new Error(`create-my-payment: ${response.status()}`);
  const payment = await response.json();
  await dialog(page).waitFor();
  return payment.id;
}

export async function fillContact(page, { first = "Ada", last = "Lovelace", email = "ada@example.com" } = {}) {
  const d = dialog(page);
  await d.getByLabel("First name").fill(first);
  await d.getByLabel("Last name").fill(last);
  await d.getByLabel("Email").fill(email);
  await d.getByRole("button", { name: "Continue" }).click();
}

export async function chooseMethod(page, method) {
  const name = method === "offline" ? "Pay later (offline)" : "Credit or debit card";
  await dialog(page).getByRole("button", { name }).click();
}

export async function fillCard(page, number, { expiry = futureExpiry(), cvc = "123" } = {}) {
  const d = dialog(page);
  await d.getByLabel("Card number").fill(number);
  await d.getByLabel("Expiry (MM/YY)").fill(expiry);
  await d.getByLabel("Security code (CVC)").fill(cvc);
}

export async function acceptTerms(page) {
  await dialog(page).getByRole("checkbox", { name: /I agree/ }).check();
}

export function payButton(page) {
  return dialog(page).getByRole("button", { name: /^Pay / });
}

/** Contact, card method, card details, terms, Pay: the whole card path. */
export async function payByCard(page, number) {
  await fillContact(page);
  await chooseMethod(page, "card");
  await fillCard(page, number);
  await acceptTerms(page);
  await payButton(page).click();
}

/** Waits for the popup to be gone from the page (its host element included). */
export async function popupGone(page) {
  await page.locator("[data-pay-popup]").waitFor({ state: "detached" });
}

/** The shop's visible result box: `success`, `pending`, `info` or `error`, and its text. */
export async function resultBox(page) {
  const box = page.locator(".box:not([hidden])");
  await box.waitFor();
  return { id: await box.getAttribute("id"), text: (await box.textContent()).trim() };
}

// --- axe-core --------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page (shadow roots included); returns readable violations. */
export async function axeViolations(page) {
  // page.evaluate is not subject to the page's CSP.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary}`),
    }));
  });
  return violations;
}

export function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join("\n    ")}`)
    .join("\n");
}

/** Calls startPayment from the page itself, with the shop's options; resolves the result. */
export function startFromPage(page, paymentId) {
  return page.evaluate(async (id) => {
    const { startPayment } = await import("/sdk/index.js");
    return startPayment(id, {
      showThankYouPage: false,
      termsAndConditionsLink: new URL("/terms.html", location.href).href,
      allowManualPayment: true,
    });
  }, paymentId);
}
