// 3-D Secure and provider faults through the popup in a real browser: the sandbox's challenge
// shown in a frame inside the dialog, answered there, the popup finishing when the frame comes
// back; Cancel abandoning it; a provider that times out after charging, resolved by look-up.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { serverAndBrowser } from "../lib/fixture.js";
import { axeViolations, buyNow, describeViolations, dialog, payButton, payByCard, popupGone, resultBox } from "../lib/shop.js";

const CHALLENGE = "4000 0025 0000 3155";
const CHALLENGE_DECLINED = "4000 0084 0000 1629";
const TIMES_OUT_AFTER_CHARGING = "4000 0000 0000 0119";
const FAILS_WITHOUT_CHARGING = "4000 0000 0000 0507";

describe("3-D Secure and provider faults in the popup", () => {
  const env = serverAndBrowser();
  let page;

  const openShop = async () => {
    page = await newPage(env.browser);
    await page.goto(`${env.server.url}/`);
    return page;
  };

  /** The sandbox provider's own books for a payment: its charges. */
  const sandboxCharges = async (id) => (await env.server.request("GET", `/pay/v1/test/payments/${id}/charges`)).body;

  /** The challenge frame inside the dialog, once it shows. */
  const challengeFrame = async () => {
    const frame = dialog(page).locator("iframe");
    await frame.waitFor();
    return frame;
  };

  test("a challenge completed in the frame: Success, charged once", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, CHALLENGE);

    const frame = await challengeFrame();
    assert.ok(await frame.getAttribute("title"), "the frame has a title");
    assert.match(await frame.getAttribute("src"), new RegExp(`/pay/v1/sandbox/challenges/${id}/`));
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await page.frameLocator("[data-pay-popup] iframe").getByRole("button", { name: "Complete authentication" }).click();
    await popupGone(page);

    assert.equal((await resultBox(page)).id, "success");
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Successful"]);
    assert.equal((await sandboxCharges(id)).length, 1);
    assert.deepEqual(page.problems, []);
  });

  test("a challenge the card then declines: the decline is shown and the buyer pays with another card", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, CHALLENGE_DECLINED);
    await challengeFrame();
    await page.frameLocator("[data-pay-popup] iframe").getByRole("button", { name: "Complete authentication" }).click();
    await dialog(page).getByRole("alert").filter({ hasText: "declined" }).waitFor();
    await dialog(page).getByLabel("Card number").fill("4242 4242 4242 4242");
    await payButton(page).click();
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Failed", "Successful"]);
    assert.deepEqual(page.problems, []);
  });

  test("Cancel during the challenge: authentication failed, nothing charged", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, CHALLENGE);
    await challengeFrame();
    await dialog(page).getByRole("button", { name: "Cancel" }).click();
    await dialog(page).getByRole("alert").waitFor();
    const details = await env.server.payment(id);
    assert.equal(details.status, "Failed");
    assert.equal(details.attempts[0].declineCode, "authentication_failed");
    assert.equal(details.attempts[0].resolvedBy, "abandoned");
    const charges = await sandboxCharges(id);
    assert.ok(charges.every((c) => c.answer !== "complete"), JSON.stringify(charges));
    assert.deepEqual(page.problems, []);
  });

  test("a provider that times out after charging: the popup waits, then Success, charged once", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, TIMES_OUT_AFTER_CHARGING);
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    const details = await env.server.payment(id);
    assert.equal(details.status, "Successful");
    assert.equal(details.attempts[0].resolvedBy, "lookup");
    assert.equal((await sandboxCharges(id)).length, 1);
    assert.deepEqual(page.problems, []);
  });

  test("a provider 500 that charged nothing: the popup says so, and the buyer pays again", async () => {
    await openShop();
    const id = await buyNow(page);
    await payByCard(page, FAILS_WITHOUT_CHARGING);
    const alert = dialog(page).getByRole("alert").filter({ hasText: "could not be processed" });
    await alert.waitFor();
    assert.deepEqual(await sandboxCharges(id), []);
    await dialog(page).getByLabel("Card number").fill("4242 4242 4242 4242");
    await payButton(page).click();
    await popupGone(page);
    assert.equal((await resultBox(page)).id, "success");
    const events = await env.server.waitForHookEvent(id, "Successful");
    assert.deepEqual(events.map((e) => e.status), ["Failed", "Successful"]);
    assert.equal((await sandboxCharges(id)).length, 1);
    assert.deepEqual(page.problems, []);
  });
});
