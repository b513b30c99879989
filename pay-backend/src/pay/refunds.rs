//! Refunds through the provider, and the merchant's other status change: marking an offline
//! payment paid.
//!
//! A refund is held against the payment and recorded before it goes to the provider under its
//! id; it counts (the refunded amount grows, the `Refunded`/`PartiallyRefunded` event is
//! written) only when the provider says it succeeded, now or by a later event. A refused refund
//! changes nothing and is `refund_refused` (409) with the reason. An unknown answer is asked
//! again, under the same id, until the provider tells.

use super::checkout::check_backoff;
use super::Pay;
use crate::error::PayError;
use crate::providers::{AttemptKey, RefundOutcome, RefundRequest};
use crate::store::{now_ms, PaymentRow, RefundEnd, RefundRow, RefundState};
use pay_types::{Amount, ErrorCode, Refund, TransactionStatus};

impl Pay {
    /// Refunds a `Successful` or `PartiallyRefunded` payment: all that is left when `amount` is
    /// `None`, else that part. Over-refunding (counting refunds still at the provider) is
    /// `refund_exceeds_amount` (409).
    pub async fn refund(&self, id: &str, amount: Option<Amount>) -> Result<Refund, PayError> {
        let row = self.payment(id).await?;
        let amount = amount
            .map(|a| a.in_currency(row.payment.currency, ErrorCode::InvalidAmount))
            .transpose()
            .map_err(|e| e.at("amount"))?;
        if amount.is_some_and(|a| a.value().is_zero()) {
            return Err(PayError::rejected(
                ErrorCode::InvalidAmount,
                "amount: must be greater than 0",
            ));
        }
        let grace = self.inner.provider.in_flight_grace();
        let (row, refund) = self.inner.store.begin_refund(&row.payment.id, amount, grace).await?;
        let (row, refund) = self.ask_refund(&row, refund).await?;
        match refund.state {
            RefundState::Refused => Err(PayError::rejected(
                ErrorCode::RefundRefused,
                format!(
                    "the provider refused the refund: {}",
                    refund.reason.as_deref().unwrap_or("no reason given")
                ),
            )),
            state => Ok(Refund {
                refund_id: refund.id,
                amount: refund.amount,
                state: match state {
                    RefundState::Succeeded => pay_types::RefundState::Succeeded,
                    _ => pay_types::RefundState::Pending,
                },
                status: row.status,
                refunded_amount: row.refunded_amount,
            }),
        }
    }

    /// Asks the provider about an open refund (under its id) and records the answer: a
    /// processing one is asked again (the same id: nothing is refunded twice), a pending one is
    /// looked up. An unknown or still pending answer leaves it for a later question.
    async fn ask_refund(&self, row: &PaymentRow, refund: RefundRow) -> Result<(PaymentRow, RefundRow), PayError> {
        let charge = AttemptKey::of_last_attempt(row)
            .ok_or_else(|| PayError::internal("a charged payment without its attempt"))?;
        let request = RefundRequest {
            key: &refund.id,
            charge: &charge,
            transaction_id: row.transaction_id.as_deref().unwrap_or_default(),
            amount: refund.amount,
            currency: row.payment.currency,
        };
        let provider = &self.inner.provider;
        let outcome = match refund.state {
            RefundState::Pending => provider.refund_status(request).await,
            _ => provider.refund(request).await,
        };
        let end = match outcome {
            RefundOutcome::Succeeded => RefundEnd::Succeeded,
            RefundOutcome::Pending if refund.state == RefundState::Pending => {
                let next = now_ms() + check_backoff(refund.checks).as_millis() as i64;
                self.inner.store.park_refund(&refund.id, next).await?;
                return Ok((row.clone(), refund));
            }
            RefundOutcome::Pending => RefundEnd::Pending,
            RefundOutcome::Refused { reason } => RefundEnd::Refused(reason),
            RefundOutcome::Unknown { reason } => {
                tracing::warn!(payment_id = %row.payment.id, refund_id = %refund.id, reason, "the provider's answer to a refund is unknown; asking again later");
                let next = now_ms() + check_backoff(refund.checks).as_millis() as i64;
                self.inner.store.park_refund(&refund.id, next).await?;
                return Ok((row.clone(), refund));
            }
        };
        let (row, refund) = self.inner.store.end_refund(&refund.id, end).await?;
        tracing::info!(payment_id = %row.payment.id, refund_id = %refund.id, state = refund.state.as_str(), "refund answered");
        Ok((row, refund))
    }

    /// Asks the provider again about refunds whose answer was unknown, those a dead process
    /// left with it (the same id, so nothing is refunded twice), and pending ones, until each
    /// is final.
    pub(crate) async fn check_open_refunds(&self) -> Result<usize, PayError> {
        let store = &self.inner.store;
        let mut answered = 0;
        for refund in store.refunds_to_check(50).await? {
            let next = now_ms() + check_backoff(refund.checks + 1).as_millis() as i64;
            if !store.take_refund_check(&refund, next).await? {
                continue;
            }
            let row = self.payment(refund.payment_id.as_str()).await?;
            let refund = RefundRow {
                checks: refund.checks + 1,
                ..refund
            };
            let (_, refund) = self.ask_refund(&row, refund).await?;
            if !refund.state.is_open() {
                answered += 1;
            }
        }
        Ok(answered)
    }

    /// Marks an `Offline` payment as paid: it becomes `Successful`.
    pub async fn mark_paid(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.payment(id).await?;
        if row.status != TransactionStatus::Offline {
            return Err(PayError::rejected(
                ErrorCode::IllegalTransition,
                format!("only an Offline payment can be marked paid; this one is {}", row.status),
            ));
        }
        Ok(self
            .inner
            .store
            .change_status(&row.payment.id, TransactionStatus::Successful)
            .await?)
    }
}
