//! What the store fails with: a refusal of the request by the payment's state (typed, one
//! variant per reason), or a failure of the database itself. The HTTP layer maps these to
//! codes in one place (`impl From<StoreError> for PayError`).

use pay_types::{ClaimRefusal, IllegalTransition, TransactionStatus};
use rust_decimal::Decimal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such payment")]
    PaymentNotFound,
    /// The claim rules refuse the attempt.
    #[error(transparent)]
    Claim(#[from] ClaimRefusal),
    #[error("this Idempotency-Key was used with a different request body")]
    IdempotencyConflict,
    /// The transition table refuses the change.
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    #[error("only a Successful or PartiallyRefunded payment can be refunded; this one is {0}")]
    NotRefundable(TransactionStatus),
    #[error("refund of {amount} exceeds the {remaining} left to refund")]
    RefundExceedsAmount { amount: Decimal, remaining: Decimal },
    #[error("this payment has no pending change")]
    NothingScheduled,
    #[error("no deliveries for this event (and target)")]
    NoDeliveries,
    /// An attempt's outcome was recorded for an attempt that does not hold the payment.
    #[error("the attempt is not in flight")]
    AttemptNotInFlight,
    #[error("no such refund")]
    NoSuchRefund,
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    /// A stored value does not parse: the database was changed by something else.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The task that group-commits writes has stopped, or its batch failed.
    #[error("the database writer failed: {0}")]
    Writer(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("invalid {what}"))
    }
}
