//! The rejections of `startPayment` and `configure`: a JS `Error` carrying a stable `code`.
//!
//! Only caller or infrastructure problems reject; every visitor outcome resolves (SPEC §4).

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

/// Why the Promise rejects. The message is for developers (English, never visitor data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectCode,
    pub message: &'static str,
}

impl Rejection {
    pub const fn new(code: RejectCode, message: &'static str) -> Self {
        Self { code, message }
    }

    pub const fn invalid(message: &'static str) -> Self {
        Self::new(RejectCode::InvalidArguments, message)
    }

    /// The JS `Error` with its `code` property.
    pub fn into_js(self) -> JsValue {
        let error = js_sys::Error::new(self.message);
        // Setting a property on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&error, &"code".into(), &self.code.as_str().into());
        error.into()
    }
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
