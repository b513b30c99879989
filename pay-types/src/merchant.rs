//! The merchant API's answers (secret key): a payment with its attempts, pages of payments and
//! events, refunds, webhook deliveries. The server builds them from its stored rows; their JSON
//! is the public API, so a merchant's client can deserialize them with these same types.

use crate::checkout::{DeclineCode, PaymentMethod};
use crate::event::PaymentUpdateEvent;
use crate::money::Amount;
use crate::payment::Payment;
use crate::status::TransactionStatus;
use serde::{Deserialize, Serialize};

/// Where an attempt is: at the processor, or answered.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttemptState {
    Processing,
    Done,
}

impl AttemptState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Processing, Self::Done].into_iter().find(|st| st.as_str() == s)
    }
}

/// One payment attempt as the merchant sees it: never more of the card than brand and last four.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptDetails {
    pub attempt_id: String,
    pub method: PaymentMethod,
    pub state: AttemptState,
    /// The outcome, once `done`.
    pub status: Option<TransactionStatus>,
    pub transaction_id: Option<String>,
    pub decline_code: Option<DeclineCode>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    /// How a `done` attempt's outcome became known.
    pub resolved_by: Option<AttemptResolution>,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

/// How an attempt's outcome became known.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptResolution {
    /// The provider's answer to the charge, or to the challenge's completion.
    Answer,
    /// A look-up at the provider, after an unknown answer or a crash.
    Lookup,
    /// A provider event.
    Event,
    /// The buyer left the challenge (Cancel, or its deadline passed).
    Abandoned,
}

impl AttemptResolution {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::Lookup => "lookup",
            Self::Event => "event",
            Self::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Answer, Self::Lookup, Self::Event, Self::Abandoned]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A payment with its current status: `GET /pay/v1/payments/{id}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    pub payment: Payment,
    pub status: TransactionStatus,
    pub transaction_id: Option<String>,
    /// Sum of the refunds so far.
    pub refunded_amount: Amount,
    /// Who pays: the contact details the buyer gave in the popup, else `createPayment`'s
    /// (`null` when neither has any). In lists too, so a row needs no other request.
    #[serde(default)]
    pub buyer: Option<crate::UserInfo>,
    /// Oldest first (empty in lists).
    pub attempts: Vec<AttemptDetails>,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub updated_at: String,
}

/// A page of payments, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPage {
    pub data: Vec<PaymentDetails>,
    pub has_more: bool,
}

/// A payment's events in `sequence` order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvents {
    pub data: Vec<PaymentUpdateEvent>,
}

/// The body of `POST /pay/v1/payments/{id}/refunds`: `{}` refunds all that is left.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The part to refund (more than 0); all that is left when absent.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::optional_positive_amount))]
    pub amount: Option<Amount>,
}

/// A refund the provider accepted: done, or still on its way.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub refund_id: String,
    pub amount: Amount,
    /// `succeeded`: the money went back and the payment's event is written. `pending`: the
    /// provider confirms later (or Pay is still asking it); the event comes then.
    pub state: RefundState,
    /// The payment's status now (it changes only when the refund succeeds).
    pub status: TransactionStatus,
    /// Sum of the payment's succeeded refunds.
    pub refunded_amount: Amount,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    Succeeded,
    Pending,
}

/// A page of events in the order they were recorded, and the cursor to continue from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub data: Vec<PaymentUpdateEvent>,
    pub next_cursor: Option<i64>,
}

/// The answer to a redelivery request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redelivered {
    /// Deliveries queued again.
    pub queued: u64,
}

/// A webhook endpoint's deliveries by state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliveryCounts {
    pub pending: u64,
    pub delivered: u64,
    pub dead: u64,
}

/// How one try of a delivery ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryOutcome {
    Delivered,
    /// Tried again later, with backoff.
    Failed,
    /// The last try failed: parked until redelivered.
    Dead,
}

impl DeliveryOutcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Delivered, Self::Failed, Self::Dead]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One try of one delivery.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryLogEntry {
    pub event_id: String,
    /// 1 for the first try.
    pub attempt: u32,
    pub outcome: DeliveryOutcome,
    /// The endpoint's HTTP status, when it answered.
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
}

/// A webhook endpoint's delivery counts and its latest tries, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliveries {
    pub counts: DeliveryCounts,
    pub log: Vec<DeliveryLogEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_wire_shape() {
        let json = r#"{"attemptId":"att_1","method":"card","state":"done","status":"Failed","transactionId":"txn_1","declineCode":"insufficient_funds","cardBrand":"visa","cardLast4":"9995","resolvedBy":"lookup","createdAt":"2026-11-27T12:00:00Z"}"#;
        let a: AttemptDetails = serde_json::from_str(json).unwrap();
        assert_eq!(a.state, AttemptState::Done);
        assert_eq!(a.resolved_by, Some(AttemptResolution::Lookup));
        assert_eq!(a.decline_code, Some(DeclineCode::InsufficientFunds));
        assert_eq!(serde_json::to_string(&a).unwrap(), json);
    }

    #[test]
    fn enum_texts_round_trip() {
        for r in [
            AttemptResolution::Answer,
            AttemptResolution::Lookup,
            AttemptResolution::Event,
            AttemptResolution::Abandoned,
        ] {
            assert_eq!(AttemptResolution::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        for s in [AttemptState::Processing, AttemptState::Done] {
            assert_eq!(AttemptState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        for o in [
            DeliveryOutcome::Delivered,
            DeliveryOutcome::Failed,
            DeliveryOutcome::Dead,
        ] {
            assert_eq!(DeliveryOutcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
        }
        assert_eq!(AttemptState::parse("Done"), None);
    }

    #[test]
    fn a_refund_request_names_only_the_amount() {
        assert!(serde_json::from_str::<RefundRequest>(r#"{"amount": 5, "currency": "USD"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<RefundRequest>("{}").unwrap(),
            RefundRequest::default()
        );
    }
}
