//! Pay's WebAssembly SDK: `startPayment(paymentId, options?)` opens the payment popup and
//! resolves with a `PaymentResult`; `configure({ baseUrl })` points it at the backend; the
//! currencies API of the original (`getAllCurrencies`, `getConversionRate`, `convertAmounts`,
//! `getSiteCurrencies`: the package's entry module nests them as `currencies.…`).
//!
//! Importing the module does nothing: no DOM or network access before a call.

mod client;
mod currencies;
mod errors;
mod i18n;
mod options;
mod popup;
mod start;
mod values;

use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A first-fit free list (freed blocks merge with their neighbours) instead of dlmalloc: the
/// SDK makes few, short-lived allocations, and this one is a few hundred bytes of code.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

pub use errors::{RejectCode, Rejection};

/// The TypeScript declarations of the public types (`PaymentOptions`, `PaymentResult` …),
/// generated from the Rust types by `examples/typescript.rs` (`tests/typescript.rs` fails
/// when this file is stale); wasm-bindgen writes them into the package's
/// `pay_frontend.d.ts`, beside the signatures below that name them.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
pub use options::{PayConfig, PaymentOptions, Theme};

/// Injection points for the browser tests (a scripted transport instead of `fetch`); only
/// with the `testing` feature, which the crate's own tests turn on.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::client::{HttpMethod, HttpRequest, HttpResponse, NetworkError, ResponseFuture, Transport};
    pub use crate::popup::HOST_ATTRIBUTE;

    /// How the SDK reads and writes JS values (serde-wasm-bindgen over the pay-types types).
    pub use crate::values::{json_text, read, read_at_path, unknown_key, write};

    /// The currencies exports with another transport; they settle exactly like the exports.
    pub mod currencies {
        pub use crate::currencies::{all, convert, rate, site};
    }

    /// After a failed browser test left its popup open: allow the next `startPayment`.
    pub fn forget_open_popup() {
        crate::start::forget_open_popup();
    }

    /// `startPayment` with another transport; resolves or rejects exactly like the export.
    pub async fn start_payment_with(
        transport: std::rc::Rc<dyn Transport>,
        payment_id: wasm_bindgen::JsValue,
        options: wasm_bindgen::JsValue,
    ) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
        crate::start::start(transport, payment_id, options).await
    }
}

/// Opens the payment popup for a payment created on the server with `createPayment`.
/// Resolves with the `PaymentResult` for every visitor outcome; rejects with an `Error`
/// whose `code` is `invalid_arguments`, `payment_not_found`, `network_error` or
/// `popup_already_open`.
///
/// (A function returning the Promise of `start::start`'s future rather than an `async fn`:
/// wasm-bindgen would wrap the `async fn` in a future of its own, a state machine more.)
#[wasm_bindgen(js_name = startPayment, unchecked_return_type = "Promise<PaymentResult>")]
pub fn start_payment(
    #[wasm_bindgen(js_name = paymentId, unchecked_param_type = "string")] payment_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentOptions | undefined")] options: JsValue,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(start::start(Rc::new(client::FetchTransport), payment_id, options))
}

/// Where the backend lives: `baseUrl` is an absolute http(s) URL or a path; `""` (the
/// default) is the page's own origin. Throws an `Error` with code `invalid_arguments`.
#[wasm_bindgen(js_name = configure)]
pub fn configure(#[wasm_bindgen(unchecked_param_type = "PayConfig")] config: JsValue) -> Result<(), JsValue> {
    if !values::is_object(&config) {
        return Err(Rejection::invalid("config: a PayConfig object").into_js());
    }
    // One key: serde's message is enough to name it.
    let config: PayConfig =
        values::read(config).map_err(|e| Rejection::invalid(format!("config: {}", values::message(e))).into_js())?;
    client::set_base_url(config.base_url().map_err(Rejection::into_js)?);
    Ok(())
}

/// `currencies.getAllCurrencies()`: every ISO 4217 currency as `{code, symbol}`.
#[wasm_bindgen(js_name = getAllCurrencies, unchecked_return_type = "Promise<Array<CurrencyInfo>>")]
pub fn get_all_currencies() -> js_sys::Promise {
    currencies::all(Rc::new(client::FetchTransport))
}

/// `currencies.currencyConverter.getConversionRate(from, to)`: how many `to` one `from` buys.
#[wasm_bindgen(js_name = getConversionRate, unchecked_return_type = "Promise<ConversionRate>")]
pub fn get_conversion_rate(
    #[wasm_bindgen(unchecked_param_type = "string")] from: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] to: JsValue,
) -> js_sys::Promise {
    currencies::rate(Rc::new(client::FetchTransport), from, to)
}

/// `currencies.currencyConverter.convertAmounts({amounts, from, to})`: not rounded.
#[wasm_bindgen(js_name = convertAmounts, unchecked_return_type = "Promise<ConvertedAmounts>")]
pub fn convert_amounts(
    #[wasm_bindgen(unchecked_param_type = "ConvertAmountsRequest")] options: JsValue,
) -> js_sys::Promise {
    currencies::convert(Rc::new(client::FetchTransport), options)
}

/// `currencies.siteSettings.getCurrencies()`: the site's display currencies.
#[wasm_bindgen(js_name = getSiteCurrencies, unchecked_return_type = "Promise<Array<CurrencyInfo>>")]
pub fn get_site_currencies() -> js_sys::Promise {
    currencies::site(Rc::new(client::FetchTransport))
}
