//! The rejections of `startPayment`, `configure` and the currencies API: a JS `Error` carrying
//! a stable `code`, ours or (currencies) the server's own.
//!
//! Only caller or infrastructure problems reject; every visitor outcome resolves (SPEC §4).

use std::borrow::Cow;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectCode {
    InvalidArguments,
    PaymentNotFound,
    NetworkError,
    PopupAlreadyOpen,
}

impl RejectCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArguments => "invalid_arguments",
            Self::PaymentNotFound => "payment_not_found",
            Self::NetworkError => "network_error",
            Self::PopupAlreadyOpen => "popup_already_open",
        }
    }
}

/// Why the Promise rejects. The message is for developers (English, never visitor data):
/// for an argument, the argument's path and what was expected
/// (`options.termsAndConditionsLink: an absolute http(s) URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    pub message: Cow<'static, str>,
}

impl Rejection {
    pub const fn new(code: RejectCode, message: &'static str) -> Self {
        Self {
            code,
            message: Cow::Borrowed(message),
        }
    }

    pub fn invalid(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code: RejectCode::InvalidArguments,
            message: message.into(),
        }
    }

    /// The JS `Error` with its `code` property.
    pub fn into_js(self) -> JsValue {
        js_error(&self.message, self.code.as_str())
    }
}

/// A `{code, message}` error answer of the server (a currencies call), passed on as it is:
/// `unknown_currency`, `rate_unavailable`, `invalid_amount` …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub code: String,
    pub message: String,
}

/// Why a currencies call rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Ours(Rejection),
    Server(ServerError),
}

impl Failure {
    pub fn into_js(self) -> JsValue {
        match self {
            Failure::Ours(r) => r.into_js(),
            Failure::Server(e) => js_error(&e.message, &e.code),
        }
    }
}

impl From<Rejection> for Failure {
    fn from(r: Rejection) -> Self {
        Failure::Ours(r)
    }
}

fn js_error(message: &str, code: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_public_strings() {
        assert_eq!(RejectCode::InvalidArguments.as_str(), "invalid_arguments");
        assert_eq!(RejectCode::PaymentNotFound.as_str(), "payment_not_found");
        assert_eq!(RejectCode::NetworkError.as_str(), "network_error");
        assert_eq!(RejectCode::PopupAlreadyOpen.as_str(), "popup_already_open");
    }
}
