//! Stripe's request bodies, form-encoded as its API takes them (`card[number]=…`). The card's
//! number and CVC are in [`Form`] only for the call: its `Debug` shows the keys, never the
//! values, and it is dropped with the request.

use super::super::{AttemptKey, Card, ChargeRequest, RefundRequest};
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

/// `POST /v1/payment_methods`: the card, and the buyer's contact details as billing details.
pub fn payment_method(card: &Card, request: &ChargeRequest<'_>) -> Form {
    let mut form = Form::default();
    form.add("type", "card");
    form.add("card[number]", card.number.expose_digits());
    form.add("card[exp_month]", card.expiry.month.to_string());
    form.add("card[exp_year]", card.expiry.year.to_string());
    form.add("card[cvc]", card.cvc.expose());
    if let Some(buyer) = request.buyer {
        let name = [buyer.first_name.as_deref(), buyer.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            form.add("billing_details[name]", name);
        }
        if let Some(email) = &buyer.email {
            form.add("billing_details[email]", email.clone());
        }
        if let Some(phone) = &buyer.phone {
            form.add("billing_details[phone]", phone.clone());
        }
        if let Some(country) = buyer.country_code.as_deref().and_then(alpha2) {
            form.add("billing_details[address][country]", country);
        }
    }
    form
}

/// ISO 3166-1 alpha-2 of an alpha-3 code (Stripe's addresses take alpha-2).
fn alpha2(alpha3: &str) -> Option<String> {
    pay_types::CountryCode::parse(alpha3)
        .ok()
        .map(|c| c.alpha2().to_owned())
}

/// `POST /v1/payment_intents` with `confirm=true`: charged now, or a challenge, or a decline.
/// `return_url` is where Stripe sends the browser after a 3-D Secure challenge (`None` for
/// localstripe, which refuses the parameter).
pub fn payment_intent(
    key: &AttemptKey,
    amount: i64,
    currency: &str,
    payment_method: &str,
    return_url: Option<&str>,
) -> Form {
    let mut form = Form::default();
    form.add("amount", amount.to_string());
    form.add("currency", currency.to_ascii_lowercase());
    form.add("payment_method", payment_method);
    form.add("payment_method_types[]", "card");
    form.add("confirm", "true");
    form.add(&format!("metadata[{PAYMENT_ID}]"), key.payment_id.to_string());
    form.add(&format!("metadata[{ATTEMPT_ID}]"), key.attempt_id.as_str());
    if let Some(url) = return_url {
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

/// The Idempotency-Keys of an attempt's two calls: the same on every retry of the attempt.
pub fn attempt_keys(key: &AttemptKey) -> (String, String) {
    (format!("pay-pm-{key}"), format!("pay-pi-{key}"))
}
