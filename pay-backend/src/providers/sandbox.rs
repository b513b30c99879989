//! The sandbox provider: the card number decides the outcome (SPEC §6, the sandbox cards table in
//! docs/providers.md).
//!
//! It plays a provider's part in full, so the sandbox goes through the same path as a real
//! one: its books live in tables of its own (`store::sandbox`), written apart from Pay's
//! records; a retried key charges or refunds nothing more; 3-D Secure cards ask for a
//! challenge on the sandbox's own page (test mode only); and its later changes (a pending
//! charge settling, a chargeback, a pending refund) are events it signs the Standard Webhooks
//! way; Pay takes them from [`Provider::outgoing_events`] to the provider events route's
//! handler, as if they had come over HTTP.

use super::{
    AttemptKey, CardSource, ChargeOutcome, ChargeRequest, CompleteRequest, EventRefusal, Lookup, NextAction,
    OutgoingEvent, Provider, ProviderEvent, ProviderEventKind, RefundOutcome, RefundRequest,
};
use crate::events::{verify_webhook, WebhookSecret};
use crate::store::{now_ms, SandboxCharge, SandboxEvent, Store, StoreError};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use pay_types::{DeclineCode, TransactionStatus};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use std::time::Duration;

/// How far a sandbox event's timestamp may be from now.
const EVENT_TOLERANCE: Duration = Duration::from_secs(300);

/// What a sandbox card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxCard {
    Succeeds,
    Declines(DeclineCode),
    /// `Pending`, then this status by event.
    Settles(TransactionStatus),
    /// `Successful`, then a dispute by event.
    Disputed,
    /// A 3-D Secure challenge, then what the buyer chose.
    Challenge,
    /// A 3-D Secure challenge, then declined whatever the buyer chose.
    ChallengeThenDeclined,
    /// The provider charges, then the call times out.
    TimesOutAfterCharging,
    /// The provider answers 500 and charges nothing.
    FailsWithoutCharging,
    /// Charges; every refund is refused.
    RefundsRefused,
    /// Charges; refunds are pending, then succeed by event.
    RefundsPending,
}

impl SandboxCard {
    /// The behaviour of a card number (digits only). Every other valid number succeeds.
    pub fn of(digits: &str) -> Self {
        use TransactionStatus::*;
        match digits {
            "4000000000000002" => Self::Declines(DeclineCode::CardDeclined),
            "4000000000009995" => Self::Declines(DeclineCode::InsufficientFunds),
            "4000000000000069" => Self::Declines(DeclineCode::ExpiredCard),
            "4000000000000127" => Self::Declines(DeclineCode::IncorrectCvc),
            "4000000000003220" => Self::Settles(Successful),
            "4000000000000341" => Self::Settles(Failed),
            "4000000000000259" => Self::Disputed,
            "4000002500003155" | "4000002760003184" => Self::Challenge,
            "4000008400001629" => Self::ChallengeThenDeclined,
            "4000000000000119" => Self::TimesOutAfterCharging,
            "4000000000000507" => Self::FailsWithoutCharging,
            "4000000000007775" => Self::RefundsRefused,
            "4000000000008880" => Self::RefundsPending,
            _ => Self::Succeeds,
        }
    }

    /// The name the sandbox's books keep (never the number).
    fn name(self) -> &'static str {
        match self {
            Self::Succeeds => "succeeds",
            Self::Declines(_) => "declines",
            Self::Settles(TransactionStatus::Successful) => "settles_successful",
            Self::Settles(_) => "settles_failed",
            Self::Disputed => "disputed",
            Self::Challenge => "challenge",
            Self::ChallengeThenDeclined => "challenge_then_declined",
            Self::TimesOutAfterCharging => "times_out_after_charging",
            Self::FailsWithoutCharging => "fails_without_charging",
            Self::RefundsRefused => "refunds_refused",
            Self::RefundsPending => "refunds_pending",
        }
    }
}

/// The event body the sandbox signs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventBody {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    /// The attempt key of the charge it is about.
    charge: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refund: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decline_code: Option<DeclineCode>,
}

pub struct SandboxProvider {
    /// How long pending charges and refunds wait before their event, and disputes before theirs.
    settle_delay: Duration,
    /// How long a charge takes (half before the sandbox records it, half after).
    latency: Duration,
    secret: WebhookSecret,
    store: OnceLock<Store>,
}

impl SandboxProvider {
    /// A sandbox whose events are signed with `events_secret` (`whsec_…`).
    pub fn new(settle_delay: Duration, events_secret: WebhookSecret) -> Self {
        Self {
            settle_delay,
            latency: Duration::ZERO,
            secret: events_secret,
            store: OnceLock::new(),
        }
    }

    /// Charges take `latency` (the crash test kills processes while charges are at the provider).
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// The path of the sandbox's challenge page for an attempt.
    pub fn challenge_path(key: &AttemptKey) -> String {
        format!(
            "/pay/v1/sandbox/challenges/{}/{}",
            key.payment_id,
            key.attempt_id.as_str()
        )
    }

    fn store(&self) -> Option<&Store> {
        self.store.get()
    }

    /// The buyer's answer on the challenge page. `None` when the key has no challenge.
    pub async fn answer(&self, key: &AttemptKey, complete: bool) -> Result<Option<()>, crate::store::StoreError> {
        let Some(store) = self.store() else { return Ok(None) };
        let answer = if complete { "complete" } else { "fail" };
        let charge = store.sandbox_answer(&key.to_string(), answer).await?;
        Ok(charge.filter(|c| c.outcome == "challenge").map(|_| ()))
    }

    /// Test mode: a payment's waiting events are due now (Pay then takes them). Returns how
    /// many were waiting.
    pub async fn make_due_now(&self, payment_id: &str) -> Result<u64, StoreError> {
        let Some(store) = self.store() else { return Ok(0) };
        store.sandbox_events_due_now(payment_id).await
    }

    /// Test mode: a dispute on the charge of `key`, due now. `false` when nothing was charged.
    pub async fn dispute_now(&self, key: &AttemptKey) -> Result<bool, StoreError> {
        let Some(store) = self.store() else { return Ok(false) };
        let Some(charge) = store.sandbox_charge_of(&key.to_string()).await? else {
            return Ok(false);
        };
        store
            .sandbox_add_event(self.event(&charge.key, "dispute.created", None, None, 0))
            .await?;
        Ok(true)
    }

    /// What the sandbox's books say a payment was charged: (key, outcome) per charge.
    pub async fn charges_of(&self, payment_id: &str) -> Result<Vec<SandboxCharge>, crate::store::StoreError> {
        match self.store() {
            Some(store) => store.sandbox_charges_of_payment(payment_id).await,
            None => Ok(Vec::new()),
        }
    }

    fn event(
        &self,
        charge: &str,
        kind: &str,
        refund: Option<&str>,
        decline: Option<DeclineCode>,
        after: u128,
    ) -> SandboxEvent {
        let id = format!("sbevt_{}", uuid::Uuid::new_v4().simple());
        let body = EventBody {
            id: id.clone(),
            kind: kind.to_owned(),
            charge: charge.to_owned(),
            refund: refund.map(str::to_owned),
            decline_code: decline,
        };
        SandboxEvent {
            body: serde_json::to_string(&body).expect("an event body serializes"),
            id,
            charge_key: charge.to_owned(),
            due_at: now_ms() + after as i64,
        }
    }

    fn outcome(&self, charge: &SandboxCharge) -> ChargeOutcome {
        let transaction_id = charge.transaction_id.clone();
        let declined = |code| ChargeOutcome::Failed {
            transaction_id: Some(charge.transaction_id.clone()),
            decline: code,
        };
        match (charge.outcome.as_str(), charge.answer.as_deref()) {
            ("successful", _) => ChargeOutcome::Successful { transaction_id },
            ("pending", _) => ChargeOutcome::Pending { transaction_id },
            ("challenge", None) => ChargeOutcome::RequiresAction {
                action: NextAction::Page {
                    url: match AttemptKey::parse(&charge.key) {
                        Some(key) => Self::challenge_path(&key),
                        None => String::new(),
                    },
                },
                transaction_id,
            },
            ("challenge", Some("complete")) if charge.card == SandboxCard::Challenge.name() => {
                ChargeOutcome::Successful { transaction_id }
            }
            ("challenge", Some("complete")) => declined(DeclineCode::CardDeclined),
            ("challenge", Some(_)) => declined(DeclineCode::AuthenticationFailed),
            _ => declined(
                charge
                    .decline_code
                    .as_deref()
                    .and_then(DeclineCode::parse)
                    .unwrap_or(DeclineCode::CardDeclined),
            ),
        }
    }
}

#[async_trait::async_trait]
impl Provider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn is_live(&self) -> bool {
        false
    }

    /// The sandbox runs inside the process: a call in flight died with it.
    fn in_flight_grace(&self) -> Duration {
        Duration::ZERO
    }

    fn as_sandbox(&self) -> Option<&SandboxProvider> {
        Some(self)
    }

    fn start(&self, store: &Store) {
        // A second start keeps the first store.
        let _ = self.store.set(store.clone());
    }

    /// The due events, signed the Standard Webhooks way as an HTTP delivery would be.
    async fn outgoing_events(&self) -> Result<Vec<OutgoingEvent>, StoreError> {
        let Some(store) = self.store() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for event in store.sandbox_due_events(100).await? {
            let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
            let signature = self.secret.sign(&event.id, timestamp, event.body.as_bytes());
            let mut headers = HeaderMap::new();
            for (name, value) in [
                ("webhook-id", event.id.clone()),
                ("webhook-timestamp", timestamp.to_string()),
                ("webhook-signature", signature),
            ] {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    headers.insert(HeaderName::from_static(name), value);
                }
            }
            out.push(OutgoingEvent {
                id: event.id,
                headers,
                body: event.body.into_bytes(),
            });
        }
        Ok(out)
    }

    async fn event_delivered(&self, id: &str) -> Result<(), StoreError> {
        match self.store() {
            Some(store) => store.sandbox_event_sent(id).await,
            None => Ok(()),
        }
    }

    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome {
        let Some(store) = self.store() else {
            return ChargeOutcome::Unknown {
                reason: "the sandbox was not started".into(),
            };
        };
        let CardSource::Card(card) = request.source else {
            // Pay refuses a token before the call: the sandbox's card form is Pay's own.
            return ChargeOutcome::Failed {
                transaction_id: None,
                decline: DeclineCode::ProcessingError,
            };
        };
        tokio::time::sleep(self.latency / 2).await;
        let card = SandboxCard::of(card.number.expose_digits());
        if card == SandboxCard::FailsWithoutCharging {
            return ChargeOutcome::Unknown {
                reason: "sandbox: the provider answered 500".into(),
            };
        }
        let key = request.key.to_string();
        let delay = self.settle_delay.as_millis();
        let (outcome, decline, events) = match card {
            SandboxCard::Declines(code) => ("failed", Some(code), vec![]),
            SandboxCard::Settles(TransactionStatus::Successful) => (
                "pending",
                None,
                vec![self.event(&key, "charge.succeeded", None, None, delay)],
            ),
            SandboxCard::Settles(_) => (
                "pending",
                None,
                vec![self.event(&key, "charge.failed", None, Some(DeclineCode::CardDeclined), delay)],
            ),
            SandboxCard::Disputed => (
                "successful",
                None,
                vec![self.event(&key, "dispute.created", None, None, delay)],
            ),
            SandboxCard::Challenge | SandboxCard::ChallengeThenDeclined => ("challenge", None, vec![]),
            _ => ("successful", None, vec![]),
        };
        let charge = SandboxCharge {
            key,
            transaction_id: format!("txn_{}", uuid::Uuid::new_v4().simple()),
            amount: request.amount.to_string(),
            currency: request.currency.code().to_owned(),
            outcome: outcome.to_owned(),
            decline_code: decline.map(|d| d.as_str().to_owned()),
            card: card.name().to_owned(),
            answer: None,
        };
        let recorded = match store.sandbox_charge(charge, events).await {
            Ok(recorded) => recorded,
            Err(e) => {
                return ChargeOutcome::Unknown {
                    reason: format!("sandbox: {e}"),
                }
            }
        };
        tokio::time::sleep(self.latency / 2).await;
        if card == SandboxCard::TimesOutAfterCharging {
            return ChargeOutcome::Unknown {
                reason: "sandbox: the provider timed out after charging".into(),
            };
        }
        self.outcome(&recorded)
    }

    async fn complete(&self, request: CompleteRequest<'_>) -> ChargeOutcome {
        match self.lookup(request.key, None).await {
            Lookup::Found(outcome) => outcome,
            Lookup::NeverReached => ChargeOutcome::Unknown {
                reason: "sandbox: no charge under this key".into(),
            },
        }
    }

    async fn lookup(&self, key: &AttemptKey, _provider_ref: Option<&str>) -> Lookup {
        let Some(store) = self.store() else {
            return Lookup::Found(ChargeOutcome::Unknown {
                reason: "the sandbox was not started".into(),
            });
        };
        match store.sandbox_charge_of(&key.to_string()).await {
            Ok(Some(charge)) => Lookup::Found(self.outcome(&charge)),
            Ok(None) => Lookup::NeverReached,
            Err(e) => Lookup::Found(ChargeOutcome::Unknown {
                reason: format!("sandbox: {e}"),
            }),
        }
    }

    async fn refund(&self, request: RefundRequest<'_>) -> RefundOutcome {
        let Some(store) = self.store() else {
            return RefundOutcome::Unknown {
                reason: "the sandbox was not started".into(),
            };
        };
        let charge_key = request.charge.to_string();
        let card = match store.sandbox_charge_of(&charge_key).await {
            Ok(Some(charge)) => charge.card,
            Ok(None) => String::new(),
            Err(e) => {
                return RefundOutcome::Unknown {
                    reason: format!("sandbox: {e}"),
                }
            }
        };
        let (wanted, event) = if card == SandboxCard::RefundsRefused.name() {
            ("refused", None)
        } else if card == SandboxCard::RefundsPending.name() {
            let event = self.event(
                &charge_key,
                "refund.succeeded",
                Some(request.key),
                None,
                self.settle_delay.as_millis(),
            );
            ("pending", Some(event))
        } else {
            ("succeeded", None)
        };
        let amount = request.amount.value();
        match store
            .sandbox_refund(request.key, &charge_key, amount, wanted, event)
            .await
        {
            Ok(outcome) => match outcome.as_str() {
                "succeeded" => RefundOutcome::Succeeded,
                "pending" => RefundOutcome::Pending,
                _ if wanted == "refused" => RefundOutcome::Refused {
                    reason: "the card's issuer does not accept refunds (sandbox card)".into(),
                },
                _ => RefundOutcome::Refused {
                    reason: "more than is left of the charge".into(),
                },
            },
            Err(e) => RefundOutcome::Unknown {
                reason: format!("sandbox: {e}"),
            },
        }
    }

    async fn verify_event(&self, headers: &HeaderMap, body: &[u8]) -> Result<ProviderEvent, EventRefusal> {
        let pairs = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
        verify_webhook(pairs, body, &self.secret, EVENT_TOLERANCE).map_err(|_| EventRefusal::BadSignature)?;
        let event: EventBody = serde_json::from_slice(body).map_err(|e| EventRefusal::Unreadable(e.to_string()))?;
        let unreadable = || EventRefusal::Unreadable("charge: not an attempt key".into());
        let key = || AttemptKey::parse(&event.charge).ok_or_else(unreadable);
        let refund = || {
            event
                .refund
                .clone()
                .ok_or_else(|| EventRefusal::Unreadable("refund: required".into()))
        };
        let kind = match event.kind.as_str() {
            "charge.succeeded" => ProviderEventKind::ChargeSucceeded { key: key()? },
            "charge.failed" => ProviderEventKind::ChargeFailed {
                key: key()?,
                decline: event.decline_code.unwrap_or(DeclineCode::CardDeclined),
            },
            "dispute.created" => ProviderEventKind::DisputeOpened { key: key()? },
            "refund.succeeded" => ProviderEventKind::RefundSucceeded { refund: refund()? },
            "refund.failed" => ProviderEventKind::RefundFailed {
                refund: refund()?,
                reason: "the provider could not send the money back".into(),
            },
            other => ProviderEventKind::Other {
                kind: other.chars().take(64).collect(),
            },
        };
        Ok(ProviderEvent { id: event.id, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sandbox_card() {
        use TransactionStatus::*;
        let table = [
            ("4242424242424242", SandboxCard::Succeeds),
            ("5555555555554444", SandboxCard::Succeeds),
            ("4000000000000002", SandboxCard::Declines(DeclineCode::CardDeclined)),
            (
                "4000000000009995",
                SandboxCard::Declines(DeclineCode::InsufficientFunds),
            ),
            ("4000000000000069", SandboxCard::Declines(DeclineCode::ExpiredCard)),
            ("4000000000000127", SandboxCard::Declines(DeclineCode::IncorrectCvc)),
            ("4000000000003220", SandboxCard::Settles(Successful)),
            ("4000000000000341", SandboxCard::Settles(Failed)),
            ("4000000000000259", SandboxCard::Disputed),
            ("4000002500003155", SandboxCard::Challenge),
            ("4000002760003184", SandboxCard::Challenge),
            ("4000008400001629", SandboxCard::ChallengeThenDeclined),
            ("4000000000000119", SandboxCard::TimesOutAfterCharging),
            ("4000000000000507", SandboxCard::FailsWithoutCharging),
            ("4000000000007775", SandboxCard::RefundsRefused),
            ("4000000000008880", SandboxCard::RefundsPending),
        ];
        for (number, card) in table {
            assert!(
                pay_types::CardNumber::parse(number).is_ok(),
                "{number} is a valid card number"
            );
            assert_eq!(SandboxCard::of(number), card, "{number}");
        }
    }
}
