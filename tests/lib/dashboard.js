// The merchant dashboard (/dashboard/, served by the Pay server) the way an operator uses it,
// and a webhook endpoint on loopback that records what Pay delivers to it.
import { createServer } from "node:http";
import { SECRET_KEY } from "./server.js";

/** Opens the dashboard, is sent to the sign-in page, signs in with `key`; waits for the list. */
export async function signIn(page, server, key = SECRET_KEY) {
  await page.goto(`${server.url}/dashboard/`);
  await page.waitForURL(/\/dashboard\/sign-in\.html$/);
  await page.getByLabel("Secret key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (key === SECRET_KEY) await page.getByRole("heading", { level: 1, name: "Payments" }).waitFor();
}

/** The row of a payment in the list. */
export function paymentRow(page, id) {
  return page.locator(`tr[data-payment-id="${id}"]`);
}

/** The status the payment page shows. */
export function shownStatus(page) {
  return page.locator("#payment-status").getAttribute("data-status");
}

/** Waits until the payment page shows `status` (it updates itself: no reload). */
export async function waitForStatus(page, status) {
  await page.locator(`#payment-status[data-status="${status}"]`).waitFor();
}

/** The payment page's event statuses, in order. */
export async function shownEvents(page) {
  return page.locator("li.event").evaluateAll((items) => items.map((li) => li.dataset.status));
}

/** Waits until the payment page lists exactly `expected` event statuses. */
export async function waitForEvents(page, expected, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const events = await shownEvents(page);
    if (JSON.stringify(events) === JSON.stringify(expected)) return;
    if (Date.now() > until) throw new Error(`events ${JSON.stringify(events)}, expected ${JSON.stringify(expected)}`);
    await page.waitForTimeout(100);
  }
}

/** The delivery row of event `status` to endpoint `name` on the payment page. */
export function deliveryRow(page, status, name) {
  return page.locator(`li.event[data-status="${status}"] tr[data-endpoint="${name}"]`);
}

/**
 * A webhook endpoint on 127.0.0.1 that answers `answer` (204) and records each delivery
 * (`{id, status, paymentId}` from its webhook-id header and body).
 */
export async function startReceiver({ answer = 204 } = {}) {
  const received = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => { body += chunk; });
    req.on("end", () => {
      try {
        const event = JSON.parse(body);
        received.push({ id: req.headers["webhook-id"], status: event.status, paymentId: event.payment?.id });
      } catch {
        received.push({ id: req.headers["webhook-id"], status: null });
      }
      res.writeHead(answer).end();
    });
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/pay-webhook`,
    received,
    /** `PAY_WEBHOOKS` naming this endpoint `name`. */
    setting(name = "orders") {
      return `[${this.entry(name)}]`;
    },
    /** This endpoint as one entry of `PAY_WEBHOOKS`. */
    entry(name) {
      return `{ name = "${name}", url = "http://127.0.0.1:${port}/pay-webhook", secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }`;
    },
    close: () => new Promise((done) => server.close(done)),
  };
}
