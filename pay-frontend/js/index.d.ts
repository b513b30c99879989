// Declarations of the package's entry (index.js). The types themselves are generated from
// the Rust types into the glue's declarations (pay_frontend.d.ts).
import type {
  ConversionRate,
  ConvertAmountsRequest,
  ConvertedAmounts,
  CurrencyInfo,
  PayConfig,
  PaymentOptions,
  PaymentResult,
} from "./pay_frontend.js";

export type {
  BrowserPayment,
  BrowserUserInfo,
  ConversionRate,
  ConvertAmountsRequest,
  ConvertedAmounts,
  CurrencyInfo,
  PayConfig,
  PaymentItem,
  PaymentOptions,
  PaymentResult,
  PaymentUpdateEvent,
  Theme,
  TransactionStatus,
  UserInfo,
} from "./pay_frontend.js";

/**
 * Opens the payment popup for a payment created with `createPayment` on the server.
 * Resolves with the result of every visitor outcome; rejects with an `Error` whose `code` is
 * `invalid_arguments`, `payment_not_found`, `network_error` or `popup_already_open`.
 *
 * `status` of the result (display only: decisions belong to the server's hook):
 * - `Successful`, `Pending` (the provider decides later), `Offline`: the visitor finished;
 * - `Failed`: closed after a decline, or closed during a 3-D Secure challenge (the popup gives
 *   it up first: `authentication_failed`);
 * - `Pending` with `transactionId: null`: closed while the card provider had not answered yet;
 *   the outcome is not known yet and the merchant's webhook (`onPaymentUpdate`) tells it;
 * - `Cancelled` (`transactionId: null`): closed without a transaction; the same id can be
 *   started again.
 */
export function startPayment(paymentId: string, options?: PaymentOptions): Promise<PaymentResult>;

/**
 * Starts loading the SDK now (the wasm is fetched, compiled while it streams and instantiated)
 * and resolves when it is ready, so a later `startPayment` opens the popup at once. Like
 * `loadStripe`: call it when the buyer may soon pay. Idempotent.
 */
export function preload(): Promise<void>;

/** Points the SDK at the backend (default: the page's own origin). */
export function configure(config: PayConfig): void;

/**
 * The currencies API of the original. Every function rejects with an `Error` whose `code` is
 * `invalid_arguments`, `network_error`, or the server's own (`unknown_currency`,
 * `rate_unavailable`, `invalid_amount` …).
 */
export declare const currencies: {
  /** Every ISO 4217 currency with its symbol. */
  getAllCurrencies(): Promise<Array<CurrencyInfo>>;
  currencyConverter: {
    /** How many `to` one `from` buys, with the rates' publication time. */
    getConversionRate(from: string, to: string): Promise<ConversionRate>;
    /** The amounts in `to`, not rounded: the caller decides how to round for display. */
    convertAmounts(options: ConvertAmountsRequest): Promise<ConvertedAmounts>;
  };
  siteSettings: {
    /** The site's display currencies (set on the server). */
    getCurrencies(): Promise<Array<CurrencyInfo>>;
  };
};
