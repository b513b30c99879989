//! Provider events: each (provider, event id) is applied once, in the transaction that records
//! it. An event that no longer fits (a charge already resolved, a `Failed` after `Successful`,
//! a refund that already ended) changes nothing and is recorded as stale.

use super::attempts::finish_locked;
use super::changes::{apply_change, Change};
use super::payments::fetch_payment;
use super::refunds::{end_locked, RefundEnd};
use super::{now_rfc3339, Store, StoreError};
use pay_types::{AttemptResolution, PaymentId, TransactionStatus};
use sqlx::AnyConnection;

/// What an event asks of Pay, in the store's terms.
#[derive(Debug, Clone)]
pub enum EventAction {
    /// The outcome of a charge: an open attempt ends with it, a `Pending` payment settles.
    Charge {
        payment_id: PaymentId,
        attempt_id: String,
        change: Change,
    },
    /// A dispute on a charged attempt: the payment becomes `Chargeback`.
    Dispute { payment_id: PaymentId, attempt_id: String },
    /// A refund's end.
    Refund { refund_id: String, end: RefundEnd },
    /// Nothing to do (a type Pay does not act on).
    Nothing,
}

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventEffect {
    Applied,
    /// It no longer fits the payment: nothing changed.
    Stale,
    /// Its id was applied before: nothing changed.
    Duplicate,
    Ignored,
}

impl EventEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Stale => "stale",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
        }
    }
}

impl Store {
    /// Applies a verified provider event once.
    pub async fn apply_provider_event(
        &self,
        provider: &str,
        event_id: &str,
        kind: &str,
        action: EventAction,
    ) -> Result<EventEffect, StoreError> {
        let (provider, event_id, kind, lock) = (
            provider.to_owned(),
            event_id.to_owned(),
            kind.to_owned(),
            self.dialect.for_update(),
        );
        let effect = self
            .write(move |conn| {
                Box::pin(async move {
                    // First the id, so a concurrent delivery of the same event waits here and then
                    // finds it taken.
                    let fresh = sqlx::query(
                        "INSERT INTO provider_events (provider, event_id, kind, outcome, received_at) \
                         VALUES ($1, $2, $3, 'applied', $4) ON CONFLICT (provider, event_id) DO NOTHING",
                    )
                    .bind(&provider)
                    .bind(&event_id)
                    .bind(&kind)
                    .bind(now_rfc3339())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                    if fresh == 0 {
                        return Ok(EventEffect::Duplicate);
                    }
                    let effect = apply(conn, action, lock).await?;
                    sqlx::query("UPDATE provider_events SET outcome = $1 WHERE provider = $2 AND event_id = $3")
                        .bind(effect.as_str())
                        .bind(&provider)
                        .bind(&event_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(effect)
                })
            })
            .await?;
        if effect == EventEffect::Applied {
            self.changed();
        }
        Ok(effect)
    }
}

async fn apply(conn: &mut AnyConnection, action: EventAction, lock: &str) -> Result<EventEffect, StoreError> {
    match action {
        EventAction::Nothing => Ok(EventEffect::Ignored),
        EventAction::Charge {
            payment_id,
            attempt_id,
            change,
        } => {
            let Some(row) = fetch_payment(conn, payment_id.as_str(), lock).await? else {
                return Ok(EventEffect::Stale);
            };
            if row.processing_attempt.as_deref() == Some(attempt_id.as_str()) {
                finish_locked(conn, &row, &attempt_id, change, AttemptResolution::Event).await?;
                return Ok(EventEffect::Applied);
            }
            let settles = row.status == TransactionStatus::Pending
                && row.last_attempt_id.as_deref() == Some(attempt_id.as_str())
                && matches!(change.status, TransactionStatus::Successful | TransactionStatus::Failed);
            if !settles {
                return Ok(EventEffect::Stale);
            }
            apply_change(conn, &row, change).await?;
            Ok(EventEffect::Applied)
        }
        EventAction::Dispute { payment_id, attempt_id } => {
            let Some(row) = fetch_payment(conn, payment_id.as_str(), lock).await? else {
                return Ok(EventEffect::Stale);
            };
            let disputable = row.last_attempt_id.as_deref() == Some(attempt_id.as_str())
                && row.status.transition(TransactionStatus::Chargeback).is_ok();
            if !disputable {
                return Ok(EventEffect::Stale);
            }
            apply_change(conn, &row, Change::to(TransactionStatus::Chargeback)).await?;
            Ok(EventEffect::Applied)
        }
        EventAction::Refund { refund_id, end } => {
            let open: Option<(String,)> = sqlx::query_as("SELECT state FROM refunds WHERE id = $1")
                .bind(&refund_id)
                .fetch_optional(&mut *conn)
                .await?;
            match open {
                Some((state,)) if state == "processing" || state == "pending" => {
                    end_locked(conn, &refund_id, end, lock).await?;
                    Ok(EventEffect::Applied)
                }
                _ => Ok(EventEffect::Stale),
            }
        }
    }
}
