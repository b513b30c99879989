// The Stripe.js test double's server (see stripe-double/README.md): on 127.0.0.1, a port of its
// own (so another origin than any page under test), it serves the compiled script at /v3/, the
// card frame and the 3-D Secure challenge frame, and forwards the frames' API calls to
// localstripe with the secret key it was started with. Every request is logged in `requests`
// as its method, path and the names of the form or query keys it carried, never their values.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../stripe-double");
const COMPILED = join(DIR, "dist", "stripe.js");

const STATIC = {
  "/v3/": [COMPILED, "text/javascript"],
  "/elements/card": [join(DIR, "frames", "card.html"), "text/html"],
  "/elements/card.js": [join(DIR, "frames", "card.js"), "text/javascript"],
  "/challenge": [join(DIR, "frames", "challenge.html"), "text/html"],
  "/challenge.js": [join(DIR, "frames", "challenge.js"), "text/javascript"],
};

/**
 * `tsc -p stripe-double` unless dist/stripe.js is newer than stripe.ts, its tsconfig and the
 * installed @stripe/stripe-js (whose declarations it is checked against).
 */
export async function compileStripeDouble() {
  const require = createRequire(import.meta.url);
  const mtime = async (path) => (await stat(path).catch(() => null))?.mtimeMs ?? 0;
  const built = await mtime(COMPILED);
  const inputs = [join(DIR, "stripe.ts"), join(DIR, "tsconfig.json"), require.resolve("@stripe/stripe-js/package.json")];
  if ((await Promise.all(inputs.map(mtime))).every((input) => built > input)) return;
  const tsc = require.resolve("typescript/bin/tsc");
  try {
    await promisify(execFile)(process.execPath, [tsc, "-p", DIR]);
  } catch (error) {
    throw new Error(`tsc -p stripe-double failed:\n${error.stdout}${error.stderr}`);
  }
}

/**
 * Starts the double's server. `localstripeUrl` is localstripe's base URL, `secretKey` what the
 * server sends it (localstripe refuses publishable keys where real Stripe takes them).
 * Resolves `{ url, scriptUrl, requests, stop() }`.
 */
export async function startStripeDouble({ localstripeUrl, secretKey }) {
  await compileStripeDouble();
  const requests = [];
  const upstream = localstripeUrl.replace(/\/$/, "");

  async function forward(method, path, form) {
    const response = await fetch(upstream + path, {
      method,
      headers: {
        Authorization: `Bearer ${secretKey}`,
        ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form?.toString(),
    });
    return { status: response.status, body: await response.json() };
  }

  async function handle(req, res, url, form, entry) {
    const json = (status, body, headers = {}) => {
      entry.status = status;
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
      res.end(JSON.stringify(body));
    };
    const refuse = (status, message, headers) => json(status, { error: { type: "invalid_request_error", message } }, headers);
    const file = STATIC[url.pathname];
    if (req.method === "GET" && file) {
      entry.status = 200;
      res.writeHead(200, { "Content-Type": `${file[1]}; charset=utf-8`, "Cache-Control": "no-store" });
      res.end(await readFile(file[0]));
      return;
    }
    // What the browser sends as `key` is the publishable key, as Stripe.js sends it.
    const key = form?.get("key") ?? url.searchParams.get("key") ?? "";
    const cors = { "Access-Control-Allow-Origin": "*" };

    if (req.method === "POST" && url.pathname === "/v1/payment_methods") {
      if (!key.startsWith("pk_")) return refuse(401, "Invalid API Key provided.");
      form.delete("key");
      const answer = await forward("POST", "/v1/payment_methods", form);
      entry.upstream = { method: "POST", path: "/v1/payment_methods", status: answer.status };
      return json(answer.status, answer.body);
    }
    // GET /v1/payment_intents/{id}?client_secret=…: a client may read an intent it holds the
    // secret of (the page, from another origin: CORS).
    let match = /^\/v1\/payment_intents\/(pi_\w+)$/.exec(url.pathname);
    if (req.method === "GET" && match) {
      if (!key.startsWith("pk_")) return refuse(401, "Invalid API Key provided.", cors);
      const answer = await forward("GET", `/v1/payment_intents/${match[1]}`);
      entry.upstream = { method: "GET", path: `/v1/payment_intents/${match[1]}`, status: answer.status };
      if (answer.status === 200 && answer.body.client_secret !== url.searchParams.get("client_secret")) {
        return refuse(400, "The client_secret provided does not match the client_secret associated with the PaymentIntent.", cors);
      }
      return json(answer.status, answer.body, cors);
    }
    match = /^\/v1\/payment_intents\/(pi_\w+)\/_authenticate$/.exec(url.pathname);
    if (req.method === "POST" && match) {
      if (!key.startsWith("pk_")) return refuse(401, "Invalid API Key provided.");
      form.delete("key");
      const path = `/v1/payment_intents/${match[1]}/_authenticate`;
      const answer = await forward("POST", path, form);
      entry.upstream = { method: "POST", path, status: answer.status };
      return json(answer.status, answer.body);
    }
    refuse(404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url, "http://127.0.0.1");
      const form = req.method === "POST" ? new URLSearchParams(Buffer.concat(chunks).toString()) : null;
      const entry = { method: req.method, path: url.pathname, keys: [...new Set((form ?? url.searchParams).keys())] };
      requests.push(entry);
      try {
        await handle(req, res, url, form, entry);
      } catch (error) {
        entry.status = 502;
        if (!res.headersSent) res.writeHead(502, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: `stripe double: ${error.message}` } }));
      }
    });
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    scriptUrl: `${url}/v3/`,
    requests,
    stop: () => new Promise((done) => {
      server.close(done);
      server.closeAllConnections();
    }),
  };
}
