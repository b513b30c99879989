//! The card processor behind a trait: the sandbox in test mode, a real one in production.

mod sandbox;

pub use sandbox::SandboxProcessor;

use pay_types::{Amount, CardNumber, Currency, Cvc, DeclineCode, Expiry, TransactionStatus};
use std::time::Duration;

/// Card details for one charge. They live in memory for the call and are never stored.
#[derive(Debug)]
pub struct Card {
    pub number: CardNumber,
    pub expiry: Expiry,
    pub cvc: Cvc,
}

/// What the processor is asked to charge. `attempt_key` is unique per attempt, so a real
/// processor can de-duplicate a retried call.
#[derive(Debug)]
pub struct ChargeRequest<'a> {
    pub attempt_key: &'a str,
    pub amount: Amount,
    pub currency: Currency,
    pub card: &'a Card,
}

/// The processor's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeOutcome {
    pub transaction_id: String,
    /// `Successful`, `Pending` or `Failed`.
    pub status: TransactionStatus,
    pub decline: Option<DeclineCode>,
    /// A change the processor announces for later (a pending charge settling, a chargeback).
    pub later: Option<(TransactionStatus, Duration)>,
}

#[async_trait::async_trait]
pub trait Processor: Send + Sync + 'static {
    async fn charge(&self, request: ChargeRequest<'_>) -> ChargeOutcome;
}
