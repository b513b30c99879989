// @ts-check
// The entry module of the Pay SDK package (`import { startPayment } from "pay-frontend"`).
// Importing it has no side effects (no DOM, no network): the first call loads the
// WebAssembly module by itself, once. The functions themselves are the Rust exports of
// `pay_frontend.js` (wasm-bindgen's glue), whose declarations come from the Rust types.
import init, * as sdk from "./pay_frontend.js";

/** @typedef {import("./pay_frontend.js").PayConfig} PayConfig */
/** @typedef {import("./pay_frontend.js").PaymentOptions} PaymentOptions */
/** @typedef {import("./pay_frontend.js").PaymentResult} PaymentResult */
/** @typedef {import("./pay_frontend.js").ConvertAmountsRequest} ConvertAmountsRequest */

/** The wasm's SHA-384 in SRI form (`sha384-…`), written here by scripts/build-sdk.sh (also in the
 * package's integrity.json): the browser refuses a wasm file that does not match it. Empty in the
 * source, where nothing is built yet. */
const WASM_INTEGRITY = "";

/** @type {Promise<unknown> | null} */
let loading = null;
let loaded = false;
/** @type {PayConfig | null} */
let pendingConfig = null;

/** Loads the module once; a configuration given before applies now (a bad one rejects here). */
async function load() {
  if (!loading) {
    const wasm = new URL("./pay_frontend_bg.wasm", import.meta.url);
    loading = init({ module_or_path: fetch(wasm, WASM_INTEGRITY ? { integrity: WASM_INTEGRITY } : {}) }).catch(
      (/** @type {unknown} */ cause) => {
        loading = null; // a later call tries again
        throw new Error(`Pay SDK: ${wasm} could not be loaded (the network, or a file that does not match the package's integrity.json)`, { cause });
      },
    );
  }
  await loading;
  loaded = true;
  if (pendingConfig !== null) {
    const config = pendingConfig;
    pendingConfig = null;
    sdk.configure(config);
  }
}

/**
 * Starts loading the SDK now (fetching, compiling while it streams, and instantiating the
 * wasm) so that a later `startPayment` opens the popup without that wait; resolves once it is
 * ready, and every call after the first returns the same load. Call it when the buyer may
 * soon pay (the checkout page's load, the cart's "Checkout" hover).
 * @returns {Promise<void>}
 */
export function preload() {
  return load();
}

/**
 * Opens the payment popup; resolves with the PaymentResult of every visitor outcome.
 * @param {string} paymentId
 * @param {PaymentOptions} [options]
 * @returns {Promise<PaymentResult>}
 */
export async function startPayment(paymentId, options) {
  await load();
  return sdk.startPayment(paymentId, options);
}

/**
 * Points the SDK at the backend; before the module has loaded it is applied at load time.
 * @param {PayConfig} config
 * @returns {void}
 */
export function configure(config) {
  if (loaded) {
    sdk.configure(config);
  } else {
    pendingConfig = config;
  }
}

/** The currencies API of the original, nested as it is there. A plain object: no side effect. */
export const currencies = {
  getAllCurrencies: () => load().then(() => sdk.getAllCurrencies()),
  currencyConverter: {
    /** @param {string} from @param {string} to */
    getConversionRate: (from, to) => load().then(() => sdk.getConversionRate(from, to)),
    /** @param {ConvertAmountsRequest} options */
    convertAmounts: (options) => load().then(() => sdk.convertAmounts(options)),
  },
  siteSettings: {
    getCurrencies: () => load().then(() => sdk.getSiteCurrencies()),
  },
};
