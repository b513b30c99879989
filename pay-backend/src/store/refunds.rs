//! Refunds: each in one transaction with its status change and event; together they never
//! exceed the payment's amount.

use super::changes::{apply_change, Change};
use super::payments::{fetch_payment, PaymentRow};
use super::{now_rfc3339, Store, StoreError};
use pay_types::{Amount, PaymentId, TransactionStatus};
use sqlx::AnyConnection;

impl Store {
    /// Refunds `amount` (already checked against the currency's rules) of a payment, in one
    /// transaction with its status change and event. Refunds add up to the amount at most.
    pub async fn refund(
        &self,
        id: &PaymentId,
        amount: Option<Amount>,
    ) -> Result<(PaymentRow, String, Amount), StoreError> {
        let (id, lock) = (id.clone(), self.dialect.for_update());
        let refunded = self
            .write(move |conn| Box::pin(async move { refund(conn, &id, amount, lock).await }))
            .await?;
        self.changed();
        Ok(refunded)
    }
}

async fn refund(
    conn: &mut AnyConnection,
    id: &PaymentId,
    amount: Option<Amount>,
    lock: &str,
) -> Result<(PaymentRow, String, Amount), StoreError> {
    let row = fetch_payment(conn, id.as_str(), lock)
        .await?
        .ok_or(StoreError::PaymentNotFound)?;
    if !matches!(
        row.status,
        TransactionStatus::Successful | TransactionStatus::PartiallyRefunded
    ) {
        return Err(StoreError::NotRefundable(row.status));
    }
    let remaining = row.payment.amount.value() - row.refunded_amount.value();
    let amount = amount.map_or(remaining, Amount::value);
    if amount > remaining {
        return Err(StoreError::RefundExceedsAmount { amount, remaining });
    }
    let refunded = Amount::new(row.refunded_amount.value() + amount);
    let status = if amount == remaining {
        TransactionStatus::Refunded
    } else {
        TransactionStatus::PartiallyRefunded
    };
    let refund_id = format!("re_{}", uuid::Uuid::new_v4().simple());
    sqlx::query("INSERT INTO refunds (id, payment_id, amount, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&refund_id)
        .bind(id.as_str())
        .bind(Amount::new(amount).to_string())
        .bind(now_rfc3339())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE payments SET refunded_amount = $1 WHERE id = $2")
        .bind(refunded.to_string())
        .bind(id.as_str())
        .execute(&mut *conn)
        .await?;
    let updated = apply_change(conn, &row, Change::to(status)).await?;
    Ok((
        PaymentRow {
            refunded_amount: refunded,
            ..updated
        },
        refund_id,
        Amount::new(amount),
    ))
}
