// Time to popup in headless Chromium, with the Performance API: from the `startPayment` call
// to an interactive dialog (focus inside the popup), 20 runs each,
// - warm: the SDK module and its wasm already loaded in the page;
// - cold: a fresh browser context (empty cache), including importing the module and fetching,
//   compiling and instantiating the wasm;
// - cold after preload: a fresh context whose page called `preload()` when it loaded (what a
//   checkout page does before the buyer clicks): only the checkout view and the popup remain.
// Prints the medians (and min/max). Run by scripts/bench.sh; needs the backend built and the
// SDK package (scripts/build-sdk.sh), and the npm packages of tests/.
import { startServer } from "../tests/lib/server.js";
import { launchBrowser } from "../tests/lib/browser.js";

const RUNS = Number(process.env.PAY_BENCH_RUNS ?? 20);

/** In the page: start the popup, resolve the ms until focus is inside it, then close it. */
async function measure(page, id, { cold }) {
  return page.evaluate(
    async ({ id, cold }) => {
      const focused = new Promise((resolve) =>
        document.addEventListener("focusin", (e) => e.target.hasAttribute?.("data-pay-popup") && resolve(), { once: false }),
      );
      const t0 = performance.now();
      const sdk = cold ? await import("/sdk/index.js") : window.__sdk;
      const result = sdk.startPayment(id);
      await focused;
      const ms = performance.now() - t0;
      // Where the time went: the checkout view's request, from the call's start.
      const view = performance.getEntriesByType("resource").find((e) => e.name.endsWith(`/pay/v1/checkout/${id}`));
      const split = view ? { asked: view.startTime - t0, answered: view.responseEnd - t0 } : null;
      const host = document.querySelector("[data-pay-popup]");
      host.shadowRoot.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true, composed: true }));
      await result;
      return { ms, split };
    },
    { id, cold },
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (runs) => {
  const xs = runs.map((r) => r.ms);
  const asked = median(runs.map((r) => r.split?.asked ?? NaN));
  const answered = median(runs.map((r) => r.split?.answered ?? NaN));
  return `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, ${xs.length} runs); ` +
    `the checkout view asked at ${asked.toFixed(1)} ms, answered at ${answered.toFixed(1)} ms (medians)`;
};

const server = await startServer();
const browser = await launchBrowser();
try {
  const ids = [];
  for (let i = 0; i < 3 * RUNS + 1; i++) {
    const { status, body } = await server.merchant("POST", "/pay/v1/payments", {
      items: [{ name: "Pay mug", price: 12.5 }],
      amount: 12.5,
      userInfo: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
    });
    if (status !== 201) throw new Error(`create: ${status}`);
    ids.push(body.id);
  }

  const warm = [];
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/terms.html`);
    await page.evaluate(async () => {
      window.__sdk = await import("/sdk/index.js");
    });
    await measure(page, ids.pop(), { cold: false }); // loads the wasm
    for (let i = 0; i < RUNS; i++) warm.push(await measure(page, ids.pop(), { cold: false }));
    await context.close();
  }

  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/terms.html`);
    cold.push(await measure(page, ids.pop(), { cold: true }));
    await context.close();
  }
  const preloaded = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/terms.html`);
    await page.evaluate(async () => {
      window.__sdk = await import("/sdk/index.js");
      await window.__sdk.preload();
    });
    preloaded.push(await measure(page, ids.pop(), { cold: false }));
    await context.close();
  }
  console.log(`time to popup, wasm loaded: ${fmt(warm)}`);
  console.log(`time to popup, cold (import + wasm fetch and instantiate): ${fmt(cold)}`);
  console.log(`time to popup, cold after preload() at page load: ${fmt(preloaded)}`);
} finally {
  await browser.close();
  await server.stop();
}
