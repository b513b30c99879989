// The demo shop's server (the real Pay server with the shop's routes: the example
// pay-backend/examples/demo_shop) as a child process: a fresh SQLite file in a temp dir, port 0,
// the demo site and the SDK package. Resolves once the server prints its address.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SECRET_KEY = "sk_test_e2e_0123456789abcdef";

/** `target/debug/examples/demo_shop`, honouring CARGO_TARGET_DIR (or PAY_E2E_BIN). */
export function backendBinary() {
  if (process.env.PAY_E2E_BIN) return resolve(process.env.PAY_E2E_BIN);
  return resolve(ROOT, process.env.CARGO_TARGET_DIR ?? "target", "debug", "examples", "demo_shop");
}

/**
 * Starts a server; `reuse` (a stopped server) starts it again on the same database file.
 */
export async function startServer(extraEnv = {}, { reuse } = {}) {
  const dir = reuse ? reuse.dir : await mkdtemp(join(tmpdir(), "pay-e2e-"));
  // Nothing from the caller's own PAY_* settings leaks into the test server.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("PAY_")),
  );
  Object.assign(env, {
    PAY_PORT: "0",
    PAY_HOST: "127.0.0.1",
    PAY_DATABASE_URL: `sqlite://${join(dir, "pay.db")}`,
    PAY_WWW_DIR: resolve(ROOT, "www"),
    PAY_SDK_DIR: resolve(ROOT, process.env.PAY_E2E_SDK_DIR ?? "pay-frontend/pkg"),
    PAY_OFFLINE_PAYMENTS: "true",
    PAY_SECRET_KEY: SECRET_KEY,
    PAY_SANDBOX_SETTLE_DELAY_MS: "1500",
    // Every test visitor is 127.0.0.1: the card-testing limit would throttle the suite.
    PAY_ATTEMPTS_PER_MINUTE_PER_IP: "0",
    PAY_LOG: process.env.PAY_E2E_LOG ?? "warn,pay_backend=info",
    ...extraEnv,
  });
  const child = spawn(backendBinary(), [], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  const address = await new Promise((resolveAddress, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log.join("\n")}`)), 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log.join("\n")}`));
    });
    // The address line comes through the log (stdout or stderr, text or JSON).
    for (const input of [child.stdout, child.stderr]) {
      createInterface({ input }).on("line", (line) => {
        log.push(line);
        const found = /listening on (http:\/\/[^\s"]+)/.exec(line);
        if (found) {
          clearTimeout(timer);
          resolveAddress(found[1]);
        }
      });
    }
  });
  return new Server(child, dir, address, log);
}

export class Server {
  constructor(child, dir, address, log) {
    this.child = child;
    this.dir = dir;
    this.url = address.replace(/\/$/, "");
    this.log = log;
  }

  /** Stops the server; with `{ keepData: true }` its database stays for a restart. */
  async stop({ keepData = false } = {}) {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((done) => this.child.once("exit", done));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepData) await rm(this.dir, { recursive: true, force: true });
  }

  /** A request with the merchant's secret key; resolves `{status, body, text}`. */
  async merchant(method, path, body) {
    return this.request(method, path, body, { Authorization: `Bearer ${SECRET_KEY}` });
  }

  async request(method, path, body, headers = {}) {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: json, text };
  }

  /** The payment as the merchant API sees it. */
  async payment(id) {
    const { status, body } = await this.merchant("GET", `/pay/v1/payments/${id}`);
    if (status !== 200) throw new Error(`GET payment ${id}: ${status}`);
    return body;
  }

  /** What the demo's onPaymentUpdate hook has received for a payment. */
  async hookEvents(id) {
    const { body } = await this.request("GET", `/api/hook-events?paymentId=${encodeURIComponent(id)}`);
    return body.data;
  }

  /** Waits until the demo's hook has received an event with `status` for payment `id`. */
  async waitForHookEvent(id, status, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const events = await this.hookEvents(id);
      if (events.some((e) => e.status === status)) return events;
      if (Date.now() > until) {
        throw new Error(`no ${status} event for ${id}; received: ${JSON.stringify(events)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let attemptCounter = 0;

/**
 * Creates a demo payment and pays it through the checkout API (what the popup sends):
 * `card` is a sandbox card number, or `"offline"`; `null` leaves it unpaid.
 */
export async function seedPayment(server, card, { productId = "mug", quantity = 1 } = {}) {
  const created = await server.request("POST", "/api/create-my-payment", { productId, quantity });
  if (created.status !== 200) throw new Error(`create-my-payment: ${created.status} ${created.text}`);
  const id = created.body.id;
  if (card === null) return id;
  attemptCounter += 1;
  const body = {
    attemptId: `att_seed_${process.pid}_${attemptCounter}`,
    method: card === "offline" ? "offline" : "card",
    userInfo: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
  };
  if (card !== "offline") {
    body.card = {
      number: card.replaceAll(" ", ""),
      expMonth: 12,
      expYear: new Date().getFullYear() + 3,
      cvc: "123",
    };
  }
  const attempt = await server.request("POST", `/pay/v1/checkout/${id}/attempts`, body);
  if (attempt.status >= 300) throw new Error(`attempt: ${attempt.status} ${attempt.text}`);
  return id;
}
