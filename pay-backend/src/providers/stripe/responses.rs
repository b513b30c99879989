//! Stripe's answers, read into the few fields Pay needs, and mapped to the trait's outcomes.
//! Provider texts (Stripe's `message`) go to the log only, never to a buyer.

use super::super::{ChargeOutcome, ClientSecret, NextAction, RefundOutcome};
use pay_types::DeclineCode;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A PaymentIntent (<https://docs.stripe.com/api/payment_intents/object>).
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    /// For Stripe.js's `handleNextAction` in the attempt's browser; never logged or stored.
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    #[serde(default)]
    pub last_payment_error: Option<StripeError>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// `{"error": {...}}` (<https://docs.stripe.com/api/errors>).
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error: StripeError,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StripeError {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub decline_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl StripeError {
    /// Pay's decline code for a card error: `decline_code` first (Stripe puts the issuer's
    /// reason there under `code = card_declined`), then `code`; anything else is a decline.
    pub fn decline(&self) -> DeclineCode {
        let codes = [self.decline_code.as_deref(), self.code.as_deref()];
        for code in codes.into_iter().flatten() {
            let mapped = match code {
                "insufficient_funds" => DeclineCode::InsufficientFunds,
                "expired_card" => DeclineCode::ExpiredCard,
                "incorrect_cvc" | "invalid_cvc" => DeclineCode::IncorrectCvc,
                "processing_error" => DeclineCode::ProcessingError,
                "payment_intent_authentication_failure" | "authentication_required" | "authentication_failed" => {
                    DeclineCode::AuthenticationFailed
                }
                _ => continue,
            };
            return mapped;
        }
        DeclineCode::CardDeclined
    }

    /// Pay's decline code for a refused call: a card error (402, or `type = card_error`) is the
    /// card's decline; any other refusal (a bad key, raw card data not enabled, a parameter
    /// Stripe refuses) is Pay's `processing_error`: the buyer's card is not to blame.
    pub fn failure(&self, status: u16) -> DeclineCode {
        if self.is_card_error(status) {
            self.decline()
        } else {
            DeclineCode::ProcessingError
        }
    }

    /// A card error: a 402, or `type = card_error`.
    pub fn is_card_error(&self, status: u16) -> bool {
        status == 402 || self.kind.as_deref() == Some("card_error")
    }

    /// For the log: type, code and Stripe's message (which never holds card data).
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}: {}",
            self.kind.as_deref().unwrap_or("error"),
            self.code.as_deref().unwrap_or("-"),
            self.decline_code.as_deref().unwrap_or("-"),
            self.message.as_deref().unwrap_or("")
        )
    }
}

/// A Refund (<https://docs.stripe.com/api/refunds/object>).
#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// A page of a list (<https://docs.stripe.com/api/pagination>).
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

/// A PaymentIntent's status as Pay's outcome. A `requires_action` is for Stripe.js in the
/// attempt's browser (`handleNextAction` with the intent's client secret).
pub fn charge_outcome(intent: &PaymentIntent) -> ChargeOutcome {
    let transaction_id = intent.id.clone();
    match intent.status.as_str() {
        "succeeded" => ChargeOutcome::Successful { transaction_id },
        "processing" => ChargeOutcome::Pending { transaction_id },
        "requires_action" => match &intent.client_secret {
            Some(client_secret) => ChargeOutcome::RequiresAction {
                transaction_id,
                action: NextAction::BrowserLibrary {
                    client_secret: client_secret.clone(),
                },
            },
            None => ChargeOutcome::Unknown {
                reason: format!(
                    "stripe: payment intent {} requires an action but has no client secret",
                    intent.id
                ),
            },
        },
        "requires_payment_method" | "canceled" => ChargeOutcome::Failed {
            transaction_id: Some(transaction_id),
            decline: match &intent.last_payment_error {
                Some(error) => error.decline(),
                None => DeclineCode::ProcessingError,
            },
        },
        other => ChargeOutcome::Unknown {
            reason: format!("stripe: payment intent {} is {other}", intent.id),
        },
    }
}

/// A Refund's status as Pay's outcome.
pub fn refund_outcome(refund: &Refund) -> RefundOutcome {
    match refund.status.as_deref() {
        Some("succeeded") => RefundOutcome::Succeeded,
        Some("pending") | Some("requires_action") => RefundOutcome::Pending,
        Some("failed") | Some("canceled") => RefundOutcome::Refused {
            reason: refund_failure(refund),
        },
        other => RefundOutcome::Unknown {
            reason: format!("stripe: refund {} is {other:?}", refund.id),
        },
    }
}

/// Pay's words for a failed refund.
pub fn refund_failure(refund: &Refund) -> String {
    match refund.failure_reason.as_deref() {
        Some("expired_or_canceled_card") => "the card was canceled or has expired".into(),
        Some("lost_or_stolen_card") => "the card was reported lost or stolen".into(),
        Some(reason) => format!("Stripe could not refund ({reason})"),
        None => "Stripe could not refund".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(value: serde_json::Value) -> PaymentIntent {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn statuses_map_to_outcomes() {
        let ok = intent(json!({"id": "pi_1", "status": "succeeded"}));
        assert_eq!(
            charge_outcome(&ok),
            ChargeOutcome::Successful {
                transaction_id: "pi_1".into()
            }
        );
        let later = intent(json!({"id": "pi_1", "status": "processing"}));
        assert!(matches!(charge_outcome(&later), ChargeOutcome::Pending { .. }));
        let sdk = intent(
            json!({"id": "pi_1", "status": "requires_action", "client_secret": "pi_1_secret_abc",
            "next_action": {"type": "use_stripe_sdk"}}),
        );
        assert_eq!(
            charge_outcome(&sdk),
            ChargeOutcome::RequiresAction {
                transaction_id: "pi_1".into(),
                action: NextAction::BrowserLibrary {
                    client_secret: ClientSecret::new("pi_1_secret_abc".into())
                }
            }
        );
        assert!(
            !format!("{sdk:?}").contains("secret_abc"),
            "the client secret is masked"
        );
        let no_secret = intent(json!({"id": "pi_1", "status": "requires_action"}));
        assert!(matches!(charge_outcome(&no_secret), ChargeOutcome::Unknown { .. }));
        let odd = intent(json!({"id": "pi_1", "status": "requires_capture"}));
        assert!(matches!(charge_outcome(&odd), ChargeOutcome::Unknown { .. }));
    }

    #[test]
    fn declines_map_to_pay_codes() {
        let cases = [
            (
                json!({"code": "card_declined", "decline_code": "generic_decline"}),
                DeclineCode::CardDeclined,
            ),
            (
                json!({"code": "card_declined", "decline_code": "insufficient_funds"}),
                DeclineCode::InsufficientFunds,
            ),
            (json!({"code": "expired_card"}), DeclineCode::ExpiredCard),
            (json!({"code": "incorrect_cvc"}), DeclineCode::IncorrectCvc),
            (json!({"code": "processing_error"}), DeclineCode::ProcessingError),
            (
                json!({"code": "payment_intent_authentication_failure"}),
                DeclineCode::AuthenticationFailed,
            ),
            (
                json!({"code": "card_declined", "decline_code": "fraudulent"}),
                DeclineCode::CardDeclined,
            ),
            (json!({"code": "something_new"}), DeclineCode::CardDeclined),
            (json!({}), DeclineCode::CardDeclined),
        ];
        for (error, want) in cases {
            let error: StripeError = serde_json::from_value(error.clone()).unwrap();
            assert_eq!(error.decline(), want, "{error:?}");
            let failed = intent(
                json!({"id": "pi_1", "status": "requires_payment_method", "last_payment_error": error_json(&error)}),
            );
            assert_eq!(
                charge_outcome(&failed),
                ChargeOutcome::Failed {
                    transaction_id: Some("pi_1".into()),
                    decline: want
                }
            );
        }
    }

    #[test]
    fn only_card_errors_are_the_cards_fault() {
        let card: StripeError = serde_json::from_value(json!({"type": "card_error", "code": "expired_card"})).unwrap();
        assert_eq!(card.failure(402), DeclineCode::ExpiredCard);
        assert_eq!(card.failure(400), DeclineCode::ExpiredCard);
        let key: StripeError =
            serde_json::from_value(json!({"type": "invalid_request_error", "code": "card_declined"})).unwrap();
        assert_eq!(
            key.failure(402),
            DeclineCode::CardDeclined,
            "localstripe's declines are 402 invalid_request_error"
        );
        let auth: StripeError = serde_json::from_value(json!({"type": "authentication_error"})).unwrap();
        assert_eq!(auth.failure(401), DeclineCode::ProcessingError);
        let raw: StripeError = serde_json::from_value(json!({"type": "invalid_request_error", "message": "Sending credit card numbers directly to the Stripe API is generally unsafe."})).unwrap();
        assert_eq!(raw.failure(400), DeclineCode::ProcessingError);
    }

    fn error_json(e: &StripeError) -> serde_json::Value {
        json!({"code": e.code, "decline_code": e.decline_code})
    }

    #[test]
    fn refund_statuses_map_to_outcomes() {
        let refund = |status: &str| Refund {
            id: "re_1".into(),
            status: Some(status.into()),
            failure_reason: Some("lost_or_stolen_card".into()),
            metadata: BTreeMap::new(),
        };
        assert_eq!(refund_outcome(&refund("succeeded")), RefundOutcome::Succeeded);
        assert_eq!(refund_outcome(&refund("pending")), RefundOutcome::Pending);
        assert_eq!(
            refund_outcome(&refund("failed")),
            RefundOutcome::Refused {
                reason: "the card was reported lost or stolen".into()
            }
        );
        assert!(matches!(
            refund_outcome(&refund("weird")),
            RefundOutcome::Unknown { .. }
        ));
    }
}
