//! The sandbox processor: the card number decides the outcome (SPEC §6).

use super::{ChargeOutcome, ChargeRequest, Processor};
use pay_types::{DeclineCode, TransactionStatus};
use std::time::Duration;

pub struct SandboxProcessor {
    /// How long pending charges wait before settling, and chargebacks before arriving.
    pub settle_delay: Duration,
}

impl SandboxProcessor {
    /// The outcome for a card number (digits only).
    pub fn decide(&self, digits: &str) -> (TransactionStatus, Option<DeclineCode>, Option<TransactionStatus>) {
        use TransactionStatus::*;
        match digits {
            "4000000000000002" => (Failed, Some(DeclineCode::CardDeclined), None),
            "4000000000009995" => (Failed, Some(DeclineCode::InsufficientFunds), None),
            "4000000000000069" => (Failed, Some(DeclineCode::ExpiredCard), None),
            "4000000000000127" => (Failed, Some(DeclineCode::IncorrectCvc), None),
            "4000000000003220" => (Pending, None, Some(Successful)),
            "4000000000000341" => (Pending, None, Some(Failed)),
            "4000000000000259" => (Successful, None, Some(Chargeback)),
            // 4242…, 5555…4444 and every other valid test number succeed.
            _ => (Successful, None, None),
        }
    }
}

#[async_trait::async_trait]
impl Processor for SandboxProcessor {
    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome {
        let (status, decline, later) = self.decide(request.card.number.expose_digits());
        ChargeOutcome {
            transaction_id: format!("txn_{}", uuid::Uuid::new_v4().simple()),
            status,
            decline,
            later: later.map(|s| (s, self.settle_delay)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processor::Card;
    use pay_types::{Amount, CardBrand, CardNumber, Currency, Cvc, Expiry};

    #[actix_web::test]
    async fn every_sandbox_card() {
        use TransactionStatus::*;
        let sandbox = SandboxProcessor {
            settle_delay: Duration::from_secs(3),
        };
        let table = [
            ("4242424242424242", Successful, None, None),
            ("5555555555554444", Successful, None, None),
            ("4000000000000002", Failed, Some(DeclineCode::CardDeclined), None),
            ("4000000000009995", Failed, Some(DeclineCode::InsufficientFunds), None),
            ("4000000000000069", Failed, Some(DeclineCode::ExpiredCard), None),
            ("4000000000000127", Failed, Some(DeclineCode::IncorrectCvc), None),
            ("4000000000003220", Pending, None, Some(Successful)),
            ("4000000000000341", Pending, None, Some(Failed)),
            ("4000000000000259", Successful, None, Some(Chargeback)),
        ];
        for (number, status, decline, later) in table {
            let card = Card {
                number: CardNumber::parse(number).unwrap(),
                expiry: Expiry::parse(12, 2045, (2026, 1)).unwrap(),
                cvc: Cvc::parse("123", CardBrand::Visa).unwrap(),
            };
            let request = ChargeRequest {
                attempt_key: "k",
                amount: Amount::parse_str("1").unwrap(),
                currency: Currency::parse("USD").unwrap(),
                card: &card,
            };
            let outcome = sandbox.charge(request).await;
            assert_eq!((outcome.status, outcome.decline), (status, decline), "{number}");
            assert_eq!(outcome.later.map(|l| l.0), later, "{number}");
            assert!(outcome.transaction_id.starts_with("txn_"));
        }
    }
}
