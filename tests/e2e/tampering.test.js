// A visitor who edits what the browser sends: a price or an amount posted to every route the
// page can reach never changes what is charged. The check is the merchant API (with the key):
// the amount stays what the catalog says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newPage } from "../lib/browser.js";
import { SECRET_KEY } from "../lib/server.js";
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
  popupGone,
  resultBox,
} from "../lib/shop.js";

let page;
const env = serverAndBrowser(async () => {
  page = await newPage(env.browser);
  await page.goto(`${env.server.url}/`);
});

/** A request sent by the page itself (same origin, the visitor's browser). */
function fromPage(method, path, body, headers = {}) {
  return page.evaluate(
    async ({ method, path, body, headers }) => {
      const response = await fetch(path, {
        method,
        headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, text };
    },
    { method, path, body, headers },
  );
}

async function allPayments() {
  const { status, body } = await env.server.merchant("GET", "/pay/v1/payments?limit=100");
  assert.equal(status, 200);
  return body.data;
}

test("create-my-payment takes a product id and a quantity, never a price", async () => {
  for (const body of [
    { productId: "mug", quantity: 1, price: 0.01 },
    { productId: "mug", quantity: 1, amount: 0.01 },
    { productId: "mug", quantity: 1, currency: "JPY" },
    { productId: "mug", items: [{ name: "Pay mug", price: 0.01, quantity: 1 }], amount: 0.01 },
    { productId: "mug", quantity: 0 },
    { productId: "mug", quantity: -1 },
    { productId: "mug", quantity: 1.5 },
    { productId: "mug", quantity: 11 },
    { productId: "mug", quantity: "1; price=0" },
    { productId: "yacht", quantity: 1 },
  ]) {
    const response = await fromPage("POST", "/api/create-my-payment", body);
    assert.ok(
      response.status >= 400 && response.status < 500,
      `${JSON.stringify(body)} → ${response.status} ${response.text}`,
    );
  }
  assert.deepEqual(await allPayments(), [], "a refused order created a payment");
});

test("the checkout attempt refuses amount, price, currency and items fields", async () => {
  const created = await fromPage("POST", "/api/create-my-payment", { productId: "mug", quantity: 1 });
  const id = JSON.parse(created.text).id;
  const card = { number: "4242424242424242", expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: "123" };
  const base = {
    method: "card",
    userInfo: { firstName: "Eve", lastName: "Mallory", email: "eve@example.com" },
    card,
  };
  const tampered = [
    { amount: 0.01 },
    { price: 0.01 },
    { currency: "JPY" },
    { items: [{ name: "Pay mug", price: 0.01, quantity: 1 }] },
    { payment: { amount: 0.01, currency: "USD" } },
    { card: { ...card, amount: 0.01 } },
  ];
  for (const [i, extra] of tampered.entries()) {
    const body = { ...base, attemptId: `att_tamper_${i}_xxxxxxxx`, ...extra };
    const response = await fromPage("POST", `/pay/v1/checkout/${id}/attempts`, body);
    assert.ok(
      response.status >= 400 && response.status < 500,
      `${JSON.stringify(extra)} → ${response.status} ${response.text}`,
    );
  }
  // The checkout view cannot be written to.
  for (const method of ["PUT", "PATCH", "DELETE"]) {
    const response = await fromPage(method, `/pay/v1/checkout/${id}`, { amount: 0.01 });
    assert.ok(response.status >= 400 && response.status < 500, `${method} → ${response.status}`);
  }
  const details = await env.server.payment(id);
  assert.equal(details.status, "Undefined");
  assert.equal(details.payment.amount, 12.5);
  assert.equal(details.payment.currency, "USD");
  assert.deepEqual(details.attempts, []);
});

test("a popup whose request is rewritten in flight charges the catalog price or nothing", async () => {
  const id = await buyNow(page, 2);
  // Every attempt the popup sends gets a lower amount, another currency and cheaper items.
  let rewritten = 0;
  await page.route("**/pay/v1/checkout/*/attempts", async (route) => {
    const body = JSON.parse(route.request().postData());
    rewritten += 1;
    await route.continue({
      postData: JSON.stringify({
        ...body,
        amount: 0.01,
        currency: "JPY",
        items: [{ name: "Pay mug", price: 0.01, quantity: 2 }],
      }),
    });
  });
  await fillContact(page);
  await chooseMethod(page, "card");
  await fillCard(page, CARDS.success);
  await acceptTerms(page);
  await payButton(page).click();
  await dialog(page).getByRole("alert").filter({ hasText: /\S/ }).waitFor();
  assert.equal(rewritten, 1);
  let details = await env.server.payment(id);
  assert.equal(details.status, "Undefined", "a rewritten attempt was charged");

  // Without the rewriting, the visitor pays: the catalog's amount.
  await page.unroute("**/pay/v1/checkout/*/attempts");
  await payButton(page).click();
  await popupGone(page);
  assert.equal((await resultBox(page)).id, "success");
  details = await env.server.payment(id);
  assert.equal(details.status, "Successful");
  assert.equal(details.payment.amount, 25);
  assert.equal(details.payment.currency, "USD");
  assert.deepEqual(
    details.payment.items.map((i) => [i.name, i.price, i.quantity]),
    [["Pay mug", 12.5, 2]],
  );
  assert.equal(details.refundedAmount, 0);

  // A second payment attempt on a paid payment charges nothing.
  const replay = await fromPage("POST", `/pay/v1/checkout/${id}/attempts`, {
    attemptId: "att_tamper_replay_xxxx",
    method: "card",
    card: { number: "4242424242424242", expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: "123" },
  });
  assert.equal(replay.status, 409, replay.text);
  assert.equal((await env.server.payment(id)).attempts.length, 1);
});

test("the merchant API refuses the page: no key, a wrong key, a made-up key", async () => {
  const before = (await allPayments()).length;
  const id = await buyNow(page);
  await dialog(page).getByRole("button", { name: "Close" }).click();
  await popupGone(page);
  const paid = (await allPayments()).find((p) => p.status === "Successful").payment.id;
  const keys = [{}, { Authorization: "Bearer " }, { Authorization: "Bearer sk_test_guess_0123456789" }];
  for (const headers of keys) {
    const cheap = { items: [{ name: "Pay mug", price: 0.01, quantity: 1 }], amount: 0.01, currency: "USD" };
    for (const [method, path, body] of [
      ["POST", "/pay/v1/payments", cheap],
      ["GET", "/pay/v1/payments", undefined],
      ["GET", `/pay/v1/payments/${id}`, undefined],
      ["POST", `/pay/v1/payments/${paid}/refunds`, {}],
      ["POST", `/pay/v1/payments/${paid}/refunds`, { amount: 1 }],
      ["POST", `/pay/v1/payments/${id}/mark-paid`, undefined],
    ]) {
      const response = await fromPage(method, path, body, headers);
      assert.equal(response.status, 401, `${method} ${path} ${JSON.stringify(headers)}: ${response.text}`);
    }
  }
  const details = await env.server.payment(id);
  assert.equal(details.payment.amount, 12.5);
  assert.equal(details.status, "Undefined");
  assert.equal((await env.server.payment(paid)).refundedAmount, 0);
  assert.equal((await allPayments()).length, before + 1, "a payment was created without the key");
});

test("signed in to the dashboard, a refund still cannot add money to a payment", async () => {
  const paid = (await allPayments()).find((p) => p.status === "Successful").payment.id;
  // What the dashboard's page does: sign in (the cookie), read the session's CSRF token.
  const signedIn = await fromPage("POST", "/dashboard/session", { key: SECRET_KEY });
  assert.equal(signedIn.status, 200, signedIn.text);
  const csrf = { "X-Pay-CSRF": JSON.parse(signedIn.text).csrfToken };
  for (const body of [{ amount: -5 }, { amount: "-5.00" }, { amount: 0 }, { amount: "0.001" }, { amount: "1000" }, { amount: "1e3" }]) {
    const response = await fromPage("POST", `/pay/v1/payments/${paid}/refunds`, body, csrf);
    assert.ok(response.status >= 400 && response.status < 500, `${JSON.stringify(body)} → ${response.status} ${response.text}`);
  }
  const details = await env.server.payment(paid);
  assert.equal(details.status, "Successful");
  assert.equal(details.refundedAmount, 0);
  assert.equal(details.payment.amount, 25);
  assert.deepEqual(page.problems.filter((p) => !p.includes("status of 4")), []);
});
