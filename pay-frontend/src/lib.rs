//! Pay's WebAssembly SDK: `startPayment(paymentId, options?)` opens the payment popup and
//! resolves with a `PaymentResult`; `configure({ baseUrl })` points it at the backend.
//!
//! Importing the module does nothing: no DOM or network access before a call.

mod client;
mod decode;
mod encode;
mod errors;
mod i18n;
mod options;
mod popup;
mod start;

use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub use errors::{RejectCode, Rejection};
pub use options::{PayConfig, PaymentOptions, Theme};

/// Injection points for the browser tests (a scripted transport instead of `fetch`).
#[doc(hidden)]
pub mod testing {
    pub use crate::client::{HttpMethod, HttpRequest, HttpResponse, NetworkError, ResponseFuture, Transport};
    pub use crate::popup::HOST_ATTRIBUTE;

    /// The decoders of the checkout API's answers (their drift test is a browser test).
    pub mod decode {
        pub use crate::decode::{attempt_result, checkout_view, payment_options};
        pub use crate::encode::{attempt_request, payment_result};
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
        super::settle(crate::start::start(transport, payment_id, options).await)
    }
}

/// Opens the payment popup for a payment created on the server with `createPayment`.
/// Resolves with the `PaymentResult` for every visitor outcome; rejects with an `Error`
/// whose `code` is `invalid_arguments`, `payment_not_found`, `network_error` or
/// `popup_already_open`.
#[wasm_bindgen(js_name = startPayment, unchecked_return_type = "PaymentResult")]
pub async fn start_payment(
    #[wasm_bindgen(js_name = paymentId, unchecked_param_type = "string")] payment_id: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PaymentOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    settle(start::start(Rc::new(client::FetchTransport), payment_id, options).await)
}

/// Where the backend lives: `baseUrl` is an absolute http(s) URL or a path; `""` (the
/// default) is the page's own origin. Throws an `Error` with code `invalid_arguments`.
#[wasm_bindgen(js_name = configure)]
pub fn configure(#[wasm_bindgen(unchecked_param_type = "PayConfig")] config: JsValue) -> Result<(), JsValue> {
    let invalid = || Rejection::invalid("configure expects a PayConfig object").into_js();
    if !config.is_object() {
        return Err(invalid());
    }
    let config: PayConfig = decode::pay_config(&config).map_err(|_| invalid())?;
    client::set_base_url(config.base_url().map_err(Rejection::into_js)?);
    Ok(())
}

fn settle(result: Result<pay_types::PaymentResult, Rejection>) -> Result<JsValue, JsValue> {
    result.map(|r| encode::payment_result(&r)).map_err(Rejection::into_js)
}
