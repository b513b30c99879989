//! Refunds and the merchant's other status changes: marking an offline payment paid, and in
//! test mode a chargeback.

use super::Pay;
use crate::error::PayError;
use crate::store::PaymentRow;
use pay_types::{Amount, ErrorCode, Refund, TransactionStatus};

impl Pay {
    /// Refunds a `Successful` or `PartiallyRefunded` payment: all that is left when `amount` is
    /// `None`, else that part. Over-refunding is `refund_exceeds_amount` (409).
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
        let (row, refund_id, amount) = self.inner.store.refund(&row.payment.id, amount).await?;
        Ok(Refund {
            refund_id,
            amount,
            state: pay_types::RefundState::Succeeded,
            status: row.status,
            refunded_amount: row.refunded_amount,
        })
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

    /// Test mode: raises a chargeback on a paid payment now.
    pub async fn chargeback(&self, id: &str) -> Result<PaymentRow, PayError> {
        let row = self.payment(id).await?;
        Ok(self
            .inner
            .store
            .change_status(&row.payment.id, TransactionStatus::Chargeback)
            .await?)
    }
}
