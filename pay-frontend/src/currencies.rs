//! The currencies API of the original, in the browser: `getAllCurrencies()`,
//! `currencyConverter.getConversionRate(from, to)`,
//! `currencyConverter.convertAmounts({amounts, from, to})` and `siteSettings.getCurrencies()`
//! over the public routes of `/pay/v1/` (`setCurrencies` is server-side only).
//!
//! Each export checks its arguments at once (a rejected Promise with `invalid_arguments`),
//! then runs one shared future: one copy of the request code for the four functions.
//! Amounts stay exact on the way out (sent as decimal text, which the server reads digit for
//! digit) and come back as the JS number closest to the server's digits (`JSON.parse`, no
//! arithmetic).

use crate::client::{base_url, fetch_json, ClientError, HttpMethod, Transport};
use crate::errors::{Failure, RejectCode, Rejection, ServerError};
use crate::values;
use js_sys::Promise;
use pay_types::{ConversionRate, ConvertAmountsRequest, ConvertedAmounts, CurrencyInfo};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// One call of the currencies API, its arguments checked.
enum Call {
    All,
    Site,
    Rate { from: String, to: String },
    Convert(ConvertAmountsRequest),
}

/// The longest currency code argument sent to the server (ISO 4217 codes have 3 letters;
/// anything up to this length is the server's to judge: `unknown_currency`).
const MAX_CODE_CHARS: usize = 16;

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_CODE_CHARS
}

fn code_arg(v: &JsValue) -> Option<String> {
    v.as_string().filter(|s| is_code(s))
}

/// `getAllCurrencies()`.
pub fn all(transport: Rc<dyn Transport>) -> Promise {
    run(transport, Call::All)
}

/// `siteSettings.getCurrencies()`.
pub fn site(transport: Rc<dyn Transport>) -> Promise {
    run(transport, Call::Site)
}

/// `currencyConverter.getConversionRate(from, to)`.
pub fn rate(transport: Rc<dyn Transport>, from: JsValue, to: JsValue) -> Promise {
    match (code_arg(&from), code_arg(&to)) {
        (Some(from), Some(to)) => run(transport, Call::Rate { from, to }),
        _ => reject(Rejection::invalid(
            "getConversionRate expects two currency codes (strings)",
        )),
    }
}

/// `currencyConverter.convertAmounts({amounts, from, to})`: amounts are numbers or decimal
/// strings; other keys are refused, as the server refuses them.
pub fn convert(transport: Rc<dyn Transport>, options: JsValue) -> Promise {
    if !values::is_object(&options) {
        return reject(Rejection::invalid(
            "convertAmounts expects {amounts: (number | string)[], from: string, to: string}",
        ));
    }
    if let Some(key) = values::unknown_key::<ConvertAmountsRequest>(&options) {
        return reject(Rejection::invalid(format!("convertAmounts: unknown field `{key}`")));
    }
    match values::read::<ConvertAmountsRequest>(options) {
        Ok(request) if is_code(&request.from) && is_code(&request.to) => run(transport, Call::Convert(request)),
        Ok(_) => reject(Rejection::invalid(
            "convertAmounts: from and to are currency codes (1 to 16 characters)",
        )),
        Err(why) => reject(Rejection::invalid(format!(
            "convertAmounts expects {{amounts: (number | string)[], from: string, to: string}}: {}",
            values::message(why)
        ))),
    }
}

/// The body of `POST /pay/v1/currencies/convert`: each amount as its decimal text, so a
/// decimal string no JS number holds (`"123456789.123456789"`) reaches the server exactly.
#[derive(Serialize)]
struct ConvertBody<'a> {
    amounts: Vec<String>,
    from: &'a str,
    to: &'a str,
}

impl<'a> From<&'a ConvertAmountsRequest> for ConvertBody<'a> {
    fn from(r: &'a ConvertAmountsRequest) -> Self {
        Self {
            amounts: r.amounts.iter().map(|a| a.to_string()).collect(),
            from: &r.from,
            to: &r.to,
        }
    }
}

fn reject(rejection: Rejection) -> Promise {
    Promise::reject(&rejection.into_js())
}

fn run(transport: Rc<dyn Transport>, call: Call) -> Promise {
    // `answer`'s future itself (no `async` block around it: one state machine less).
    future_to_promise(answer(transport, call))
}

async fn answer(transport: Rc<dyn Transport>, call: Call) -> Result<JsValue, JsValue> {
    let mut url = base_url();
    url.push_str(match &call {
        Call::All => "/pay/v1/currencies",
        Call::Site => "/pay/v1/site/currencies",
        Call::Rate { .. } => "/pay/v1/currencies/rate?from=",
        Call::Convert(_) => "/pay/v1/currencies/convert",
    });
    let (method, body) = match &call {
        Call::Rate { from, to } => {
            url.push_str(&String::from(js_sys::encode_uri_component(from)));
            url.push_str("&to=");
            url.push_str(&String::from(js_sys::encode_uri_component(to)));
            (HttpMethod::Get, None)
        }
        Call::Convert(request) => (HttpMethod::Post, Some(values::json_text(&ConvertBody::from(request)))),
        Call::All | Call::Site => (HttpMethod::Get, None),
    };
    let json = fetch_json(&*transport, method, url, body)
        .await
        .map_err(|e| match e {
            ClientError::Api { status, code, message } if (400..500).contains(&status) => {
                Failure::Server(ServerError { code, message })
            }
            _ => unreachable_server(),
        })
        .map_err(Failure::into_js)?;
    // Read as the documented type (an answer of another shape is no usable answer), then
    // written back as plain JS values.
    let out = match call {
        Call::All | Call::Site => values::read::<Vec<CurrencyInfo>>(json).map(|l| values::write(&l)),
        Call::Rate { .. } => values::read::<ConversionRate>(json).map(|r| values::write(&r)),
        Call::Convert(_) => values::read::<ConvertedAmounts>(json).map(|c| values::write(&c)),
    };
    out.map_err(|_| unreachable_server().into_js())
}

fn unreachable_server() -> Failure {
    Failure::Ours(Rejection::new(
        RejectCode::NetworkError,
        "the payment server could not be reached or gave no usable answer",
    ))
}
