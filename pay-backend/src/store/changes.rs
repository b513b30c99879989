//! The one place a payment's transaction status changes. Each change is checked against the
//! transition table and writes its event into the outbox in the same database transaction.
//! Changes come from attempts (`attempts`), refunds (`refunds`), the merchant (mark paid, and
//! in test mode a chargeback: [`Store::change_status`]) and provider events
//! (`provider_events`).

use super::payments::{fetch_payment, PaymentRow};
use super::{now_rfc3339, outbox, parse_time, Store, StoreError};
use pay_types::{DeclineCode, PaymentId, PaymentUpdateEvent, TransactionStatus, UserInfo};
use sqlx::AnyConnection;

/// A status change and what comes with it.
#[derive(Debug, Clone)]
pub struct Change {
    pub status: TransactionStatus,
    /// `None` keeps the payment's current transaction id.
    pub transaction_id: Option<String>,
    pub decline: Option<DeclineCode>,
    /// Contact details of the attempt that caused the change, if it came from one.
    pub buyer_info: Option<UserInfo>,
}

impl Change {
    pub fn to(status: TransactionStatus) -> Self {
        Self {
            status,
            transaction_id: None,
            decline: None,
            buyer_info: None,
        }
    }
}

/// Applies `change` to the payment inside `tx`: checks the transition, updates the row,
/// clears any in-flight claim and appends the event. Returns the updated payment.
pub(super) async fn apply_change(
    conn: &mut AnyConnection,
    row: &PaymentRow,
    change: Change,
) -> Result<PaymentRow, StoreError> {
    let status = row.status.transition(change.status)?;
    let transaction_id = change.transaction_id.or_else(|| row.transaction_id.clone());
    let buyer_info = change.buyer_info.or_else(|| row.buyer_info.clone());
    let failed_attempts = row.failed_attempts + u32::from(status == TransactionStatus::Failed);
    let sequence = row.event_sequence + 1;
    let now = now_rfc3339();

    sqlx::query(
        "UPDATE payments SET status = $1, transaction_id = $2, decline_code = $3, buyer_info = $4, \
         failed_attempts = $5, processing_attempt = NULL, processing_by = NULL, event_sequence = $6, \
         updated_at = $7 WHERE id = $8",
    )
    .bind(status.as_str())
    .bind(&transaction_id)
    .bind(change.decline.map(DeclineCode::as_str))
    .bind(buyer_info.as_ref().map(serde_json::to_string).transpose()?)
    .bind(i64::from(failed_attempts))
    .bind(sequence as i64)
    .bind(&now)
    .bind(row.payment.id.as_str())
    .execute(&mut *conn)
    .await?;

    let event = PaymentUpdateEvent {
        payment: row.payment.clone(),
        status,
        transaction_id: transaction_id.clone(),
        user_info: buyer_info.clone().or_else(|| row.payment.user_info.clone()),
        event_id: outbox::event_id(&row.payment.id, sequence),
        sequence,
        created_at: now.clone(),
    };
    outbox::record(conn, &event).await?;

    Ok(PaymentRow {
        status,
        transaction_id,
        decline: change.decline,
        buyer_info,
        failed_attempts,
        processing_attempt: None,
        event_sequence: sequence,
        updated_at: parse_time(&now)?,
        ..row.clone()
    })
}

impl Store {
    /// A status change the merchant (or the sandbox) asks for: checked against the table.
    pub async fn change_status(&self, id: &PaymentId, status: TransactionStatus) -> Result<PaymentRow, StoreError> {
        let (id, lock) = (id.clone(), self.dialect.for_update());
        let updated = self
            .write(move |conn| {
                Box::pin(async move {
                    let row = fetch_payment(conn, id.as_str(), lock)
                        .await?
                        .ok_or(StoreError::PaymentNotFound)?;
                    apply_change(conn, &row, Change::to(status)).await
                })
            })
            .await?;
        self.changed();
        Ok(updated)
    }
}
