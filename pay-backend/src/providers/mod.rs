//! Payment providers behind one trait (SPEC §8): the built-in sandbox, and real ones.
//!
//! One method per flow: [`Provider::card_fields`] (how the popup collects the card),
//! [`Provider::prepare`] (the provider's object for an attempt, created before anything can
//! charge, whose id Pay stores), [`Provider::charge`] (authorize and capture),
//! [`Provider::complete`] (after the buyer's 3-D Secure challenge), [`Provider::lookup`] (an
//! attempt's real outcome, by its key and stored id), [`Provider::cancel`] (a challenge given
//! up), [`Provider::refund`] and [`Provider::verify_event`] (a signed event the provider
//! sends). Each call carries a key that Pay chose and stored before the call: a retry, another
//! process or a restart sends the same key, so the provider never charges or refunds twice. A
//! provider maps its own answers and errors to the outcomes below; its texts are logged by Pay,
//! never shown to a buyer. A provider knows nothing of [`crate::Pay`]: Pay drives it, and
//! takes the events of one that runs in the process ([`Provider::outgoing_events`]). A
//! connector says whether the provider answers ([`Provider::reachability`], kept in
//! `reachability`), and [`Provider::probe`] asks when Pay has nothing else to ask.

mod keys;
mod reachability;
mod sandbox;
pub mod stripe;

pub use keys::AttemptKey;
pub use reachability::{ProviderState, Reachability, ReachabilityReport};
pub use sandbox::{SandboxCard, SandboxProvider};
pub use stripe::{StripeConfig, StripeProvider};

use crate::store::{Store, StoreError};
use actix_web::http::header::HeaderMap;
use pay_types::{Amount, CardFields, CardNumber, Currency, Cvc, DeclineCode, Expiry, UserInfo};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Card details for one charge. They live in memory for the call and are never stored.
#[derive(Debug)]
pub struct Card {
    pub number: CardNumber,
    pub expiry: Expiry,
    pub cvc: Cvc,
}

/// What the buyer pays with: the card typed into Pay's own form (the sandbox, test cards only),
/// or the token of the provider's own card fields (Stripe: a PaymentMethod id). The one place
/// a provider reads it, so another kind of token (a Stripe ConfirmationToken) is one more arm.
#[derive(Debug, Clone, Copy)]
pub enum CardSource<'a> {
    Card(&'a Card),
    Token(&'a str),
}

/// One card attempt to charge.
#[derive(Debug)]
pub struct ChargeRequest<'a> {
    /// The idempotency key: unique per attempt, the same on every retry.
    pub key: &'a AttemptKey,
    pub amount: Amount,
    pub currency: Currency,
    pub source: CardSource<'a>,
    /// The provider's id for the attempt from [`Provider::prepare`], stored before the charge.
    pub provider_ref: Option<&'a str>,
    /// The buyer's contact details (billing details for the provider).
    pub buyer: Option<&'a UserInfo>,
    /// Where the provider sends the buyer's browser after a challenge: a path on the Pay
    /// server, `/pay/v1/checkout/{id}/attempts/{attemptId}/return`.
    pub return_path: String,
}

/// An attempt to finish after the buyer's challenge.
#[derive(Debug)]
pub struct CompleteRequest<'a> {
    pub key: &'a AttemptKey,
    /// The provider's reference for the attempt, from [`ChargeOutcome::RequiresAction`].
    pub provider_ref: &'a str,
    /// The query parameters the provider sent the browser back with.
    pub returned: &'a BTreeMap<String, String>,
}

/// What a provider answers to a charge (and to `complete`, without `RequiresAction`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Successful {
        transaction_id: String,
    },
    /// The provider decides later and says so with an event.
    Pending {
        transaction_id: String,
    },
    Failed {
        transaction_id: Option<String>,
        decline: DeclineCode,
    },
    /// The buyer must answer a 3-D Secure challenge.
    RequiresAction {
        transaction_id: String,
        action: NextAction,
    },
    /// Nobody knows whether money moved (a timeout, a reset connection, a provider 5xx): the
    /// attempt stays open until a [`Provider::lookup`] or an event resolves it. The reason is
    /// for the log.
    Unknown {
        reason: String,
    },
}

/// How the buyer answers a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// On the provider's page at `url` (absolute, or a path on the Pay server), in the popup's
    /// iframe; the provider sends the frame back to Pay's return route.
    Page { url: String },
    /// In the provider's browser library (Stripe.js `handleNextAction`), with this secret; the
    /// popup then asks Pay to complete the attempt.
    BrowserLibrary { client_secret: ClientSecret },
}

/// A secret the buyer's browser needs for one attempt (a PaymentIntent's client secret): given
/// to that browser only, never stored, logged or shown on the merchant API. `Debug` is masked.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(•••)")
    }
}

/// What a provider knows of an attempt key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The attempt's outcome at the provider (`Unknown` when the look-up itself failed).
    Found(ChargeOutcome),
    /// The provider never received this key: nothing was charged.
    NeverReached,
}

/// A refund to ask of the provider.
#[derive(Debug)]
pub struct RefundRequest<'a> {
    /// Pay's refund id: the idempotency key.
    pub key: &'a str,
    /// The charged attempt and the provider's transaction id for it.
    pub charge: &'a AttemptKey,
    pub transaction_id: &'a str,
    pub amount: Amount,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    Succeeded,
    /// The provider confirms later, with an event.
    Pending,
    /// The provider will not refund; the reason is shown to the merchant.
    Refused {
        reason: String,
    },
    /// Nobody knows yet; Pay asks again with the same key.
    Unknown {
        reason: String,
    },
}

/// A verified event from a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEvent {
    /// The provider's id for the event: each is applied once.
    pub id: String,
    pub kind: ProviderEventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEventKind {
    ChargeSucceeded {
        key: AttemptKey,
    },
    ChargeFailed {
        key: AttemptKey,
        decline: DeclineCode,
    },
    DisputeOpened {
        key: AttemptKey,
    },
    RefundSucceeded {
        refund: String,
    },
    RefundFailed {
        refund: String,
        reason: String,
    },
    /// A type Pay does not act on: answered 2xx and ignored.
    Other {
        kind: String,
    },
}

impl ProviderEventKind {
    /// A short name for the log and the stored record.
    pub fn name(&self) -> &str {
        match self {
            Self::ChargeSucceeded { .. } => "charge.succeeded",
            Self::ChargeFailed { .. } => "charge.failed",
            Self::DisputeOpened { .. } => "dispute.opened",
            Self::RefundSucceeded { .. } => "refund.succeeded",
            Self::RefundFailed { .. } => "refund.failed",
            Self::Other { kind } => kind,
        }
    }
}

/// Why an incoming event is refused (answered 400, nothing changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventRefusal {
    #[error("the event's signature does not verify")]
    BadSignature,
    #[error("the event cannot be read: {0}")]
    Unreadable(String),
}

/// An event a provider that runs in the process (the sandbox) has for Pay, signed as its HTTP
/// delivery would be. Pay hands it to the provider events route's handler, then says so with
/// [`Provider::event_delivered`].
#[derive(Debug, Clone)]
pub struct OutgoingEvent {
    pub id: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A payment provider. See the module documentation for the flows.
#[async_trait::async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The name in `/pay/v1/providers/{name}/events` and in the logs.
    fn name(&self) -> &'static str;

    /// Whether it moves real money. A live provider is required outside test mode, and the
    /// sandbox is refused there.
    fn is_live(&self) -> bool;

    /// How long after a process died Pay waits before asking about the attempts it left at the
    /// provider: long enough for a call in flight to have reached the provider or failed.
    fn in_flight_grace(&self) -> Duration {
        Duration::from_secs(60)
    }

    /// Called once when Pay starts, with Pay's store (the sandbox keeps its books there).
    fn start(&self, _store: &Store) {}

    /// Whether the provider answers, as Pay's latest calls to it found (one in the process
    /// always does).
    fn reachability(&self) -> ReachabilityReport {
        ReachabilityReport::in_process()
    }

    /// A call that changes nothing, to learn whether the provider answers when Pay has nothing
    /// else to ask it ([`Provider::reachability`] follows). None for one in the process.
    async fn probe(&self) {}

    /// How the popup collects the card for this provider (Pay's own form by default).
    fn card_fields(&self) -> CardFields {
        CardFields::default()
    }

    /// Whether the provider can take this amount in this currency, checked when a payment is
    /// created (a refusal is a 422 naming the reason). Every amount by default.
    fn check_amount(&self, _amount: Amount, _currency: Currency) -> Result<(), String> {
        Ok(())
    }

    /// The sandbox's test hooks (test mode only).
    fn as_sandbox(&self) -> Option<&SandboxProvider> {
        None
    }

    /// Creates the provider's object for an attempt, before anything can charge (Stripe: the
    /// PaymentIntent, unconfirmed). Pay stores the id it answers on the attempt, then calls
    /// [`Provider::charge`]; a look-up after a crash finds the object by that id, and an
    /// attempt without one never charged. A refusal (a decline code) charged nothing.
    async fn prepare(&self, _request: &ChargeRequest<'_>) -> Result<Option<String>, DeclineCode> {
        Ok(None)
    }

    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome;

    async fn complete(&self, request: CompleteRequest<'_>) -> ChargeOutcome;

    /// The attempt's outcome at the provider, by its key and the id [`Provider::prepare`] gave.
    async fn lookup(&self, key: &AttemptKey, provider_ref: Option<&str>) -> Lookup;

    /// The buyer gave the challenge up, or its time ran out: the provider's object is canceled
    /// unless it is paid, so nothing can charge it later; answers what the provider holds then.
    async fn cancel(&self, key: &AttemptKey, provider_ref: Option<&str>) -> Lookup {
        self.lookup(key, provider_ref).await
    }

    async fn refund(&self, request: RefundRequest<'_>) -> RefundOutcome;

    /// A refund the provider answered `Pending` to, as it stands now (by Pay's refund id).
    /// `Pending` by default: a provider without a way to ask says so with an event.
    async fn refund_status(&self, _request: RefundRequest<'_>) -> RefundOutcome {
        RefundOutcome::Pending
    }

    /// Checks an incoming event's signature and reads it (a provider may ask its API about
    /// the object an event names, once the signature verified).
    async fn verify_event(&self, headers: &HeaderMap, body: &[u8]) -> Result<ProviderEvent, EventRefusal>;

    /// The events of a provider that runs in the process, due now (none by default).
    async fn outgoing_events(&self) -> Result<Vec<OutgoingEvent>, StoreError> {
        Ok(Vec::new())
    }

    /// Pay took (or refused for good) an event from [`Provider::outgoing_events`].
    async fn event_delivered(&self, _id: &str) -> Result<(), StoreError> {
        Ok(())
    }
}
