//! Stripe's request bodies, form-encoded as its API takes them (`metadata[pay_payment_id]=…`).
//! No card data is ever among them: the card is Stripe's PaymentMethod, made in the browser.
//! [`Form`]'s `Debug` shows the keys, never the values.

use super::super::{AttemptKey, RefundRequest};
use std::fmt;

/// The metadata keys Pay puts on what it creates at Stripe, and reads back from events.
pub const PAYMENT_ID: &str = "pay_payment_id";
pub const ATTEMPT_ID: &str = "pay_attempt_id";
pub const REFUND_ID: &str = "pay_refund_id";

/// A form body: `(key, value)` pairs.
#[derive(Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    fn add(&mut self, key: &str, value: impl Into<String>) {
        self.0.push((key.to_owned(), value.into()));
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(k, _)| k)).finish()
    }
}

/// `POST /v1/payment_intents`, unconfirmed: the amount, the PaymentMethod Stripe.js made, and
/// the attempt in its metadata (events and the dashboard at Stripe name it).
pub fn payment_intent(key: &AttemptKey, amount: i64, currency: &str, payment_method: &str) -> Form {
    let mut form = Form::default();
    form.add("amount", amount.to_string());
    form.add("currency", currency.to_ascii_lowercase());
    form.add("payment_method", payment_method);
    form.add("payment_method_types[]", "card");
    form.add(&format!("metadata[{PAYMENT_ID}]"), key.payment_id.to_string());
    form.add(&format!("metadata[{ATTEMPT_ID}]"), key.attempt_id.as_str());
    form
}

/// `POST /v1/payment_intents/{id}/confirm`: a challenge is for Stripe.js (`use_stripe_sdk`),
/// and `return_url` is where a redirect-based challenge would come back to (`None` for
/// localstripe, which refuses both).
pub fn confirm(return_url: Option<&str>) -> Form {
    let mut form = Form::default();
    if let Some(url) = return_url {
        form.add("use_stripe_sdk", "true");
        form.add("return_url", url);
    }
    form
}

/// `POST /v1/refunds`.
pub fn refund(request: &RefundRequest<'_>, amount: i64) -> Form {
    let mut form = Form::default();
    form.add("payment_intent", request.transaction_id);
    form.add("amount", amount.to_string());
    form.add(&format!("metadata[{REFUND_ID}]"), request.key);
    form
}

/// The Idempotency-Key of an attempt's PaymentIntent: the same on every retry of the attempt.
pub fn create_key(key: &AttemptKey) -> String {
    format!("pay-pi-{key}")
}

/// The Idempotency-Key of an attempt's confirmation.
pub fn confirm_key(key: &AttemptKey) -> String {
    format!("pay-confirm-{key}")
}

/// The Idempotency-Key of an attempt's cancellation.
pub fn cancel_key(key: &AttemptKey) -> String {
    format!("pay-cancel-{key}")
}
