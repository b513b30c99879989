//! The checkout API between the SDK and the backend. The browser never sends an amount,
//! a price, a currency or an item: the request types below have no such field and reject
//! unknown ones.

use crate::payment::BrowserPayment;
use crate::status::TransactionStatus;
use crate::user_info::BrowserUserInfo;
use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Card,
    Offline,
}

/// What the popup needs to show a payment: `GET /pay/v1/checkout/{id}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutView {
    pub payment: BrowserPayment,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    /// Prefilled contact details, from `createPayment`.
    pub user_info: Option<BrowserUserInfo>,
    /// Methods the server offers for this payment. A reader leaves out a method it does not
    /// know (a newer server's) rather than failing.
    #[serde(deserialize_with = "known_methods")]
    pub methods: Vec<PaymentMethod>,
    /// Whether a new attempt is accepted now.
    pub payable: bool,
    /// Declined attempts left before the payment refuses more.
    pub attempts_left: u32,
    /// How the popup collects the card (a reader of an older server's view takes Pay's own
    /// form).
    #[serde(default)]
    pub card_fields: CardFields,
    /// When the payment stops taking attempts (`createPayment`'s `expiresAt`); never, when
    /// null. The popup says so when the time comes.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: Option<String>,
    /// The expiry has passed, by the server's clock, and is why `payable` is false (a
    /// payment paid or with an attempt in flight says that instead).
    #[serde(default)]
    pub expired: bool,
}

/// How the popup collects a card, chosen by the provider: Pay's own form (the sandbox: test
/// cards only, test mode only), or the provider's hosted fields, whose token the attempt sends
/// as `paymentMethod`. A flat object rather than a tagged enum: `kind` says which of the other
/// fields are set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardFields {
    pub kind: CardFieldsKind,
    /// Stripe: the publishable key (`pk_live_…`/`pk_test_…`) Stripe.js is created with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishable_key: Option<String>,
    /// Stripe: where Stripe.js loads from (`https://js.stripe.com/v3/`, never a copy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub js_url: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardFieldsKind {
    /// Pay's own card form: the attempt carries `card`.
    #[default]
    Pay,
    /// A Stripe Element (the card typed into Stripe's iframe): the attempt carries the
    /// PaymentMethod id made by Stripe.js's `createPaymentMethod`.
    Stripe,
}

impl CardFieldsKind {
    /// How the provider's token starts (`None`: Pay's own form, no token).
    pub const fn token_prefix(self) -> Option<&'static str> {
        match self {
            Self::Pay => None,
            Self::Stripe => Some("pm_"),
        }
    }
}

/// Whether `id` is a provider's object id of this kind: `prefix`, then letters, digits and `_`,
/// at most 255 in all (so it is also safe in a URL path).
pub fn is_provider_id(id: &str, prefix: &str) -> bool {
    id.len() > prefix.len()
        && id.len() <= 255
        && id.starts_with(prefix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Card details as typed. `Debug` is masked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardInput {
    /// 12 to 19 digits (spaces and dashes between them are ignored), Luhn-valid.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub number: String,
    #[serde(deserialize_with = "whole_number")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 12))]
    pub exp_month: u32,
    /// Four digits; the expiry must not be in the past.
    #[serde(deserialize_with = "whole_number")]
    pub exp_year: u32,
    /// 3 digits, 4 for American Express.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9]{3,4}$"))]
    pub cvc: String,
}

fn known_methods<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PaymentMethod>, D::Error> {
    use serde::de::IntoDeserializer;
    let names = Vec::<String>::deserialize(d)?;
    Ok(names
        .iter()
        .filter_map(|name| {
            let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                name.as_str().into_deserializer();
            PaymentMethod::deserialize(name).ok()
        })
        .collect())
}

/// A JSON integer, also when written with a zero fraction (`2040.0`): JSON itself does not tell
/// the two apart, and neither does JSON Schema's `integer`.
/// (Without the `json` feature, any value an amount is read from.)
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[cfg(feature = "json")]
    let n = crate::money::Amount::parse_str(&serde_json::Number::deserialize(d)?.to_string())
        .map_err(serde::de::Error::custom)?;
    #[cfg(not(feature = "json"))]
    let n = crate::money::Amount::deserialize(d)?;
    let n = n.value().normalize();
    match u32::try_from(n.mantissa()) {
        Ok(whole) if n.scale() == 0 => Ok(whole),
        _ => Err(serde::de::Error::custom("expected a whole number from 0 to 4294967295")),
    }
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInput")
            .field("number", &"•••")
            .field("cvc", &"•••")
            .finish_non_exhaustive()
    }
}

/// A payment attempt: `POST /pay/v1/checkout/{id}/attempts`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "attemptId": "att_7f3c2a9e41",
    "method": "card",
    "userInfo": { "firstName": "Ada", "email": "ada@example.com", "country": "GBR" },
    "card": { "number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2040, "cvc": "123" }
})))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttemptRequest {
    /// Chosen by the client; a replay with the same id gets the first answer and charges nothing.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_-]{8,64}$"))]
    pub attempt_id: String,
    pub method: PaymentMethod,
    #[serde(default)]
    pub user_info: Option<BrowserUserInfo>,
    /// The card as typed into Pay's own form: the sandbox only (any other provider answers 422
    /// `card_data_not_accepted`).
    #[serde(default)]
    pub card: Option<CardInput>,
    /// The provider's token for the card its own fields collected (Stripe: a PaymentMethod id,
    /// `pm_…`), when the checkout view's `cardFields.kind` is not `pay`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9_]{1,255}$"))]
    pub payment_method: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineCode {
    CardDeclined,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,
    ProcessingError,
    /// The buyer failed or abandoned the 3-D Secure challenge.
    AuthenticationFailed,
}

impl DeclineCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CardDeclined => "card_declined",
            Self::InsufficientFunds => "insufficient_funds",
            Self::ExpiredCard => "expired_card",
            Self::IncorrectCvc => "incorrect_cvc",
            Self::ProcessingError => "processing_error",
            Self::AuthenticationFailed => "authentication_failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::CardDeclined,
            Self::InsufficientFunds,
            Self::ExpiredCard,
            Self::IncorrectCvc,
            Self::ProcessingError,
            Self::AuthenticationFailed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// A short English reason; the SDK shows a translated one keyed by the code.
    pub const fn message(self) -> &'static str {
        match self {
            Self::CardDeclined => "The card was declined.",
            Self::InsufficientFunds => "The card has insufficient funds.",
            Self::ExpiredCard => "The card has expired.",
            Self::IncorrectCvc => "The security code is incorrect.",
            Self::ProcessingError => "The payment could not be processed.",
            Self::AuthenticationFailed => "The card's authentication did not succeed.",
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decline {
    pub code: DeclineCode,
    pub message: String,
}

impl From<DeclineCode> for Decline {
    fn from(code: DeclineCode) -> Self {
        Self {
            code,
            message: code.message().to_owned(),
        }
    }
}

/// The outcome of an attempt, and the latest result of a payment
/// (`GET /pay/v1/checkout/{id}/result`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptResult {
    pub attempt_id: Option<String>,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    pub decline: Option<Decline>,
    pub payment: BrowserPayment,
    pub user_info: Option<BrowserUserInfo>,
    /// Declined attempts left before the payment refuses more.
    pub attempts_left: u32,
    /// The attempt's outcome is not known yet: the provider did not answer clearly, or the
    /// buyer has a challenge to answer. The payment takes no other attempt meanwhile; ask
    /// `GET /pay/v1/checkout/{id}/result` again until this is `false`.
    #[serde(default)]
    pub processing: bool,
    /// A 3-D Secure challenge the buyer answers at the provider, while `processing`.
    #[serde(default)]
    pub challenge: Option<Challenge>,
}

/// A 3-D Secure challenge: the provider's page, shown in an iframe inside the popup. When the
/// buyer is done, the provider sends the frame to Pay's return route, whose page posts
/// `{type: "pay:challenge-returned", paymentId, attemptId}` to the parent window; the popup
/// then asks for the result (polling it is the fallback).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// The provider's page for the challenge, shown in the popup's iframe: absolute, or a path
    /// on the Pay server (resolve it against the SDK's base URL). Absent when the provider's
    /// browser library shows the challenge (`clientSecret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Stripe: the PaymentIntent's client secret, for Stripe.js's `handleNextAction`. Only in
    /// the answer to the attempt itself (its browser), never in `GET …/result` or on the
    /// merchant API, and never logged. When Stripe.js is done, the popup asks Pay for the
    /// outcome (`POST …/attempts/{attemptId}/complete`); the browser's word is never the outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// When Pay gives up waiting and the attempt fails with `authentication_failed` (RFC 3339).
    pub expires_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_request_shape() {
        let json = r#"{"attemptId":"att_00000001","method":"card","userInfo":{"email":"a@b.co","country":"USA"},"card":{"number":"4242424242424242","expMonth":12,"expYear":2030,"cvc":"123"}}"#;
        let req: AttemptRequest = serde_json::from_str(json).unwrap();
        assert_eq!(req.method, PaymentMethod::Card);
        assert_eq!(
            serde_json::to_string(&req).unwrap().len(),
            json.len() + r#","firstName":null,"lastName":null,"phone":null"#.len()
        );
        let shown = format!("{req:?}");
        assert!(
            !shown.contains("4242424242424242") && !shown.contains("\"123\""),
            "{shown}"
        );
    }

    #[test]
    fn expiry_numbers_are_whole_numbers_however_written() {
        let card = |month: &str, year: &str| {
            serde_json::from_str::<CardInput>(&format!(
                r#"{{"number":"4242424242424242","expMonth":{month},"expYear":{year},"cvc":"123"}}"#
            ))
        };
        let read = card("12", "2040.0").unwrap();
        assert_eq!((read.exp_month, read.exp_year), (12, 2040));
        assert_eq!(card("1e1", "2040").unwrap().exp_month, 10);
        for (month, year) in [
            ("12.5", "2040"),
            ("-1", "2040"),
            ("12", "\"2040\""),
            ("12", "4294967296"),
        ] {
            assert!(card(month, year).is_err(), "{month}/{year}");
        }
    }

    #[test]
    fn the_browser_cannot_send_an_amount() {
        for extra in [r#""amount":1"#, r#""price":1"#, r#""currency":"USD""#, r#""items":[]"#] {
            let json = format!(r#"{{"attemptId":"att_00000001","method":"offline",{extra}}}"#);
            assert!(serde_json::from_str::<AttemptRequest>(&json).is_err(), "{extra}");
        }
        let card_amount = r#"{"attemptId":"att_00000001","method":"card","card":{"number":"1","expMonth":1,"expYear":1,"cvc":"1","amount":0}}"#;
        assert!(serde_json::from_str::<AttemptRequest>(card_amount).is_err());
    }

    #[test]
    fn decline_codes_round_trip() {
        for c in [
            DeclineCode::CardDeclined,
            DeclineCode::InsufficientFunds,
            DeclineCode::ExpiredCard,
            DeclineCode::IncorrectCvc,
            DeclineCode::ProcessingError,
            DeclineCode::AuthenticationFailed,
        ] {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
            assert_eq!(DeclineCode::parse(c.as_str()), Some(c));
        }
    }
}
